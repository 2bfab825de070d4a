"""A recorded order's commission over time: pending until its lock ends, then approved, computed on read;
refunds counted once each and never above the order; holds released or rejected once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from starling.conversions.attribution import Attribution
from starling.conversions.engine import price_order
from starling.conversions.fraud import Hold
from starling.conversions.model import CommissionRules, CommissionStatus, PartnerMonth
from starling.conversions.orders import Conversion, OrderIn, State, commission_id_for
from starling.shared.errors import Conflict, Invalid
from starling.shared.terms import Terms

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)
RULES = CommissionRules.of(Terms(currency="USD", cpa_percent="10", lock_days=30))  # type: ignore[arg-type]


def conversion(amount: int = 12000, hold: Hold | None = None) -> Conversion:
    commission, _ = price_order(RULES, PartnerMonth.starting(AT), amount, AT)
    return Conversion(
        "brd_1", "o-1", amount, "USD", AT, AT, Attribution("coupon", "ptn_1", coupon_code="MAYA"),
        commission, State.ON_HOLD if hold else State.ACCRUED, hold,
    )  # fmt: skip


def test_a_commission_is_pending_until_its_lock_ends_then_approved() -> None:
    c = conversion()
    assert c.status_on(date(2026, 12, 19)) is CommissionStatus.PENDING
    assert c.status_on(date(2026, 12, 20)) is CommissionStatus.APPROVED


def test_partial_refunds_reverse_in_proportion_and_the_last_one_reverses_the_rest() -> None:
    c = conversion()
    after, reversal = c.refund("r-1", 4000, AT)
    assert reversal is not None and reversal.amount == -400
    assert (after.refunded, after.earned, after.state) == (4000, 800, State.ACCRUED)
    done, _ = after.refund("r-2", 8000, AT)
    assert (done.earned, done.state, done.status_on(AT.date())) == (
        0,
        State.REVERSED,
        CommissionStatus.REVERSED,
    )


def test_a_refund_id_counts_once_and_another_amount_under_it_is_a_conflict() -> None:
    once, _ = conversion().refund("r-1", 4000, AT)
    again, reversal = once.refund("r-1", 4000, AT)
    assert again is once and reversal is None
    with pytest.raises(Conflict):
        once.refund("r-1", 100, AT)


def test_a_refund_above_what_remains_is_refused() -> None:
    once, _ = conversion().refund("r-1", 4000, AT)
    with pytest.raises(Invalid):
        once.refund("r-2", 8001, AT)


def test_a_held_commission_is_released_or_rejected_once() -> None:
    held = conversion(hold=Hold("self_referral", "own email"))
    assert held.status_on(AT.date()) is CommissionStatus.ON_HOLD
    released = held.review(State.ACCRUED, "ok", "key_1", AT)
    assert released.status_on(AT.date()) is CommissionStatus.PENDING
    with pytest.raises(Conflict):
        released.review(State.REJECTED, "no", "key_1", AT)
    rejected = held.review(State.REJECTED, "fake", "key_1", AT)
    assert (rejected.earned, rejected.status_on(AT.date())) == (0, CommissionStatus.REJECTED)


def test_rejecting_gives_the_months_sales_and_commission_back() -> None:
    held = conversion(hold=Hold("disposable_email", "x"))
    month = PartnerMonth("2026-11", sales=50000, commission=5000)
    assert held.given_back(month) == PartnerMonth("2026-11", sales=38000, commission=3800)


def test_an_order_needs_a_positive_integer_amount_a_known_currency_and_a_plain_id() -> None:
    with pytest.raises(Invalid):
        OrderIn("o-1", 0, "USD", AT)
    with pytest.raises(Invalid):
        OrderIn("o-1", 100, "XXQ", AT)
    with pytest.raises(Invalid):
        OrderIn("o 1", 100, "USD", AT)


def test_the_commission_id_is_derived_from_the_order_id() -> None:
    assert commission_id_for("o-1") == commission_id_for("o-1") != commission_id_for("o-2")
    assert commission_id_for("o-1").startswith("com_")
