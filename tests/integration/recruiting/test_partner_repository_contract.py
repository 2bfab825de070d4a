"""The PartnerRepository port: what recruiting's services rely on, held by the in-memory fake and by the
DynamoDB repository alike (the latter inside the API function's environment on the local cloud)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from infra.local import environ
from infra.local.cloud import LocalCloud
from starling.recruiting.model import EmailTemplate, Partner, PartnerRepository, Stage, TimelineEntry
from starling.shared.errors import Conflict, NotFound
from tests.fakes.recruiting import InMemoryPartnerRepository

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)


@pytest.fixture(params=["fake", "dynamodb"])
def partners(request: pytest.FixtureRequest) -> Iterator[PartnerRepository]:
    if request.param == "fake":
        yield InMemoryPartnerRepository()
        return
    cloud: LocalCloud = request.getfixturevalue("cloud")
    with environ.install().invocation(cloud.function_environment("ApiApiFunction")):
        from starling.recruiting.repository import DynamoPartnerRepository

        yield DynamoPartnerRepository()


@pytest.fixture()
def brand_id() -> str:
    return f"brd_{uuid.uuid4().hex[:12]}"


def partner(brand_id: str, n: int = 1, stage: Stage = Stage.PROSPECT) -> Partner:
    at = NOW + timedelta(minutes=n)
    return Partner(partner_id=f"ptn_{n}", brand_id=brand_id, creator_id=f"cre_{n}", platform="tiktok",
                   handle=f"maya{n}", display_name="Maya", email="maya@gmail.com", stage=stage,
                   stage_entered_at=at, created_at=at, updated_at=at)  # fmt: skip


def stage_entry(at: datetime, to_stage: Stage, from_stage: Stage | None = None) -> TimelineEntry:
    return TimelineEntry(kind="stage", at=at, actor="owner:key_1", from_stage=from_stage, to_stage=to_stage)


def test_a_created_partner_is_read_back_and_a_second_create_is_a_conflict(
    partners: PartnerRepository, brand_id: str
) -> None:
    created = partner(brand_id)
    partners.create(created, [stage_entry(NOW, Stage.PROSPECT)])
    assert partners.get(brand_id, "ptn_1") == created
    with pytest.raises(Conflict):
        partners.create(created, [])


def test_an_unknown_partner_or_another_brand_s_is_not_found(
    partners: PartnerRepository, brand_id: str
) -> None:
    partners.create(partner(brand_id), [])
    with pytest.raises(NotFound):
        partners.get(brand_id, "ptn_nobody")
    with pytest.raises(NotFound):
        partners.get(f"{brand_id}x", "ptn_1")


def test_a_move_commits_only_from_the_stage_it_was_read_in(
    partners: PartnerRepository, brand_id: str
) -> None:
    # Given a prospect
    before = partner(brand_id)
    partners.create(before, [stage_entry(NOW, Stage.PROSPECT)])
    contacted = replace(before, stage=Stage.CONTACTED)
    # When one request moves her, Then a second request that read her as a prospect is refused
    partners.move(before, contacted, [stage_entry(NOW + timedelta(hours=1), Stage.CONTACTED, Stage.PROSPECT)])
    with pytest.raises(Conflict):
        partners.move(before, replace(before, stage=Stage.DECLINED), [stage_entry(NOW, Stage.DECLINED)])
    # And only the first move is stored, with its entry
    assert partners.get(brand_id, "ptn_1").stage is Stage.CONTACTED
    assert [e.to_stage for _, e in partners.timeline(brand_id, "ptn_1")] == [Stage.PROSPECT, Stage.CONTACTED]


def test_lists_and_timelines_are_the_brand_s_by_stage_and_in_time_order(
    partners: PartnerRepository, brand_id: str
) -> None:
    partners.create(partner(brand_id, 1), [stage_entry(NOW + timedelta(hours=2), Stage.PROSPECT)])
    partners.create(partner(brand_id, 2, Stage.APPLIED), [stage_entry(NOW, Stage.APPLIED)])
    email = TimelineEntry(kind="email", at=NOW + timedelta(hours=3), actor="owner:key_1", message_id="msg-1")
    partners.add_entries(brand_id, "ptn_1", [email])
    found, _ = partners.list_page(brand_id, Stage.APPLIED, 10, None)
    assert [p.partner_id for p in found] == ["ptn_2"]
    assert sorted(p.partner_id for p in partners.all(brand_id)) == ["ptn_1", "ptn_2"]
    assert [(pid, e.kind) for pid, e in partners.timeline(brand_id)] == [
        ("ptn_2", "stage"), ("ptn_1", "stage"), ("ptn_1", "email"),
    ]  # fmt: skip
    assert [e.kind for _, e in partners.timeline(brand_id, "ptn_1")] == ["stage", "email"]


def test_a_saved_partner_and_email_template_are_read_back(partners: PartnerRepository, brand_id: str) -> None:
    created = partner(brand_id)
    partners.create(created, [])
    partners.save(replace(created, notes="Met at the fair", owner="ana"))
    assert partners.get(brand_id, "ptn_1").notes == "Met at the fair"
    assert partners.email_template(brand_id, "contacted") is None
    template = EmailTemplate(subject="Hi $first_name", text_body="Hello", html_body=None)
    partners.save_email_template(brand_id, "contacted", template)
    assert partners.email_template(brand_id, "contacted") == template


def test_a_deleted_email_template_reads_as_none_and_deleting_none_is_no_error(
    partners: PartnerRepository, brand_id: str
) -> None:
    # Given a brand's own template
    partners.save_email_template(brand_id, "contacted", EmailTemplate("Hi", "Hello", None))
    # When it is deleted, twice; Then it reads as None (the default applies) and nothing fails
    partners.delete_email_template(brand_id, "contacted")
    partners.delete_email_template(brand_id, "contacted")
    assert partners.email_template(brand_id, "contacted") is None


def test_erasing_a_timeline_empties_its_notes_and_addresses_and_keeps_the_rest(
    partners: PartnerRepository, brand_id: str
) -> None:
    # Given a partner whose timeline has a note and an email, and another partner's note
    first, second = partner(brand_id, 1), partner(brand_id, 2)
    noted = replace(stage_entry(NOW, Stage.PROSPECT), note="Met at the fair")
    emailed = TimelineEntry(kind="email", at=NOW + timedelta(seconds=1), actor="owner:key_1",
                            email_to="maya@gmail.com", email_subject="Hello")  # fmt: skip
    partners.create(first, [noted, emailed])
    partners.create(second, [noted])
    # When the first partner's timeline is erased
    partners.erase_timeline(brand_id, first.partner_id)
    # Then its entries stay, without note or address; the other partner's are untouched
    assert [e for _, e in partners.timeline(brand_id, first.partner_id)] == [
        replace(noted, note=""), replace(emailed, email_to=None),
    ]  # fmt: skip
    assert [e.note for _, e in partners.timeline(brand_id, second.partner_id)] == ["Met at the fair"]


def test_coupon_codes_find_their_partner_in_any_case_and_are_unique_per_brand(
    partners: PartnerRepository, brand_id: str
) -> None:
    # Given a partner given the codes MAYA10 and Spring
    first, second = partner(brand_id, 1), partner(brand_id, 2)
    partners.create(first, [])
    partners.create(second, [])
    partners.save(replace(first, coupon_codes=("MAYA10", "Spring")), first)
    # Then each code finds her, in any case, and only in her brand
    assert partners.partner_for_coupon(brand_id, "maya10").partner_id == "ptn_1"  # type: ignore[union-attr]
    assert partners.partner_for_coupon(brand_id, "SPRING").coupon_codes == ("MAYA10", "Spring")  # type: ignore[union-attr]
    assert partners.partner_for_coupon("brd_other", "MAYA10") is None
    # And another partner of the brand cannot take one of them
    with pytest.raises(Conflict):
        partners.save(replace(second, coupon_codes=("spring",)), second)
    assert partners.get(brand_id, "ptn_2").coupon_codes == ()
    # But once she gives it up, it is free
    held = partners.get(brand_id, "ptn_1")
    partners.save(replace(held, coupon_codes=("MAYA10",)), held)
    assert partners.partner_for_coupon(brand_id, "spring") is None
    partners.save(replace(second, coupon_codes=("spring",)), second)
    assert partners.partner_for_coupon(brand_id, "Spring").partner_id == "ptn_2"  # type: ignore[union-attr]
