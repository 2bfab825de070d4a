"""Properties of the commission engine over generated terms, months and orders (hypothesis): split
commissions sum to the commission of the whole, refunds never reverse more than was earned, rounding
neither creates nor loses a cent, and no interleaving of orders, clicks and refunds passes the cap."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from starling.conversions.accruals import accrue_cpc
from starling.conversions.engine import price_order, reverse_commission
from starling.conversions.model import Commission, CommissionRules, PartnerMonth
from starling.shared.money import round_half_even
from starling.shared.terms import Terms, parse_terms

DEC_3 = datetime(2026, 12, 3, tzinfo=UTC)
amounts = st.integers(min_value=1, max_value=5_000_000)
rates = st.decimals(min_value=0, max_value=100, places=4).map(lambda d: format(d, "f"))


@st.composite
def terms(draw: st.DrawFn, cap: bool = False) -> Terms:
    """CPA terms: a percent, a fixed amount, tiers (from 0, or above a base percent), a cap; any of them."""
    document: dict[str, Any] = {"currency": "USD"}
    thresholds = sorted(draw(st.sets(st.integers(min_value=1, max_value=3_000_000), max_size=4)))
    base = draw(st.none() | rates)
    if base is not None:
        document["cpa_percent"] = base
    if thresholds or base is None:
        starts = thresholds if base is not None else [0, *thresholds]
        document["tiers"] = [{"from": start, "cpa_percent": draw(rates)} for start in starts]
    if draw(st.booleans()):
        document["cpa_fixed"] = draw(st.integers(min_value=0, max_value=5_000))
    document["cpc"] = draw(st.integers(min_value=1, max_value=50))
    if cap or draw(st.booleans()):
        document["cap"] = draw(st.integers(min_value=0, max_value=500_000))
    return parse_terms(document)


def exact_percent(terms: Terms, sales_before: int, amount: int) -> Decimal:
    """The order's percent commission, exactly, by an independent reading of the terms: the rate the terms
    give (`Terms.rate_for`) on each stretch of sales between the thresholds the order crosses."""
    end = sales_before + amount
    cuts = sorted({sales_before, end} | {t.from_ for t in terms.tiers if sales_before < t.from_ < end})
    total = Decimal(0)
    for low, high in pairwise(cuts):
        rate = terms.rate_for(low)
        total += Decimal(high - low) * (rate or 0) / 100
    return total


@given(terms(), st.integers(min_value=0, max_value=4_000_000), amounts)
def test_split_commissions_sum_to_the_commission_of_the_whole(terms: Terms, sales: int, amount: int) -> None:
    """However the order is split over tiers, each unit of it is priced once, its parts add up to the whole
    order's exact commission rounded once, and the cap's cut and the earned amount add up to it too. (Every
    generated terms has a rate from the first unit of sales.)"""
    rules = CommissionRules.of(terms)
    commission, _ = price_order(rules, PartnerMonth("2026-12", sales=sales), amount, DEC_3)
    percent = sum(p.amount for p in commission.parts if p.rule != "cpa_fixed")
    assert percent == round_half_even(exact_percent(terms, sales, amount))
    assert sum(p.basis for p in commission.parts if p.rule != "cpa_fixed") == amount  # each unit priced once
    assert commission.gross == percent + (terms.cpa_fixed or 0)
    assert commission.amount + commission.cut == commission.gross


@given(terms(), st.integers(min_value=0, max_value=4_000_000), amounts, amounts)
def test_an_order_priced_in_two_pieces_earns_within_a_cent_of_the_whole(
    terms: Terms, sales: int, first: int, second: int
) -> None:
    """Each order is one line rounded once, so two orders of $a and $b earn their exact shares rounded
    separately: together within one cent of one order of $(a + b), never more, however tiers split them."""
    rules = CommissionRules.of(terms)
    month = PartnerMonth("2026-12", sales=sales)
    whole, _ = price_order(rules, month, first + second, DEC_3)
    one, after = price_order(rules, month, first, DEC_3)
    two, _ = price_order(rules, after, second, DEC_3)

    def percent(commission: Commission) -> int:
        return sum(p.amount for p in commission.parts if p.rule != "cpa_fixed")

    assert abs(percent(one) + percent(two) - percent(whole)) <= 1


@given(terms(), st.integers(min_value=0, max_value=4_000_000), amounts)
def test_rounding_neither_creates_nor_loses_a_cent(terms: Terms, sales: int, amount: int) -> None:
    """Each rounded part is within one cent of its exact share, the line within half a cent of its exact
    value, and the parts sum to the line exactly: no cent appears or vanishes between them."""
    commission, _ = price_order(
        CommissionRules.of(terms), PartnerMonth("2026-12", sales=sales), amount, DEC_3
    )
    shares = [p for p in commission.parts if p.rule != "cpa_fixed"]
    for part in shares:
        assert abs(part.amount - Decimal(part.basis) * (part.rate or 0) / 100) < 1
    exact = exact_percent(terms, sales, amount)
    assert abs(sum(p.amount for p in shares) - exact) <= Decimal("0.5")


@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=1, max_value=10**8).flatmap(
        lambda order: st.tuples(
            st.just(order), st.lists(st.integers(min_value=1, max_value=order), max_size=12)
        )
    ),
)
def test_refunds_never_reverse_more_than_was_earned(
    earned: int, order_and_refunds: tuple[int, list[int]]
) -> None:
    """Refunds of any sizes, until the order is used up: each reverses between 0 and what remains, none is
    allowed past the order, and when the whole order is refunded exactly what was earned is reversed."""
    order, refunds = order_and_refunds
    refunded, reversed_total = 0, 0
    for refund in refunds:
        refund = min(refund, order - refunded)
        if refund == 0:
            break
        reversal = reverse_commission(earned, order, refunded, refund)
        assert -(earned - reversed_total) <= reversal.amount <= 0
        refunded += refund
        reversed_total -= reversal.amount
        assert reversal.remaining == earned - reversed_total >= 0
    if refunded < order:
        reversed_total -= reverse_commission(earned, order, refunded, order - refunded).amount
    assert reversed_total == earned


events = st.lists(
    st.one_of(
        st.tuples(st.just("order"), amounts),
        st.tuples(st.just("clicks"), st.integers(min_value=0, max_value=20_000)),
        st.tuples(st.just("refund"), st.integers(min_value=1, max_value=1_000)),  # per mille of an order
    ),
    max_size=40,
)


@settings(max_examples=200)
@given(terms(cap=True), events, st.randoms(use_true_random=False))
def test_no_interleaving_of_orders_clicks_and_refunds_passes_the_cap(
    terms: Terms, history: list, random: Any
) -> None:
    """The same orders, click counts and refunds in any order: after each one the month's CPA commission plus
    CPC stays within the cap, every line is what the month records, and no line is negative but a reversal."""
    random.shuffle(history)
    rules = CommissionRules.of(terms)
    assert rules.cap is not None
    month = PartnerMonth("2026-12")
    orders: list[tuple[int, int, int]] = []  # amount, earned, refunded
    ledger = 0
    for kind, value in history:
        if kind == "order":
            commission, month = price_order(rules, month, value, DEC_3)
            assert commission.amount >= 0
            orders.append((value, commission.amount, 0))
            ledger += commission.amount
        elif kind == "clicks":
            accrual, month = accrue_cpc(rules, month, max(month.clicks, value), DEC_3.date())
            ledger += accrual.amount if accrual else 0
        elif orders:
            i = random.randrange(len(orders))
            amount, earned, refunded = orders[i]
            refund = min(amount - refunded, max(1, amount * value // 1_000))
            if refund:
                reversal = reverse_commission(earned, amount, refunded, refund)
                month = month.after_reversal(refund, reversal)
                orders[i] = (amount, earned, refunded + refund)
                ledger += reversal.amount
        assert 0 <= month.capped <= rules.cap
        assert ledger == month.capped
