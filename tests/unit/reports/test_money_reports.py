"""Money reports: ROI, EPC and CVR from a group's sums, rows that add up to the brand's totals under every
grouping, the edges of a range, the tier mix, currencies, and CSV with the same rows as JSON."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from starling.conversions.model import MoneyEntry
from starling.conversions.rates import PartnerTier
from starling.links.model import MonthCounter
from starling.reports.model import Figures, ratio
from starling.reports.money import (
    MONEY_GROUPS,
    MoneyReport,
    ReportFilter,
    money_rows,
    money_totals,
    tier_rows,
)
from starling.shared.errors import Invalid
from tests.fakes.conversions import InMemoryFigureBook

BRAND = "brd_1"


class MonthCounters:
    def __init__(self, counters: list[MonthCounter]) -> None:
        self.counters = counters

    def month_counters(self, brand_id: str, from_month: str, to_month: str) -> list[MonthCounter]:
        return [c for c in self.counters if from_month <= c.month <= to_month]


def clicks_on(slug: str, partner_id: str, campaign_id: str | None, days: dict[int, int]) -> MonthCounter:
    """A link's November: `days` maps a day to its people's clicks (each also unique, one bot click)."""
    by_day = {f"{d:02d}": {"clicks": n, "unique_clicks": n, "bot_clicks": 1} for d, n in days.items()}
    total = {
        name: sum(f[name] for f in by_day.values()) for name in ("clicks", "unique_clicks", "bot_clicks")
    }
    labels = {"partner_id": partner_id, **({"campaign_id": campaign_id} if campaign_id else {})}
    return MonthCounter(slug, "202611", total, by_day, labels)


def order(day: int, partner_id: str, campaign_id: str | None, link: str | None, amount: int, commission: int,
          currency: str = "USD") -> MoneyEntry:  # fmt: skip
    return MoneyEntry(
        BRAND,
        date(2026, 11, day),
        partner_id,
        campaign_id,
        link,
        currency,
        "commission",
        commission,
        1,
        amount,
    )


@pytest.fixture
def program() -> tuple[MonthCounters, InMemoryFigureBook]:
    """Maya: a spring link (serum) and a coupon; Leo: a link of no campaign (lifts); Ana: a gift only."""
    counters = MonthCounters([
        clicks_on("serum", "ptn_maya", "spring", {2: 100, 20: 300}),
        clicks_on("lifts", "ptn_leo", None, {3: 50}),
    ])  # fmt: skip
    book = InMemoryFigureBook()
    book.book([
        order(2, "ptn_maya", "spring", "serum", 10_000, 1_000),
        order(20, "ptn_maya", "spring", "serum", 6_000, 600),
        order(21, "ptn_maya", None, None, 4_000, 400),  # by coupon
        order(3, "ptn_leo", None, "lifts", 2_000, 200),
        MoneyEntry(BRAND, date(2026, 11, 25), "ptn_leo", None, "lifts", "USD", "commission", -100, 0, -1_000),
        MoneyEntry(BRAND, date(2026, 11, 5), "ptn_ana", "spring", None, "USD", "gifting", 4_500),
        MoneyEntry(BRAND, date(2026, 11, 6), "ptn_ana", "spring", None, "USD", "flat", 20_000),
    ])  # fmt: skip
    return counters, book


NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def test_roi_epc_and_cvr_come_from_the_sums_and_round_half_to_even() -> None:
    # Given a group that cost 2,000 (commission 1,000, a flat fee 1,000) and brought 10,000 from 400 clicks
    figures = Figures(clicks=400, conversions=4, revenue=10_000, commission=1_000, flat=1_000)
    # Then its return is 4 times its cost, partners earned 2.50 a click, 1% of clicks converted
    assert (figures.cost, figures.fees) == (2_000, 1_000)
    assert (figures.roi, figures.epc, figures.cvr) == (Decimal("4.0000"), Decimal("2.50"), Decimal("0.0100"))
    # And halves round to even; a group with no cost or no clicks has no ratio
    assert ratio(1, 8, Decimal("0.01")) == Decimal("0.12") and ratio(3, 8, Decimal("0.01")) == Decimal("0.38")
    assert Figures(revenue=500).roi is None and Figures(revenue=500).epc is None
    assert Figures(commission=100, revenue=0).roi == Decimal("-1.0000")
    assert Figures(gifting=3).cost == 3 and Figures(cpc=7, clicks=2).epc == Decimal("3.50")


def test_rows_add_up_to_the_brand_totals_under_every_grouping(
    program: tuple[MonthCounters, InMemoryFigureBook],
) -> None:
    counters, book = program
    # When the brand reads November by each grouping
    totals = {}
    tiers = {"ptn_maya": PartnerTier("micro", True), "ptn_leo": PartnerTier("nano", True)}  # Ana's: unknown
    for group_by in MONEY_GROUPS:
        rows, currency = money_rows(counters, book, BRAND, group_by, *NOVEMBER, tiers=tiers)
        assert currency == "USD"
        totals[group_by] = money_totals(rows).as_dict()
    # Then every grouping adds up to the same brand totals, which count every click and every cent
    assert all(t == totals["partner"] for t in totals.values()), totals
    brand = totals["partner"]
    assert (brand["clicks"], brand["bot_clicks"], brand["conversions"]) == (450, 3, 4)
    assert (brand["revenue"], brand["commission"], brand["gifting"], brand["fees"]) == (
        21_000,
        2_100,
        4_500,
        20_000,
    )
    assert brand["cost"] == 26_600 and brand["roi"] == str(
        ((Decimal(21_000) - 26_600) / 26_600).quantize(Decimal("0.0001"))
    )


def test_rows_by_link_campaign_and_day_put_every_figure_in_one_row(
    program: tuple[MonthCounters, InMemoryFigureBook],
) -> None:
    counters, book = program
    by_link = {r.key: r for r in money_rows(counters, book, BRAND, "link", *NOVEMBER)[0]}
    # Orders by coupon have a row per partner; a gift of no link too
    assert sorted(by_link) == ["coupon:ptn_ana", "coupon:ptn_maya", "lifts", "serum"]
    assert by_link["serum"].figures.revenue == 16_000 and by_link["serum"].figures.clicks == 400
    assert (
        by_link["serum"].figures.cvr == Decimal("0.0050")
        and by_link["serum"].labels["campaign_id"] == "spring"
    )
    # A refund is booked on its day: Leo's link brought 2,000 less the 1,000 refunded
    assert (by_link["lifts"].figures.revenue, by_link["lifts"].figures.commission) == (1_000, 100)
    by_campaign = {r.key: r.figures for r in money_rows(counters, book, BRAND, "campaign", *NOVEMBER)[0]}
    assert sorted(by_campaign) == ["-", "spring"]
    assert by_campaign["spring"].cost == 1_600 + 24_500
    by_day = {r.key: r.figures for r in money_rows(counters, book, BRAND, "day", *NOVEMBER)[0]}
    assert by_day["2026-11-02"].clicks == 100 and by_day["2026-11-02"].revenue == 10_000
    assert by_day["2026-11-25"].revenue == -1_000


def test_a_range_inside_a_month_counts_only_its_days(
    program: tuple[MonthCounters, InMemoryFigureBook],
) -> None:
    counters, book = program
    # When the report covers the 15th to the 24th
    rows, _ = money_rows(counters, book, BRAND, "partner", date(2026, 11, 15), date(2026, 11, 24))
    maya = next(r.figures for r in rows if r.key == "ptn_maya")
    # Then only Maya's clicks and orders of the 20th and 21st count, and Leo's refund of the 25th does not
    assert (maya.clicks, maya.conversions, maya.revenue) == (300, 2, 10_000)
    assert "ptn_leo" not in {r.key for r in rows}


def test_a_filter_keeps_one_partners_figures(program: tuple[MonthCounters, InMemoryFigureBook]) -> None:
    counters, book = program
    only = ReportFilter.of("ptn_maya", None, None)
    rows, _ = money_rows(counters, book, BRAND, "day", *NOVEMBER, only)
    assert money_totals(rows).revenue == 20_000 and money_totals(rows).clicks == 400


def test_by_tier_the_mix_of_partners_stands_beside_each_tiers_return(
    program: tuple[MonthCounters, InMemoryFigureBook],
) -> None:
    counters, book = program
    # Given two nano partners (Leo, and Zoé with no figures), Maya micro, Ana of unknown size (not in the
    # program, but with figures), and a prospect who is not counted
    tiers = {"ptn_maya": PartnerTier("micro", True), "ptn_leo": PartnerTier("nano", True),
             "ptn_zoe": PartnerTier("nano", True), "ptn_ana": PartnerTier("unknown", False),
             "ptn_prospect": PartnerTier("mega", False)}  # fmt: skip
    rows, _ = money_rows(counters, book, BRAND, "tier", *NOVEMBER, tiers=tiers)
    # Then every tier has a row, smallest first, with its partners and their share of the brand's
    assert [r.key for r in rows] == ["nano", "micro", "mid", "macro", "mega", "unknown"]
    by_tier = {r.key: r for r in rows}
    assert (by_tier["nano"].partners_in_tier, by_tier["nano"].partner_share) == (2, Decimal("0.5000"))
    assert by_tier["mega"].partners_in_tier == 0 and by_tier["mega"].figures.roi is None
    assert by_tier["micro"].figures.roi == Decimal("9.0000")  # 20,000 back for 2,000 of commission
    assert by_tier["unknown"].figures.cost == 24_500


def test_a_tier_row_is_shown_without_figures_and_without_partners() -> None:
    rows = tier_rows({}, {})
    assert [r.key for r in rows] == ["nano", "micro", "mid", "macro", "mega"]
    assert all(r.partners_in_tier == 0 and r.partner_share is None for r in rows)


def test_figures_in_several_currencies_need_a_currency(
    program: tuple[MonthCounters, InMemoryFigureBook],
) -> None:
    counters, book = program
    book.book([order(4, "ptn_leo", None, "lifts", 9_000, 900, currency="EUR")])
    with pytest.raises(Invalid) as refused:
        money_rows(counters, book, BRAND, "partner", *NOVEMBER)
    assert refused.value.details == {"currency": ["EUR", "USD"]}
    rows, currency = money_rows(counters, book, BRAND, "partner", *NOVEMBER, currency="EUR")
    assert currency == "EUR" and money_totals(rows).revenue == 9_000
    assert money_totals(rows).clicks == 450  # clicks have no currency


def test_an_unknown_grouping_is_refused(program: tuple[MonthCounters, InMemoryFigureBook]) -> None:
    with pytest.raises(Invalid):
        money_rows(*program, BRAND, "week", *NOVEMBER)


def test_csv_has_the_same_rows_and_figures_as_json(program: tuple[MonthCounters, InMemoryFigureBook]) -> None:
    counters, book = program
    rows, currency = money_rows(
        counters, book, BRAND, "tier", *NOVEMBER, tiers={"ptn_maya": PartnerTier("micro", True)}
    )
    report = MoneyReport("tier", *NOVEMBER, currency, rows, money_totals(rows))
    parsed = list(csv.DictReader(io.StringIO(report.as_csv())))
    assert [r["tier"] for r in parsed] == [r.key for r in rows]
    for line, row in zip(parsed, rows, strict=True):
        shown = row.as_dict()
        for name in ("clicks", "revenue", "cost", "roi", "epc", "cvr", "partners", "partner_share"):
            assert line[name] == ("" if shown[name] is None else str(shown[name])), name
