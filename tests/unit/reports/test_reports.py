"""Reports over day counters: grouping by link, partner, day and hour, totals, CSV and the date range."""

from __future__ import annotations

from datetime import date

import pytest

from starling.links.model import DayCounter
from starling.reports.service import as_csv, click_report, report_range, totals
from starling.shared.errors import Invalid

FIGURES = {"clicks": 3, "unique_clicks": 2, "bot_clicks": 1}


class Counters:
    def __init__(self, counters: list[DayCounter]) -> None:
        self.counters = counters
        self.asked: list[tuple[str, str, str]] = []

    def day_counters(self, brand_id: str, dimension: str, from_day: str, to_day: str) -> list[DayCounter]:
        self.asked.append((dimension, from_day, to_day))
        return self.counters


LINK_DAYS = [
    DayCounter("maya", "20261122", FIGURES, {"09": {"clicks": 1}, "21": {"clicks": 2, "unique_clicks": 2}},
               {"partner_id": "ptn_1"}),
    DayCounter("maya", "20261123", {"clicks": 1, "flagged_clicks": 4},
               {"09": {"clicks": 1, "flagged_clicks": 4}}, {"partner_id": "ptn_1"}),
    DayCounter("leo", "20261123", {"bot_clicks": 2}, {"10": {"bot_clicks": 2}}, {"partner_id": "ptn_2"}),
]  # fmt: skip
START, END = date(2026, 11, 1), date(2026, 11, 30)


def test_by_link_sums_the_days_and_keeps_the_partner() -> None:
    rows = click_report(Counters(LINK_DAYS), "brd_1", "link", START, END)
    assert [(r.key, r.clicks, r.unique_clicks, r.bot_clicks, r.flagged_clicks) for r in rows] == [
        ("leo", 0, 0, 2, 0),
        ("maya", 4, 2, 1, 4),
    ]
    assert rows[1].labels == {"partner_id": "ptn_1"}
    assert totals(rows) == {"clicks": 4, "unique_clicks": 2, "bot_clicks": 3, "flagged_clicks": 4}


def test_by_day_and_by_hour_read_the_link_counters() -> None:
    reader = Counters(LINK_DAYS)
    days = click_report(reader, "brd_1", "day", START, END)
    hours = click_report(reader, "brd_1", "hour", START, END)
    assert [(r.key, r.clicks) for r in days] == [("2026-11-22", 3), ("2026-11-23", 1)]
    assert [(r.key, r.clicks, r.bot_clicks) for r in hours] == [
        ("2026-11-22T09:00Z", 1, 0),
        ("2026-11-22T21:00Z", 2, 0),
        ("2026-11-23T09:00Z", 1, 0),
        ("2026-11-23T10:00Z", 0, 2),
    ]
    assert {dimension for dimension, _, _ in reader.asked} == {"link"}
    assert reader.asked[0][1:] == ("20261101", "20261130")


def test_csv_has_a_header_and_a_row_per_group() -> None:
    rows = click_report(Counters(LINK_DAYS), "brd_1", "link", START, END)
    assert as_csv("link", rows).splitlines() == [
        "link,clicks,unique_clicks,bot_clicks,flagged_clicks,partner_id,campaign_id",
        "leo,0,0,2,0,ptn_2,",
        "maya,4,2,1,4,ptn_1,",
    ]


def test_an_unknown_grouping_and_bad_ranges_are_refused() -> None:
    with pytest.raises(Invalid):
        click_report(Counters([]), "brd_1", "planet", START, END)
    with pytest.raises(Invalid):
        report_range(date(2026, 12, 1), date(2026, 11, 1), date(2026, 12, 2))
    with pytest.raises(Invalid):
        report_range(date(2025, 1, 1), date(2026, 11, 1), date(2026, 12, 2))
    assert report_range(None, None, date(2026, 11, 30)) == (date(2026, 11, 1), date(2026, 11, 30))
