"""CPC, per-post, flat fee, retainer and gifting accruals, by hand-worked examples (minor units of USD)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from starling.conversions.accruals import (
    accrue_cpc,
    flat_fee_due,
    gift_cost,
    per_post_fee,
    retainer_for_month,
)
from starling.conversions.model import CommissionRules, PartnerMonth
from starling.shared.terms import Terms, parse_terms

DEC_15 = date(2026, 12, 15)


def terms(**parts: Any) -> Terms:
    return parse_terms({"currency": "USD", **parts})


def test_cpc_pays_each_billable_click_not_yet_paid_for() -> None:
    """Given 5 cents a click: 1,200 billable clicks this month earn 6,000; when the count reaches 1,500, the
    300 new clicks earn 1,500; the same count again earns nothing more."""
    rules = CommissionRules.of(terms(cpc=5))
    first, month = accrue_cpc(rules, PartnerMonth("2026-12"), 1_200, DEC_15)
    second, month = accrue_cpc(rules, month, 1_500, DEC_15)
    again, month = accrue_cpc(rules, month, 1_500, DEC_15)
    assert first is not None and second is not None
    assert (first.amount, second.amount, again) == (6_000, 1_500, None)
    assert second.basis == "300 billable clicks at 5 each"
    assert (month.cpc, month.clicks) == (7_500, 1_500)


def test_cpc_stops_at_the_monthly_cap_and_states_the_cut() -> None:
    """Given 5 cents a click capped at $100 with $90 of commission earned: 400 clicks would earn 2,000, the
    cap leaves 1,000; the clicks are still counted as accrued, so they are never paid later."""
    rules = CommissionRules.of(terms(cpc=5, cap=10_000))
    accrual, month = accrue_cpc(rules, PartnerMonth("2026-12", commission=9_000), 400, DEC_15)
    assert accrual is not None
    assert (accrual.amount, accrual.cut) == (1_000, 1_000)
    assert (month.capped, month.clicks) == (10_000, 400)


def test_terms_without_cpc_accrue_nothing_for_clicks() -> None:
    accrual, month = accrue_cpc(
        CommissionRules.of(terms(cpa_percent="10")), PartnerMonth("2026-12"), 900, DEC_15
    )
    assert accrual is None and month == PartnerMonth("2026-12")


def test_clicks_of_another_month_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="2026-12"):
        accrue_cpc(CommissionRules.of(terms(cpc=5)), PartnerMonth("2026-11"), 10, DEC_15)


def test_each_approved_post_earns_its_fee_up_to_the_posts_the_contract_pays_for() -> None:
    """Given $50 a post for 3 posts: posts 1 to 3 earn 5,000 each; a 4th approved post earns nothing."""
    per_post = terms(per_post={"amount": 5_000, "posts": 3}).per_post
    assert per_post is not None
    fees = [per_post_fee(per_post, "USD", approved_before=n, approved_on=DEC_15) for n in range(4)]
    assert [fee.amount if fee else None for fee in fees] == [5_000, 5_000, 5_000, None]
    assert fees[2] is not None and fees[2].basis == "post 3 of 3"


def test_the_flat_fee_is_due_on_its_date_and_not_before() -> None:
    flat_fee = terms(flat_fee={"amount": 20_000, "due_on": "2026-12-01"}).flat_fee
    assert flat_fee is not None
    assert flat_fee_due(flat_fee, "USD", date(2026, 11, 30)) is None
    due = flat_fee_due(flat_fee, "USD", date(2026, 12, 1))
    assert due is not None and (due.amount, due.due_on, due.payable) == (20_000, date(2026, 12, 1), True)


@pytest.mark.parametrize(
    ("retainer", "month", "amount", "due_on"),
    [
        # A whole month: the whole amount, due on its last day.
        ({"amount": 30_000, "starts_on": "2026-12-01"}, "2027-01", 30_000, date(2027, 1, 31)),
        # From 10 December: the 10th to the 31st is 22 of 31 days; 31,000 x 22 / 31 = 22,000.
        ({"amount": 31_000, "starts_on": "2026-12-10"}, "2026-12", 22_000, date(2026, 12, 31)),
        # Until 14 February 2027 (included): 14 of 28 days; 30,000 x 14 / 28 = 15,000, due that day.
        (
            {"amount": 30_000, "starts_on": "2026-12-01", "ends_on": "2027-02-14"},
            "2027-02",
            15_000,
            date(2027, 2, 14),
        ),
        # 30,000 x 1 / 30 = 1,000 for the last day of November.
        ({"amount": 30_000, "starts_on": "2026-11-30"}, "2026-11", 1_000, date(2026, 11, 30)),
        # 10,000 x 7 / 30 = 2,333.33... rounds to 2,333.
        ({"amount": 10_000, "starts_on": "2026-11-24"}, "2026-11", 2_333, date(2026, 11, 30)),
        # Without proration a partial month pays the whole amount.
        (
            {"amount": 31_000, "starts_on": "2026-12-10", "prorate": False},
            "2026-12",
            31_000,
            date(2026, 12, 31),
        ),
    ],
)
def test_the_retainer_pays_each_month_its_share_of_days_due_on_the_last_day_it_covers(
    retainer: dict[str, Any], month: str, amount: int, due_on: date
) -> None:
    terms_retainer = terms(retainer_monthly=retainer).retainer_monthly
    assert terms_retainer is not None
    accrual = retainer_for_month(terms_retainer, "USD", month)
    assert accrual is not None and (accrual.amount, accrual.due_on) == (amount, due_on)


@pytest.mark.parametrize("month", ["2026-11", "2027-03"])
def test_no_retainer_is_due_for_a_month_it_does_not_cover(month: str) -> None:
    retainer = terms(retainer_monthly={"amount": 30_000, "starts_on": "2026-12-01", "ends_on": "2027-02-28"})
    assert retainer.retainer_monthly is not None
    assert retainer_for_month(retainer.retainer_monthly, "USD", month) is None


def test_a_gift_is_the_brand_s_cost_and_never_payable() -> None:
    gift = terms(gifting=[{"product_id": "prd_boots", "value": 4_500}]).gifting[0]
    cost = gift_cost(gift, "USD", DEC_15)
    assert (cost.kind, cost.amount, cost.due_on, cost.payable) == ("gifting", 4_500, DEC_15, False)
