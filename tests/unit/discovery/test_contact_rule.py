"""A network creator's contact details stay theirs: the rule that decides what a brand sees of a creator.

`contact_shown` and `public_profile` (discovery's model), the reference a brand keeps of a network
creator, and re-imports over it. The use cases that must keep the rule (adding, outreach, applying) are in
tests/unit/test_contact_privacy.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from starling.discovery import model as discovery_rules
from starling.discovery.model import (
    NETWORK,
    Creator,
    CreatorDraft,
    Platform,
    brand_owner,
    contact_shown,
    merge_creator,
    network_reference,
    public_profile,
    without_contact,
)
from starling.discovery.service import creator_id_for
from starling.identity.model import Brand

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)
ZOE_ID = creator_id_for("tiktok", "zoe.cooks")
ZOE_EMAIL = "zoe@gmail.com"


def zoe(**overrides: object) -> Creator:
    fields: dict[str, object] = {
        "creator_id": ZOE_ID,
        "platform": Platform.TIKTOK,
        "handle": "zoe.cooks",
        "created_at": NOW,
        "updated_at": NOW,
        "display_name": "Zoë Martin",
        "followers": 15_000,
        "niches": ("food",),
        "email": ZOE_EMAIL,
        "notes": "Met at the food fair",
        "discoverable": True,
    }
    fields.update(overrides)
    return Creator(**fields)  # type: ignore[arg-type]


def brand(brand_id: str) -> Brand:
    return Brand(brand_id=brand_id, name=f"Brand {brand_id[-1].upper()}", slug=brand_id, created_at=NOW)


# --- the rule ----------------------------------------------------------------------------------------


def test_a_brand_sees_the_contact_details_of_its_own_creator() -> None:
    # Given brand A's own record of Zoë (imported, or from her application to A)
    # When A looks at it
    seen = public_profile(zoe(), brand_owner("brd_a"), "brd_a")
    # Then A sees her email and its notes, as before
    assert seen.email == ZOE_EMAIL and seen.notes == "Met at the food fair"


def test_no_brand_sees_the_contact_details_or_notes_on_the_network_record() -> None:
    # Given Zoë's record in the shared network
    for viewer in ("brd_a", "brd_b"):
        # When any brand looks at it
        seen = public_profile(zoe(notes=""), NETWORK, viewer)
        # Then her profile is there, her email is not
        assert seen.email is None and seen.handle == "zoe.cooks" and seen.followers == 15_000


def test_a_brand_never_sees_the_contact_details_or_notes_on_another_brand_s_record() -> None:
    seen = public_profile(zoe(), brand_owner("brd_a"), "brd_b")
    assert seen.email is None and seen.notes == ""
    assert not contact_shown(brand_owner("brd_a"), "brd_b", None)


def test_a_brand_s_reference_to_a_network_creator_never_shows_an_email_even_if_one_were_stored() -> None:
    # Given brand B's record that still points to the network for contact, with an email by mistake
    record = zoe(network_contact_id=ZOE_ID)
    # When B looks at it, Then the rule hides the email anyway
    assert public_profile(record, brand_owner("brd_b"), "brd_b").email is None
    assert not contact_shown(brand_owner("brd_b"), "brd_b", ZOE_ID)


def test_every_contact_field_is_hidden_including_ones_added_later(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a record with a phone number, and the phone listed as a contact field
    @dataclass(frozen=True)
    class Card:
        handle: str
        email: str | None
        phone: str | None

    monkeypatch.setattr(discovery_rules, "CONTACT_FIELDS", ("email", "phone"))
    # When its contact details are taken off, Then both go and the rest stays
    assert without_contact(Card("zoe", ZOE_EMAIL, "+33 6 00 00 00 00")) == Card("zoe", None, None)


def test_adding_a_network_creator_keeps_a_reference_not_the_email() -> None:
    # Given Zoë in the network
    # When brand B keeps its own record of her
    reference = network_reference(zoe(notes=""), "brd_b", NOW)
    # Then the record has her public profile and the network creator's id, and no email
    assert reference.email is None and reference.network_contact_id == ZOE_ID
    assert reference.handle == "zoe.cooks" and reference.followers == 15_000
    assert reference.discoverable is False  # B's list is not the network


def test_a_re_import_keeps_the_reference_unless_it_brings_an_email_of_the_brand_s_own() -> None:
    reference = network_reference(zoe(notes=""), "brd_b", NOW)
    no_email = CreatorDraft(platform=Platform.TIKTOK, handle="zoe.cooks", followers=16_000)
    assert merge_creator(reference, no_email, NOW).network_contact_id == ZOE_ID
    typed = CreatorDraft(platform=Platform.TIKTOK, handle="zoe.cooks", email="press@zoe.example.org")
    merged = merge_creator(reference, typed, NOW)
    assert merged.network_contact_id is None and merged.email == "press@zoe.example.org"
