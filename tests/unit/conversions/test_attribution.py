"""Attribution rules: the click within the partner's window wins, else the coupon, else none; and the times an
order may be recorded at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from starling.conversions.attribution import (
    DEFAULT_WINDOW_DAYS,
    ClickCandidate,
    CouponCandidate,
    attribute,
    check_order_time,
    window_days,
)
from starling.shared.errors import Invalid

ORDER_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def click(days_before: float, window: int = 30) -> ClickCandidate:
    return ClickCandidate("c1", "ptn_click", "cmp_1", "maya", ORDER_AT - timedelta(days=days_before), window)


COUPON = CouponCandidate("MAYA10", "ptn_coupon", 30)


def test_a_click_within_the_window_wins_over_a_coupon() -> None:
    found = attribute(ORDER_AT, click(29.9), COUPON)
    assert (found.method, found.partner_id, found.campaign_id, found.link_slug) == (
        "click", "ptn_click", "cmp_1", "maya",
    )  # fmt: skip


def test_a_click_on_the_last_moment_of_its_window_still_counts() -> None:
    assert attribute(ORDER_AT, click(7, window=7), None).method == "click"


def test_a_click_older_than_the_window_gives_way_to_the_coupon() -> None:
    found = attribute(ORDER_AT, click(7.01, window=7), COUPON)
    assert (found.method, found.partner_id, found.coupon_code) == ("coupon", "ptn_coupon", "MAYA10")


def test_a_click_older_than_the_window_and_no_coupon_is_unattributed_with_the_reason() -> None:
    found = attribute(ORDER_AT, click(8, window=7), None)
    assert found.method == "none"
    assert found.note == "the click is older than the partner's 7-day window"


def test_a_click_after_the_order_does_not_count_beyond_the_clock_skew() -> None:
    assert attribute(ORDER_AT, click(-1 / 24 / 60 * 4), None).method == "click"  # 4 minutes later: skew
    assert attribute(ORDER_AT, click(-1 / 24), None).note == "the click came after the order"


def test_a_refused_click_id_leaves_its_reason_and_the_coupon_decides() -> None:
    assert attribute(ORDER_AT, None, COUPON, "bad signature").method == "coupon"
    assert attribute(ORDER_AT, None, None, "bad signature").note == "bad signature"


def test_without_a_click_or_a_coupon_the_order_is_unattributed() -> None:
    found = attribute(ORDER_AT, None, None)
    assert (found.method, found.partner_id, found.note) == ("none", None, None)


def test_terms_without_a_window_use_the_default() -> None:
    assert window_days(None) == DEFAULT_WINDOW_DAYS == 30
    assert window_days(7) == 7


def test_an_order_from_the_future_or_older_than_the_window_is_refused() -> None:
    now = ORDER_AT
    check_order_time(now - timedelta(days=30), now, 30)
    check_order_time(now + timedelta(minutes=4), now, 30)
    with pytest.raises(Invalid) as future:
        check_order_time(now + timedelta(hours=1), now, 30)
    assert future.value.details == {"occurred_at": "in the future"}
    with pytest.raises(Invalid) as old:
        check_order_time(now - timedelta(days=30, seconds=1), now, 30)
    assert old.value.details == {"occurred_at": "older than 30 days"}
