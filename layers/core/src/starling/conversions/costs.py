"""Every cost a brand bears for its partners, in one shape: the cost accrual. Pure values and rules, no AWS.

An order's commission, CPC earnings, a per-post fee, a flat fee, a month of retainer and a gift are all
recorded as one `CostAccrual` (brand, partner, campaign, kind, amount in minor units, currency, the day it
occurred, state) by one function (`starling.conversions.cost_ledger.CostLedger.record`, or, for an order's
commission, inside the order's own transaction through the same repository call). Reports sum them;
statements read them. A correction (a refund's reversal, a rejected commission) is a new, negative
accrual; an accrual is never edited except to release it from `over_budget`.

The budget rule (docs/decisions.md, "Budgets"): a campaign's `committed` spend never passes its budget. An
accrual that fits is `accrued`; one that does not is kept whole as `over_budget` (recorded, visible, not
payable) until a manager releases it, which commits it beyond the budget by their choice. The campaign's
spend item is written under its version in the same transaction as the accrual, so concurrent accruals
take the budget's room one after the other. The 80% warning is flagged on that same item, so it fires once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from starling.shared.errors import Conflict

WARNING_SHARE = (4, 5)  # 80% of the budget, as a fraction: no Decimal near the comparison
ACCRUAL_ID_PREFIX = "acr_"


class CostKind(StrEnum):
    COMMISSION = "commission"
    CPC = "cpc"
    PER_POST = "per_post"
    FLAT_FEE = "flat_fee"
    RETAINER = "retainer_monthly"
    GIFTING = "gifting"


class CostState(StrEnum):
    """`accrued`: counted in the campaign's spend and payable (gifts never are); `over_budget`: recorded
    past the campaign's budget, not payable; `released`: a manager let an over-budget accrual through."""

    ACCRUED = "accrued"
    OVER_BUDGET = "over_budget"
    RELEASED = "released"


def accrual_id_for(kind: CostKind, source: str) -> str:
    """One accrual per source (an order, a refund, a post, a contract's month): the id is derived from it,
    so recording the same source twice records it once."""
    return ACCRUAL_ID_PREFIX + hashlib.sha256(f"{kind.value}#{source}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class CostAccrual:
    """One cost: what reports add up and what payout statements read (`payable`)."""

    accrual_id: str
    brand_id: str
    partner_id: str
    campaign_id: str | None
    kind: CostKind
    amount: int  # minor units of `currency`; negative for a correction
    currency: str
    occurred_on: date
    state: CostState
    source: str  # what it is for: an order id, a refund id, a deliverable id, a contract month, a gift id
    basis: str  # how the amount was reached, for people
    recorded_at: datetime
    released_by: str | None = None

    @property
    def payable(self) -> bool:
        return self.kind is not CostKind.GIFTING and self.state is not CostState.OVER_BUDGET


def new_accrual(
    brand_id: str,
    partner_id: str,
    campaign_id: str | None,
    kind: CostKind,
    amount: int,
    currency: str,
    occurred_on: date,
    source: str,
    basis: str,
    recorded_at: datetime,
) -> CostAccrual:
    """A cost before the budget has ruled on it (`accrued` until `CampaignSpend.take` says otherwise)."""
    return CostAccrual(
        accrual_id_for(kind, source),
        brand_id,
        partner_id,
        campaign_id,
        kind,
        amount,
        currency,
        occurred_on,
        CostState.ACCRUED,
        source,
        basis,
        recorded_at,
    )


class Budget(NamedTuple):
    amount: int
    currency: str


class CampaignSpend(NamedTuple):
    """A campaign's spend so far: `committed` (accrued and released costs, net of corrections), `over`
    (costs kept over budget and not released), and whether the 80% warning has gone."""

    committed: int = 0
    over: int = 0
    warned: bool = False

    def take(
        self, accrual: CostAccrual, budget: Budget | None, corrects: CostState | None = None
    ) -> tuple[CostAccrual, CampaignSpend, bool]:
        """The accrual as the budget rules it, the spend after it, and whether this accrual is the one that
        crosses 80% of the budget (the warning goes once: `warned` is kept with the spend).

        A correction (negative, `corrects` the state of the accrual it corrects) follows that accrual: it
        gives back committed room, or takes back from what was kept over budget. Without a budget, or with a
        budget in another currency (docs/decisions.md), the accrual is accrued and counted."""
        if corrects is CostState.OVER_BUDGET:
            kept = replace(accrual, state=CostState.OVER_BUDGET)
            return kept, self._replace(over=self.over + accrual.amount), False
        if budget is None or budget.currency != accrual.currency:
            return accrual, self._replace(committed=self.committed + accrual.amount), False
        if accrual.amount <= 0 or self.committed + accrual.amount <= budget.amount:
            after = self._replace(committed=self.committed + accrual.amount)
            kept = accrual
        else:
            after = self._replace(over=self.over + accrual.amount)
            kept = replace(accrual, state=CostState.OVER_BUDGET)
        warn = not self.warned and crosses_warning(after.committed + after.over, budget.amount)
        return kept, after._replace(warned=self.warned or warn), warn

    def release(self, accrual: CostAccrual, actor: str) -> tuple[CostAccrual, CampaignSpend]:
        """A manager lets an over-budget accrual through: it becomes payable and counts as committed."""
        if accrual.state is not CostState.OVER_BUDGET:
            raise Conflict(f"Only an over-budget accrual can be released; this one is {accrual.state.value}.")
        after = self._replace(committed=self.committed + accrual.amount, over=self.over - accrual.amount)
        return replace(accrual, state=CostState.RELEASED, released_by=actor), after


def crosses_warning(demand: int, budget: int) -> bool:
    """Whether costs of `demand` reach 80% of `budget` (exactly, in integers: demand / budget >= 4 / 5)."""
    numerator, denominator = WARNING_SHARE
    return demand > 0 and demand * denominator >= budget * numerator


class AlreadyAccrued(Exception):
    """The accrual's source was recorded before."""


class SpendMoved(Exception):
    """Another accrual wrote the campaign's spend since it was read: read it again and retry."""


class SpendWrite:
    """An accrual with the campaign spend it leaves, and the spend's version when read; `replaces`: the
    state the accrual must still be in (a release), else it is new and put only if absent."""

    def __init__(
        self,
        accrual: CostAccrual,
        spend: CampaignSpend | None,
        version: int,
        replaces: CostState | None = None,
    ) -> None:
        self.accrual, self.spend, self.version, self.replaces = accrual, spend, version, replaces
