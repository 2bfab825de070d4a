"""The onboarding workflow's own steps without AWS: where the partner moves, what is recorded, who is told.
Each step may run twice (Step Functions retries) and must leave the same result."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from starling.contracts.access import PortalAccount, hash_email
from starling.contracts.onboarding import Onboarding, OnboardingStatus, OnboardingStep
from starling.contracts.onboarding_tasks import (
    NotOnboarding,
    OnboardingContext,
    begin,
    contract_ended,
    expire,
)
from starling.identity.model import Brand
from starling.recruiting.model import Partner, Stage
from starling.shared.email import Email

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
BRAND = Brand(brand_id="brd_1", name="Juniper", slug="juniper", created_at=NOW)


def _partner(stage: Stage, email: str | None = "maya@gmail.com", owner: str | None = None) -> Partner:
    return Partner(partner_id="ptn_1", brand_id="brd_1", creator_id="cre_1", platform="instagram",
                   handle="maya.makes", display_name="Maya", email=email, stage=stage, stage_entered_at=NOW,
                   created_at=NOW, updated_at=NOW, owner=owner)  # fmt: skip


class Pipeline:
    def __init__(self, partner: Partner) -> None:
        self.current = partner
        self.moves: list[tuple[str, str]] = []

    def partner(self, brand_id: str, partner_id: str) -> Partner:
        return self.current

    def move(self, brand_id: str, partner_id: str, stage: str, note: str) -> Partner:
        self.moves.append((stage, note))
        self.current = replace(self.current, stage=Stage(stage))
        return self.current


class Store:
    def __init__(self) -> None:
        self.records: dict[str, Onboarding] = {}
        self.marks: list[tuple[OnboardingStep, dict[str, Any]]] = []

    def create(self, onboarding: Onboarding) -> bool:
        if onboarding.partner_id in self.records:
            return False
        self.records[onboarding.partner_id] = onboarding
        return True

    def mark(self, brand_id: str, partner_id: str, step: OnboardingStep, at: datetime, **fields: Any) -> None:
        self.marks.append((step, fields))


class Accounts:
    def __init__(self) -> None:
        self.added: list[tuple[str, PortalAccount]] = []

    def add(self, email_hash: str, account: PortalAccount) -> None:
        self.added.append((email_hash, account))


class Outbox:
    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> str:
        self.sent.append(email)
        return "msg"


class Brands:
    def get_brand(self, brand_id: str) -> Brand:
        return BRAND


def _context(partner: Partner) -> tuple[OnboardingContext, Pipeline, Store, Accounts, Outbox]:
    pipeline, store, accounts, outbox = Pipeline(partner), Store(), Accounts(), Outbox()
    ctx = OnboardingContext(
        store=store,  # type: ignore[arg-type]
        pipeline=pipeline,
        brands=Brands(),
        accounts=accounts,
        links=None,
        email=outbox,
        base_url="https://go.example",
        manager_inbox="team@juniper.example",
    )
    return ctx, pipeline, store, accounts, outbox


def test_begin_moves_the_approved_partner_to_onboarding_once_and_lets_their_address_sign_in() -> None:
    ctx, pipeline, store, accounts, _ = _context(_partner(Stage.APPROVED))
    begin(ctx, "brd_1", "ptn_1")
    begin(ctx, "brd_1", "ptn_1")  # a retry
    assert pipeline.moves == [("onboarding", "Onboarding started")]
    assert store.records["ptn_1"].status is OnboardingStatus.WAITING_FOR_PARTNER
    assert accounts.added[0] == (hash_email("Maya@Gmail.com "), PortalAccount("brd_1", "ptn_1", "Juniper"))


@pytest.mark.parametrize(
    "partner", [_partner(Stage.DECLINED), _partner(Stage.ACTIVE), _partner(Stage.APPROVED, None)]
)
def test_begin_stops_quietly_when_the_partner_cannot_be_onboarded(partner: Partner) -> None:
    ctx, pipeline, store, _, _ = _context(partner)
    with pytest.raises(NotOnboarding):
        begin(ctx, "brd_1", "ptn_1")
    assert pipeline.moves == [] and store.records == {}


def test_expiry_pauses_the_partner_and_emails_their_owner_or_else_the_program_inbox() -> None:
    ctx, pipeline, store, _, outbox = _context(_partner(Stage.ONBOARDING, owner="sam@juniper.example"))
    expire(ctx, "brd_1", "ptn_1")
    assert pipeline.moves == [("paused", "Onboarding expired after 14 days")]
    assert store.marks == [(OnboardingStep.EXPIRED, {"status": OnboardingStatus.EXPIRED, "task_token": None})]
    assert [m.to for m in outbox.sent] == ["sam@juniper.example"] and "expired" in outbox.sent[0].subject
    ctx, _, _, _, outbox = _context(_partner(Stage.ONBOARDING, owner="Sam"))
    expire(ctx, "brd_1", "ptn_1")
    assert [m.to for m in outbox.sent] == ["team@juniper.example"]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("ContractDeclined", "contract_declined"),
        ("ContractExpired", "contract_expired"),
        ("States.Timeout", "contract_timeout"),
    ],
)
def test_a_contract_that_ends_unsigned_ends_onboarding_and_pauses_the_partner(
    error: str, reason: str
) -> None:
    ctx, pipeline, store, _, _ = _context(_partner(Stage.ONBOARDING))
    contract_ended(ctx, "brd_1", "ptn_1", error)
    assert store.marks[0][1] == {"status": OnboardingStatus.ENDED, "ended_reason": reason}
    assert [stage for stage, _ in pipeline.moves] == ["paused"]
