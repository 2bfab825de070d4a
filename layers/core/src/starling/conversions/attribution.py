"""Which partner an order belongs to, and whether it may be recorded at all. Pure rules, no AWS.

1. **By click**: the order quotes a click id (`stclid`) whose signature this deployment verifies, of this
   brand, made no later than the order (a few minutes of clock skew allowed) and no earlier than the
   partner's `attribution_window_days` before it. The shop sends the last `stclid` it kept (the snippet's
   first-party cookie is overwritten by every new click), so the last click wins.
2. **Else by coupon**: the order's coupon code is one a partner of the brand holds (case-insensitively).
3. **Else unattributed**: recorded, with no commission, and the reason a click id or a coupon did not count.
A click id with a broken signature, or another brand's, is never trusted: it counts as no click at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from starling.shared.errors import Invalid

Method = Literal["click", "coupon", "none"]
DEFAULT_WINDOW_DAYS = 30  # when the terms name no attribution window (docs/decisions.md)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ClickCandidate:
    """A verified click id of the brand: who it names and when it was made."""

    click_id: str
    partner_id: str
    campaign_id: str | None
    link_slug: str
    clicked_at: datetime
    window_days: int


@dataclass(frozen=True)
class CouponCandidate:
    code: str
    partner_id: str
    window_days: int


@dataclass(frozen=True)
class Attribution:
    """What the order was attributed by, to whom, and (unattributed) why a given click or coupon did not
    count."""

    method: Method
    partner_id: str | None = None
    campaign_id: str | None = None
    link_slug: str | None = None
    click_id: str | None = None
    clicked_at: datetime | None = None
    coupon_code: str | None = None
    note: str | None = None


def attribute(
    occurred_at: datetime,
    click: ClickCandidate | None,
    coupon: CouponCandidate | None,
    click_note: str | None = None,
) -> Attribution:
    """The order's attribution by the rules above; `click_note` says why a given click id was not a
    candidate (its signature, its brand)."""
    notes = [click_note] if click_note else []
    if click is not None:
        if click.clicked_at > occurred_at + CLOCK_SKEW:
            notes.append("the click came after the order")
        elif occurred_at - click.clicked_at > timedelta(days=click.window_days):
            notes.append(f"the click is older than the partner's {click.window_days}-day window")
        else:
            return Attribution(
                "click",
                click.partner_id,
                click.campaign_id,
                click.link_slug,
                click.click_id,
                click.clicked_at,
            )
    if coupon is not None:
        return Attribution("coupon", coupon.partner_id, coupon_code=coupon.code)
    return Attribution("none", note="; ".join(notes) or None)


def window_days(attribution_window_days: int | None) -> int:
    return attribution_window_days or DEFAULT_WINDOW_DAYS


def check_order_time(occurred_at: datetime, now: datetime, window: int) -> None:
    """An order is recorded no later than its window allows, and never from the future."""
    if occurred_at > now + CLOCK_SKEW:
        raise Invalid("occurred_at is in the future.", {"occurred_at": "in the future"})
    if now - occurred_at > timedelta(days=window):
        raise Invalid(
            f"occurred_at is older than the {window}-day attribution window allows.",
            {"occurred_at": f"older than {window} days"},
        )
