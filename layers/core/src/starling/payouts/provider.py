"""The payment provider port: pay one statement, and find what was paid for it.

A statement is paid with an idempotency key derived from the statement and its attempt (`idempotency_key`),
never a random one, so a retry of the same attempt can never pay twice: the provider replays the first
answer. What can go wrong is one of two kinds:
- `TransientPaymentError`: the network, a timeout, a 5xx, a 409 or a 429. The same call again, with the
  same key, after a backoff. Whether the money moved is unknown until a retry answers.
- `PermanentPaymentError`: the provider refused (an inactive account, insufficient balance). The statement
  is `failed` with the provider's reason; the next run pays it again under a new attempt, so a new key.

A key protects a retry for 24 hours (Stripe's window). After that, or after a crash between paying and
recording, reconcile first: `find_by_transfer_group(transfer_group(statement_id))` lists what was paid for
the statement; pay again only when it is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from starling.shared.errors import StarlingError

_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def idempotency_key(statement_id: str, attempt: int = 1) -> str:
    """The key of a statement's `attempt`-th payment (a new run's retry of a failed one is attempt 2...)."""
    return f"starling-{_SAFE.sub('_', statement_id)}-{attempt}"


def transfer_group(statement_id: str) -> str:
    """What every transfer for the statement is tagged with, to find them again whatever the key was."""
    return f"statement_{_SAFE.sub('_', statement_id)}"


@dataclass(frozen=True)
class Payment:
    """Money the provider moved: its reference (a Stripe transfer id), to whom, how much, for what."""

    provider: str
    reference: str
    destination: str
    amount: int  # minor units
    currency: str  # ISO 4217, upper case
    transfer_group: str
    statement_id: str | None = None
    replayed: bool = False  # the provider answered from its idempotency record


class PaymentError(StarlingError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, {"reason": reason})
        self.reason = reason


class TransientPaymentError(PaymentError):
    """Try again with the same key, after a backoff; the money may or may not have moved."""

    code = "payment_transient"


class PermanentPaymentError(PaymentError):
    """The provider refused; `reason` is its own code (`insufficient_capabilities_for_transfer`...)."""

    code = "payment_refused"


class PaymentProvider(Protocol):
    name: str

    def pay(
        self,
        statement_id: str,
        destination: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        transfer_group: str,
    ) -> Payment:
        """Move `amount` to `destination` (a connected account, an email...) once per key."""
        ...

    def find_by_transfer_group(self, transfer_group: str) -> list[Payment]:
        """Every payment tagged with this group, to reconcile a statement whose outcome is unknown."""
        ...


def destination_of(method_kind: str | None, reference: str | None, provider: str) -> str:
    """The provider's destination for a partner's payout method (the `acct_...` id for Stripe, the email
    for the PayPal export); a partner without one, or with one of another provider, cannot be paid by
    this provider: a permanent failure the next run retries once the partner gives one."""
    if method_kind is None or not reference:
        raise PermanentPaymentError("no_payout_method", "The partner has not given a payout method.")
    if method_kind != provider:
        raise PermanentPaymentError(
            "other_payout_method", f"The partner is paid through {method_kind}, not {provider}."
        )
    return reference
