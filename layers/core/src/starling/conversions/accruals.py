"""What partners earn besides an order's commission, as pure functions of the terms: CPC earnings from
billable clicks, per-post fees for approved posts, the flat fee on its date, the monthly retainer (its
share of days in a partial month), and gifts, which are a cost of the brand and never paid out.

CPC earnings share the monthly cap with CPA commission (docs/decisions.md, 2026-11-29, "The commission
engine"); the fees are agreed amounts and are not capped (a campaign's budget bounds them all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from starling.conversions.model import Accrual, CommissionRules, PartnerMonth, month_bounds, month_of
from starling.shared.money import divide_half_even
from starling.shared.terms import FlatFee, Gift, PerPost, Retainer, Terms


def accrue_cpc(
    rules: CommissionRules, month: PartnerMonth, billable_clicks: int, on: date
) -> tuple[Accrual | None, PartnerMonth]:
    """CPC earnings for the billable clicks of the month not yet paid for, and the month after them.

    `billable_clicks` is the month's count so far from the partner's click counters: unique people only,
    so bots and bursts are already left out (starling.links counts them apart). Accruing from a count
    rather than click by click makes it safe to repeat: the same count twice accrues nothing the second
    time. The cap takes off what would pass it and the accrual states it as `cut`."""
    if month.month != month_of(on):
        raise ValueError(f"clicks of {month_of(on)} accrued against the month {month.month}")
    new = billable_clicks - month.clicks
    if rules.cpc is None or new <= 0:
        return None, month
    gross = new * rules.cpc
    room = month.room(rules.cap)
    earned = gross if room is None else min(gross, room)
    accrual = Accrual(
        kind="cpc",
        amount=earned,
        currency=rules.currency,
        due_on=on,
        basis=f"{new} billable clicks at {rules.cpc} each",
        cut=gross - earned,
    )
    return accrual, month.after_cpc(earned, billable_clicks)


def per_post_fee(per_post: PerPost, currency: str, approved_before: int, approved_on: date) -> Accrual | None:
    """The fee one more approved post earns: `per_post.amount` for each of the first `per_post.posts`
    approved posts, nothing beyond them (the post is still recorded as delivered)."""
    number = approved_before + 1
    if number > per_post.posts:
        return None
    return Accrual(
        kind="per_post",
        amount=per_post.amount,
        currency=currency,
        due_on=approved_on,
        basis=f"post {number} of {per_post.posts}",
    )


def flat_fee_due(flat_fee: FlatFee, currency: str, today: date) -> Accrual | None:
    """The flat fee, once its date has come; before then nothing is due."""
    if today < flat_fee.due_on:
        return None
    return Accrual(
        kind="flat_fee",
        amount=flat_fee.amount,
        currency=currency,
        due_on=flat_fee.due_on,
        basis=f"flat fee due {flat_fee.due_on.isoformat()}",
    )


def retainer_for_month(retainer: Retainer, currency: str, month: str) -> Accrual | None:
    """The retainer of one month ("YYYY-MM"), due on the last day it covers in that month (in arrears).

    A month wholly between `starts_on` and `ends_on` (both days included) pays the whole amount. A partial
    month, when the retainer prorates, pays amount x days covered / days in that month, rounded half to
    even; without proration it pays the whole amount for any day covered. A month it does not cover pays
    nothing."""
    first, last = month_bounds(month)
    if retainer.starts_on is None:
        return None
    start = max(first, retainer.starts_on)
    end = last if retainer.ends_on is None else min(last, retainer.ends_on)
    if end < start:
        return None
    days, month_days = (end - start).days + 1, last.day
    whole = days == month_days or not retainer.prorate
    amount = retainer.amount if whole else divide_half_even(retainer.amount * days, month_days)
    basis = f"retainer for {month}" if whole else f"retainer for {days} of {month_days} days of {month}"
    return Accrual(kind="retainer_monthly", amount=amount, currency=currency, due_on=end, basis=basis)


def gift_cost(gift: Gift, currency: str, given_on: date) -> Accrual:
    """A gifted product as the brand's cost on the day it was given: counted in the partner's cost and the
    campaign's budget, never payable (`Accrual.payable` is False)."""
    return Accrual(
        kind="gifting",
        amount=gift.value,
        currency=currency,
        due_on=given_on,
        basis=f"gift of {gift.product_id}",
    )


def months_between(first: date, last: date) -> list[str]:
    """The months "YYYY-MM" from the one holding `first` to the one holding `last`, both included."""
    months, year, number = [], first.year, first.month
    while (year, number) <= (last.year, last.month):
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def fees_due(
    terms_on: Callable[[date], Terms | None],
    flat_fees: Sequence[tuple[Terms, date]],
    since: date,
    today: date,
) -> list[tuple[str, Accrual]]:
    """The flat fees and retainer months due by `today` (each with the key of what it pays for, so it is
    recorded once), looking back to `since`.

    A month's retainer follows the terms in force on its last day (or today, for the month under way) and
    is due on the last day it covers (`retainer_for_month`). A flat fee is due on its date when the version
    that sets it (`flat_fees`: each version's terms and its start) is the one in force that day."""
    due: list[tuple[str, Accrual]] = []
    for terms, _starts_on in flat_fees:
        fee = terms.flat_fee
        if fee is None or not since <= fee.due_on <= today or terms_on(fee.due_on) != terms:
            continue
        accrual = flat_fee_due(fee, terms.currency, today)
        if accrual is not None:
            due.append((f"flat_fee#{fee.due_on.isoformat()}#{fee.amount}", accrual))
    for month in months_between(since, today):
        ruling = terms_on(min(month_bounds(month)[1], today))
        if ruling is None or ruling.retainer_monthly is None:
            continue
        accrual = retainer_for_month(ruling.retainer_monthly, ruling.currency, month)
        if accrual is not None and accrual.due_on <= today:
            due.append((f"retainer#{month}", accrual))
    return due
