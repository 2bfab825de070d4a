"""A partner's statement for a period: what is due, line by line, and whether it is paid or carried.
Pure code: no AWS, no clock, no repository.

The rules (docs/decisions.md, 2026-12-07, "Statements"):
1. An item is stated once. Every earning has a `source_id` derived from the business event
   (`commission:<id>`, `reversal:<id>:<refund id>`, `cpc:<month>`, `retainer:<contract>:<month>`, ...);
   a statement takes each item due by the period's last day that no earlier statement of the partner took.
2. Due means: a commission once its lock ended (`approves_on` <= the period's last day) and it is neither
   on hold nor rejected; a reversal once its refund happened by then and its commission is due (a refund
   of a commission still locked lowers it before it is ever stated); an accrual (CPC, per-post fee,
   retainer, flat fee) on its `due_on`. Gifts are a cost, never a line.
3. What earlier statements did not pay carries in as the first line, `carried_balance`: a statement below
   `min_payout`, an excluded or failed one, or a negative balance (a refund after payout).
4. total = carried + the lines. A total at or above `min_payout` (and above zero) is payable; anything else
   carries forward whole, and the statement says why. Statements are per currency: a partner paid in two
   currencies has two, each with its own minimum.

When finance approves a run, every line of its statements becomes a ledger transaction
(`line_transaction`), so a partner's balance is what their statements left unpaid, and the carried line of
the next statement is that balance.

Invariant: `total == sum(line.amount)` (the carried line included), in integer minor units; what a
statement pays plus what it carries is its total.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from starling.conversions.model import Accrual, month_bounds
from starling.payouts.ledger import Posting, TxnKind, accrual_postings, reversal_postings

LineKind = Literal["carried_balance", "commission", "reversal", "cpc", "per_post_fee", "retainer", "flat_fee"]
StatementStatus = Literal["draft", "approved", "excluded", "paid", "failed", "carried_forward"]
ACCRUAL_LINE_KINDS: dict[str, LineKind] = {
    "cpc": "cpc",
    "per_post": "per_post_fee",
    "retainer_monthly": "retainer",
    "flat_fee": "flat_fee",
}
CARRIED = "carried"


class Earning(NamedTuple):
    """Something a partner earned (or gave back: a negative amount), before it is on a statement."""

    source_id: str
    kind: LineKind
    currency: str
    amount: int
    due_on: date
    basis: str


class Refund(NamedTuple):
    refund_id: str
    reversal: int  # what it took back of the commission: 0 or negative
    on: date


class CommissionDue(NamedTuple):
    """A commission as statements need it. `state` is the conversion's: accrued, on_hold, rejected or
    reversed (a reversed one still earned until its refunds, which are its reversal lines)."""

    commission_id: str
    currency: str
    amount: int
    approves_on: date
    state: str
    refunds: tuple[Refund, ...] = ()


class Held(NamedTuple):
    """A commission on hold at the period's end: shown on the run, never paid until released."""

    commission_id: str
    currency: str
    amount: int


@dataclass(frozen=True, slots=True)
class Statement:
    partner_id: str
    period: str
    currency: str
    lines: tuple[Earning, ...]
    total: int
    min_payout: int
    status: StatementStatus
    carry_reason: str | None = None

    @property
    def payable(self) -> int:
        """What this statement pays when approved (0 when it carries forward)."""
        return 0 if self.status == "carried_forward" else self.total

    @property
    def carried_in(self) -> int:
        return sum(line.amount for line in self.lines if line.kind == "carried_balance")


def period_end(period: str) -> date:
    """The last day of "YYYY-MM"."""
    return month_bounds(period)[1]


def commission_earnings(
    commissions: Iterable[CommissionDue], through: date
) -> tuple[list[Earning], list[Held]]:
    """The commission and reversal lines due by `through`, and the commissions on hold then."""
    earnings: list[Earning] = []
    held: list[Held] = []
    append = earnings.append
    for c in commissions:
        state = c.state
        if state == "on_hold":
            held.append(Held(c.commission_id, c.currency, c.amount))
            continue
        if state == "rejected" or c.approves_on > through:
            continue
        cid = c.commission_id
        append(Earning(f"commission:{cid}", "commission", c.currency, c.amount, c.approves_on, "commission"))
        for r in c.refunds:
            if r.reversal and r.on <= through:
                append(
                    Earning(
                        f"reversal:{cid}:{r.refund_id}", "reversal", c.currency, r.reversal, r.on, "refund"
                    )
                )
    return earnings, held


def accrual_earning(source_id: str, accrual: Accrual) -> Earning | None:
    """The line an accrual makes (None for a gift: a cost of the brand, never paid out)."""
    kind = ACCRUAL_LINE_KINDS.get(accrual.kind)
    if kind is None or not accrual.payable:
        return None
    return Earning(source_id, kind, accrual.currency, accrual.amount, accrual.due_on, accrual.basis)


def build_statements(
    partner_id: str,
    period: str,
    earnings: Iterable[Earning],
    stated: frozenset[str] | set[str],
    carried: Mapping[str, int],
    min_payout: Mapping[str, int],
) -> list[Statement]:
    """The partner's statements for `period`, one per currency with a line or something carried in.

    `stated`: the source ids earlier statements took; `carried`: what earlier statements left unpaid, per
    currency; `min_payout`: the partner's minimum per currency (absent: no minimum)."""
    through = period_end(period)
    by_currency: dict[str, list[Earning]] = {}
    for e in earnings:
        if e.due_on <= through and e.source_id not in stated:
            by_currency.setdefault(e.currency, []).append(e)
    statements = []
    for currency in sorted(set(by_currency) | {c for c, amount in carried.items() if amount}):
        lines = sorted(by_currency.get(currency, ()), key=_line_order)
        before = carried.get(currency, 0)
        if before:
            lines.insert(
                0, Earning(CARRIED, "carried_balance", currency, before, through, "unpaid from earlier")
            )
        statements.append(_statement(partner_id, period, currency, tuple(lines), min_payout.get(currency, 0)))
    return statements


def _line_order(e: Earning) -> tuple[date, str]:
    return e.due_on, e.source_id


def _statement(
    partner_id: str, period: str, currency: str, lines: tuple[Earning, ...], minimum: int
) -> Statement:
    total = sum(line.amount for line in lines)
    reason = None
    if total < 0:
        reason = "negative balance: refunds after payout took back more than was earned since"
    elif total == 0:
        reason = "nothing due"
    elif total < minimum:
        reason = f"below the minimum payout of {minimum}"
    return Statement(
        partner_id, period, currency, lines, total, minimum,
        "carried_forward" if reason else "draft", reason,
    )  # fmt: skip


def carried_after(statements: Iterable[Statement]) -> dict[str, int]:
    """What a partner's statements leave unpaid, per currency: the carry into the next period. A paid
    statement leaves nothing; any other (carried forward, excluded, failed) leaves its total."""
    left: dict[str, int] = {}
    for s in statements:
        left[s.currency] = 0 if s.status == "paid" else s.total
    return left


def totals_by_currency(statements: Iterable[Statement]) -> Iterator[tuple[str, int, int]]:
    """(currency, payable, carried forward) over a run's statements."""
    payable: dict[str, int] = {}
    carried: dict[str, int] = {}
    for s in statements:
        payable[s.currency] = payable.get(s.currency, 0) + s.payable
        carried[s.currency] = carried.get(s.currency, 0) + (s.total if s.status == "carried_forward" else 0)
    for currency in sorted(payable):
        yield currency, payable[currency], carried[currency]


def line_transaction(
    brand_id: str, partner_id: str, line: Earning
) -> tuple[str, list[Posting], TxnKind] | None:
    """The ledger transaction a stated line makes once its run is approved: an accrual (the partner is owed
    it, the brand's expense) or a reversal (taken back). Its id comes from the line's business event, so
    posting it again is a no-op. None for the carried balance (already on the ledger) and a zero line."""
    if line.kind == "carried_balance" or line.amount == 0:
        return None
    source = line.source_id.replace(":", "#")
    if line.kind in ("commission", "reversal"):
        txn_id = f"{source}#accrue" if line.kind == "commission" else f"{source}#reverse"
    else:
        txn_id = f"{partner_id}#{source}#accrue"
    if line.amount > 0:
        return txn_id, accrual_postings(brand_id, partner_id, line.amount, line.currency), TxnKind.ACCRUAL
    return txn_id, reversal_postings(brand_id, partner_id, -line.amount, line.currency), TxnKind.REVERSAL
