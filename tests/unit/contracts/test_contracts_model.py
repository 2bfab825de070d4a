"""Contracts' pure rules: which terms rule on a day, the evidence chain, rendering, segments, templates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starling.contracts.evidence import GENESIS, next_event, verify
from starling.contracts.model import (
    Contract,
    ContractStatus,
    Segment,
    SegmentMember,
    Template,
    default_template,
    matches,
    terms_in_force,
)
from starling.contracts.rendering import document_of, render, sha256_of, validate_body
from starling.shared.errors import Invalid
from starling.shared.terms import parse_terms

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def version(n: int, status: ContractStatus, starts_on: date, percent: str) -> Contract:
    return Contract(
        contract_id=f"ctr_{n:016d}", brand_id="brd_a", partner_id="ptn_a", version=n, status=status,
        terms=parse_terms({"currency": "USD", "cpa_percent": percent}), starts_on=starts_on,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_an_amendment_rules_only_from_its_start_date_and_only_once_agreed() -> None:
    first = version(1, ContractStatus.SUPERSEDED, date(2026, 1, 1), "10")
    second = version(2, ContractStatus.ACTIVE, date(2026, 12, 1), "15")
    assert terms_in_force([first, second], date(2025, 12, 31)) is None
    assert str(terms_in_force([first, second], date(2026, 11, 30)).cpa_percent) == "10"  # type: ignore[union-attr]
    assert str(terms_in_force([first, second], date(2026, 12, 1)).cpa_percent) == "15"  # type: ignore[union-attr]
    assert str(terms_in_force([first, second], datetime(2027, 1, 1, tzinfo=UTC)).cpa_percent) == "15"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "status", [ContractStatus.SENT, ContractStatus.SIGNED, ContractStatus.DECLINED, ContractStatus.EXPIRED]
)
def test_an_amendment_not_agreed_never_rules(status: ContractStatus) -> None:
    first = version(1, ContractStatus.ACTIVE, date(2026, 1, 1), "10")
    pending = version(2, status, date(2026, 2, 1), "15")
    assert str(terms_in_force([first, pending], date(2026, 6, 1)).cpa_percent) == "10"  # type: ignore[union-attr]


def test_each_event_carries_the_hash_of_the_one_before_and_any_edit_breaks_the_chain() -> None:
    trail: tuple = ()
    for kind in ("created", "rendered", "sent", "viewed", "signed"):
        trail = (
            *trail,
            next_event(trail, kind, NOW, "partner:ptn_a", {"k": kind}, ip="203.0.113.7", user_agent="UA"),
        )
    assert trail[0].previous_hash == GENESIS
    assert all(b.previous_hash == a.hash for a, b in pairwise(trail))
    assert verify(trail)
    # An edited event, a removed one, or reordered ones are found
    assert not verify((*trail[:2], replace(trail[2], data={"k": "forged"}), *trail[3:]))
    assert not verify((*trail[:2], *trail[3:]))
    assert not verify((trail[1], trail[0], *trail[2:]))
    assert not verify((*trail[:4], replace(trail[4], ip="198.51.100.1")))


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
def test_any_chain_built_by_next_event_verifies(kinds: list[str]) -> None:
    trail: tuple = ()
    for kind in kinds:
        trail = (*trail, next_event(trail, kind, NOW, "workflow", {"kind": kind}))
    assert verify(trail)


def test_rendering_fills_the_variables_and_hashes_what_is_shown() -> None:
    body = validate_body("# {{brand_name}} x {{ partner_name }}\nFrom {{start_date}}\n{{terms_summary}}")
    terms = parse_terms({"currency": "EUR", "cpa_percent": "12.5"})
    markdown = render(body, partner_name="Zoë", partner_handle="zoe", brand_name="Glow", terms=terms,
                      starts_on=date(2026, 12, 1), contract_id="ctr_x", version=2)  # fmt: skip
    assert markdown.startswith("# Glow x Zoë\nFrom 2026-12-01\n- Commission: 12.5%")
    assert sha256_of(markdown) != sha256_of(markdown + " ")


def test_a_template_naming_an_unknown_variable_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        validate_body("Hi {{nickname}} and {{partner_name}}")
    assert refused.value.details["unknown"] == ["nickname"]


def test_the_document_footer_states_the_document_s_hash_and_the_signature_s() -> None:
    contract = replace(version(1, ContractStatus.SIGNED, date(2026, 12, 1), "10"), document_markdown="# Hi",
                       document_sha256=sha256_of("# Hi"))  # fmt: skip
    signed = next_event((), "signed", NOW, "partner:ptn_a", {"typed_name": "Maya Lopez"})
    document = document_of(replace(contract, evidence=(signed,)))
    assert sha256_of("# Hi") in document.footer and signed.hash in document.footer
    assert "Maya Lopez" in document.footer
    assert document.text.startswith("# Hi\n\n---\n")


def test_a_segment_matches_every_part_it_names() -> None:
    member = SegmentMember("ptn_a", "active", "micro", frozenset({"cmp_1"}))
    assert matches(Segment(stage="active", tier="micro", campaign_id="cmp_1"), member)
    assert matches(Segment(tier="micro"), member)
    assert not matches(Segment(stage="active", tier="nano"), member)
    assert not matches(Segment(campaign_id="cmp_2"), member)


def test_onboarding_s_template_is_the_one_marked_default_else_the_newest() -> None:
    def template(n: int, default: bool = False) -> Template:
        return Template(f"ctt_{n}", "brd_a", f"T{n}", "x", False, NOW + timedelta(days=n), default=default)

    assert default_template([]) is None
    assert default_template([template(1), template(2)]).template_id == "ctt_2"  # type: ignore[union-attr]
    assert default_template([template(1, True), template(2)]).template_id == "ctt_1"  # type: ignore[union-attr]
