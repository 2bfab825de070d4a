"""Erasing a creator on request (`erasure.erase_creator`), on in-memory fakes: the personal data goes from
the brand's records, the network and search; the partner's id, stage and timeline stay without it; the
audit trail names the kinds of data erased, never the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from starling.discovery.model import NETWORK, CreatorDraft, Owner, Platform, brand_owner, new_creator
from starling.discovery.service import creator_id_for
from starling.identity import service as identity
from starling.identity.model import AuditEntry, Brand, Principal, Role
from starling.recruiting import erasure
from starling.recruiting import service as recruiting
from starling.recruiting.model import Stage, TimelineEntry, partner_id_for
from starling.shared.errors import NotFound
from tests.fakes.discovery import InMemoryCreatorRepository
from tests.fakes.identity import InMemoryIdentityRepository
from tests.fakes.recruiting import InMemoryPartnerRepository

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)
BRAND = Brand(brand_id="brd_a", name="Acme", slug="acme", created_at=NOW)
MANAGER = Principal(brand_id="brd_a", role=Role.MANAGER, key_id="key_m")
MAYA_ID = creator_id_for("instagram", "maya.makes")
PARTNER_ID = partner_id_for(MAYA_ID)


class World:
    """Acme's creator Maya (also in the network), a partner with a note and an email on her timeline."""

    def __init__(self) -> None:
        self.creators = InMemoryCreatorRepository()
        self.partners = InMemoryPartnerRepository()
        self.identity = InMemoryIdentityRepository()
        self.identity.brands[BRAND.brand_id] = BRAND
        draft = CreatorDraft(
            platform=Platform.INSTAGRAM, handle="maya.makes", display_name="Maya Stone",
            email="maya@gmail.com", notes="Met at the fair", followers=12_000,
        )  # fmt: skip
        maya = new_creator(draft, NOW, creator_id=MAYA_ID)
        self.creators.save_many(brand_owner(BRAND.brand_id), [maya])
        self.creators.save_many(NETWORK, [replace(maya, notes="", discoverable=True)])
        partner = recruiting.add_partner(
            self.partners, BRAND.brand_id, maya, "prospect", "owner:key_o", "Loves our mugs"
        )
        self.partners.save(replace(partner, notes="Call her back"))
        email = TimelineEntry(kind="email", at=NOW, actor="owner:key_o", email_to="maya@gmail.com")
        self.partners.add_entries(BRAND.brand_id, PARTNER_ID, [email])

    def erase(self, creator_id: str = MAYA_ID) -> erasure.Erasure:
        return erasure.erase_creator(self.identity, self.creators, self.partners, MANAGER, creator_id)


def test_erasing_a_creator_removes_them_from_the_brand_the_network_and_their_search_rows() -> None:
    # Given Maya, Acme's creator and a network creator
    world = World()
    # When a manager erases her
    world.erase()
    # Then neither the brand nor the network has her, nor a search row of her
    for owner in (brand_owner(BRAND.brand_id), NETWORK):
        assert world.creators.get_many(owner, [MAYA_ID]) == {}
        rows = [r for s in world.creators.load_segments(owner, ()).loaded.values() for r in s.rows()]
        assert MAYA_ID not in {r.creator_id for r in rows}


def test_the_partner_keeps_its_id_stage_and_timeline_without_personal_data() -> None:
    # Given Maya as a prospect with notes, a note on her entry and an email on her timeline
    world = World()
    # When she is erased
    world.erase()
    # Then the partner is still there at its stage, with nothing that says who she is
    partner = world.partners.get(BRAND.brand_id, PARTNER_ID)
    assert (partner.partner_id, partner.stage) == (PARTNER_ID, Stage.PROSPECT)
    assert (partner.handle, partner.display_name, partner.email, partner.notes) == ("erased", "", None, "")
    # And her timeline keeps its entries, without notes or addresses
    entries = [e for _, e in world.partners.timeline(BRAND.brand_id, PARTNER_ID)]
    assert len(entries) == 2
    assert all(e.note == "" and e.email_to is None for e in entries)


def test_the_audit_trail_names_what_was_erased_and_never_the_data() -> None:
    # Given Maya
    world = World()
    # When a manager erases her
    erased = world.erase()
    # Then one audit entry says who erased which creator when, and which kinds of data went
    [entry] = world.identity.audit
    assert (entry.action, entry.subject, entry.actor, entry.brand_id) == (
        "creator.erased", MAYA_ID, "key_m", BRAND.brand_id,
    )  # fmt: skip
    assert {"email", "handle", "display_name", "notes", "partner.email", "timeline.note"} <= set(entry.fields)
    assert erased.fields == entry.fields and erased.erased_at == entry.at
    # And none of her data is in it
    text = repr(entry)
    for value in ("maya@gmail.com", "maya.makes", "Maya Stone", "Met at the fair", "Loves our mugs"):
        assert value not in text


def test_erasing_a_creator_the_brand_does_not_have_is_not_found_and_changes_nothing() -> None:
    # Given Maya, and a creator id of no creator of Acme's
    world = World()
    # When it is erased, Then it is NotFound, nothing is erased and nothing audited
    with pytest.raises(NotFound):
        world.erase(creator_id_for("tiktok", "someone.else"))
    assert world.partners.get(BRAND.brand_id, PARTNER_ID).email == "maya@gmail.com"
    assert world.identity.audit == []


def test_the_audit_log_lists_newest_first_in_pages() -> None:
    # Given three erasures' entries at three times
    world = World()
    for minute in range(3):
        world.identity.append_audit(
            AuditEntry(f"aud_{minute}", BRAND.brand_id, "creator.erased", f"cre_{minute}", "key_m",
                       NOW.replace(minute=minute))
        )  # fmt: skip
    # When the log is read two at a time, Then the newest come first and the cursor gives the rest
    first, cursor = identity.audit_log(world.identity, BRAND.brand_id, 2, None)
    rest, end = identity.audit_log(world.identity, BRAND.brand_id, 2, cursor)
    assert [e.subject for e in first + rest] == ["cre_2", "cre_1", "cre_0"]
    assert end is None


class FailsOnce(InMemoryCreatorRepository):
    """The creator store fails on the first removal, as a timeout would."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def remove(self, owner: Owner, creator_id: str) -> None:
        if not self.failed:
            self.failed = True
            raise TimeoutError("the table did not answer")
        super().remove(owner, creator_id)


def test_a_retry_after_a_failure_finishes_the_erasure_and_a_second_request_is_not_found() -> None:
    # Given Maya, and a creator store that fails once
    world = World()
    failing = FailsOnce()
    failing.creators, failing.segments, failing.generations = (
        world.creators.creators, world.creators.segments, world.creators.generations,
    )  # fmt: skip
    world.creators = failing
    # When the erasure fails midway and is sent again
    with pytest.raises(TimeoutError):
        world.erase()
    erased = world.erase()
    # Then she is gone everywhere, and one audit entry names what went
    assert world.creators.get_many(brand_owner(BRAND.brand_id), [MAYA_ID]) == {}
    assert world.creators.get_many(NETWORK, [MAYA_ID]) == {}
    assert world.partners.get(BRAND.brand_id, PARTNER_ID).email is None
    assert "email" in erased.fields and len(world.identity.audit) == 1
    # And erasing her again is NotFound, with no second entry
    with pytest.raises(NotFound):
        world.erase()
    assert len(world.identity.audit) == 1
