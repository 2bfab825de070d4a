"""The branchy use cases of recruiting, on in-memory fakes: `move_stage` (write, then tell) and
`submit_application` (rate, form, new or existing partner, confirmation)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from starling.discovery.model import CreatorDraft, Platform, brand_owner, new_creator
from starling.discovery.service import creator_id_for
from starling.identity.model import Brand
from starling.recruiting import service as recruiting
from starling.recruiting.model import Partner, Stage, TimelineEntry, partner_id_for
from starling.shared.errors import Conflict, Invalid
from tests.fakes.discovery import InMemoryCreatorRepository
from tests.fakes.identity import InMemoryIdentityRepository
from tests.fakes.recruiting import InMemoryPartnerRepository, UnlimitedRateLimiter
from tests.fakes.shared import RecordingEmailSender

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)
BRAND = Brand(brand_id="brd_a", name="Acme", slug="acme", created_at=NOW)
MAYA_ID = creator_id_for("instagram", "maya.makes")
ACTOR = "owner:key_1"


class World:
    """Brand Acme with its own creator Maya, added as a prospect."""

    def __init__(self, email: str | None = "maya@gmail.com") -> None:
        self.creators = InMemoryCreatorRepository()
        self.partners = InMemoryPartnerRepository()
        self.email = RecordingEmailSender()
        self.identity = InMemoryIdentityRepository()
        self.identity.brands[BRAND.brand_id] = BRAND
        draft = CreatorDraft(platform=Platform.INSTAGRAM, handle="maya.makes", email=email)
        maya = new_creator(draft, NOW, creator_id=MAYA_ID)
        self.creators.save_many(brand_owner(BRAND.brand_id), [maya])
        recruiting.add_partner(self.partners, BRAND.brand_id, maya, "prospect", ACTOR, None)

    def move(self, to_stage: str, send_email: bool = False) -> Partner:
        return recruiting.move_stage(
            self.partners, self.creators, self.identity, self.email, BRAND.brand_id, partner_id_for(MAYA_ID),
            to_stage, ACTOR, None,
            send_email=send_email, public_base_url="https://go.acme.example",
        )  # fmt: skip

    def stage(self) -> Stage:
        return self.partners.get(BRAND.brand_id, partner_id_for(MAYA_ID)).stage

    def timeline(self) -> list[TimelineEntry]:
        return [e for _, e in self.partners.timeline(BRAND.brand_id, partner_id_for(MAYA_ID))]


class MovedMeanwhile(InMemoryPartnerRepository):
    """Another request moves the partner between this one's read and its conditional write."""

    def move(self, before: Partner, after: Partner, entries: list[TimelineEntry]) -> None:
        key = (before.brand_id, before.partner_id)
        self.partners[key] = replace(self.partners[key], stage=Stage.DECLINED)
        super().move(before, after, entries)


# --- move_stage --------------------------------------------------------------------------------------


def test_moving_to_contacted_with_outreach_commits_the_move_then_sends_then_records_the_email() -> None:
    # Given a prospect with an address, When the brand moves her to contacted with the outreach email
    world = World()
    moved = world.move("contacted", send_email=True)
    # Then the stage moved, one email went to her, and the timeline has the move and then the email
    assert moved.stage is Stage.CONTACTED
    [sent] = world.email.sent
    assert sent.to == "maya@gmail.com" and "https://go.acme.example/apply/acme?" in sent.text
    assert [e.kind for e in world.timeline()] == ["stage", "stage", "email"]
    assert world.timeline()[-1].message_id == "msg-1"


def test_a_move_that_loses_the_race_is_a_conflict_and_sends_no_email() -> None:
    # Given another request moves the partner while this one is under way
    world = World()
    world.partners = MovedMeanwhile()
    world.partners.partners = World().partners.partners
    # When this request moves her to contacted with the outreach email, Then it is a 409 and nothing is sent
    with pytest.raises(Conflict):
        world.move("contacted", send_email=True)
    assert world.email.sent == []
    assert [e.kind for e in world.timeline()] == []


def test_outreach_goes_only_with_a_move_to_contacted() -> None:
    world = World()
    with pytest.raises(Invalid) as refused:
        world.move("declined", send_email=True)
    assert refused.value.details == {"send_email": "only for contacted"}
    assert world.email.sent == [] and world.stage() is Stage.PROSPECT


def test_outreach_to_a_partner_without_an_address_is_refused_before_anything_changes() -> None:
    world = World(email=None)
    with pytest.raises(Invalid):
        world.move("contacted", send_email=True)
    assert world.email.sent == [] and world.stage() is Stage.PROSPECT


def test_a_refused_move_is_a_conflict_and_a_move_without_email_sends_nothing() -> None:
    world = World()
    with pytest.raises(Conflict):
        world.move("active")
    assert world.move("contacted").stage is Stage.CONTACTED and world.email.sent == []


# --- submit_application ------------------------------------------------------------------------------


def _form(**overrides: str) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {"name": "Maya Lopez", "email": "maya@gmail.com",
        "platform_1": "instagram", "handle_1": "maya.makes", "accept_terms": "on"}  # fmt: skip
    form.update(overrides)
    return form


def _submit(world: World, limiter: object = None, **overrides: str) -> recruiting.Submitted:
    return recruiting.submit_application(
        world.identity, world.creators, world.partners, limiter or UnlimitedRateLimiter(),  # type: ignore[arg-type]
        world.email, "acme", _form(**overrides), "203.0.113.9",
    )  # fmt: skip


class SixthRequest:
    def hit(self, key: str, window_seconds: int, now_epoch: int) -> int:
        return 6


def test_an_application_moves_the_brand_s_prospect_to_applied_and_confirms_by_email() -> None:
    world = World()
    submitted = _submit(world)
    assert submitted.partner_id == partner_id_for(MAYA_ID)
    assert world.partners.get("brd_a", submitted.partner_id).stage is Stage.APPLIED
    [sent] = world.email.sent
    assert sent.to == "maya@gmail.com" and sent.subject == "Your application to Acme"
    assert [e.kind for e in world.timeline()] == ["stage", "stage", "email"]


def test_a_new_applicant_enters_the_pipeline_at_applied() -> None:
    world = World()
    submitted = _submit(world, handle_1="new.face")
    partner = world.partners.get("brd_a", submitted.partner_id)
    assert partner.stage is Stage.APPLIED and partner.email == "maya@gmail.com"


def test_too_many_applications_from_one_source_are_refused_and_nothing_is_kept() -> None:
    world = World()
    with pytest.raises(recruiting.TooManySubmissions):
        _submit(world, limiter=SixthRequest())
    assert world.email.sent == [] and world.stage() is Stage.PROSPECT


def test_an_application_from_a_throwaway_inbox_is_refused_with_a_clear_message() -> None:
    world = World()
    with pytest.raises(Invalid) as refused:
        _submit(world, email="maya@mailinator.com")
    assert "throwaway inboxes are not accepted" in refused.value.details["email"]
    assert world.email.sent == []


def test_a_move_back_is_kept_as_an_undo_and_sends_no_outreach() -> None:
    # Given Maya moved to contacted, then to negotiating
    world = World()
    world.move("contacted")
    world.move("negotiating")
    # When she is moved back to contacted with a note
    back = recruiting.move_stage(
        world.partners, world.creators, world.identity, world.email, BRAND.brand_id, partner_id_for(MAYA_ID),
        "contacted", ACTOR, "Wrong card",
    )  # fmt: skip
    # Then she is in contacted, the timeline marks the move as an undo, and asking for an email with it fails
    assert back.stage is Stage.CONTACTED
    assert [(e.to_stage, e.undo) for e in world.timeline()][-1] == (Stage.CONTACTED, True)
    world.move("negotiating")
    with pytest.raises(Invalid):
        recruiting.move_stage(
            world.partners, world.creators, world.identity, world.email, BRAND.brand_id,
            partner_id_for(MAYA_ID), "contacted", ACTOR, "Again", send_email=True,
        )  # fmt: skip
    assert world.stage() is Stage.NEGOTIATING and world.email.sent == []


def test_partners_are_searched_by_handle_or_name_with_accents_folded() -> None:
    # Given Maya and Zoë
    world = World()
    zoe = new_creator(
        CreatorDraft(platform=Platform.TIKTOK, handle="zoe.glow", display_name="Zoë Martin"),
        NOW,
        creator_id="cre_z",
    )
    recruiting.add_partner(world.partners, BRAND.brand_id, zoe, "prospect", ACTOR, None)

    # When the brand searches
    def found(q: str) -> list[str]:
        return [
            p.handle for p in recruiting.list_partners(world.partners, BRAND.brand_id, None, 25, None, q)[0]
        ]

    # Then each query finds the partner whose handle or name starts with its words
    assert found("ZOË") == found("zoe") == found("mart") == ["zoe.glow"]
    assert found("maya.makes") == found("mak") == ["maya.makes"]
    assert found("zoe maya") == []
    with pytest.raises(Invalid):
        found("!!")
