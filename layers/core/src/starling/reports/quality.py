"""Click quality a brand can read, per partner and period: people against bots and bursts, the share of
in-app browsers, the unique rate, the conversion rate against the partner's tier, and a verdict with its
reasons. Read from the same aggregates as reports (links' month click counters, conversions' money cells);
the thresholds are here and in docs/decisions.md (2026-12-07, "Click quality").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from starling.conversions.model import FigureBook, figures_between
from starling.conversions.service import Rates, TierSource, conversion_rates, rate_reason
from starling.links.model import ClickMonthReader
from starling.reports.model import CVR_PLACES, Figures, ratio
from starling.reports.service import PartnerLookup, report_range
from starling.shared.clock import today

MIN_CLICKS = 20  # fewer clicks than this say nothing either way
BOT_SHARE = Decimal("0.5")  # most clicks are previews and crawlers
BURST_SHARE, BURST_SUSPICIOUS = Decimal("0.1"), Decimal("0.25")
UNIQUE_RATE = Decimal("0.5")  # fewer than half of people's clicks are new visitors
IN_APP_SHARE = Decimal("0.1")  # a creator's clicks come mostly from social apps' in-app browsers
MIN_PEOPLE = 50  # the unique rate and the in-app share are read from this many people's clicks on


@dataclass(frozen=True)
class ClickQuality:
    partner_id: str
    start: date
    end: date
    tier: str
    people: int
    bots: int
    bursts: int
    unique_clicks: int
    in_app_clicks: int
    conversions: int  # orders by click
    baseline: str  # what the conversion rate is compared with: "tier" or "brand"
    baseline_clicks: int
    baseline_conversions: int
    verdict: str  # healthy, review, suspicious or not_enough_data
    reasons: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.people + self.bots + self.bursts

    @property
    def people_share(self) -> Decimal | None:
        return ratio(self.people, self.total, CVR_PLACES)

    @property
    def bot_share(self) -> Decimal | None:
        return ratio(self.bots, self.total, CVR_PLACES)

    @property
    def burst_share(self) -> Decimal | None:
        return ratio(self.bursts, self.total, CVR_PLACES)

    @property
    def in_app_share(self) -> Decimal | None:
        return ratio(self.in_app_clicks, self.people, CVR_PLACES)

    @property
    def unique_rate(self) -> Decimal | None:
        return ratio(self.unique_clicks, self.people, CVR_PLACES)

    @property
    def conversion_rate(self) -> Decimal | None:
        return ratio(self.conversions, self.people, CVR_PLACES)

    @property
    def baseline_conversion_rate(self) -> Decimal | None:
        return ratio(self.baseline_conversions, self.baseline_clicks, CVR_PLACES)


def judge(clicks: Figures, rates: Rates) -> tuple[str, tuple[str, ...]]:
    """The verdict on a partner's clicks and its reasons, most serious first."""
    total = clicks.clicks + clicks.bot_clicks + clicks.flagged_clicks
    if total < MIN_CLICKS:
        return "not_enough_data", (f"Fewer than {MIN_CLICKS} clicks in the period.",)
    serious: list[str] = []
    notes: list[str] = []
    burst_share = Decimal(clicks.flagged_clicks) / total
    if burst_share > BURST_SUSPICIOUS:
        serious.append(f"{burst_share:.0%} of clicks came in bursts from one source (not billable).")
    elif burst_share > BURST_SHARE:
        notes.append(f"{burst_share:.0%} of clicks came in bursts from one source (not billable).")
    if Decimal(clicks.bot_clicks) / total > BOT_SHARE:
        notes.append("Most clicks are link previews and crawlers (recorded, not billable).")
    if clicks.clicks >= MIN_PEOPLE:
        if Decimal(clicks.unique_clicks) / clicks.clicks < UNIQUE_RATE:
            notes.append("Fewer than half of people's clicks are new visitors: the same people click again.")
        if Decimal(clicks.in_app_clicks) / clicks.clicks < IN_APP_SHARE:
            notes.append(
                "Few clicks come from social apps' in-app browsers: the traffic may not come from the "
                "partner's posts."
            )
    above = rate_reason(rates, rates.conversions)
    if above:
        serious.append(above)
    if serious:
        return "suspicious", (*serious, *notes)
    if notes:
        return "review", tuple(notes)
    return "healthy", ("People's clicks, mostly new visitors from social apps, converting like their peers.",)


def click_quality(partner_id: str, start: date, end: date, clicks: Figures, rates: Rates) -> ClickQuality:
    verdict, reasons = judge(clicks, rates)
    return ClickQuality(
        partner_id, start, end, rates.tier, clicks.clicks, clicks.bot_clicks, clicks.flagged_clicks,
        clicks.unique_clicks, clicks.in_app_clicks, rates.conversions, rates.baseline, rates.baseline_clicks,
        rates.baseline_conversions, verdict, reasons,
    )  # fmt: skip


def partner_click_quality(
    partners: PartnerLookup, clicks: ClickMonthReader, book: FigureBook, tiers: TierSource, brand_id: str,
    partner_id: str, from_day: date | None, to_day: date | None,
) -> ClickQuality:  # fmt: skip
    """GET /v1/partners/{partner_id}/click-quality over the range (the last 30 days by default): a bad
    range is Invalid whoever the partner, then NotFound for a partner that is not the brand's."""
    start, end = report_range(from_day, to_day, today())
    partners.get(brand_id, partner_id)
    figures = Figures()
    for counter in clicks.month_counters(brand_id, start.strftime("%Y%m"), end.strftime("%Y%m")):
        if counter.labels.get("partner_id") == partner_id:
            figures.add(figures_between(counter.month, counter.figures, counter.days, start, end))
    rates = conversion_rates(clicks, book, tiers, brand_id, partner_id, start, end)
    return click_quality(partner_id, start, end, figures, rates)
