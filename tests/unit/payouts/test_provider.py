"""How a provider's failure is classified, and how keys and groups derive from the statement."""

from __future__ import annotations

import pytest
import stripe

from starling.payouts.environment import PayoutsEnvironment
from starling.payouts.provider import (
    PermanentPaymentError,
    TransientPaymentError,
    destination_of,
    idempotency_key,
    transfer_group,
)
from starling.payouts.stripe_provider import api_key_from_secret, classify
from starling.shared.settings import MissingSettings


def _error(status: int, kind: str, code: str | None = None) -> stripe.StripeError:
    body = {"error": {"type": kind, "message": "m", **({"code": code} if code else {})}}
    return stripe.APIError("m", http_status=status, json_body=body, code=code)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (stripe.APIConnectionError("Read timed out"), "network"),
        (_error(500, "api_error"), "http_500"),
        (_error(503, "api_error"), "http_503"),
        (_error(409, "invalid_request_error", "idempotency_key_in_use"), "idempotency_key_in_use"),
        (_error(409, "invalid_request_error"), "http_409"),
        (stripe.RateLimitError("slow down", http_status=429), "http_429"),
    ],
)
def test_network_timeouts_5xx_409_and_429_are_transient(error: stripe.StripeError, reason: str) -> None:
    classified = classify(error)
    assert isinstance(classified, TransientPaymentError) and classified.reason == reason


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (stripe.InvalidRequestError("no capability", None, "insufficient_capabilities_for_transfer",
                                    http_status=400), "insufficient_capabilities_for_transfer"),
        (stripe.InvalidRequestError("no funds", None, "balance_insufficient", http_status=400),
         "balance_insufficient"),
        (stripe.AuthenticationError("bad key", http_status=401), "AuthenticationError"),
    ],
)  # fmt: skip
def test_a_refusal_is_permanent_with_the_providers_reason(error: stripe.StripeError, reason: str) -> None:
    classified = classify(error)
    assert isinstance(classified, PermanentPaymentError) and classified.reason == reason
    assert classified.message


def test_the_key_comes_from_the_statement_and_its_attempt_never_at_random() -> None:
    assert idempotency_key("st_1") == idempotency_key("st_1") == "starling-st_1-1"
    assert idempotency_key("st_1", 2) != idempotency_key("st_1")
    assert transfer_group("st#1") == "statement_st_1"


def test_the_secret_holds_the_key_as_json_or_bare() -> None:
    assert api_key_from_secret('{"api_key": "sk_live_1"}') == "sk_live_1"
    assert api_key_from_secret(" sk_live_2\n") == "sk_live_2"


def test_a_function_without_the_payouts_variables_fails_naming_them() -> None:
    with pytest.raises(MissingSettings, match="LEDGER_TABLE_NAME, LEDGER_BALANCES_TABLE_NAME"):
        PayoutsEnvironment.read({}).require("ledger_table", "ledger_balances_table")
    env = PayoutsEnvironment.read({"STRIPE_SECRET_ID": "arn:1", "STRIPE_API_BASE": "http://127.0.0.1:1/"})
    assert env.require("stripe_secret_id").stripe_api_base == "http://127.0.0.1:1"


def test_a_partner_is_paid_at_the_destination_they_gave_in_onboarding() -> None:
    assert destination_of("stripe", "acct_1A2b3C4d5E", "stripe") == "acct_1A2b3C4d5E"
    assert destination_of("paypal", "ana@example.com", "paypal") == "ana@example.com"


@pytest.mark.parametrize(
    ("kind", "reference", "reason"),
    [(None, None, "no_payout_method"), ("stripe", "", "no_payout_method"),
     ("paypal", "ana@example.com", "other_payout_method")],
)  # fmt: skip
def test_without_a_destination_for_this_provider_the_payment_fails_for_good(
    kind: str | None, reference: str | None, reason: str
) -> None:
    with pytest.raises(PermanentPaymentError) as raised:
        destination_of(kind, reference, "stripe")
    assert raised.value.reason == reason
