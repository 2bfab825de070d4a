"""Deliverables' use cases: a partner submits a post (checked at once), the brand lists posts and approves or
rejects them; an approved post earns its `per_post` fee from the terms in force that day, recorded as a cost
accrual (starling.conversions.cost_ledger) in the approval's own transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from starling.contracts.model import terms_in_force
from starling.conversions.accruals import per_post_fee
from starling.conversions.cost_ledger import CostLedger, retrying
from starling.conversions.costs import CostKind, SpendMoved, new_accrual
from starling.conversions.deliverables import (
    ApprovalMoved,
    Deliverable,
    DeliverableStatus,
    Fee,
    PartnerMarks,
    check_post,
    clean_submission,
)
from starling.conversions.program import ProgramSettings, ProgramSettingsStore, program_settings
from starling.conversions.service import ContractSource, PartnerSource
from starling.shared import clock
from starling.shared.errors import Invalid, NotFound
from starling.shared.ids import new_id
from starling.shared.observability import metrics
from starling.shared.paging import clamp_limit
from starling.shared.settings import Settings


class PartnerLinks(Protocol):
    def short_urls(self, brand_id: str, partner_id: str, base_url: str) -> tuple[str, ...]: ...


class Campaigns(Protocol):
    def exists(self, brand_id: str, campaign_id: str) -> bool: ...


class DeliverableRepository(Protocol):
    def add(self, deliverable: Deliverable) -> None: ...
    def get(self, brand_id: str, deliverable_id: str) -> Deliverable: ...
    def paid_posts(self, brand_id: str, partner_id: str) -> tuple[int, int]: ...
    def decide(self, after: Deliverable, paid: tuple[int, int] | None = None, cost: Any = None) -> None: ...
    def page(
        self,
        brand_id: str,
        status: DeliverableStatus | None,
        partner_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Deliverable], str | None]: ...


class LinkShortUrls:
    """The partner's vanity links, from links' repository."""

    def short_urls(self, brand_id: str, partner_id: str, base_url: str) -> tuple[str, ...]:
        from starling.links.service import link_store, short_url

        return tuple(
            short_url(base_url, link.slug)
            for link in link_store().all(brand_id)
            if link.partner_id == partner_id
        )


class CatalogCampaigns:
    def exists(self, brand_id: str, campaign_id: str) -> bool:
        from starling.catalog.service import campaign_store

        try:
            campaign_store().get(brand_id, campaign_id)
        except NotFound:
            return False
        return True


class DeliverablesService:
    def __init__(
        self,
        deliverables: DeliverableRepository,
        program: ProgramSettingsStore,
        partners: PartnerSource,
        contracts: ContractSource,
        links: PartnerLinks,
        campaigns: Campaigns,
        ledger: CostLedger,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.deliverables, self.program, self.partners, self.contracts = (
            deliverables,
            program,
            partners,
            contracts,
        )
        self.links, self.campaigns, self.ledger, self.now = links, campaigns, ledger, now

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> DeliverablesService:
        from starling.contracts.service import ContractsService
        from starling.conversions.deliverable_repository import DynamoDeliverableRepository
        from starling.conversions.program_repository import DynamoProgramSettings
        from starling.recruiting.service import partner_store

        settings = settings or Settings.from_env()
        return cls(
            DynamoDeliverableRepository(),
            DynamoProgramSettings(),
            partner_store(),
            ContractsService.from_settings(settings),
            LinkShortUrls(),
            CatalogCampaigns(),
            CostLedger.from_settings(settings),
        )

    # --- the partner ------------------------------------------------------------------------------------

    def submit(self, brand_id: str, partner_id: str, fields: dict[str, Any], base_url: str) -> Deliverable:
        """Record a post the partner published, with its checks."""
        url, platform, caption, campaign_id = clean_submission(fields)
        if campaign_id is not None and not self.campaigns.exists(brand_id, campaign_id):
            raise Invalid("No such campaign.", {"campaign_id": "not one of the brand's campaigns"})
        partner = self.partners.get(brand_id, partner_id)
        marks = PartnerMarks(self.links.short_urls(brand_id, partner_id, base_url), partner.coupon_codes)
        checks = check_post(caption, self.program.get(brand_id), marks)
        deliverable = Deliverable(
            new_id("dlv"),
            brand_id,
            partner_id,
            campaign_id,
            url,
            platform,
            caption,
            checks,
            DeliverableStatus.SUBMITTED,
            self.now(),
        )
        self.deliverables.add(deliverable)
        metrics.add_metric(name="PostSubmitted", unit="Count", value=1)
        return deliverable

    def partner_posts(self, brand_id: str, partner_id: str) -> list[Deliverable]:
        found, _ = self.deliverables.page(brand_id, None, partner_id, 50, None)
        return found

    # --- the brand --------------------------------------------------------------------------------------

    def page(
        self, brand_id: str, status: str | None, partner_id: str | None, limit: int | None, cursor: str | None
    ) -> tuple[list[Deliverable], str | None]:
        try:
            wanted = DeliverableStatus(status) if status else None
        except ValueError as exc:
            raise Invalid(f"status is one of {', '.join(DeliverableStatus)}.", {"status": status}) from exc
        return self.deliverables.page(brand_id, wanted, partner_id, clamp_limit(limit), cursor)

    def get(self, brand_id: str, deliverable_id: str) -> Deliverable:
        return self.deliverables.get(brand_id, deliverable_id)

    def approve(self, brand_id: str, deliverable_id: str, actor: str, note: str | None) -> Deliverable:
        """Approve a post; it earns the `per_post` fee of the terms in force today, for each of the first
        `posts` approved posts of the partner (a post beyond them is approved and earns nothing)."""

        def attempt() -> tuple[Deliverable, bool]:
            before = self.deliverables.get(brand_id, deliverable_id)
            now = self.now()
            terms = terms_in_force(self.contracts.versions(brand_id, before.partner_id), now)
            if terms is None or terms.per_post is None:
                after = before.approve(
                    actor, now, Fee(0, None, None, None, "no per_post terms in force"), note
                )
                self.deliverables.decide(after)
                return after, False
            paid, version = self.deliverables.paid_posts(brand_id, before.partner_id)
            earned = per_post_fee(terms.per_post, terms.currency, paid, now.date())
            if earned is None:
                fee = Fee(
                    0, terms.currency, None, None, f"all {terms.per_post.posts} paid posts already approved"
                )
                after = before.approve(actor, now, fee, note)
                self.deliverables.decide(after)
                return after, False
            draft = new_accrual(
                brand_id,
                before.partner_id,
                before.campaign_id,
                CostKind.PER_POST,
                earned.amount,
                earned.currency,
                earned.due_on,
                before.deliverable_id,
                earned.basis,
                now,
            )
            write, warn = self.ledger.rule(draft)
            accrual = write.accrual
            fee = Fee(accrual.amount, accrual.currency, accrual.accrual_id, accrual.state.value, earned.basis)
            after = before.approve(actor, now, fee, note)
            self.deliverables.decide(after, (paid + 1, version), write)
            if warn:
                self.ledger.warn(accrual, write.spend)
            return after, True

        after, _ = retrying(attempt, (ApprovalMoved, SpendMoved))
        metrics.add_metric(name="PostApproved", unit="Count", value=1)
        return after  # type: ignore[no-any-return]

    def reject(self, brand_id: str, deliverable_id: str, actor: str, reason: str | None) -> Deliverable:
        def attempt() -> Deliverable:
            before = self.deliverables.get(brand_id, deliverable_id)
            after = before.reject(actor, self.now(), reason)
            self.deliverables.decide(after)
            return after

        return retrying(attempt, (ApprovalMoved,))  # type: ignore[no-any-return]

    # --- the brand's program settings --------------------------------------------------------------------

    def settings(self, brand_id: str) -> ProgramSettings:
        return self.program.get(brand_id)

    def change_settings(self, brand_id: str, fields: dict[str, Any]) -> ProgramSettings:
        after = program_settings(fields, self.program.get(brand_id))
        self.program.put(brand_id, after)
        return after
