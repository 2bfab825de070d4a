"""Reports over the click counters: figures per link, partner, campaign, day or hour, for a date range."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from starling.shared.errors import Invalid

GROUPS = ("link", "partner", "campaign", "day", "hour")
MAX_DAYS = 366
DEFAULT_DAYS = 30
FIGURE_NAMES = ("clicks", "unique_clicks", "bot_clicks", "flagged_clicks")


@dataclass(frozen=True)
class DayCounter:
    """One link's, partner's or campaign's figures for one UTC day, and for each hour of it that had any."""

    key_id: str
    day: str  # YYYYMMDD
    figures: dict[str, int]
    hours: dict[str, dict[str, int]]  # "00".."23" -> figures
    labels: dict[str, str] = field(default_factory=dict)  # a link's partner_id and campaign_id


class CounterReader(Protocol):
    def day_counters(
        self, brand_id: str, dimension: str, from_day: str, to_day: str
    ) -> Iterable[DayCounter]: ...


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


def report_range(from_day: date | None, to_day: date | None, today: date) -> tuple[date, date]:
    end = to_day or today
    start = from_day or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise Invalid("from must not be after to.", {"from": start.isoformat(), "to": end.isoformat()})
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(f"A report covers at most {MAX_DAYS} days.", {"from": start.isoformat()})
    return start, end


def click_report(
    counters: CounterReader, brand_id: str, group_by: str, start: date, end: date
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
