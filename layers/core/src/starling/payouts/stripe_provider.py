"""Stripe Connect transfers, through the official `stripe` package: one transfer from the platform's balance
to the partner's connected account per statement attempt.

The SDK never retries here (`max_network_retries=0`): the workflow retries transient errors itself, with the
same key and its own backoff, so that a retry is a visible step. The API key comes from Secrets Manager
(a JSON secret `{"api_key": "sk_..."}` or the bare key); the base address is a setting, so the local cloud
points the SDK at its Stripe-compatible server (infra/local/stripe_server.py).

Amounts: Stripe's `amount` is the currency's smallest unit, as ours is (for a few currencies Stripe's
zero-decimal list differs from ISO 4217: HUF, TWD and UGX transfers want whole units x 100).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import boto3
import stripe

from starling.payouts.environment import PayoutsEnvironment
from starling.payouts.provider import Payment, PermanentPaymentError, TransientPaymentError
from starling.shared.settings import get_settings

STRIPE_API = "https://api.stripe.com"
TRANSIENT_STATUSES = {409, 429}


def api_key_from_secret(secret_string: str) -> str:
    """The API key in the secret: `{"api_key": "sk_..."}`, or the bare key."""
    text = secret_string.strip()
    if text.startswith("{"):
        return str(json.loads(text)["api_key"])
    return text


@lru_cache(maxsize=4)
def _secret_key(secret_id: str) -> str:
    secret = boto3.client("secretsmanager", region_name=get_settings().region).get_secret_value(
        SecretId=secret_id
    )
    return api_key_from_secret(secret["SecretString"])


def classify(error: stripe.StripeError) -> TransientPaymentError | PermanentPaymentError:
    """Network, timeouts, 5xx, 409 and 429 are worth the same call again; any other refusal is not."""
    status = error.http_status
    detail = error.error  # Stripe's error object, when the answer had one
    code = error.code or (detail.code if detail else None)
    message = error.user_message or str(error)
    if isinstance(error, stripe.APIConnectionError):
        return TransientPaymentError("network", message or "The provider could not be reached.")
    if status is None or status >= 500 or status in TRANSIENT_STATUSES:
        return TransientPaymentError(code or f"http_{status}", message)
    reason = code or (detail.type if detail else None) or type(error).__name__
    return PermanentPaymentError(reason, message)


class StripeConnectProvider:
    """The `PaymentProvider` port on Stripe Connect transfers."""

    name = "stripe"

    def __init__(self, api_key: str, api_base: str = "", timeout: float = 30.0) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base or STRIPE_API},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    @classmethod
    def from_settings(cls, timeout: float = 30.0) -> StripeConnectProvider:
        """The deployment's provider: its key from Secrets Manager (STRIPE_SECRET_ID), its base address
        STRIPE_API_BASE (empty: Stripe's own)."""
        env = PayoutsEnvironment.read().require("stripe_secret_id")
        return cls(_secret_key(env.stripe_secret_id), env.stripe_api_base, timeout)

    def pay(
        self,
        statement_id: str,
        destination: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        transfer_group: str,
    ) -> Payment:
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": {"statement_id": statement_id},
        }
        try:
            transfer = self._client.v1.transfers.create(params, {"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise classify(exc) from exc
        response = transfer.last_response
        replayed = bool(response and response.headers.get("Idempotent-Replayed") == "true")
        return _payment(transfer, replayed)

    def find_by_transfer_group(self, transfer_group: str) -> list[Payment]:
        try:
            page = self._client.v1.transfers.list({"transfer_group": transfer_group, "limit": 100})
            return [_payment(t) for t in page.auto_paging_iter()]
        except stripe.StripeError as exc:
            raise classify(exc) from exc


def _payment(transfer: Any, replayed: bool = False) -> Payment:
    metadata = transfer.metadata.to_dict() if transfer.metadata else {}
    return Payment(
        provider="stripe",
        reference=transfer.id,
        destination=str(transfer.destination),
        amount=int(transfer.amount),
        currency=str(transfer.currency).upper(),
        transfer_group=transfer.transfer_group or "",
        statement_id=metadata.get("statement_id"),
        replayed=replayed,
    )
