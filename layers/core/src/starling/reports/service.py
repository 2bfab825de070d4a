"""Reports: clicks and money per link, partner, campaign, tier or day (starling.reports.money), and
clicks per hour, for a date range, for the whole brand or narrowed to a partner, a campaign or a link
(`ReportFilter`).

By hour, a report reads the day counters (`click_report`), clicks only. The counters are links'
(starling.links.model.DayCounter), read through links' ClickCounterReader port.
Without a filter a report reads the counters of its own dimension; with one it reads the link counters,
which carry each link's partner and campaign, and sums them: every click adds the same figures to its
link's, partner's and campaign's counters, so the sums are the same figures. Rows name what their ids
stand for: a partner's handle and name (recruiting's `Partner`), a link's destination (links' `Link`),
read through the `PartnerNames` and `LinkDestinations` ports.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol, TypeVar

from starling.links.model import (
    ClickCounterReader,
    DayCounter,
    Link,
    MonthCounter,
    validate_campaign_id,
    validate_slug,
)
from starling.recruiting.model import Partner
from starling.shared.clock import today
from starling.shared.errors import Invalid

GROUPS = ("link", "partner", "campaign", "tier", "day", "hour")
MAX_DAYS = 366
DEFAULT_DAYS = 30
FIGURE_NAMES = ("clicks", "unique_clicks", "bot_clicks", "flagged_clicks")
_PARTNER_ID = re.compile(r"ptn_[A-Za-z0-9_-]{1,64}")


class PartnerNames(Protocol):
    def all(self, brand_id: str) -> list[Partner]: ...


class LinkDestinations(Protocol):
    def all(self, brand_id: str) -> list[Link]: ...


class PartnerLookup(Protocol):
    def get(self, brand_id: str, partner_id: str) -> Partner:
        """The brand's partner; NotFound for another brand's or an unknown one."""
        ...


@dataclass(frozen=True)
class ReportFilter:
    """What a report is narrowed to: one partner, one campaign, one link (slug), or any of them together."""

    partner_id: str | None = None
    campaign_id: str | None = None
    link: str | None = None

    @classmethod
    def of(cls, partner_id: str | None, campaign_id: str | None, link: str | None) -> ReportFilter:
        """The filter, each value checked; Invalid (422) names the ones that cannot be an id."""
        problems: dict[str, str] = {}
        if partner_id is not None and not _PARTNER_ID.fullmatch(partner_id):
            problems["partner_id"] = "a partner id: ptn_ and up to 64 letters, digits, '-' or '_'"
        for name, check in (("campaign_id", validate_campaign_id), ("link", validate_slug)):
            value = campaign_id if name == "campaign_id" else link
            if value is None:
                continue
            try:
                check(value)
            except Invalid as exc:
                problems[name] = exc.message
        if problems:
            raise Invalid("Some report filters are wrong.", problems)
        return cls(partner_id, campaign_id, link.lower() if link else None)

    def __bool__(self) -> bool:
        return any((self.partner_id, self.campaign_id, self.link))

    def keeps(self, counter: DayCounter | MonthCounter) -> bool:
        """Whether a link's counter is one this filter keeps."""
        return self.keeps_ids(
            counter.key_id, counter.labels.get("partner_id"), counter.labels.get("campaign_id")
        )

    def keeps_ids(self, link: str | None, partner_id: str | None, campaign_id: str | None) -> bool:
        return (
            (self.link is None or link == self.link)
            and (self.partner_id is None or partner_id == self.partner_id)
            and (self.campaign_id is None or campaign_id == self.campaign_id)
        )


@dataclass
class ReportRow:
    key: str
    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    flagged_clicks: int = 0
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, figures: dict[str, int]) -> None:
        for name in FIGURE_NAMES:
            setattr(self, name, getattr(self, name) + figures.get(name, 0))

    @property
    def partner_id(self) -> str | None:
        return self.labels.get("partner_id")

    @property
    def campaign_id(self) -> str | None:
        return self.labels.get("campaign_id")

    @property
    def partner_handle(self) -> str | None:
        return self.labels.get("partner_handle")

    @property
    def partner_name(self) -> str | None:
        return self.labels.get("partner_name")

    @property
    def destination_url(self) -> str | None:
        return self.labels.get("destination_url")


@dataclass(frozen=True)
class Report:
    group_by: str
    start: date
    end: date
    rows: list[ReportRow]
    totals: dict[str, int]

    def as_csv(self) -> str:
        return as_csv(self.group_by, self.rows)


def report_range(from_day: date | None, to_day: date | None, today: date) -> tuple[date, date]:
    end = to_day or today
    start = from_day or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise Invalid("from must not be after to.", {"from": start.isoformat(), "to": end.isoformat()})
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(f"A report covers at most {MAX_DAYS} days.", {"from": start.isoformat()})
    return start, end


def click_report(
    counters: ClickCounterReader,
    brand_id: str,
    group_by: str,
    start: date,
    end: date,
    only: ReportFilter | None = None,
) -> list[ReportRow]:
    if group_by not in GROUPS:
        raise Invalid(f"group_by is one of {', '.join(GROUPS)}.", {"group_by": group_by})
    only = only or ReportFilter()
    own_dimension = group_by in ("link", "partner", "campaign") and not only
    dimension = group_by if own_dimension else "link"
    rows: dict[str, ReportRow] = {}
    for counter in counters.day_counters(
        brand_id, dimension, start.strftime("%Y%m%d"), end.strftime("%Y%m%d")
    ):
        if only and not only.keeps(counter):
            continue
        iso_day = f"{counter.day[:4]}-{counter.day[4:6]}-{counter.day[6:]}"
        if group_by == "hour":
            for hour, figures in counter.hours.items():
                key = f"{iso_day}T{hour}:00Z"
                rows.setdefault(key, ReportRow(key)).add(figures)
            continue
        if group_by == "day":
            key = iso_day
        elif own_dimension or group_by == "link":
            key = counter.key_id
        else:  # a partner's or campaign's figures summed from its links' counters
            label = counter.labels.get(f"{group_by}_id")
            if label is None:
                continue  # a link of no campaign
            key = label
        row = rows.setdefault(key, ReportRow(key))
        row.add(counter.figures)
        if group_by == "link":
            row.labels.update(counter.labels)
        elif group_by == "partner":
            row.labels["partner_id"] = key
    return [rows[key] for key in sorted(rows)]


class _Named(Protocol):
    key: str
    labels: dict[str, str]

    @property
    def partner_id(self) -> str | None: ...


R = TypeVar("R", bound=_Named)


def name_rows(
    rows: list[R],
    group_by: str,
    partners: Iterable[Partner] = (),
    links: Iterable[Link] = (),
) -> list[R]:
    """The rows with each partner's handle and name beside its id, and each link's destination beside its
    slug (a partner or a link since deleted keeps its id alone)."""
    by_partner = {p.partner_id: p for p in partners}
    by_slug = {link.slug: link for link in links}
    for row in rows:
        partner = by_partner.get(row.partner_id or "")
        if partner is not None:
            row.labels["partner_handle"] = partner.handle
            row.labels["partner_name"] = partner.display_name
        if group_by == "link" and row.key in by_slug:
            row.labels["destination_url"] = by_slug[row.key].destination_url
    return rows


def totals(rows: list[ReportRow]) -> dict[str, int]:
    return {name: sum(getattr(r, name) for r in rows) for name in FIGURE_NAMES}


# CSV columns beside the figures: names right after the id they stand for, then what a link belongs to.
_CSV_BEFORE = {"link": ["destination_url"], "partner": ["partner_handle", "partner_name"]}
CSV_AFTER = {"link": ["partner_id", "partner_handle", "partner_name", "campaign_id"]}


def as_csv(group_by: str, rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    before, after = _CSV_BEFORE.get(group_by, []), CSV_AFTER.get(group_by, [])
    writer.writerow([group_by, *before, *FIGURE_NAMES, *after])
    for row in rows:
        figures = [getattr(row, name) for name in FIGURE_NAMES]
        writer.writerow(
            [
                row.key,
                *(row.labels.get(n, "") for n in before),
                *figures,
                *(row.labels.get(n, "") for n in after),
            ]
        )
    return out.getvalue()


def report(
    counters: ClickCounterReader,
    partners: PartnerNames,
    links: LinkDestinations,
    brand_id: str,
    group_by: str,
    from_day: date | None,
    to_day: date | None,
    only: ReportFilter | None = None,
) -> Report:
    """GET /v1/reports: the brand's figures grouped by `group_by` over the range (the last 30 days by
    default), narrowed by `only`, with their totals; rows by link or partner name their partner, and rows
    by link their destination. A filter naming another brand's partner, campaign or link finds nothing:
    the counters read are the calling brand's."""
    start, end = report_range(from_day, to_day, today())
    rows = click_report(counters, brand_id, group_by, start, end, only)
    if rows and group_by in ("link", "partner"):
        rows = name_rows(
            rows, group_by, partners.all(brand_id), links.all(brand_id) if group_by == "link" else ()
        )
    return Report(group_by, start, end, rows, totals(rows))
