"""Flat fees and retainers accrue when due: a daily scheduled run (functions/fees) asks, for every partner
of every brand, what their contracts made due by today, and records each once (docs/decisions.md, "Flat
fees and retainers"). Each fee is charged to the partner's campaign when their links name exactly one,
else to no campaign, and goes through the cost ledger like every other cost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Protocol

from starling.contracts.model import AGREED, Contract, terms_in_force
from starling.conversions.accruals import fees_due
from starling.conversions.cost_ledger import CostLedger
from starling.conversions.costs import CostAccrual, CostKind, accrual_id_for, new_accrual
from starling.shared import clock
from starling.shared.observability import logger

LOOKBACK_DAYS = 93  # a run catches up on about three months of missed days


class Roster(Protocol):
    def brand_ids(self) -> list[str]: ...
    def partner_campaigns(self, brand_id: str) -> dict[str, str | None]:
        """Each partner of the brand, with the one campaign their links name (None: none or several)."""
        ...


class ContractVersions(Protocol):
    def versions(self, brand_id: str, partner_id: str) -> list[Contract]: ...


class DynamoRoster:
    def brand_ids(self) -> list[str]:
        from starling.identity.service import identity_store

        return identity_store().brand_ids()

    def partner_campaigns(self, brand_id: str) -> dict[str, str | None]:
        from starling.links.service import link_store
        from starling.recruiting.service import partner_store

        campaigns: dict[str, set[str]] = {}
        for link in link_store().all(brand_id):
            if link.campaign_id:
                campaigns.setdefault(link.partner_id, set()).add(link.campaign_id)
        return {
            p.partner_id: next(iter(campaigns[p.partner_id]))
            if len(campaigns.get(p.partner_id, ())) == 1
            else None
            for p in partner_store().all(brand_id)
        }


class ContractFees:
    def __init__(
        self,
        ledger: CostLedger,
        roster: Roster,
        contracts: ContractVersions,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.ledger, self.roster, self.contracts, self.now = ledger, roster, contracts, now

    @classmethod
    def from_env(cls) -> ContractFees:
        from starling.contracts.service import ContractsService

        return cls(CostLedger.from_settings(), DynamoRoster(), ContractsService.from_settings())

    def accrue_all(self, today: date | None = None) -> list[CostAccrual]:
        """Every fee due by `today` in every brand, recorded once; what this run recorded."""
        day = today or self.now().date()
        recorded: list[CostAccrual] = []
        for brand_id in self.roster.brand_ids():
            for partner_id, campaign_id in self.roster.partner_campaigns(brand_id).items():
                recorded += self.accrue(brand_id, partner_id, campaign_id, day)
        logger.info("fees accrued", extra={"recorded": len(recorded), "day": day.isoformat()})
        return recorded

    def accrue(
        self, brand_id: str, partner_id: str, campaign_id: str | None, today: date
    ) -> list[CostAccrual]:
        versions = [c for c in self.contracts.versions(brand_id, partner_id) if c.status in AGREED]
        if not versions:
            return []
        since = max(min(c.starts_on for c in versions), today - timedelta(days=LOOKBACK_DAYS))
        due = fees_due(
            lambda day: terms_in_force(versions, day),
            [(c.terms, c.starts_on) for c in versions],
            since,
            today,
        )
        recorded = []
        for key, fee in due:
            kind = CostKind(fee.kind)
            source = f"{partner_id}#{key}"
            if self.ledger.recorded(brand_id, accrual_id_for(kind, source)):
                continue
            draft = new_accrual(
                brand_id,
                partner_id,
                campaign_id,
                kind,
                fee.amount,
                fee.currency,
                fee.due_on,
                source,
                fee.basis,
                self.now(),
            )
            accrual, fresh = self.ledger.record(draft)
            if fresh:
                recorded.append(accrual)
        return recorded
