"""A network creator's contact details stay theirs, in recruiting: the partner views built on discovery's
rule (`partner_as_seen_by`, `entry_as_seen_by`), then the use cases that must keep it: adding a network
creator as a partner, outreach sent by Starling, and applying.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from starling.discovery import service as discovery
from starling.discovery.model import (
    NETWORK,
    Creator,
    CreatorDraft,
    Platform,
    brand_owner,
    network_reference,
    public_profile,
)
from starling.discovery.service import creator_id_for
from starling.identity.model import Brand
from starling.recruiting import service as recruiting
from starling.recruiting.applications import application_url, creator_from_application, prefill
from starling.recruiting.model import (
    Partner,
    Stage,
    TimelineEntry,
    entry_as_seen_by,
    partner_as_seen_by,
    partner_id_for,
    reveal_contact,
)
from starling.recruiting.outreach import RenderedEmail, network_notice, with_notice
from starling.shared.errors import Invalid, NotFound
from tests.fakes.discovery import InMemoryCreatorRepository
from tests.fakes.identity import InMemoryIdentityRepository
from tests.fakes.recruiting import InMemoryPartnerRepository, UnlimitedRateLimiter
from tests.fakes.shared import RecordingEmailSender

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)
ZOE_ID = creator_id_for("tiktok", "zoe.cooks")
ZOE_EMAIL = "zoe@gmail.com"
BASE = "https://go.starling.example"


def zoe(**overrides: object) -> Creator:
    """Zoë, a food creator in the network, as brand A holds her (with its notes)."""
    fields: dict[str, object] = {"creator_id": ZOE_ID, "platform": Platform.TIKTOK, "handle": "zoe.cooks",
        "created_at": NOW, "updated_at": NOW, "display_name": "Zoë Martin", "followers": 15_000,
        "niches": ("food",), "email": ZOE_EMAIL, "notes": "Met at the food fair",
        "discoverable": True}  # fmt: skip
    fields.update(overrides)
    return Creator(**fields)  # type: ignore[arg-type]


def brand(brand_id: str) -> Brand:
    return Brand(brand_id=brand_id, name=f"Brand {brand_id[-1].upper()}", slug=brand_id, created_at=NOW)


# --- the partner views -------------------------------------------------------------------------------


def _partner(brand_id: str = "brd_b", **overrides: object) -> Partner:
    fields: dict[str, object] = {
        "partner_id": partner_id_for(ZOE_ID), "brand_id": brand_id, "creator_id": ZOE_ID,
        "platform": "tiktok", "handle": "zoe.cooks", "display_name": "Zoë Martin", "email": None,
        "stage": Stage.PROSPECT, "stage_entered_at": NOW, "created_at": NOW, "updated_at": NOW,
        "network_contact_id": ZOE_ID,
    }  # fmt: skip
    fields.update(overrides)
    return Partner(**fields)  # type: ignore[arg-type]


def test_a_partner_made_from_a_network_creator_shows_no_email_to_its_brand() -> None:
    assert partner_as_seen_by(_partner(email=ZOE_EMAIL), "brd_b").email is None


def test_a_partner_shows_its_email_to_its_brand_once_the_creator_shared_it_and_never_to_another() -> None:
    # Given B's partner, revealed when Zoë applied to B
    revealed = reveal_contact(_partner(), ZOE_EMAIL, NOW)
    # Then B sees the email, and another brand does not
    assert revealed.network_contact_id is None
    assert partner_as_seen_by(revealed, "brd_b").email == ZOE_EMAIL
    assert partner_as_seen_by(revealed, "brd_c").email is None


def test_an_email_s_recipient_in_the_timeline_is_a_contact_detail() -> None:
    entry = TimelineEntry(kind="email", at=NOW, actor="applicant", email_to=ZOE_EMAIL, email_subject="Hi")
    assert entry_as_seen_by(entry, _partner(), "brd_b").email_to is None
    revealed = reveal_contact(_partner(), ZOE_EMAIL, NOW)
    assert entry_as_seen_by(entry, revealed, "brd_b").email_to == ZOE_EMAIL
    assert entry_as_seen_by(entry, revealed, "brd_c").email_to is None


def test_an_application_over_a_network_reference_gives_the_brand_the_address_she_typed() -> None:
    # Given B's reference to Zoë
    reference = network_reference(zoe(notes=""), "brd_b", NOW)
    # When she applies to B with the address she wants B to have
    draft = CreatorDraft(platform=Platform.TIKTOK, handle="zoe.cooks", email="zoe.work@gmail.com")
    applied = creator_from_application(draft, reference, network_opt_in=True, now=NOW)
    # Then B's record holds that address and no longer points to the network
    assert applied.email == "zoe.work@gmail.com" and applied.network_contact_id is None
    assert public_profile(applied, brand_owner("brd_b"), "brd_b").email == "zoe.work@gmail.com"


def test_the_network_notice_says_who_wrote_and_how_to_answer_and_is_escaped_in_html() -> None:
    notice = network_notice("<Acme>", f"{BASE}/apply/acme")
    email = with_notice(RenderedEmail("Hi", "Hello Zoë", "<p>Hello Zoë</p>"), notice)
    assert email.text_body.startswith("Hello Zoë\n\n--\nStarling sent this email for <Acme>")
    assert f"apply here: {BASE}/apply/acme" in email.text_body
    assert "&lt;Acme&gt;" in email.html_body and "<Acme>" not in email.html_body


def test_the_outreach_link_fills_in_the_creator_s_account_and_nothing_else() -> None:
    url = application_url(BASE, "acme", "tiktok", "zoe.cooks")
    parts = urlsplit(url)
    assert parts.path == "/apply/acme" and parse_qs(parts.query) == {
        "platform_1": ["tiktok"],
        "handle_1": ["zoe.cooks"],
    }
    assert prefill({"platform_1": "tiktok", "handle_1": "zoe.cooks", "email": "x@evil.example"}) == {
        "platform_1": "tiktok",
        "handle_1": "zoe.cooks",
    }
    assert prefill(None) == {}


# --- the use cases -----------------------------------------------------------------------------------


class World:
    """Brand A, whose applicant Zoë opted in to the network, and brands B and C, which found her there."""

    def __init__(self) -> None:
        self.creators = InMemoryCreatorRepository()
        self.partners = InMemoryPartnerRepository()
        self.email = RecordingEmailSender()
        self.identity = InMemoryIdentityRepository()
        for brand_id in ("brd_a", "brd_b", "brd_c"):
            self.identity.brands[brand_id] = brand(brand_id)
        self.creators.save_many(brand_owner("brd_a"), [zoe()])
        self.creators.save_many(NETWORK, [zoe(notes="")])

    def add(self, brand_id: str) -> Partner:
        creator = recruiting.creator_for_partner(self.creators, brand_id, ZOE_ID, None)
        return recruiting.add_partner(self.partners, brand_id, creator, "prospect", "owner:key_1", None)

    def reach_out(self, brand_id: str) -> Partner:
        return recruiting.move_stage(
            self.partners, self.creators, self.identity, self.email, brand_id, partner_id_for(ZOE_ID),
            "contacted", "owner:key_1", None, send_email=True, public_base_url=BASE,
        )  # fmt: skip

    def apply(self, brand_id: str, email: str = ZOE_EMAIL) -> None:
        form = {"name": "Zoë Martin", "email": email, "platform_1": "tiktok", "handle_1": "zoe.cooks",
                "accept_terms": "on", "network_opt_in": "on"}  # fmt: skip
        recruiting.submit_application(
            self.identity, self.creators, self.partners, UnlimitedRateLimiter(), self.email, brand_id, form,
            "203.0.113.9",
        )  # fmt: skip

    def everything_b_sees(self, brand_id: str = "brd_b") -> list[object]:
        """Every view of Zoë the API gives brand B."""
        partner_id = partner_id_for(ZOE_ID)
        return [
            discovery.get_creator(self.creators, self.identity, brand_id, ZOE_ID),
            recruiting.get_partner(self.partners, brand_id, partner_id),
            *recruiting.list_partners(self.partners, brand_id, None, 100, None)[0],
            *recruiting.history(self.partners, brand_id, partner_id),
        ]


def test_adding_a_network_creator_as_partner_shows_the_brand_no_email_anywhere() -> None:
    # Given Zoë in the network
    world = World()
    # When brand B adds her as a partner
    created = world.add("brd_b")
    # Then neither the answer nor any view of B's shows her email, and B's records do not hold it
    assert created.email is None and created.network_contact_id == ZOE_ID
    assert ZOE_EMAIL not in repr(world.everything_b_sees())
    assert world.creators.get(brand_owner("brd_b"), ZOE_ID).email is None
    assert world.partners.get("brd_b", partner_id_for(ZOE_ID)).email is None
    # And brand A, whose applicant she is, still sees it
    assert discovery.get_creator(world.creators, world.identity, "brd_a", ZOE_ID).email == ZOE_EMAIL


def test_a_creator_who_is_not_in_the_network_cannot_be_added_by_another_brand() -> None:
    world = World()
    world.creators.save_many(NETWORK, [zoe(notes="", discoverable=False)])
    with pytest.raises(NotFound):
        world.add("brd_b")
    with pytest.raises(NotFound):
        recruiting.creator_for_partner(world.creators, "brd_b", "cre_nobody", None)


def test_outreach_to_a_network_creator_goes_from_starling_to_her_address_which_the_brand_never_sees() -> None:
    # Given brand B's partner made from Zoë in the network
    world = World()
    world.add("brd_b")
    # When B sends its outreach email
    moved = world.reach_out("brd_b")
    # Then Starling sent it to Zoë's address, with the notice and a link to B's form with her account
    [sent] = world.email.sent
    assert sent.to == ZOE_EMAIL and sent.reply_to is None
    link = application_url(BASE, "brd_b", "tiktok", "zoe.cooks")
    assert link in sent.text and "Brand B does not have your email address" in sent.text
    # And B's answer, partner, list and timeline still show no address
    assert moved.stage is Stage.CONTACTED and moved.email is None
    assert ZOE_EMAIL not in repr(world.everything_b_sees())
    stored = [e for _, _, e in world.partners.entries if e.kind == "email"]
    assert [(e.email_to, e.message_id) for e in stored] == [(None, "msg-1")]


def test_outreach_to_a_creator_who_left_the_network_is_refused_and_nothing_is_sent() -> None:
    # Given B's partner made from Zoë, who then withdrew from the network
    world = World()
    world.add("brd_b")
    world.creators.save_many(NETWORK, [zoe(notes="", discoverable=False)])
    # When B tries to send its outreach, Then it is refused, nothing is sent and the stage stays
    with pytest.raises(Invalid):
        world.reach_out("brd_b")
    assert world.email.sent == []
    assert world.partners.get("brd_b", partner_id_for(ZOE_ID)).stage is Stage.PROSPECT


def test_after_the_creator_applies_the_brand_sees_her_email_and_other_brands_still_do_not() -> None:
    # Given brands B and C both added Zoë from the network, and B reached out
    world = World()
    world.add("brd_b")
    world.add("brd_c")
    world.reach_out("brd_b")
    # When she follows B's link and applies to B
    world.apply("brd_b")
    # Then B sees her email on the creator, the partner and the list; the partner moved to applied
    creator, partner = world.everything_b_sees()[:2]
    assert isinstance(creator, Creator) and creator.email == ZOE_EMAIL
    assert isinstance(partner, Partner) and partner.email == ZOE_EMAIL and partner.stage is Stage.APPLIED
    # And C, which she did not apply to, still sees nothing
    assert ZOE_EMAIL not in repr(world.everything_b_sees("brd_c"))


def test_applying_reveals_the_address_even_when_the_stage_cannot_move_to_applied() -> None:
    # Given B added Zoë from the network and declined her
    world = World()
    world.add("brd_b")
    partner = world.partners.get("brd_b", partner_id_for(ZOE_ID))
    world.partners.save(replace(partner, stage=Stage.DECLINED))
    # When she applies to B anyway
    world.apply("brd_b", email="zoe.work@gmail.com")
    # Then the stage stays, and B has the address she gave it
    seen = recruiting.get_partner(world.partners, "brd_b", partner_id_for(ZOE_ID))
    assert seen.stage is Stage.DECLINED and seen.email == "zoe.work@gmail.com"


def test_a_brand_s_own_partner_still_gets_outreach_at_the_address_it_holds() -> None:
    # Given brand A's partner made from its own record of Zoë
    world = World()
    world.add("brd_a")
    # When A reaches out, Then the email goes to the address A holds, without the network notice
    world.reach_out("brd_a")
    [sent] = world.email.sent
    assert sent.to == ZOE_EMAIL and "Starling sent this email" not in sent.text
    history = recruiting.history(world.partners, "brd_a", partner_id_for(ZOE_ID))
    assert [e.email_to for e in history if e.kind == "email"] == [ZOE_EMAIL]
