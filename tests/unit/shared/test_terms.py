"""Terms are one validated document: what a program pays is refused at once when it cannot be run."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from starling.shared.errors import Invalid
from starling.shared.terms import Terms, parse_terms, summarize

EVERY_PART: dict[str, Any] = {
    "currency": "USD", "cpa_percent": "10", "cpa_fixed": 500, "cpc": 5,
    "per_post": {"amount": 5000, "posts": 3}, "flat_fee": {"amount": 20000, "due_on": "2026-12-01"},
    "retainer_monthly": {"amount": 30000, "starts_on": "2026-12-01", "ends_on": None},
    "gifting": [{"product_id": "prd_x", "value": 4500}],
    "tiers": [{"from": 0, "cpa_percent": "10"}, {"from": 500000, "cpa_percent": "15"}],
    "cap": 100000, "lock_days": 30, "attribution_window_days": 30, "min_payout": 5000,
}  # fmt: skip


def refusal(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        parse_terms(data)
    assert isinstance(caught.value.details, dict)
    return caught.value.details


def test_design_md_s_hybrid_example_is_accepted_and_round_trips() -> None:
    terms = parse_terms(EVERY_PART)
    assert terms.cpa_percent == Decimal("10")
    assert terms.tiers[1].from_ == 500000
    document = terms.as_document()
    assert document["tiers"][1] == {"from": 500000, "cpa_percent": "15"}
    assert document["cpa_percent"] == "10"
    assert parse_terms(document) == terms


def test_currency_alone_is_enough() -> None:
    assert parse_terms({"currency": "JPY"}).currency == "JPY"


@pytest.mark.parametrize(
    ("data", "field", "why"),
    [
        ({}, "terms.currency", "Field required"),
        ({"currency": "usd"}, "terms.currency", "not an ISO 4217"),
        ({"currency": "XXX"}, "terms.currency", "not an ISO 4217"),
        ({"currency": "USD", "cpa_percent": "100.5"}, "terms.cpa_percent", "at most 100"),
        ({"currency": "USD", "cpa_percent": 10}, "terms.cpa_percent", "decimal string"),
        ({"currency": "USD", "cpa_percent": "-1"}, "terms.cpa_percent", "decimal string"),
        ({"currency": "USD", "cpc": 1.5}, "terms.cpc", "never decimals"),
        ({"currency": "USD", "cap": -1}, "terms.cap", "greater than or equal to 0"),
        (
            {"currency": "USD", "retainer_monthly": {"amount": 1}},
            "terms.retainer_monthly.starts_on",
            "starts",
        ),
        (
            {
                "currency": "USD",
                "retainer_monthly": {"amount": 1, "starts_on": "2026-12-01", "ends_on": "2026-11-01"},
            },
            "terms.retainer_monthly.ends_on",
            "before it starts",
        ),
        (
            {
                "currency": "USD",
                "tiers": [{"from": 500, "cpa_percent": "5"}, {"from": 0, "cpa_percent": "3"}],
            },
            "terms.tiers",
            "lowest first",
        ),
        (
            {"currency": "USD", "tiers": [{"from": 0, "cpa_percent": "5"}, {"from": 0, "cpa_percent": "6"}]},
            "terms.tiers",
            "overlap",
        ),
        ({"currency": "USD", "tiers": [{"from": 100, "cpa_percent": "5"}]}, "terms.tiers", "no rate applies"),
        (
            {"currency": "USD", "cpa_percent": "7", "tiers": [{"from": 0, "cpa_percent": "5"}]},
            "terms.cpa_percent",
            "differs",
        ),
        (
            {"currency": "USD", "cap": 100, "flat_fee": {"amount": 20000, "due_on": "2026-12-01"}},
            "terms.cap",
            "below the flat fee",
        ),
        ({"currency": "USD", "cap": 100, "min_payout": 5000}, "terms.cap", "below the min payout"),
        (
            {"currency": "USD", "flat_fee": {"amount": 1, "due_on": "2026-12-01", "currency": "EUR"}},
            "terms.flat_fee.currency",
            "differs",
        ),
        (
            {"currency": "USD", "gifting": [{"product_id": "p", "value": 1, "currency": "GBP"}]},
            "terms.gifting.0.currency",
            "differs",
        ),
        ({"currency": "USD", "bonus": 5}, "terms.bonus", "Extra inputs"),
    ],
)
def test_contradictory_or_incomplete_terms_are_refused_with_the_field_and_why(
    data: dict[str, Any], field: str, why: str
) -> None:
    details = refusal(data)
    assert field in details, details
    assert why in details[field]


def test_every_contradiction_is_reported_at_once() -> None:
    details = refusal(
        {"currency": "USD", "cap": 1, "flat_fee": {"amount": 5, "due_on": "2026-12-01"},
         "retainer_monthly": {"amount": 1}}
    )  # fmt: skip
    assert {"terms.cap", "terms.retainer_monthly.starts_on"} <= set(details)


def test_the_rate_follows_the_highest_tier_reached() -> None:
    terms = parse_terms(
        {"currency": "EUR", "cpa_percent": "8",
         "tiers": [{"from": 100000, "cpa_percent": "10"}, {"from": 500000, "cpa_percent": "15"}]}
    )  # fmt: skip
    assert terms.rate_for(0) == Decimal("8")
    assert terms.rate_for(100000) == Decimal("10")
    assert terms.rate_for(499999) == Decimal("10")
    assert terms.rate_for(10**9) == Decimal("15")


def test_the_summary_reads_amounts_in_the_currency_s_own_digits() -> None:
    text = summarize(parse_terms(EVERY_PART))
    assert "$200.00, due 2026-12-01" in text
    assert "10% from $0.00, 15% from $5,000.00" in text
    assert "¥5,000" in summarize(parse_terms({"currency": "JPY", "cpa_fixed": 5000}))


tiers = st.lists(
    st.tuples(st.integers(0, 10**8), st.decimals(0, 100, places=2, allow_nan=False)), min_size=1, max_size=6
)


@given(tiers)
def test_tiers_are_accepted_exactly_when_their_starts_are_distinct_and_ascending_from_zero(
    steps: list[tuple[int, Decimal]],
) -> None:
    data = {"currency": "USD", "tiers": [{"from": f, "cpa_percent": str(p)} for f, p in steps]}
    starts = [f for f, _ in steps]
    valid = starts == sorted(set(starts)) and starts[0] == 0
    try:
        terms = parse_terms(data)
    except Invalid:
        assert not valid
        return
    assert valid
    # And the rate at any sales is the last tier at or below them
    for f, p in steps:
        assert terms.rate_for(f) == Decimal(str(p))


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_a_cap_is_accepted_exactly_when_it_covers_the_flat_fee(cap: int, fee: int) -> None:
    data = {"currency": "USD", "cap": cap, "flat_fee": {"amount": fee, "due_on": "2026-12-01"}}
    try:
        parse_terms(data)
        assert cap >= fee
    except Invalid as exc:
        assert cap < fee
        assert "terms.cap" in exc.details


def test_terms_are_immutable() -> None:
    terms = parse_terms({"currency": "USD"})
    with pytest.raises(ValidationError):
        terms.cap = 5  # type: ignore[misc]
    assert isinstance(terms, Terms)
