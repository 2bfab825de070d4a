"""Reports over day counters: grouping by link, partner, day and hour, totals, CSV and the date range."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from starling.links.model import DayCounter, Link
from starling.recruiting.model import Partner, Stage
from starling.reports.service import ReportFilter, as_csv, click_report, name_rows, report_range, totals
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
AT = datetime(2026, 11, 1, tzinfo=UTC)


def partner(partner_id: str, handle: str, name: str) -> Partner:
    return Partner(partner_id, "brd_1", "cre_1", "instagram", handle, name, None, Stage.ACTIVE, AT, AT, AT)


PARTNERS = [partner("ptn_1", "maya.makes", "Maya Lopez"), partner("ptn_2", "leo_lifts", "Léo Dubois")]
LINKS = [Link("maya", "brd_1", "ptn_1", "https://shop.example/serum", AT, AT)]  # leo's link was since deleted


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


def test_csv_has_a_header_and_a_row_per_group_with_names_beside_ids() -> None:
    rows = name_rows(click_report(Counters(LINK_DAYS), "brd_1", "link", START, END), "link", PARTNERS, LINKS)
    assert as_csv("link", rows).splitlines() == [
        "link,destination_url,clicks,unique_clicks,bot_clicks,flagged_clicks,"
        "partner_id,partner_handle,partner_name,campaign_id",
        "leo,,0,0,2,0,ptn_2,leo_lifts,Léo Dubois,",
        "maya,https://shop.example/serum,4,2,1,4,ptn_1,maya.makes,Maya Lopez,",
    ]


def test_an_unknown_grouping_and_bad_ranges_are_refused() -> None:
    with pytest.raises(Invalid):
        click_report(Counters([]), "brd_1", "planet", START, END)
    with pytest.raises(Invalid):
        report_range(date(2026, 12, 1), date(2026, 11, 1), date(2026, 12, 2))
    with pytest.raises(Invalid):
        report_range(date(2025, 1, 1), date(2026, 11, 1), date(2026, 12, 2))
    assert report_range(None, None, date(2026, 11, 30)) == (date(2026, 11, 1), date(2026, 11, 30))


CAMPAIGN_DAYS = [
    DayCounter("maya", "20261122", {"clicks": 3}, {}, {"partner_id": "ptn_1", "campaign_id": "spring"}),
    DayCounter("maya-2", "20261123", {"clicks": 5}, {}, {"partner_id": "ptn_1"}),
    DayCounter("leo", "20261123", {"clicks": 7}, {}, {"partner_id": "ptn_2", "campaign_id": "spring"}),
]


@pytest.mark.parametrize(
    ("group_by", "only", "expected"),
    [
        ("partner", ReportFilter(partner_id="ptn_1"), [("ptn_1", 8)]),
        ("link", ReportFilter(partner_id="ptn_1"), [("maya", 3), ("maya-2", 5)]),
        ("partner", ReportFilter(campaign_id="spring"), [("ptn_1", 3), ("ptn_2", 7)]),
        ("campaign", ReportFilter(partner_id="ptn_1"), [("spring", 3)]),
        ("day", ReportFilter(link="maya-2"), [("2026-11-23", 5)]),
        ("link", ReportFilter(partner_id="ptn_1", campaign_id="spring"), [("maya", 3)]),
        ("link", ReportFilter(partner_id="ptn_9"), []),
    ],
)
def test_a_filtered_report_sums_the_kept_links_counters(
    group_by: str, only: ReportFilter, expected: list[tuple[str, int]]
) -> None:
    # Given three links' day counters, When a report is narrowed
    reader = Counters(CAMPAIGN_DAYS)
    rows = click_report(reader, "brd_1", group_by, START, END, only)
    # Then it sums the counters of the links the filter keeps, read from the link dimension
    assert [(r.key, r.clicks) for r in rows] == expected
    assert {dimension for dimension, _, _ in reader.asked} == {"link"}


def test_a_report_by_partner_names_each_partner_beside_its_id() -> None:
    rows = click_report(Counters(CAMPAIGN_DAYS), "brd_1", "partner", START, END, ReportFilter(link="leo"))
    named = name_rows(rows, "partner", PARTNERS)
    assert [(r.key, r.partner_id, r.partner_handle, r.partner_name) for r in named] == [
        ("ptn_2", "ptn_2", "leo_lifts", "Léo Dubois")
    ]
    assert as_csv("partner", named).splitlines()[0].startswith("partner,partner_handle,partner_name,clicks")


@pytest.mark.parametrize(
    ("partner_id", "campaign_id", "link", "field"),
    [
        ("cre_123", None, None, "partner_id"),
        ("ptn_", None, None, "partner_id"),
        ("ptn_a b", None, None, "partner_id"),
        (None, "spring sale", None, "campaign_id"),
        (None, None, "a", "link"),
        (None, None, "Zoë", "link"),
    ],
)
def test_a_filter_that_cannot_be_an_id_is_invalid(
    partner_id: str | None, campaign_id: str | None, link: str | None, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        ReportFilter.of(partner_id, campaign_id, link)
    assert set(refused.value.details) == {field}


def test_a_link_filter_is_read_lower_case_as_slugs_are() -> None:
    assert ReportFilter.of(None, None, "Maya").link == "maya"
