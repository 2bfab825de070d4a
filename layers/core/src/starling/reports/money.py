"""Money reports: clicks, conversions, revenue and every cost per link, partner, campaign, tier or day.

By link, partner, campaign, tier or day (`money_report`) a report reads two kinds of aggregates, both kept
up to date as events arrive and never raw events: links' month click counters (starling.links, one per
link and month, each day inside) and conversions' money cells (starling.conversions.model, one per
partner, campaign, link and month, each day inside). A month wholly in the range counts its month's
figures, a month at an edge only its days in the range. Every click and every money entry lands in
exactly one row of any grouping (links of no campaign in the campaign "-", orders by coupon in the link
"coupon:<partner_id>", partners of unknown size in the tier "unknown"), so the rows add up to the
brand's totals. Ratios are in starling.reports.model.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from starling.conversions.model import FigureBook, MoneyCell, days_between, figures_between
from starling.conversions.service import PartnerTier
from starling.identity.model import DEFAULT_TIER_THRESHOLDS
from starling.links.model import ClickMonthReader
from starling.reports.model import CVR_PLACES, OUTPUT_FIGURES, Figures, ratio
from starling.reports.service import (
    CSV_AFTER,
    GROUPS,
    LinkDestinations,
    PartnerNames,
    ReportFilter,
    name_rows,
    report_range,
)
from starling.shared.clock import today
from starling.shared.errors import Invalid
from starling.shared.money import parse_currency

MONEY_GROUPS = ("link", "partner", "campaign", "tier", "day")
TIERS = (*DEFAULT_TIER_THRESHOLDS, "unknown")
NO_CAMPAIGN = "-"
COUPON_PREFIX = "coupon:"


class PartnerTiers(Protocol):
    def tiers(self, brand_id: str) -> dict[str, PartnerTier]:
        """Each partner's tier (its creator's followers on the brand's thresholds, else "unknown") and
        whether it is in the program."""
        ...


@dataclass
class MoneyRow:
    key: str
    figures: Figures = field(default_factory=Figures)
    labels: dict[str, str] = field(default_factory=dict)
    partners_in_tier: int | None = None  # by tier: the brand's partners of the tier
    partner_share: Decimal | None = None  # by tier: their share of the brand's partners

    @property
    def partner_id(self) -> str | None:
        return self.labels.get("partner_id")

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"key": self.key, **self.labels, **self.figures.as_dict()}
        if self.partners_in_tier is not None:
            out["partners"] = self.partners_in_tier
            out["partner_share"] = None if self.partner_share is None else str(self.partner_share)
        return out


@dataclass(frozen=True)
class MoneyReport:
    group_by: str
    start: date
    end: date
    currency: str | None
    rows: list[MoneyRow]
    totals: Figures

    def as_csv(self) -> str:
        return money_csv(self.group_by, self.rows)


def choose_currency(cells: list[MoneyCell], wanted: str | None) -> str | None:
    """The currency a report's money is in: the one asked for, else the only one of the range's figures
    (None when there are none); figures in several currencies need `currency` (Invalid otherwise)."""
    if wanted is not None:
        return parse_currency(wanted)
    found = sorted({cell.currency for cell in cells})
    if len(found) > 1:
        raise Invalid(
            "The range has figures in several currencies: choose one with currency.", {"currency": found}
        )
    return found[0] if found else None


def money_rows(
    clicks: ClickMonthReader,
    book: FigureBook,
    brand_id: str,
    group_by: str,
    start: date,
    end: date,
    only: ReportFilter | None = None,
    currency: str | None = None,
    tiers: dict[str, PartnerTier] | None = None,
) -> tuple[list[MoneyRow], str | None]:
    """The rows of a report by link, partner, campaign, tier or day, and the currency of their money."""
    if group_by not in MONEY_GROUPS:
        raise Invalid(f"group_by is one of {', '.join(GROUPS)}.", {"group_by": group_by})
    only = only or ReportFilter()
    tiers = tiers or {}
    first, last = start.strftime("%Y%m"), end.strftime("%Y%m")
    rows: dict[str, MoneyRow] = {}

    def key_of(link: str | None, partner_id: str, campaign_id: str | None) -> str:
        if group_by == "link":
            return link or COUPON_PREFIX + partner_id
        if group_by == "partner":
            return partner_id
        if group_by == "campaign":
            return campaign_id or NO_CAMPAIGN
        known = tiers.get(partner_id)
        return known.tier if known else "unknown"

    def add(key: str, figures: dict[str, int], partner_id: str, campaign_id: str | None) -> None:
        row = rows.setdefault(key, MoneyRow(key))
        row.figures.add(figures)
        row.figures.partners.add(partner_id)
        if group_by in ("link", "partner"):
            row.labels["partner_id"] = partner_id
        if group_by == "link" and campaign_id:
            row.labels["campaign_id"] = campaign_id

    for counter in clicks.month_counters(brand_id, first, last):
        partner_id, campaign_id = counter.labels.get("partner_id", ""), counter.labels.get("campaign_id")
        if not only.keeps(counter):
            continue
        if group_by == "day":
            for day, figures in days_between(counter.month, counter.days, start, end):
                add(day, figures, partner_id, campaign_id)
            continue
        inside = figures_between(counter.month, counter.figures, counter.days, start, end)
        if inside:
            add(key_of(counter.key_id, partner_id, campaign_id), inside, partner_id, campaign_id)
    cells = [
        c for c in book.cells(brand_id, first, last) if only.keeps_ids(c.link, c.partner_id, c.campaign_id)
    ]
    chosen = choose_currency(cells, currency)
    for cell in cells:
        if cell.currency != chosen:
            continue
        if group_by == "day":
            for day, figures in days_between(cell.month, cell.days, start, end):
                add(day, figures, cell.partner_id, cell.campaign_id)
            continue
        inside = figures_between(cell.month, cell.figures, cell.days, start, end)
        if inside:
            add(
                key_of(cell.link, cell.partner_id, cell.campaign_id),
                inside,
                cell.partner_id,
                cell.campaign_id,
            )
    if group_by == "tier":
        return tier_rows(rows, tiers), chosen
    return [rows[key] for key in sorted(rows)], chosen


def tier_rows(rows: dict[str, MoneyRow], tiers: dict[str, PartnerTier]) -> list[MoneyRow]:
    """A row per tier, smallest first (every tier of the brand's mix, with figures or not), each with how
    many of the brand's partners are of the tier and their share of all of them: the partners in the
    program, and any other with figures in the range."""
    with_figures = set().union(*(row.figures.partners for row in rows.values()))
    mix = {pid: known.tier for pid, known in tiers.items() if known.in_program or pid in with_figures}
    mix.update({pid: "unknown" for pid in with_figures if pid not in tiers})
    counts = {tier: 0 for tier in TIERS}
    for tier in mix.values():
        counts[tier] = counts.get(tier, 0) + 1
    out = []
    for tier in TIERS:
        if tier == "unknown" and not counts[tier] and tier not in rows:
            continue
        row = rows.get(tier, MoneyRow(tier))
        row.partners_in_tier = counts[tier]
        row.partner_share = ratio(counts[tier], len(mix), CVR_PLACES)
        out.append(row)
    return out


def money_totals(rows: list[MoneyRow]) -> Figures:
    total = Figures()
    for row in rows:
        total.add_figures(row.figures)
    return total


_MONEY_CSV_BEFORE = {
    "link": ["destination_url"],
    "partner": ["partner_handle", "partner_name"],
    "tier": ["partners", "partner_share"],
}


def money_csv(group_by: str, rows: list[MoneyRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    before, after = _MONEY_CSV_BEFORE.get(group_by, []), CSV_AFTER.get(group_by, [])
    writer.writerow([group_by, *before, *OUTPUT_FIGURES, *after])
    for row in rows:
        shown = row.as_dict()
        writer.writerow(
            [row.key, *(_cell(shown.get(n)) for n in before), *(_cell(shown.get(n)) for n in OUTPUT_FIGURES),
             *(_cell(shown.get(n)) for n in after)]
        )  # fmt: skip
    return out.getvalue()


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def money_report(
    clicks: ClickMonthReader,
    book: FigureBook,
    partners: PartnerNames,
    links: LinkDestinations,
    tiers: PartnerTiers,
    brand_id: str,
    group_by: str,
    from_day: date | None,
    to_day: date | None,
    only: ReportFilter | None = None,
    currency: str | None = None,
) -> MoneyReport:
    """GET /v1/reports by link, partner, campaign, tier or day: clicks, conversions, revenue and every cost
    per group over the range (the last 30 days by default), with the brand's totals; by tier, the brand's
    mix of partners per tier beside each tier's return."""
    start, end = report_range(from_day, to_day, today())
    if group_by not in MONEY_GROUPS:
        raise Invalid(f"group_by is one of {', '.join(GROUPS)}.", {"group_by": group_by})
    known_tiers = tiers.tiers(brand_id) if group_by == "tier" else {}
    rows, chosen = money_rows(clicks, book, brand_id, group_by, start, end, only, currency, known_tiers)
    if rows and group_by in ("link", "partner"):
        rows = name_rows(
            rows, group_by, partners.all(brand_id), links.all(brand_id) if group_by == "link" else ()
        )
    return MoneyReport(group_by, start, end, chosen, rows, money_totals(rows))
