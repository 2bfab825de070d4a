"""Which periods may be paid, and the names that make two starts one run."""

from __future__ import annotations

from datetime import date

import pytest

from starling.payouts.model import execution_name, is_run_id, parse_period, run_id_for
from starling.shared.errors import Invalid

DEC_7 = date(2026, 12, 7)


@pytest.mark.parametrize("period", ["2026-11", "2025-12", "2026-01"])
def test_a_month_that_has_ended_may_be_paid(period: str) -> None:
    assert parse_period(period, DEC_7) == period


@pytest.mark.parametrize(
    ("period", "problem"),
    [
        ("2026-12", "not ended"),  # the current month
        ("2027-01", "not ended"),  # a future one
        ("2026-13", "not YYYY-MM"),
        ("2026-1", "not YYYY-MM"),
        ("2026-11\n", "not YYYY-MM"),
        ("\u0662\u0660\u0662\u0666-\u0661\u0661", "not YYYY-MM"),  # digits, not ASCII: a bad execution name
        (202611, "not YYYY-MM"),
        (None, "not YYYY-MM"),
    ],
)
def test_any_other_period_is_refused_with_the_field_at_fault(period: object, problem: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_period(period, DEC_7)
    assert refused.value.details == {"period": problem}


def test_the_run_and_its_execution_are_named_by_brand_period_and_attempt() -> None:
    assert run_id_for("2026-11", 1) == "run_2026-11_1" and is_run_id("run_2026-11_1")
    assert not is_run_id("run_2026-11_1\n") and not is_run_id("nonsense")
    assert execution_name("brd_abc", "2026-11") == "payout-brd_abc-2026-11"
    assert execution_name("brd_abc", "2026-11", 2) == "payout-brd_abc-2026-11-2"
