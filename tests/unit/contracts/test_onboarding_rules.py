"""Onboarding's rules without AWS: the partner's steps, payout methods (never bank details), tax forms with
the tax id encrypted and shown masked, and the workflow's resumes."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from starling.contracts.access import Session
from starling.contracts.onboarding import (
    Onboarding,
    OnboardingStatus,
    OnboardingStep,
    PayoutKind,
    parse_payout,
    parse_profile,
    step_times,
)
from starling.contracts.portal import complete_payout, complete_profile
from starling.contracts.tax import TaxFormKind, mask_tax_id, parse_tax_form
from starling.shared.errors import Conflict, Invalid

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
W9 = {"kind": "w9", "legal_name": "Maya Lopez", "classification": "individual", "tax_id": "123-45-6789",
      "address": "1 Main St", "certify": "on"}  # fmt: skip


class RecordingCipher:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []

    def encrypt(self, plaintext: str, context: dict[str, str]) -> bytes:
        self.seen.append((plaintext, context))
        return b"ciphertext-of-" + plaintext[::-1].encode()


class MemoryOnboarding:
    def __init__(self, onboarding: Onboarding, token: str | None = None) -> None:
        self.onboarding = replace(onboarding, task_token=token)

    def get(self, brand_id: str, partner_id: str) -> Onboarding:
        return self.onboarding

    def save_details(self, onboarding: Onboarding, step: OnboardingStep, at: datetime) -> None:
        steps = {**self.onboarding.steps, step: at}
        self.onboarding = replace(onboarding, steps=steps, task_token=self.onboarding.task_token)

    def take_token(self, brand_id: str, partner_id: str) -> str | None:
        token, self.onboarding = self.onboarding.task_token, replace(self.onboarding, task_token=None)
        return token


class RecordingWorkflow:
    def __init__(self) -> None:
        self.resumed: list[tuple[str, dict[str, Any]]] = []

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        self.resumed.append((token, output))
        return True


SESSION = Session("brd_1", "ptn_1", 2_000_000_000)


def _waiting(**steps: datetime) -> Onboarding:
    return Onboarding("brd_1", "ptn_1", OnboardingStatus.WAITING_FOR_PARTNER,
                      steps={OnboardingStep(k): v for k, v in steps.items()})  # fmt: skip


def test_the_partner_s_steps_are_done_in_any_order_and_the_next_is_the_first_left() -> None:
    assert _waiting().next_step is OnboardingStep.PROFILE
    assert _waiting(profile=NOW, tax=NOW).next_step is OnboardingStep.PAYOUT
    assert not _waiting(profile=NOW, tax=NOW).partner_steps_done
    assert _waiting(profile=NOW, payout=NOW, tax=NOW).partner_steps_done


def test_a_brand_sees_the_steps_in_order_with_times_and_endings_only_when_they_happened() -> None:
    steps = [step for step, _ in step_times(_waiting(started=NOW, profile=NOW))]
    assert steps[:5] == [OnboardingStep.STARTED, OnboardingStep.INVITED, OnboardingStep.PROFILE,
                         OnboardingStep.PAYOUT, OnboardingStep.TAX]  # fmt: skip
    assert OnboardingStep.EXPIRED not in steps and OnboardingStep.REMINDED not in steps
    assert dict(step_times(_waiting(profile=NOW)))[OnboardingStep.PROFILE] == NOW


def test_a_completed_step_is_stored_before_the_workflow_resumes_and_each_token_resumes_once() -> None:
    store, workflow = MemoryOnboarding(_waiting(), token="tok-1"), RecordingWorkflow()
    complete_profile(store, workflow, SESSION, {"display_name": "Maya"})
    assert workflow.resumed == [("tok-1", {"complete": False})]
    assert store.onboarding.profile is not None and OnboardingStep.PROFILE in store.onboarding.steps
    complete_payout(store, workflow, SESSION, {"kind": "paypal", "reference": "Maya@Example.com"})
    assert len(workflow.resumed) == 1  # no token waiting: nothing to resume, the data is kept
    assert store.onboarding.payout is not None and store.onboarding.payout.reference == "maya@example.com"


def test_an_ended_onboarding_takes_no_more_steps() -> None:
    store = MemoryOnboarding(replace(_waiting(), status=OnboardingStatus.EXPIRED))
    with pytest.raises(Conflict):
        complete_profile(store, RecordingWorkflow(), SESSION, {"display_name": "Maya"})


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"display_name": "Maya", "bio": "b" * 301}, "bio"),
        ({"display_name": "Maya", "photo_url": "http://img.example/me.jpg"}, "photo_url"),
        ({"display_name": "Maya", "photo_url": "javascript:alert(1)"}, "photo_url"),
    ],
)
def test_a_profile_with_a_field_at_fault_is_refused_naming_it(form: dict[str, str], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_profile(form)
    assert field in refused.value.details


def test_a_payout_method_is_a_stripe_account_or_a_paypal_email_never_bank_details() -> None:
    assert parse_payout({"kind": "stripe", "reference": "acct_1Nv0FGQ9RKHgCVdK"}).kind is PayoutKind.STRIPE
    for bank in ("12345678", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "0123-4567-89"):
        with pytest.raises(Invalid) as refused:
            parse_payout({"kind": "stripe", "reference": bank})
        assert refused.value.details == {"reference": "no bank details"}
    for kind, reference in (("stripe", "acct_"), ("stripe", "maya@example.com"), ("paypal", "acct_123"),
                            ("wire", "x"), ("", "")):  # fmt: skip
        with pytest.raises(Invalid):
            parse_payout({"kind": kind, "reference": reference})


def test_a_w9_s_tax_id_is_encrypted_with_the_partner_s_context_and_shown_masked() -> None:
    cipher = RecordingCipher()
    form = parse_tax_form(W9, cipher, "brd_1", "ptn_1", NOW)
    assert cipher.seen == [("123456789", {"brand_id": "brd_1", "partner_id": "ptn_1"})]
    assert form.kind is TaxFormKind.W9 and form.country == "US" and form.tax_id_last4 == "6789"
    assert form.masked_tax_id == "•••••6789" == mask_tax_id("6789")
    assert "123-45-6789" not in repr(form) and "123456789" not in repr(form)
    assert base64.b64decode(form.tax_id_ciphertext).startswith(b"ciphertext-of-")


def test_a_w8ben_needs_a_foreign_country_a_birth_date_and_the_certification() -> None:
    w8 = {"kind": "w8ben", "legal_name": "Zoë Martin", "country": "fr", "date_of_birth": "1995-04-02",
          "tax_id": "1 95 04 75 123 456", "address": "3 rue de Rivoli, Paris", "certify": "on"}  # fmt: skip
    form = parse_tax_form(w8, RecordingCipher(), "brd_1", "ptn_1", NOW)
    assert (form.kind, form.country, form.masked_tax_id) == (TaxFormKind.W8BEN, "FR", "•••••3456")
    with pytest.raises(Invalid) as refused:
        parse_tax_form({**w8, "country": "US", "date_of_birth": "2 April", "certify": ""}, RecordingCipher(),
                       "brd_1", "ptn_1", NOW)  # fmt: skip
    assert set(refused.value.details) == {"country", "date_of_birth", "certify"}


@pytest.mark.parametrize("tax_id", ["12345", "123-45-678", "abc-de-fghi", ""])
def test_a_w9_with_a_malformed_ssn_or_ein_is_refused_and_nothing_is_encrypted(tax_id: str) -> None:
    cipher = RecordingCipher()
    with pytest.raises(Invalid) as refused:
        parse_tax_form({**W9, "tax_id": tax_id}, cipher, "brd_1", "ptn_1", NOW)
    assert "tax_id" in refused.value.details and cipher.seen == []
