"""Which flat fees and retainer months the daily fee run records, by hand-worked examples (USD cents)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starling.conversions.accruals import fees_due, months_between
from starling.shared.terms import Terms, parse_terms


def terms(**parts: Any) -> Terms:
    return parse_terms({"currency": "USD", **parts})


def test_months_between_counts_both_ends_and_crosses_the_year() -> None:
    assert months_between(date(2026, 11, 30), date(2027, 2, 1)) == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]


def test_a_retainer_accrues_each_month_once_its_last_covered_day_has_come_prorated_at_both_ends() -> None:
    """Given $300 a month from 10 December 2026 to 14 February 2027, on 1 March 2027:
    December covers 22 of 31 days: 30000 x 22 / 31 = 21290.32, so 21290 (due 31 Dec);
    January is whole: 30000 (due 31 Jan); February covers 14 of 28 days: 30000 x 14 / 28 = 15000 (due 14 Feb).
    The three sum to 66290, never 90000."""
    t = terms(retainer_monthly={"amount": 30000, "starts_on": "2026-12-10", "ends_on": "2027-02-14"})
    due = fees_due(lambda day: t, [(t, date(2026, 12, 10))], date(2026, 12, 10), date(2027, 3, 1))
    assert [(key, a.amount, a.due_on) for key, a in due] == [
        ("retainer#2026-12", 21290, date(2026, 12, 31)),
        ("retainer#2027-01", 30000, date(2027, 1, 31)),
        ("retainer#2027-02", 15000, date(2027, 2, 14)),
    ]


def test_the_month_under_way_accrues_nothing_until_its_last_day() -> None:
    """Given a retainer from 1 December, on 30 December nothing is due; on 31 December the whole month is."""
    t = terms(retainer_monthly={"amount": 30000, "starts_on": "2026-12-01"})
    before = fees_due(lambda day: t, [(t, date(2026, 12, 1))], date(2026, 12, 1), date(2026, 12, 30))
    on_the_day = fees_due(lambda day: t, [(t, date(2026, 12, 1))], date(2026, 12, 1), date(2026, 12, 31))
    assert before == []
    assert [(k, a.amount) for k, a in on_the_day] == [("retainer#2026-12", 30000)]


def test_a_flat_fee_is_due_on_its_date_under_the_version_that_sets_it() -> None:
    """Given $200 due on 5 December: nothing on the 4th, the fee on the 5th and after; an amendment in force
    on the due day without the fee means the fee is not owed."""
    t = terms(flat_fee={"amount": 20000, "due_on": "2026-12-05"})
    versions = [(t, date(2026, 12, 1))]
    assert fees_due(lambda day: t, versions, date(2026, 12, 1), date(2026, 12, 4)) == []
    due = fees_due(lambda day: t, versions, date(2026, 12, 1), date(2026, 12, 20))
    assert [(k, a.kind, a.amount, a.due_on) for k, a in due] == [
        ("flat_fee#2026-12-05#20000", "flat_fee", 20000, date(2026, 12, 5))
    ]
    amended = terms(cpa_percent="10")
    assert fees_due(lambda day: amended, versions, date(2026, 12, 1), date(2026, 12, 20)) == []
