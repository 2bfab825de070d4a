"""A recorded order (a conversion) and its commission's lifecycle. Pure values and rules, no AWS.

The commission's status is computed when read, never by a job: a conversion stores its `state` (what people
and refunds decided: accrued, on hold, rejected, reversed) and the day its lock ends (`approves_on`); an
accrued commission is `pending` before that day and `approved` from it. So a commission is approved at
midnight UTC of its day with no write, and the list's status filter asks for the same two facts
(docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from starling.conversions.attribution import Attribution
from starling.conversions.engine import reverse_commission
from starling.conversions.fraud import Hold
from starling.conversions.model import Commission, CommissionStatus, MoneyEntry, PartnerMonth, Reversal, utc
from starling.shared.errors import Conflict, Invalid
from starling.shared.money import parse_currency

if TYPE_CHECKING:
    from starling.conversions.costs import SpendWrite

COMMISSION_ID_PREFIX = "com_"
_ORDER_ID_RE = re.compile(r"^[\x21-\x7e]{1,200}$")


class State(StrEnum):
    """What has been decided about a commission; its status adds the calendar (`Conversion.status_on`)."""

    ACCRUED = "accrued"
    ON_HOLD = "on_hold"
    REJECTED = "rejected"
    REVERSED = "reversed"
    OVER_BUDGET = "over_budget"  # its campaign's budget was spent: recorded, not payable until released


@dataclass(frozen=True)
class OrderIn:
    """An order as a shop reports it, checked: amount in minor units, a known currency."""

    order_id: str
    amount: int
    currency: str
    occurred_at: datetime
    click_id: str | None = None
    coupon_code: str | None = None
    customer_ref: str | None = None
    customer_email: str | None = None
    items: tuple[dict[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not _ORDER_ID_RE.match(self.order_id):
            raise Invalid("order_id is 1 to 200 printable ASCII characters.", {"order_id": "bad"})
        if type(self.amount) is not int or self.amount <= 0:
            raise Invalid(
                "amount is a positive integer in minor units (1999 for 19.99).", {"amount": "not positive"}
            )
        parse_currency(self.currency)


@dataclass(frozen=True)
class RefundLine:
    """A refund of the order and what it took back of the commission (a negative amount, or 0)."""

    refund_id: str
    amount: int
    reversal: int
    at: datetime


@dataclass(frozen=True)
class CommissionView:
    """A commission as the API shows it on a given day (its status computed then)."""

    commission_id: str
    order_id: str
    partner_id: str
    campaign_id: str | None
    status: str
    currency: str
    order_amount: int
    gross: int
    cut: int
    amount: int
    reversed: int
    earned: int
    month: str
    approves_on: date
    parts: list[dict[str, Any]]
    hold_reason: str | None
    hold_detail: str | None
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    occurred_at: datetime


def commission_id_for(order_id: str) -> str:
    """One commission per order: its id is derived from the order id, so both name the same record."""
    return COMMISSION_ID_PREFIX + hashlib.sha256(order_id.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Conversion:
    brand_id: str
    order_id: str
    amount: int
    currency: str
    occurred_at: datetime
    recorded_at: datetime
    attribution: Attribution
    commission: Commission | None = None
    state: State = State.ACCRUED
    hold: Hold | None = None
    customer_hash: str | None = None
    items: tuple[dict[str, Any], ...] = ()
    refunds: tuple[RefundLine, ...] = ()
    review_note: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    version: int = 1

    @property
    def commission_id(self) -> str:
        return commission_id_for(self.order_id)

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)

    @property
    def reversed(self) -> int:
        """What refunds took back of the commission so far (0 or negative)."""
        return sum(r.reversal for r in self.refunds)

    @property
    def earned(self) -> int:
        """What the order earns after refunds (0 when rejected or unattributed)."""
        if self.commission is None or self.state is State.REJECTED:
            return 0
        return self.commission.amount + self.reversed

    def status_on(self, day: date) -> CommissionStatus | None:
        if self.commission is None:
            return None
        if self.state is not State.ACCRUED:
            return CommissionStatus(self.state.value)
        return self.commission.status_on(day)

    def commission_view(self, day: date) -> CommissionView | None:
        c, status = self.commission, self.status_on(day)
        if c is None or status is None or self.attribution.partner_id is None:
            return None
        parts = [
            {"rule": p.rule, "basis": p.basis, "rate": None if p.rate is None else str(p.rate),
             "amount": p.amount, "tier_from": p.tier_from}
            for p in c.parts
        ]  # fmt: skip
        return CommissionView(
            self.commission_id,
            self.order_id,
            self.attribution.partner_id,
            self.attribution.campaign_id,
            status.value,
            c.currency,
            c.order_amount,
            c.gross,
            c.cut,
            c.amount,
            self.reversed,
            self.earned,
            c.month,
            c.approves_on,
            parts,
            self.hold.reason if self.hold else None,
            self.hold.detail if self.hold else None,
            self.review_note,
            self.reviewed_by,
            self.reviewed_at,
            self.occurred_at,
        )

    def refund(self, refund_id: str, amount: int, at: datetime) -> tuple[Conversion, Reversal | None]:
        """The conversion after a refund, and what it took back of the month (None: nothing to take back).
        The same refund id again changes nothing; with another amount it is a conflict."""
        earlier = next((r for r in self.refunds if r.refund_id == refund_id), None)
        if earlier is not None:
            if earlier.amount != amount:
                raise Conflict(
                    f"Refund {refund_id} was recorded with the amount {earlier.amount}.",
                    {"refund_id": refund_id, "amount": earlier.amount},
                )
            return self, None
        base = 0 if self.commission is None or self.state is State.REJECTED else self.commission.amount
        reversal = reverse_commission(base, self.amount, self.refunded, amount)
        line = RefundLine(refund_id, amount, reversal.amount, at)
        after = replace(self, refunds=(*self.refunds, line), version=self.version + 1)
        if self.state is State.ACCRUED and self.commission is not None and after.refunded == self.amount:
            after = replace(after, state=State.REVERSED)
        counts = self.commission is not None and self.state is not State.REJECTED
        return after, reversal if counts else None

    def review(self, state: State, note: str, actor: str, at: datetime) -> Conversion:
        """Release (back to accrued) or reject a held commission; release one kept over budget."""
        releasable = self.state is State.ON_HOLD or (
            self.state is State.OVER_BUDGET and state is State.ACCRUED
        )
        if self.commission is None or not releasable:
            raise Conflict(
                "Only a commission on hold can be released or rejected, or one over budget released.",
                {"status": self.state.value if self.commission else None},
            )
        return replace(
            self, state=state, review_note=note, reviewed_by=actor, reviewed_at=at, version=self.version + 1
        )

    def given_back(self, month: PartnerMonth) -> PartnerMonth:
        """The partner's month once this (held) commission is rejected: its sales and what it still earned
        leave the month, so the cap's room comes back."""
        remaining_sales = self.amount - self.refunded
        return month._replace(sales=month.sales - remaining_sales, commission=month.commission - self.earned)


def money_entries(before: Conversion | None, after: Conversion) -> list[MoneyEntry]:
    """What recording an order (`before` None), refunding it or reviewing its commission books for the
    reports: the order its conversion, revenue and commission on the order's day; a refund a negative
    revenue and the commission it took back, and a rejection the commission given back, on the day they
    happen. An unattributed order books nothing (it is no partner's)."""
    partner_id = after.attribution.partner_id
    if partner_id is None:
        return []
    if before is None:
        day, conversions, revenue, commission = utc(after.occurred_at).date(), 1, after.amount, after.earned
    else:
        if len(after.refunds) > len(before.refunds):
            day = utc(after.refunds[-1].at).date()
        else:
            day = utc(after.reviewed_at or after.recorded_at).date()
        conversions, revenue = 0, before.refunded - after.refunded
        commission = after.earned - before.earned
    entry = MoneyEntry(
        after.brand_id, day, partner_id, after.attribution.campaign_id, after.attribution.link_slug,
        after.currency, "commission", commission, conversions, revenue,
    )  # fmt: skip
    return [entry] if entry.figures() else []


class AlreadyRecorded(Exception):
    """The order id is recorded already (its first record stands)."""


class Moved(Exception):
    """Another write changed the order or the partner's month since it was read: read again and retry."""


class ConversionRepository(Protocol):
    """Orders, their commissions and the partners' months (starling.conversions.repository).

    `record` raises AlreadyRecorded for an order id recorded before, Moved when the month's version is no
    longer `month_version`; `change` raises Moved when the order or the month changed since read."""

    def get(self, brand_id: str, order_id: str) -> Conversion: ...
    def get_by_commission(self, brand_id: str, commission_id: str) -> Conversion: ...
    def month(self, brand_id: str, partner_id: str, month: str) -> tuple[PartnerMonth, int]: ...
    def other_partner(self, brand_id: str, customer: str, partner_id: str, since: datetime) -> str | None: ...
    def record(
        self,
        conversion: Conversion,
        month: PartnerMonth | None,
        month_version: int,
        cost: SpendWrite | None = None,
    ) -> None: ...
    def change(
        self, before: Conversion, after: Conversion, month: PartnerMonth | None, month_version: int,
        cost: SpendWrite | None = None,
    ) -> None: ...  # fmt: skip
    def commissions_page(
        self, brand_id: str, today: date, status: CommissionStatus | None, partner_id: str | None,
        campaign_id: str | None, limit: int, cursor: str | None,
    ) -> tuple[list[Conversion], str | None]: ...  # fmt: skip
    def commissions_of(self, brand_id: str, partner_ids: list[str]) -> dict[str, list[Conversion]]: ...
