"""The commission engine: one order's commission from the terms in force at the order's time and the
partner's month so far, and what a refund takes back. Pure code: no AWS, no clock, no repository.

The rules, in the order they apply (docs/decisions.md, 2026-11-29, "The commission engine"):
1. The percent part walks the month's attributed sales from where they stand before the order to where
   the order takes them. Tiers replace `cpa_percent` from their thresholds up (below the first threshold
   `cpa_percent` still pays); an order that crosses a threshold is split there, each side at its own
   rate. The exact sum (integer arithmetic: rates are exact fractions) is rounded once, half to even, to
   the minor unit; the tier parts shown are allocated from that rounded sum by largest remainder, so they
   add up to it exactly.
2. `cpa_fixed` is added per order. Parts add up; no rule is ever chosen because its number is larger.
3. The monthly `cap` bounds the month's CPA commission plus CPC earnings. An order that would pass it
   earns what the cap leaves and states the rest as `cut`; past the cap an order earns 0.
4. `lock_days` after the order's day it is approved.
A refund reverses the order's commission in proportion to the share of the order refunded, computed on
what has been refunded so far, so partial refunds that add up to the whole order reverse exactly what was
earned, and never more.

Invariant: `gross == sum(part.amount) == amount + cut`, `0 <= amount`, and the month's commission plus CPC
never exceeds the cap.
"""

from __future__ import annotations

from datetime import datetime

from starling.conversions.model import (
    Band,
    Commission,
    CommissionRules,
    Part,
    PartnerMonth,
    Reversal,
    month_of,
    utc,
)
from starling.shared.errors import Invalid
from starling.shared.money import allocate, divide_half_even


def price_order(
    rules: CommissionRules, month: PartnerMonth, amount: int, occurred_at: datetime
) -> tuple[Commission, PartnerMonth]:
    """The commission of one attributed order of `amount` minor units, and the partner's month after it.

    `month` must be the month of `occurred_at` (a new month starts with `PartnerMonth.starting`)."""
    if type(amount) is not int or amount <= 0:
        raise Invalid(
            "amount is a positive integer in minor units (1999 for 19.99).", {"amount": "not positive"}
        )
    moment = utc(occurred_at)
    if month.month != month_of(moment):
        raise ValueError(f"an order of {month_of(moment)} priced against the month {month.month}")
    parts, gross = _percent_parts(rules, month.sales, amount)
    if rules.cpa_fixed:
        parts = (*parts, Part("cpa_fixed", amount, None, rules.cpa_fixed))
        gross += rules.cpa_fixed
    cap = rules.cap
    earned = gross if cap is None else min(gross, max(0, cap - month.commission - month.cpc))
    # Positional (the fields in order): keywords would cost a tenth of pricing an order.
    commission = Commission(
        rules.currency,
        amount,
        month.month,
        parts,
        gross,
        gross - earned,
        earned,
        occurred_at,
        moment.date() + rules.lock,
    )
    return commission, month.after_order(amount, earned)


def _percent_parts(rules: CommissionRules, sales_before: int, amount: int) -> tuple[tuple[Part, ...], int]:
    """The order's sales [sales_before, sales_before + amount) priced over the percent bands, and their
    sum: the exact commission (integers over `rules.denominator`) rounded once."""
    end = sales_before + amount
    bands = rules.bands
    for i, band in enumerate(bands):  # lowest sales first
        stop = band.end
        if stop is not None and stop <= sales_before:
            continue
        if band.start <= sales_before and (stop is None or stop >= end):  # most orders stay in one band
            total = divide_half_even(amount * band.numerator, rules.denominator)
            return (Part(band.rule, amount, band.percent, total, band.tier_from),), total
        return _split(rules.denominator, bands[i:], sales_before, end)
    return (), 0


def _split(
    denominator: int, bands: tuple[Band, ...], sales_before: int, end: int
) -> tuple[tuple[Part, ...], int]:
    """An order across thresholds (or starting below the first band): a part per band it touches, the
    rounded whole allocated to them by largest remainder."""
    touched = []
    for band in bands:
        if band.start >= end:
            break
        low = band.start if band.start > sales_before else sales_before
        high = end if band.end is None or band.end > end else band.end
        touched.append((band, high - low))
    if not touched:
        return (), 0
    exact = [basis * band.numerator for band, basis in touched]
    total = divide_half_even(sum(exact), denominator)
    shares = allocate(total, exact, denominator)
    parts = tuple(
        Part(band.rule, basis, band.percent, share, band.tier_from)
        for (band, basis), share in zip(touched, shares, strict=True)
    )
    return parts, total


def reverse_commission(earned: int, order_amount: int, refunded_before: int, refund: int) -> Reversal:
    """What a refund of `refund` minor units takes back of an order that earned `earned` and of which
    `refunded_before` was refunded already: a new negative amount, the earned commission left as it is.

    The share reversed so far is earned x refunded / order, rounded half to even, and this refund's
    reversal is the difference before and after it: every reversal is at most what remains, and refunds
    that add up to the order reverse exactly what it earned. A refund above what remains is refused."""
    if type(refund) is not int or refund <= 0:
        raise Invalid(
            "amount is a positive integer in minor units (1999 for 19.99).", {"amount": "not positive"}
        )
    remaining_order = order_amount - refunded_before
    if refund > remaining_order:
        raise Invalid(
            f"The refund of {refund} is above what remains of the order ({remaining_order}).",
            {"amount": f"at most {remaining_order}"},
        )
    before = divide_half_even(earned * refunded_before, order_amount)
    after = divide_half_even(earned * (refunded_before + refund), order_amount)
    return Reversal(refund=refund, amount=before - after, remaining=earned - after)
