"""Reports over the click counters: figures per link, partner, campaign, day or hour, for a date range.
The counters are links' (starling.links.model.DayCounter), read through links' ClickCounterReader port."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from starling.links.model import ClickCounterReader
from starling.shared.clock import today
from starling.shared.errors import Invalid

GROUPS = ("link", "partner", "campaign", "day", "hour")
MAX_DAYS = 366
DEFAULT_DAYS = 30
FIGURE_NAMES = ("clicks", "unique_clicks", "bot_clicks", "flagged_clicks")


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
    counters: ClickCounterReader, brand_id: str, group_by: str, start: date, end: date
) -> list[ReportRow]:
    if group_by not in GROUPS:
        raise Invalid(f"group_by is one of {', '.join(GROUPS)}.", {"group_by": group_by})
    dimension = group_by if group_by in ("link", "partner", "campaign") else "link"
    rows: dict[str, ReportRow] = {}
    for counter in counters.day_counters(
        brand_id, dimension, start.strftime("%Y%m%d"), end.strftime("%Y%m%d")
    ):
        iso_day = f"{counter.day[:4]}-{counter.day[4:6]}-{counter.day[6:]}"
        if group_by == "hour":
            for hour, figures in counter.hours.items():
                key = f"{iso_day}T{hour}:00Z"
                rows.setdefault(key, ReportRow(key)).add(figures)
            continue
        key = iso_day if group_by == "day" else counter.key_id
        row = rows.setdefault(key, ReportRow(key))
        row.add(counter.figures)
        if group_by == "link":
            row.labels.update(counter.labels)
    return [rows[key] for key in sorted(rows)]


def totals(rows: list[ReportRow]) -> dict[str, int]:
    return {name: sum(getattr(r, name) for r in rows) for name in FIGURE_NAMES}


def as_csv(group_by: str, rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    labels = ["partner_id", "campaign_id"] if group_by == "link" else []
    writer.writerow([group_by, *FIGURE_NAMES, *labels])
    for row in rows:
        figures = [getattr(row, name) for name in FIGURE_NAMES]
        writer.writerow([row.key, *figures, *(row.labels.get(n, "") for n in labels)])
    return out.getvalue()


def report(
    counters: ClickCounterReader, brand_id: str, group_by: str, from_day: date | None, to_day: date | None
) -> Report:
    """GET /v1/reports: the brand's figures grouped by `group_by` over the range (the last 30 days by
    default), with their totals."""
    start, end = report_range(from_day, to_day, today())
    rows = click_report(counters, brand_id, group_by, start, end)
    return Report(group_by, start, end, rows, totals(rows))
