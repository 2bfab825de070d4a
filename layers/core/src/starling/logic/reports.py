"""Reports over the click counters: figures per link, partner, campaign, day or hour, for a date range."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from starling.errors import Invalid

GROUPS = ("link", "partner", "campaign", "day", "hour")
MAX_DAYS = 366
DEFAULT_DAYS = 30
_FIGURES = {"clicks": "c", "unique_clicks": "u", "bot_clicks": "b", "flagged_clicks": "f"}


class CounterReader(Protocol):
    def day_counters(
        self, brand_id: str, dimension: str, from_day: str, to_day: str
    ) -> Iterable[dict[str, Any]]: ...


@dataclass
class ReportRow:
    key: str
    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    flagged_clicks: int = 0
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, item: dict[str, Any], suffix: str = "") -> None:
        for name, short in _FIGURES.items():
            value = item.get(short + suffix)
            if value:
                setattr(self, name, getattr(self, name) + int(value["N"]))


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
    for item in counters.day_counters(brand_id, dimension, start.strftime("%Y%m%d"), end.strftime("%Y%m%d")):
        day = item["day"]["S"]
        iso_day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        if group_by == "hour":
            for hour in range(24):
                suffix = f"{hour:02d}"
                if any(short + suffix in item for short in _FIGURES.values()):
                    key = f"{iso_day}T{suffix}:00Z"
                    rows.setdefault(key, ReportRow(key)).add(item, suffix)
            continue
        key = iso_day if group_by == "day" else item["kid"]["S"]
        row = rows.setdefault(key, ReportRow(key))
        row.add(item)
        if group_by == "link":
            row.labels.update(
                {name: item[name]["S"] for name in ("partner_id", "campaign_id") if name in item}
            )
    return [rows[key] for key in sorted(rows)]


def totals(rows: list[ReportRow]) -> dict[str, int]:
    return {name: sum(getattr(r, name) for r in rows) for name in _FIGURES}


def as_csv(group_by: str, rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    labels = ["partner_id", "campaign_id"] if group_by == "link" else []
    writer.writerow([group_by, *_FIGURES, *labels])
    for row in rows:
        values = asdict(row)
        writer.writerow([row.key, *(values[n] for n in _FIGURES), *(row.labels.get(n, "") for n in labels)])
    return out.getvalue()
