"""What the commission engine reads and writes: the rules of a contract's terms compiled for pricing, the
partner's month so far, one order's commission with its parts, a refund's reversal, and the accruals of the
other compensation models. Pure values; the rules that use them are in `engine` and `accruals`.

The values an order's pricing makes (the month, its commission and parts, a reversal) are NamedTuples:
as immutable as frozen dataclasses and about four times cheaper to make, which the engine's throughput
needs (docs/benchmarks.md). Amounts are integers in minor units of the contract's currency; rates are
Decimal percents ("12.5" is 12.5%). The precedence of the terms, the rounding rule and the cap are
stated in docs/decisions.md (2026-11-29, "The commission engine").
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

if TYPE_CHECKING:
    from starling.shared.terms import Terms

Rule = Literal["cpa_percent", "tier", "cpa_fixed"]
AccrualKind = Literal["cpc", "per_post", "flat_fee", "retainer_monthly", "gifting"]


class CommissionStatus(StrEnum):
    """A commission's lifecycle: pending until `lock_days` pass, then approved, then paid by a payout.
    Held for review (`on_hold`), rejected by a manager, kept `over_budget` when its campaign is spent, or
    `reversed` when refunds took back all it earned."""

    PENDING = "pending"
    APPROVED = "approved"
    PAID = "paid"
    ON_HOLD = "on_hold"
    REJECTED = "rejected"
    OVER_BUDGET = "over_budget"
    REVERSED = "reversed"


_MONTH_KEYS: dict[int, str] = {}


def month_of(moment: datetime | date) -> str:
    """The month an order or an accrual belongs to, "YYYY-MM", by UTC."""
    if isinstance(moment, datetime):
        moment = utc(moment)
    number = moment.year * 100 + moment.month
    key = _MONTH_KEYS.get(number)
    if key is None:  # formatting is a tenth of pricing an order: once a month is enough
        key = _MONTH_KEYS.setdefault(number, f"{moment.year:04d}-{moment.month:02d}")
    return key


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive time is taken to be UTC already."""
    if moment.tzinfo is None or moment.tzinfo is UTC:
        return moment
    return moment.astimezone(UTC)


def month_bounds(month: str) -> tuple[date, date]:
    """The first and the last day of "YYYY-MM"."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


@dataclass(frozen=True, slots=True)
class Band:
    """Sales from `start` (inclusive) to `end` (exclusive; None: no end) of the month earn `percent`; a unit
    of those sales earns exactly `numerator / CommissionRules.denominator` units, so pricing is integer
    arithmetic with no rounding but the one rounding rule."""

    start: int
    end: int | None
    percent: Decimal
    rule: Rule
    tier_from: int | None = None
    numerator: int = 0


@dataclass(frozen=True, slots=True)
class CommissionRules:
    """The parts of a contract's terms that price orders and clicks, compiled once per contract version.

    `bands` is the percent schedule over the month's attributed sales: the tiers when there are any (with
    `cpa_percent`, if set, below the first tier's threshold), else `cpa_percent` from the first unit.
    `cpa_fixed` is added per order; `cap` bounds CPA commission plus CPC earnings of a month."""

    currency: str
    bands: tuple[Band, ...] = ()
    denominator: int = 1
    cpa_fixed: int = 0
    cpc: int | None = None
    cap: int | None = None
    lock: timedelta = timedelta(0)

    @classmethod
    def of(cls, terms: Terms) -> CommissionRules:
        """The rules of a contract's terms."""
        tiers = [(tier.from_, tier.cpa_percent) for tier in sorted(terms.tiers, key=lambda t: t.from_)]
        bands, denominator = percent_bands(terms.cpa_percent, tiers)
        return cls(
            currency=terms.currency,
            bands=bands,
            denominator=denominator,
            cpa_fixed=terms.cpa_fixed or 0,
            cpc=terms.cpc,
            cap=terms.cap,
            lock=timedelta(days=terms.lock_days or 0),
        )


def percent_bands(
    cpa_percent: Decimal | None, tiers: list[tuple[int, Decimal]]
) -> tuple[tuple[Band, ...], int]:
    """The percent schedule, lowest sales first, and the common denominator of its rates.

    Tiers replace `cpa_percent` from their thresholds up; below the first threshold `cpa_percent` (if any)
    still pays. Without tiers, `cpa_percent` pays from the first unit of sales."""
    schedule: list[tuple[int, int | None, Decimal, Rule, int | None]] = []
    if not tiers:
        if cpa_percent is not None:
            schedule.append((0, None, cpa_percent, "cpa_percent", None))
    elif tiers[0][0] > 0 and cpa_percent is not None:
        schedule.append((0, tiers[0][0], cpa_percent, "cpa_percent", None))
    for i, (start, rate) in enumerate(tiers):
        end = tiers[i + 1][0] if i + 1 < len(tiers) else None
        if end is None or end > start:  # two tiers from the same threshold: the later one is in force
            schedule.append((start, end, rate, "tier", start))
    ratios = [rate.scaleb(-2).as_integer_ratio() for *_, rate, _, _ in schedule]
    denominator = math.lcm(1, *(d for _, d in ratios))
    bands = tuple(
        Band(start, end, rate, rule, tier_from, numerator * (denominator // d))
        for (start, end, rate, rule, tier_from), (numerator, d) in zip(schedule, ratios, strict=True)
    )
    return bands, denominator


class PartnerMonth(NamedTuple):
    """A partner's month so far: what pricing the next order or the next clicks depends on.

    `sales` is the month's attributed order amounts and `commission` the CPA commission accrued on them,
    both net of refunds; `cpc` the CPC earnings and `clicks` the billable clicks already paid for. The
    monthly cap bounds `commission + cpc`."""

    month: str
    sales: int = 0
    commission: int = 0
    cpc: int = 0
    clicks: int = 0

    @classmethod
    def starting(cls, moment: datetime | date) -> PartnerMonth:
        return cls(month_of(moment))

    @property
    def capped(self) -> int:
        """What counts against the monthly cap."""
        return self.commission + self.cpc

    def room(self, cap: int | None) -> int | None:
        """What the cap still allows this month (None: no cap)."""
        return None if cap is None else max(0, cap - self.capped)

    def after_order(self, amount: int, commission: int) -> PartnerMonth:
        return PartnerMonth(
            self.month, self.sales + amount, self.commission + commission, self.cpc, self.clicks
        )

    def after_reversal(self, refund: int, reversal: Reversal) -> PartnerMonth:
        return self._replace(sales=self.sales - refund, commission=self.commission + reversal.amount)

    def after_cpc(self, earned: int, billable_clicks: int) -> PartnerMonth:
        return self._replace(cpc=self.cpc + earned, clicks=billable_clicks)


class Part(NamedTuple):
    """One rule's share of an order's commission: `basis` minor units of the order at `rate` percent, or the
    fixed amount per order (`rate` None)."""

    rule: Rule
    basis: int
    rate: Decimal | None
    amount: int
    tier_from: int | None = None


class Commission(NamedTuple):
    """One order's commission. `gross` is the sum of its parts; the monthly cap `cut` some of it (or none);
    the partner earns `amount` = gross - cut, pending until `approves_on`."""

    currency: str
    order_amount: int
    month: str
    parts: tuple[Part, ...]
    gross: int
    cut: int
    amount: int
    occurred_at: datetime
    approves_on: date

    def status_on(self, day: date) -> CommissionStatus:
        """Pending until `lock_days` have passed, then approved (payouts and reviews move it on)."""
        return CommissionStatus.APPROVED if day >= self.approves_on else CommissionStatus.PENDING


class Reversal(NamedTuple):
    """What a refund takes back: a new, negative line; the commission it reverses is never edited.
    `remaining` is what the order still earns after it."""

    refund: int
    amount: int
    remaining: int


@dataclass(frozen=True, slots=True)
class Accrual:
    """Money a partner earns (or, for gifting, a cost the brand bears) other than an order's commission.
    `cut` is what the monthly cap took off (CPC only); `basis` says how the amount was reached."""

    kind: AccrualKind
    amount: int
    currency: str
    due_on: date
    basis: str
    cut: int = 0

    @property
    def payable(self) -> bool:
        """Gifts are a cost of the partnership, never paid out."""
        return self.kind != "gifting"


# --- money figures ------------------------------------------------------------------------------------
# The money figures reports read: what a brand got (conversions, revenue) and what it cost (commission,
# CPC, flat fees, per-post fees, retainers, gifting), per partner, campaign, link and UTC day. Pure values.
#
# Every event that moves money books a `MoneyEntry` as it is written: an order its revenue and commission, a
# refund a negative revenue and the commission it took back, a rejected hold the commission given back, an
# approved post its fee, a gift its value. The entries land in one month cell per (partner, campaign, link,
# currency), with each day's figures inside the cell (`rev07`), so a report over a year of a partner's days
# reads 12 small items instead of 365, and nothing on the request path reads raw events
# (docs/decisions.md, 2026-12-07, "Money figures").
#
# A kind of cost other capabilities accrue (deliverables, budgets, payouts) plugs in with one call:
# `FigureBook.book([MoneyEntry(..., kind="per_post", amount=5000)])`.

Kind = Literal["commission", "cpc", "flat", "per_post", "retainer", "gifting"]
KINDS: tuple[Kind, ...] = ("commission", "cpc", "flat", "per_post", "retainer", "gifting")
# A figure's name in reports -> its short attribute name in a cell (a day's figure adds the day: rev07).
FIGURES = {
    "conversions": "cv",
    "revenue": "rev",
    "commission": "com",
    "cpc": "cpc",
    "flat": "flat",
    "per_post": "post",
    "retainer": "ret",
    "gifting": "gift",
}
NO_ID = "-"  # a cell of no campaign, or of no link (an order attributed by coupon)


@dataclass(frozen=True)
class MoneyEntry:
    """One movement of money for the reports: `amount` of `kind` (negative to take back), and for an order
    its `conversions` (1, or 0 for a refund) and `revenue` (negative for a refund)."""

    brand_id: str
    day: date
    partner_id: str
    campaign_id: str | None
    link: str | None
    currency: str
    kind: Kind
    amount: int
    conversions: int = 0
    revenue: int = 0

    def figures(self) -> dict[str, int]:
        found = {"conversions": self.conversions, "revenue": self.revenue, self.kind: self.amount}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class CellKey:
    brand_id: str
    month: str  # YYYYMM
    partner_id: str
    campaign_id: str | None
    link: str | None
    currency: str

    @classmethod
    def of(cls, entry: MoneyEntry) -> CellKey:
        return cls(
            entry.brand_id, entry.day.strftime("%Y%m"), entry.partner_id, entry.campaign_id, entry.link,
            entry.currency,
        )  # fmt: skip


@dataclass
class CellUpdate:
    """What a batch of entries adds to one cell: the month's figures and each day's (short names)."""

    key: CellKey
    adds: dict[str, int] = field(default_factory=dict)


def plan_cells(entries: Iterable[MoneyEntry]) -> list[CellUpdate]:
    """One update per cell for all the entries (the same cell's entries add up in memory first)."""
    updates: dict[CellKey, CellUpdate] = {}
    for entry in entries:
        update = updates.setdefault(CellKey.of(entry), CellUpdate(CellKey.of(entry)))
        day = f"{entry.day.day:02d}"
        for name, value in entry.figures().items():
            short = FIGURES[name]
            update.adds[short] = update.adds.get(short, 0) + value
            update.adds[short + day] = update.adds.get(short + day, 0) + value
    return [u for u in updates.values() if any(u.adds.values())]


@dataclass(frozen=True)
class MoneyCell:
    """One cell as read: the month's figures, and each day's that had any (names as in FIGURES)."""

    month: str  # YYYYMM
    partner_id: str
    campaign_id: str | None
    link: str | None
    currency: str
    figures: dict[str, int]
    days: dict[str, dict[str, int]]  # "01".."31" -> figures


def days_inside(month: str, start: date, end: date) -> list[str] | None:
    """The days ("01".."31") of a YYYYMM month inside [start, end]; None when the whole month is."""
    first = date(int(month[:4]), int(month[4:]), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    if start <= first and following - timedelta(days=1) <= end:
        return None
    days, day = [], max(first, start)
    while day < following and day <= end:
        days.append(f"{day.day:02d}")
        day += timedelta(days=1)
    return days


def figures_between(
    month: str, figures: dict[str, int], days: dict[str, dict[str, int]], start: date, end: date
) -> dict[str, int]:
    """What of a month's figures (a month cell's, or a link's month click counter's) lies in [start, end]:
    the month's own sums when all of it does, else the sum of its days that do."""
    inside = days_inside(month, start, end)
    if inside is None:
        return dict(figures)
    total: dict[str, int] = {}
    for day in inside:
        for name, value in days.get(day, {}).items():
            total[name] = total.get(name, 0) + value
    return total


def days_between(
    month: str, days: dict[str, dict[str, int]], start: date, end: date
) -> list[tuple[str, dict[str, int]]]:
    """(ISO day, figures) for each day of a month's figures that lies in [start, end]."""
    inside = days_inside(month, start, end)
    prefix = f"{month[:4]}-{month[4:]}-"
    return [(prefix + d, figures) for d, figures in sorted(days.items()) if inside is None or d in inside]


class FigureBook(Protocol):
    """Where money figures are booked and read (starling.conversions.figures_repository)."""

    def book(self, entries: list[MoneyEntry]) -> None:
        """Add the entries to their cells (one write per cell)."""
        ...

    def cells(self, brand_id: str, from_month: str, to_month: str) -> Iterable[MoneyCell]:
        """Every cell of the brand between two months (YYYYMM, inclusive)."""
        ...
