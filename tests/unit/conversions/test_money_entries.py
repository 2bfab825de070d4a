"""What recording, refunding and reviewing an order books for the reports; the conversion-rate hold
against the partner's tier; the trailing rates it reads."""

from __future__ import annotations

from datetime import date, timedelta

from starling.conversions.attribution import Attribution
from starling.conversions.fraud import Hold, Rates, hold_for, rate_hold
from starling.conversions.model import MoneyEntry
from starling.conversions.orders import State, money_entries
from starling.conversions.rates import PartnerTier, TrailingRates
from starling.links.model import MonthCounter
from tests.fakes.conversions import InMemoryFigureBook
from tests.unit.conversions.test_orders import AT, conversion

LATER = AT + timedelta(days=3)


def test_an_order_books_its_conversion_revenue_and_commission_on_its_day() -> None:
    [entry] = money_entries(None, conversion(12000))
    assert entry == MoneyEntry("brd_1", AT.date(), "ptn_1", None, None, "USD", "commission", 1200, 1, 12000)


def test_a_refund_books_negative_revenue_and_commission_on_its_own_day() -> None:
    before = conversion(12000)
    after, _ = before.refund("r-1", 3000, LATER)
    [entry] = money_entries(before, after)
    assert (entry.day, entry.conversions, entry.revenue, entry.amount) == (LATER.date(), 0, -3000, -300)


def test_a_rejected_hold_gives_its_commission_back_and_a_release_books_nothing() -> None:
    held = conversion(12000, Hold("disposable_email", "..."))
    rejected = held.review(State.REJECTED, "", "key_1", LATER)
    [entry] = money_entries(held, rejected)
    assert (entry.day, entry.revenue, entry.amount) == (LATER.date(), 0, -1200)
    assert money_entries(held, held.review(State.ACCRUED, "", "key_1", LATER)) == []


def test_an_unattributed_order_books_nothing() -> None:
    c = conversion()
    unattributed = type(c)(
        c.brand_id, c.order_id, c.amount, c.currency, c.occurred_at, c.recorded_at, Attribution("none")
    )
    assert money_entries(None, unattributed) == []


def test_a_conversion_rate_far_above_the_tier_is_held_with_its_reason() -> None:
    # Given a micro tier converting 1% of 10,000 clicks
    rates = Rates("micro", clicks=100, conversions=5, baseline_clicks=10_000, baseline_conversions=100,
                  baseline="tier")  # fmt: skip
    # When the partner's 6th order in the window comes (6%: six times the tier)
    hold = rate_hold(rates)
    # Then it is held, and the reason says by how much
    assert hold is not None and hold.reason == "conversion_rate"
    assert "6.00%" in hold.detail and "micro tier's 1.00%" in hold.detail
    # And the same order from a partner converting at twice the tier is not
    assert rate_hold(Rates("micro", 300, 5, 10_000, 100, "tier")) is None


def test_the_rate_hold_waits_for_enough_orders_and_a_baseline() -> None:
    assert rate_hold(Rates("micro", 10, 3, 10_000, 100, "tier")) is None  # the 4th order: too few to judge
    assert rate_hold(Rates("micro", 10, 9, 150, 1, "tier")) is None  # a baseline of 150 clicks says nothing
    assert rate_hold(Rates("micro", 10, 9, 10_000, 0, "tier")) is None  # nobody else converts yet
    assert rate_hold(None) is None


def test_the_earlier_rules_win_over_the_rate() -> None:
    rates = Rates("micro", 10, 9, 10_000, 100, "tier")
    hold = hold_for("maya@maya.studio", "maya@maya.studio", None, rates)
    assert hold is not None and hold.reason == "self_referral"
    assert (hold_for(None, None, None, rates) or Hold("", "")).reason == "conversion_rate"


def month(slug: str, month: str, day: str, clicks: int, partner_id: str) -> MonthCounter:
    """A link's month with clicks on one day."""
    return MonthCounter(
        slug, month, {"clicks": clicks}, {day: {"clicks": clicks}}, {"partner_id": partner_id}
    )


class Clicks:
    def __init__(self, counters: list[MonthCounter]) -> None:
        self.counters, self.reads = counters, 0

    def month_counters(self, brand_id: str, from_month: str, to_month: str) -> list[MonthCounter]:
        self.reads += 1
        return [c for c in self.counters if from_month <= c.month <= to_month]


class Tiers:
    def tiers(self, brand_id: str) -> dict[str, PartnerTier]:
        return {p: PartnerTier("micro", True) for p in ("ptn_1", "ptn_2", "ptn_3")} | {
            "ptn_9": PartnerTier("mega", True)
        }


def test_trailing_rates_compare_a_partner_with_the_other_partners_of_its_tier_and_are_kept_a_while() -> None:
    today = date(2026, 11, 30)
    clicks = Clicks([
        month("a", "202611", "20", 10, "ptn_1"),
        month("b", "202611", "21", 500, "ptn_2"),
        month("c", "202611", "22", 500, "ptn_3"),
        month("z", "202611", "22", 50, "ptn_9"),
        month("old", "202610", "01", 9_000, "ptn_2"),  # before
    ])  # fmt: skip
    book = InMemoryFigureBook()
    day = date(2026, 11, 20)
    book.book([
        MoneyEntry("brd_1", day, "ptn_1", None, "a", "USD", "commission", 100, 4, 4000),
        MoneyEntry("brd_1", day, "ptn_2", None, "b", "USD", "commission", 100, 10, 4000),
        MoneyEntry("brd_1", day, "ptn_1", None, None, "USD", "commission", 100, 7, 4000),  # by coupon
    ])  # fmt: skip
    now = [0.0]
    source = TrailingRates(clicks, book, Tiers(), ttl_seconds=60, monotonic=lambda: now[0])
    rates = source.rates("brd_1", "ptn_1", today)
    # Then the partner's orders by click over its clicks stand beside its tier's others' (not the mega's)
    assert rates == Rates("micro", 10, 4, 1_000, 10, "tier")
    assert rate_hold(rates) is not None
    # And the brand is read once a minute, not once an order
    source.rates("brd_1", "ptn_2", today)
    assert clicks.reads == 1
    now[0] = 61.0
    source.rates("brd_1", "ptn_2", today)
    assert clicks.reads == 2


def test_a_partner_of_a_tier_with_no_peers_is_compared_with_the_brand() -> None:
    clicks = Clicks([month("z", "202611", "22", 50, "ptn_9"),
                     month("b", "202611", "21", 500, "ptn_2")])  # fmt: skip
    rates = TrailingRates(clicks, InMemoryFigureBook(), Tiers()).rates("brd_1", "ptn_9", date(2026, 11, 30))
    assert (rates.tier, rates.baseline, rates.baseline_clicks) == ("mega", "brand", 500)
