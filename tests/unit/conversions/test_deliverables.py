"""The checks of a submitted post: a paid-partnership disclosure, no banned words, the partner's own link or
coupon; and the decisions on it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from starling.conversions.deliverables import (
    Deliverable,
    DeliverableStatus,
    Fee,
    PartnerMarks,
    check_post,
    clean_submission,
    found_terms,
)
from starling.conversions.program import DEFAULT_DISCLOSURES, ProgramSettings, program_settings
from starling.shared.errors import Conflict, Invalid

MARKS = PartnerMarks(short_urls=("https://go.brand.example/maya",), coupon_codes=("MAYA10",))
PROGRAM = ProgramSettings(banned_words=("cure", "guaranteed results"))
AT = datetime(2026, 12, 7, 10, tzinfo=UTC)


def results(caption: str, program: ProgramSettings = PROGRAM) -> dict[str, bool]:
    return {c.name: c.passed for c in check_post(caption, program, MARKS)}


def test_a_caption_that_discloses_avoids_banned_words_and_carries_the_link_passes_every_check() -> None:
    checks = check_post("Morning routine #ad ☀️ go.brand.example/maya", PROGRAM, MARKS)
    assert [(c.name, c.passed) for c in checks] == [
        ("disclosure", True),
        ("banned_words", True),
        ("link_or_coupon", True),
    ]
    assert checks[0].detail == "discloses with #ad"


@pytest.mark.parametrize(
    "caption",
    [
        "#AD love it",
        "Paid partnership with Brand",
        "love it #sponsored",
        "Ad: my favourite",
        "#paidpartnership",
    ],
)
def test_any_default_disclosure_counts_whatever_its_case(caption: str) -> None:
    assert results(caption)["disclosure"]


@pytest.mark.parametrize("caption", ["#adventure time", "loading...", "a sponsor's gift", "#ads"])
def test_a_disclosure_must_be_a_whole_tag_or_phrase(caption: str) -> None:
    assert not results(caption)["disclosure"]


def test_a_brand_can_set_its_own_disclosures() -> None:
    program = program_settings({"disclosures": ["#Werbung", "Anzeige"]}, ProgramSettings())
    assert program.disclosures == ("#werbung", "anzeige")
    assert results("Neu! #Werbung", program)["disclosure"]
    assert not results("#ad", program)["disclosure"]


def test_banned_words_fail_the_check_and_are_named_and_a_banned_word_inside_another_is_not_found() -> None:
    checks = {
        c.name: c for c in check_post("This will CURE everything, guaranteed results #ad", PROGRAM, MARKS)
    }
    assert not checks["banned_words"].passed
    assert checks["banned_words"].detail == "uses banned words: cure, guaranteed results"
    assert results("procured with care #ad")["banned_words"]


def test_the_partner_s_coupon_counts_as_a_whole_word_and_another_link_does_not() -> None:
    assert results("use code maya10 at checkout")["link_or_coupon"]
    assert not results("use code MAYA100")["link_or_coupon"]
    assert not results("go.brand.example/mayan and go.brand.example/other")["link_or_coupon"]
    assert results("https://go.brand.example/maya?x=1")["link_or_coupon"]


def test_found_terms_keeps_the_order_given() -> None:
    assert found_terms("#sponsored and #ad", DEFAULT_DISCLOSURES) == ["#ad", "#sponsored"]


def test_a_submission_with_a_bad_url_platform_or_empty_caption_names_each_field() -> None:
    with pytest.raises(Invalid) as caught:
        clean_submission({"url": "javascript:alert(1)", "platform": "myspace", "caption": "  "})
    assert set(caught.value.details) == {"url", "platform", "caption"}
    with pytest.raises(Invalid) as caught:
        clean_submission(
            {"url": "https://x.example/p", "platform": "instagram", "caption": "hi", "campaign_id": "x"}
        )
    assert set(caught.value.details) == {"campaign_id"}


def post() -> Deliverable:
    checks = check_post("#ad MAYA10", PROGRAM, MARKS)
    return Deliverable(
        "dlv_1", "brd_1", "ptn_1", None, "https://x.example/p", "instagram", "#ad MAYA10", checks,
        DeliverableStatus.SUBMITTED, AT,
    )  # fmt: skip


def test_a_rejection_needs_a_reason_and_a_decided_post_cannot_be_decided_again() -> None:
    with pytest.raises(Invalid):
        post().reject("manager:k", AT, "   ")
    rejected = post().reject("manager:k", AT, " Add #ad first ")
    assert rejected.status is DeliverableStatus.REJECTED and rejected.reason == "Add #ad first"
    with pytest.raises(Conflict):
        rejected.approve("manager:k", AT, Fee(0, None, None, None, "none"), None)
    approved = post().approve("owner:k", AT, Fee(5_000, "USD", "acr_x", "accrued", "post 1 of 3"), None)
    with pytest.raises(Conflict):
        approved.reject("manager:k", AT, "changed my mind")


def test_program_settings_refuse_no_disclosure_and_bad_emails() -> None:
    with pytest.raises(Invalid):
        program_settings({"disclosures": []}, ProgramSettings())
    with pytest.raises(Invalid):
        program_settings({"manager_emails": ["not-an-email"]}, ProgramSettings())
    kept = program_settings(
        {"manager_emails": ["Team@Brand.example", "team@brand.example"]}, ProgramSettings()
    )
    assert kept.manager_emails == ("team@brand.example",)
