"""Onboarding: what a newly approved partner completes before they are active, and the rules of each step.

The partner's own steps are `PARTNER_STEPS`: a profile, a payout method and a tax form, in any order, each
resuming the workflow (the state machine beside infra/constructs/contracts/onboarding.py). The workflow's
own steps (invited, reminded, contract sent and signed, activated, expired, ended) are recorded with their
time as it takes them. A record says where the onboarding is (`OnboardingStatus`) and holds the workflow's
current task token, which never leaves the server: links carry only a magic link's secret.

A payout method is a reference to an account the partner holds elsewhere (a Stripe Connect account id or
a PayPal email): Starling never takes bank details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from starling.contracts.tax import TaxForm
from starling.shared.errors import Invalid
from starling.shared.values import normalise_email


class OnboardingStep(StrEnum):
    STARTED = "started"
    INVITED = "invited"
    PROFILE = "profile"
    PAYOUT = "payout"
    TAX = "tax"
    REMINDED = "reminded"
    CONTRACT_SENT = "contract_sent"
    CONTRACT_SIGNED = "contract_signed"
    ACTIVATED = "activated"
    EXPIRED = "expired"
    ENDED = "ended"


PARTNER_STEPS: tuple[OnboardingStep, ...] = (
    OnboardingStep.PROFILE,
    OnboardingStep.PAYOUT,
    OnboardingStep.TAX,
)
# The order a brand reads the steps in (GET /v1/partners/{id}/onboarding).
STEP_ORDER: tuple[OnboardingStep, ...] = tuple(OnboardingStep)


class OnboardingStatus(StrEnum):
    WAITING_FOR_PARTNER = "waiting_for_partner"
    CONTRACT = "contract"
    ACTIVE = "active"
    EXPIRED = "expired"
    ENDED = "ended"  # the contract was declined or expired
    FAILED = "failed"


OPEN_STATUSES = frozenset({OnboardingStatus.WAITING_FOR_PARTNER, OnboardingStatus.CONTRACT})
# A partner may change their own details while onboarding and once active; not once it ended.
EDITABLE_STATUSES = frozenset({*OPEN_STATUSES, OnboardingStatus.ACTIVE})


class PayoutKind(StrEnum):
    STRIPE = "stripe"
    PAYPAL = "paypal"


@dataclass(frozen=True)
class Profile:
    display_name: str
    bio: str = ""
    photo_url: str | None = None


@dataclass(frozen=True)
class PayoutMethod:
    kind: PayoutKind
    reference: str  # acct_... or a PayPal email


@dataclass(frozen=True)
class Onboarding:
    brand_id: str
    partner_id: str
    status: OnboardingStatus
    steps: dict[OnboardingStep, datetime] = field(default_factory=dict)
    task_token: str | None = None
    contract_id: str | None = None
    ended_reason: str | None = None
    profile: Profile | None = None
    payout: PayoutMethod | None = None
    tax: TaxForm | None = None

    @property
    def partner_steps_done(self) -> bool:
        return all(step in self.steps for step in PARTNER_STEPS)

    @property
    def next_step(self) -> OnboardingStep | None:
        """The first of the partner's steps still to do, None when all are done."""
        return next((step for step in PARTNER_STEPS if step not in self.steps), None)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


_STRIPE_ACCOUNT = re.compile(r"^acct_[A-Za-z0-9]{8,64}$")
_DIGITS_ONLY = re.compile(r"^[\d\s-]{6,}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")


def _clean(value: Any, max_length: int) -> str:
    text = " ".join(str(value or "").split())
    return text[: max_length + 1]


def parse_profile(form: dict[str, Any]) -> Profile:
    errors: dict[str, str] = {}
    display_name = _clean(form.get("display_name"), 80)
    bio = " ".join(str(form.get("bio") or "").split())
    photo_url = _clean(form.get("photo_url"), 2000) or None
    if not display_name:
        errors["display_name"] = "required"
    elif len(display_name) > 80:
        errors["display_name"] = "at most 80 characters"
    if len(bio) > 300:
        errors["bio"] = "at most 300 characters"
    if photo_url is not None and (
        not photo_url.startswith("https://") or len(photo_url) > 2000 or " " in photo_url
    ):
        errors["photo_url"] = "an https:// address of your photo"
    if errors:
        raise Invalid("Some fields need another look.", errors)
    return Profile(display_name=display_name, bio=bio, photo_url=photo_url)


def parse_payout(form: dict[str, Any]) -> PayoutMethod:
    """A Stripe Connect account id (acct_...) or a PayPal email; anything like a bank account is refused."""
    kind_text = str(form.get("kind") or "").strip().lower()
    reference = str(form.get("reference") or "").strip()
    if kind_text not in (PayoutKind.STRIPE, PayoutKind.PAYPAL):
        raise Invalid("Choose Stripe or PayPal.", {"kind": "stripe or paypal"})
    if _DIGITS_ONLY.match(reference) or _IBAN.match(reference.replace(" ", "").upper()):
        raise Invalid(
            "Starling never takes bank details: give your Stripe account id or your PayPal email.",
            {"reference": "no bank details"},
        )
    kind = PayoutKind(kind_text)
    if kind is PayoutKind.STRIPE and not _STRIPE_ACCOUNT.match(reference):
        raise Invalid("A Stripe Connect account id looks like acct_1A2b3C4d5E.", {"reference": "acct_..."})
    if kind is PayoutKind.PAYPAL:
        try:
            reference = normalise_email(reference)
        except Invalid:
            raise Invalid("Give the email of your PayPal account.", {"reference": "an email"}) from None
    return PayoutMethod(kind=kind, reference=reference)


def step_times(onboarding: Onboarding) -> list[tuple[OnboardingStep, datetime | None]]:
    """Each step a brand sees, in order, with when it was done (None: not yet). The end states appear only
    when they happened."""
    endings = {OnboardingStep.REMINDED, OnboardingStep.EXPIRED, OnboardingStep.ENDED}
    return [
        (step, onboarding.steps.get(step))
        for step in STEP_ORDER
        if step not in endings or step in onboarding.steps
    ]


class OnboardingStore(Protocol):
    """Onboarding records, one per brand and partner."""

    def create(self, onboarding: Onboarding) -> bool:
        """Store a new record; False when the partner already has one (a restarted workflow)."""
        ...

    def get(self, brand_id: str, partner_id: str) -> Onboarding: ...
    def mark(self, brand_id: str, partner_id: str, step: OnboardingStep, at: datetime, **fields: Any) -> None:
        """Record that `step` happened at `at`, with other fields to set (status, contract_id, ...)."""
        ...

    def save_details(self, onboarding: Onboarding, step: OnboardingStep, at: datetime) -> None:
        """Store the partner's profile, payout method or tax form (whichever `step` is), and its time."""
        ...

    def set_token(self, brand_id: str, partner_id: str, token: str) -> None: ...
    def take_token(self, brand_id: str, partner_id: str) -> str | None:
        """Remove the current task token and return it (None when there is none): one resume per token."""
        ...
