"""The commission engine, by hand-worked examples: each test's docstring does the arithmetic the engine must
reproduce. Amounts are minor units of USD (12_345 is $123.45); rates are percents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from starling.conversions.engine import price_order, reverse_commission
from starling.conversions.model import CommissionRules, CommissionStatus, PartnerMonth
from starling.shared.errors import Invalid
from starling.shared.terms import parse_terms

DEC_3 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
TIERS = [{"from": 0, "cpa_percent": "10"}, {"from": 500_000, "cpa_percent": "15"}]


def rules(**terms: Any) -> CommissionRules:
    return CommissionRules.of(parse_terms({"currency": "USD", **terms}))


def december(sales: int = 0, commission: int = 0, cpc: int = 0) -> PartnerMonth:
    return PartnerMonth("2026-12", sales=sales, commission=commission, cpc=cpc)


def test_a_percent_cpa_pays_its_share_of_the_order_rounded_half_to_even() -> None:
    """Given 10% of each sale. 10% of $123.45 is 1,234.5 cents, a tie: half to even gives 1,234; 10% of
    $123.55 is 1,235.5 cents, which goes up to the even 1,236."""
    ten = rules(cpa_percent="10")
    first, month = price_order(ten, december(), 12_345, DEC_3)
    second, month = price_order(ten, month, 12_355, DEC_3)
    assert (first.amount, second.amount) == (1_234, 1_236)
    assert first.parts[0].rule == "cpa_percent" and first.parts[0].rate == Decimal("10")
    assert month == december(sales=24_700, commission=2_470)


def test_a_fixed_cpa_pays_the_same_for_any_order() -> None:
    """Given $5 per sale: a $2 order and a $2,000 order each earn 500 cents."""
    five = rules(cpa_fixed=500)
    small, month = price_order(five, december(), 200, DEC_3)
    large, month = price_order(five, month, 200_000, DEC_3)
    assert (small.amount, large.amount) == (500, 500)
    assert month.commission == 1_000


def test_a_hybrid_of_percent_and_fixed_adds_both_never_the_larger() -> None:
    """Given 20% + $5 per sale and a $10 anchor product: 20% of 1,000 is 200, plus 500 is 700. Taking the
    larger raw number would pay 500; taking the percent alone, 200."""
    commission, _ = price_order(rules(cpa_percent="20", cpa_fixed=500), december(), 1_000, DEC_3)
    assert [(p.rule, p.amount) for p in commission.parts] == [("cpa_percent", 200), ("cpa_fixed", 500)]
    assert commission.amount == 700


def test_an_order_that_crosses_a_tier_threshold_is_split_there() -> None:
    """Given 10% up to $5,000 of monthly sales and 15% from there, and $4,800 sold this month: a $500 order
    is $200 at 10% (2,000) and $300 at 15% (4,500), 6,500 in all. Pricing it all at 10% would pay 5,000, all
    at 15% 7,500."""
    commission, month = price_order(rules(tiers=TIERS), december(sales=480_000), 50_000, DEC_3)
    assert [(p.tier_from, p.basis, p.amount) for p in commission.parts] == [
        (0, 20_000, 2_000),
        (500_000, 30_000, 4_500),
    ]
    assert commission.amount == 6_500
    assert month.sales == 530_000


def test_split_parts_are_rounded_so_they_add_up_to_the_rounded_whole() -> None:
    """Given the same tiers and $4,999.95 sold: a $10.01 order is 5 cents at 10% (0.5) and 996 cents at 15%
    (149.4): 149.9 in all, rounded once to 150. The parts' floors, 0 and 149, leave one cent, which goes to
    the larger fraction (0.5): the parts are 1 and 149."""
    commission, _ = price_order(rules(tiers=TIERS), december(sales=499_995), 1_001, DEC_3)
    assert [p.amount for p in commission.parts] == [1, 149]
    assert commission.amount == 150


def test_below_the_first_tier_cpa_percent_pays_and_tiers_replace_it_above() -> None:
    """Given 5%, and a tier of 8% from $1,000 of monthly sales, with $900 sold: a $200 order is $100 at 5%
    (500) and $100 at 8% (800): 1,300."""
    terms = rules(cpa_percent="5", tiers=[{"from": 100_000, "cpa_percent": "8"}])
    commission, _ = price_order(terms, december(sales=90_000), 20_000, DEC_3)
    assert [(p.rule, p.amount) for p in commission.parts] == [("cpa_percent", 500), ("tier", 800)]
    assert commission.amount == 1_300


def test_an_order_crossing_several_tiers_is_split_at_each_threshold() -> None:
    """Given 2% from 0, 4% from $100 and 6% from $200: a $300 order from nothing is
    200 + 400 + 600 = 1,200."""
    terms = rules(
        tiers=[
            {"from": 0, "cpa_percent": "2"},
            {"from": 10_000, "cpa_percent": "4"},
            {"from": 20_000, "cpa_percent": "6"},
        ]
    )
    commission, _ = price_order(terms, december(), 30_000, DEC_3)
    assert [p.amount for p in commission.parts] == [200, 400, 600]


def test_the_monthly_cap_pays_what_it_leaves_and_states_what_it_cut() -> None:
    """Given 10% capped at $100 a month, with $95 earned: a $200 order would earn 2,000; the cap leaves 500,
    so it earns 500 and 1,500 is cut. The next order earns 0, all 2,000 cut."""
    capped = rules(cpa_percent="10", cap=10_000)
    first, month = price_order(capped, december(sales=95_000, commission=9_500), 20_000, DEC_3)
    second, month = price_order(capped, month, 20_000, DEC_3)
    assert (first.gross, first.amount, first.cut) == (2_000, 500, 1_500)
    assert (second.gross, second.amount, second.cut) == (2_000, 0, 2_000)
    assert month.commission == 10_000
    assert month.sales == 135_000  # capped orders still count towards the month's tiers


def test_cpc_earnings_take_their_share_of_the_cap() -> None:
    """Given 10% capped at $100, with $30 of CPA and $60 of CPC earned: $10 is left, so a $200 order earns
    1,000 of its 2,000."""
    commission, _ = price_order(
        rules(cpa_percent="10", cap=10_000), december(commission=3_000, cpc=6_000), 20_000, DEC_3
    )
    assert (commission.amount, commission.cut) == (1_000, 1_000)


def test_a_commission_is_pending_until_lock_days_have_passed() -> None:
    """Given 30 lock days, an order on 3 December is approved on 2 January (3 December + 30 days)."""
    commission, _ = price_order(rules(cpa_percent="10", lock_days=30), december(), 10_000, DEC_3)
    assert commission.approves_on == date(2027, 1, 2)
    assert commission.status_on(date(2027, 1, 1)) is CommissionStatus.PENDING
    assert commission.status_on(date(2027, 1, 2)) is CommissionStatus.APPROVED


def test_without_lock_days_a_commission_is_approved_on_the_order_s_day() -> None:
    commission, _ = price_order(rules(cpa_percent="10"), december(), 10_000, DEC_3)
    assert commission.status_on(DEC_3.date()) is CommissionStatus.APPROVED


def test_terms_without_cpa_earn_nothing_on_an_order_but_count_its_sales() -> None:
    commission, month = price_order(rules(cpc=5), december(), 10_000, DEC_3)
    assert (commission.parts, commission.amount) == ((), 0)
    assert month.sales == 10_000


@pytest.mark.parametrize("amount", [0, -100])
def test_a_zero_or_negative_order_is_refused(amount: int) -> None:
    with pytest.raises(Invalid) as refused:
        price_order(rules(cpa_percent="10"), december(), amount, DEC_3)
    assert refused.value.details == {"amount": "not positive"}


def test_an_order_priced_against_another_month_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="2026-12"):
        price_order(rules(cpa_percent="10"), PartnerMonth("2026-11"), 100, DEC_3)


def test_the_month_of_an_order_is_its_utc_month() -> None:
    """23:30 on 31 December in New York is 04:30 on 1 January in UTC: January's month."""
    new_year = datetime.fromisoformat("2026-12-31T23:30:00-05:00")
    assert PartnerMonth.starting(new_year).month == "2027-01"


def test_partial_refunds_reverse_in_proportion_and_add_up_to_what_was_earned() -> None:
    """Given a $100 order that earned 1,000: refunds of $33.33, $33.33 and $33.34. Reversed so far is
    1,000 x refunded / 10,000, rounded: 333.3 → 333, 666.6 → 667, 1,000. Each refund reverses the
    difference: 333, 334, 333, which add up to the 1,000 earned."""
    first = reverse_commission(1_000, 10_000, 0, 3_333)
    second = reverse_commission(1_000, 10_000, 3_333, 3_333)
    third = reverse_commission(1_000, 10_000, 6_666, 3_334)
    assert [r.amount for r in (first, second, third)] == [-333, -334, -333]
    assert [r.remaining for r in (first, second, third)] == [667, 333, 0]


def test_a_refund_above_what_remains_of_the_order_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        reverse_commission(1_000, 10_000, 6_666, 3_335)
    assert refused.value.details == {"amount": "at most 3334"}


def test_a_refund_of_a_capped_order_reverses_only_what_it_earned() -> None:
    """Given a $200 order of which the cap let 500 be earned: refunding half reverses 250, not 1,000."""
    assert reverse_commission(500, 20_000, 0, 10_000).amount == -250


def test_a_refund_takes_the_order_out_of_the_month_and_frees_cap_room() -> None:
    """Given a capped month ($100 earned of a $100 cap) and a full refund of a $200 order that earned 2,000:
    the month is down to $1,000 of sales and 8,000 earned, so the next $100 order earns its 1,000."""
    capped = rules(cpa_percent="10", cap=10_000)
    month = december(sales=120_000, commission=10_000)
    reversal = reverse_commission(2_000, 20_000, 0, 20_000)
    month = month.after_reversal(20_000, reversal)
    assert month == december(sales=100_000, commission=8_000)
    commission, _ = price_order(capped, month, 10_000, DEC_3)
    assert commission.amount == 1_000


def test_new_terms_mid_month_price_on_the_same_month_and_a_lower_cap_pays_nothing_more() -> None:
    """Given $4,800 sold and 480 earned under 10% uncapped, then an amendment to 10%/15% tiers from $5,000
    with a $4 cap: a $500 order still sits on the month's $4,800 ($200 at 10% + $300 at 15% = 6,500 gross)
    but the 480 already earned is past the new 400 cap, so it earns 0, never a negative amount."""
    month = december(sales=480_000, commission=480)
    amended = rules(tiers=TIERS, cap=400)
    commission, month = price_order(amended, month, 50_000, DEC_3)
    assert (commission.gross, commission.amount, commission.cut) == (6_500, 0, 6_500)
    assert month == december(sales=530_000, commission=480)
