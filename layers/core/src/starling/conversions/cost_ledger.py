"""The cost ledger's use cases: record any cost accrual against its campaign's budget, release one kept over
budget, correct one, list them, and warn the brand once when a campaign reaches 80% of its budget.

`CostLedger.record` is the one recording function for every kind but those written inside another item's
transaction (an order's commission, an approved post's fee), which call `CostLedger.rule` and write the
result through the same repository call (`cost_repository.write_cost`). Write, then tell: the warning is
flagged on the spend item in the accrual's transaction; the email and `campaign.budget_warning` follow.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from starling.conversions.costs import (
    AlreadyAccrued,
    Budget,
    CampaignSpend,
    CostAccrual,
    CostKind,
    CostState,
    SpendMoved,
    SpendWrite,
    new_accrual,
)
from starling.conversions.program import ProgramSettingsStore
from starling.shared import clock
from starling.shared.email import Email, EmailSender
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.observability import logger, metrics
from starling.shared.paging import clamp_limit
from starling.shared.settings import Settings

RETRY_SECONDS = 20.0
EVENT_SOURCE = "starling.conversions"
BUDGET_WARNING = "campaign.budget_warning"


class CampaignBudgets(Protocol):
    def budget_of(self, brand_id: str, campaign_id: str) -> tuple[str, Budget | None]:
        """The campaign's name and budget (None: no budget); NotFound for no such campaign."""
        ...


class EventPublisher(Protocol):
    def publish(self, detail_type: str, detail: dict[str, Any]) -> None: ...


class CostRepository(Protocol):
    def spend(self, brand_id: str, campaign_id: str) -> tuple[CampaignSpend, int]: ...
    def get(self, brand_id: str, accrual_id: str) -> CostAccrual: ...
    def record(self, write: SpendWrite) -> None: ...
    def release(self, write: SpendWrite) -> None: ...
    def page(
        self,
        brand_id: str,
        kind: CostKind | None,
        state: CostState | None,
        partner_id: str | None,
        campaign_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[CostAccrual], str | None]: ...


class CatalogBudgets:
    """Budgets from the catalog's campaigns."""

    def budget_of(self, brand_id: str, campaign_id: str) -> tuple[str, Budget | None]:
        from starling.catalog.service import campaign_store

        campaign = campaign_store().get(brand_id, campaign_id)
        budget = campaign.budget
        return campaign.name, Budget(budget.amount, budget.currency) if budget else None


class BusPublisher:
    """Events on the application's EventBridge bus."""

    def __init__(self, bus_name: str, client: Any = None) -> None:
        import boto3

        self._bus = bus_name
        self._client = client or boto3.client("events")

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        answer = self._client.put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail),
                    "EventBusName": self._bus,
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            logger.warning("event not put", extra={"detail_type": detail_type, "answer": answer["Entries"]})


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.1, 0.005 * 2 ** min(attempt, 5))))  # noqa: S311 - jitter, not a secret


def retrying(attempt: Callable[[], Any], moved: tuple[type[Exception], ...]) -> Any:
    """`attempt` again, after a short random pause, while another writer moved what it read."""
    deadline = time.monotonic() + RETRY_SECONDS
    n = 0
    while time.monotonic() < deadline:
        try:
            return attempt()
        except moved:
            _pause(n)
            n += 1
    raise Conflict("Too many writes to this campaign at once; send the request again.")


class CostLedger:
    def __init__(
        self,
        costs: CostRepository,
        budgets: CampaignBudgets,
        program: ProgramSettingsStore,
        email: EmailSender,
        events: EventPublisher | None,
        manager_inbox: str,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.costs, self.budgets, self.program = costs, budgets, program
        self.email, self.events, self.manager_inbox, self.now = email, events, manager_inbox, now

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> CostLedger:
        from starling.conversions.cost_repository import DynamoCostRepository
        from starling.conversions.program_repository import DynamoProgramSettings
        from starling.shared.email import SesEmailSender

        settings = settings or Settings.from_env()
        return cls(
            DynamoCostRepository(),
            CatalogBudgets(),
            DynamoProgramSettings(),
            SesEmailSender(),
            BusPublisher(settings.event_bus_name) if settings.event_bus_name else None,
            settings.manager_inbox or settings.sender_email,
        )

    # --- recording --------------------------------------------------------------------------------------

    def _budget(self, brand_id: str, campaign_id: str) -> Budget | None:
        """The campaign's budget; a campaign since deleted (or never there) bounds nothing."""
        try:
            return self.budgets.budget_of(brand_id, campaign_id)[1]
        except NotFound:
            return None

    def rule(self, draft: CostAccrual) -> tuple[SpendWrite, bool]:
        """The accrual as its campaign's budget rules it, ready to write, and whether it crosses 80%."""
        if draft.campaign_id is None:
            return SpendWrite(draft, None, 0), False
        budget = self._budget(draft.brand_id, draft.campaign_id)
        spend, version = self.costs.spend(draft.brand_id, draft.campaign_id)
        accrual, after, warn = spend.take(draft, budget)
        return SpendWrite(accrual, after, version), warn

    def record(self, draft: CostAccrual) -> tuple[CostAccrual, bool]:
        """Record a cost once per source; the accrual as recorded (its state says whether it went over the
        budget) and whether this call recorded it (False: the source was recorded before)."""

        def attempt() -> tuple[SpendWrite, bool]:
            write, warn = self.rule(draft)
            self.costs.record(write)
            return write, warn

        try:
            write, warn = retrying(attempt, (SpendMoved,))
        except AlreadyAccrued:
            return self.costs.get(draft.brand_id, draft.accrual_id), False
        metrics.add_metric(name="CostAccrued", unit="Count", value=1)
        if warn:
            self.warn(write.accrual, write.spend)
        return write.accrual, True

    def correction(
        self, original: CostAccrual, amount: int, source: str, basis: str
    ) -> tuple[SpendWrite, bool]:
        """A negative accrual that corrects `original` (a refund's reversal, a rejection), ruled like it."""
        draft = new_accrual(
            original.brand_id,
            original.partner_id,
            original.campaign_id,
            original.kind,
            amount,
            original.currency,
            self.now().date(),
            source,
            basis,
            self.now(),
        )
        if original.campaign_id is None:
            return SpendWrite(draft, None, 0), False
        budget = self._budget(original.brand_id, original.campaign_id)
        spend, version = self.costs.spend(original.brand_id, original.campaign_id)
        accrual, after, _ = spend.take(draft, budget, corrects=original.state)
        return SpendWrite(accrual, after, version), False

    # --- telling --------------------------------------------------------------------------------------------

    def warn(self, accrual: CostAccrual, spend: CampaignSpend | None) -> None:
        """Tell the brand's team once that the campaign reached 80% of its budget (after the commit that
        flagged it): an email to each manager address and `campaign.budget_warning` on the bus. The cost is
        recorded whatever happens here: a failure is logged, never the caller's error."""
        try:
            self._warn(accrual, spend)
        except Exception:
            logger.exception("budget warning not sent", extra={"accrual_id": accrual.accrual_id})
            metrics.add_metric(name="BudgetWarningFailed", unit="Count", value=1)

    def _warn(self, accrual: CostAccrual, spend: CampaignSpend | None) -> None:
        if accrual.campaign_id is None or spend is None:
            return
        name, budget = self.budgets.budget_of(accrual.brand_id, accrual.campaign_id)
        if budget is None or not budget.amount:
            return
        detail = {
            "brand_id": accrual.brand_id,
            "campaign_id": accrual.campaign_id,
            "campaign_name": name,
            "budget": budget.amount,
            "currency": budget.currency,
            "committed": spend.committed,
            "over_budget": spend.over,
            "accrual_id": accrual.accrual_id,
        }
        share = (spend.committed + spend.over) * 100 // budget.amount
        text = (
            f"The campaign {name} has reached {share}% of its budget of {budget.amount} {budget.currency}"
            f" minor units: {spend.committed} committed, {spend.over} kept over budget.\n\n"
            "Costs beyond the budget are recorded as over_budget and are not paid unless a manager releases"
            " them (POST /v1/accruals/{accrual_id}/release or /v1/commissions/{commission_id}/release)."
        )
        for to in self.program.get(accrual.brand_id).manager_emails or (self.manager_inbox,):
            self.email.send(Email(to=to, subject=f"Budget warning: {name} at {share}%", text=text))
        if self.events is not None:
            self.events.publish(BUDGET_WARNING, detail)
        metrics.add_metric(name="BudgetWarningSent", unit="Count", value=1)

    # --- releasing and reading ---------------------------------------------------------------------------

    def releasing(self, before: CostAccrual, actor: str) -> SpendWrite:
        """The write that lets an over-budget accrual through (a manager's choice): payable, committed."""
        spend, version = (
            self.costs.spend(before.brand_id, before.campaign_id)
            if before.campaign_id
            else (CampaignSpend(), 0)
        )
        after, moved = spend.release(before, actor)
        return SpendWrite(after, moved if before.campaign_id else None, version, replaces=before.state)

    def release(self, brand_id: str, accrual_id: str, actor: str) -> CostAccrual:
        """A manager lets an over-budget accrual through (an order's commission: through its commission)."""

        def attempt() -> CostAccrual:
            before = self.costs.get(brand_id, accrual_id)
            if before.kind is CostKind.COMMISSION:
                raise Conflict(
                    "Release an order's commission with POST /v1/commissions/{commission_id}/release."
                )
            write = self.releasing(before, actor)
            self.costs.release(write)
            return write.accrual

        return retrying(attempt, (SpendMoved,))  # type: ignore[no-any-return]

    def get(self, brand_id: str, accrual_id: str) -> CostAccrual:
        return self.costs.get(brand_id, accrual_id)

    def recorded(self, brand_id: str, accrual_id: str) -> bool:
        try:
            self.costs.get(brand_id, accrual_id)
        except NotFound:
            return False
        return True

    def spend_of(self, brand_id: str, campaign_id: str) -> tuple[str, Budget | None, CampaignSpend]:
        """The campaign's name, budget and spend so far (NotFound for another brand's or no campaign)."""
        name, budget = self.budgets.budget_of(brand_id, campaign_id)
        return name, budget, self.costs.spend(brand_id, campaign_id)[0]

    def page(
        self,
        brand_id: str,
        kind: str | None,
        state: str | None,
        partner_id: str | None,
        campaign_id: str | None,
        limit: int | None,
        cursor: str | None,
    ) -> tuple[list[CostAccrual], str | None]:
        try:
            wanted_kind = CostKind(kind) if kind else None
        except ValueError as exc:
            raise Invalid(f"kind is one of {', '.join(CostKind)}.", {"kind": kind}) from exc
        try:
            wanted_state = CostState(state) if state else None
        except ValueError as exc:
            raise Invalid(f"state is one of {', '.join(CostState)}.", {"state": state}) from exc
        found = self.costs.page(
            brand_id, wanted_kind, wanted_state, partner_id, campaign_id, clamp_limit(limit), cursor
        )
        return found
