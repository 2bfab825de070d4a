"""Conversions' use cases: record an order (attribution, the terms in force, fraud holds, the commission
engine), refund it, list commissions, release or reject a held one.

Concurrency: the order item is put only if absent, and the partner's month only at the version read, in
one transaction (starling.conversions.repository). When another order of the same partner wrote the month
first, the order is priced again on the new month, so concurrent orders of a capped partner take the cap's
room one after the other and never pass it; the same order id sent twice finds the first record.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from starling.contracts.model import Contract, terms_in_force

# What payouts reads of the accruals, through this service (their statements price retainers and flat fees).
from starling.conversions.accruals import flat_fee_due as flat_fee_due
from starling.conversions.accruals import retainer_for_month as retainer_for_month
from starling.conversions.attribution import (
    Attribution,
    ClickCandidate,
    CouponCandidate,
    attribute,
    check_order_time,
    window_days,
)
from starling.conversions.cost_ledger import CostLedger
from starling.conversions.costs import (
    CostAccrual,
    CostKind,
    CostState,
    SpendWrite,
    accrual_id_for,
    new_accrual,
)
from starling.conversions.engine import price_order
from starling.conversions.fraud import Rates, customer_hash, hold_for
from starling.conversions.fraud import rate_reason as rate_reason  # reports' click quality reads it
from starling.conversions.model import (
    CommissionRules,
    CommissionStatus,
    FigureBook,
    PartnerMonth,
    month_of,
    utc,
)
from starling.conversions.orders import (
    AlreadyRecorded,
    Conversion,
    ConversionRepository,
    Moved,
    OrderIn,
    State,
)
from starling.conversions.rates import PartnerTier as PartnerTier  # reports by tier read it
from starling.conversions.rates import RateSource, TierSource, brand_rates
from starling.links.model import ClickMonthReader
from starling.links.service import VerifiedClick
from starling.recruiting.model import Partner, clean_note
from starling.shared import clock
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.paging import clamp_limit
from starling.shared.settings import Settings
from starling.shared.terms import Terms

MAX_WINDOW_DAYS = 365  # the longest attribution window terms may set
RETRY_SECONDS = 20.0  # within the API function's 29 s: orders of one partner racing for its month
T = TypeVar("T")


class PartnerSource(Protocol):
    def get(self, brand_id: str, partner_id: str) -> Partner: ...
    def partner_for_coupon(self, brand_id: str, code: str) -> Partner | None: ...


class ContractSource(Protocol):
    def versions(self, brand_id: str, partner_id: str) -> list[Contract]: ...


class ClickSource(Protocol):
    def verify(self, stclid: str) -> tuple[VerifiedClick | None, str | None]: ...


def _pause(attempt: int) -> None:
    """A short random wait before trying again, longer as attempts add up (jitter spreads the retries)."""
    time.sleep(random.uniform(0, min(0.1, 0.005 * 2 ** min(attempt, 5))))  # noqa: S311 - jitter, not a secret


class ConversionsService:
    def __init__(
        self,
        conversions: ConversionRepository,
        partners: PartnerSource,
        contracts: ContractSource,
        clicks: ClickSource,
        now: Callable[[], datetime] = clock.now,
        ledger: CostLedger | None = None,
        rates: RateSource | None = None,
    ) -> None:
        self.conversions = conversions
        self.partners = partners
        self.contracts = contracts
        self.clicks = clicks
        self.now = now
        self.ledger = ledger  # None: commissions are not recorded as cost accruals (pure unit tests)
        self.rates = rates

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ConversionsService:
        """The service on DynamoDB, with the click secret and the contracts its environment names."""
        from starling.contracts.service import ContractsService
        from starling.conversions.figures_repository import DynamoFigureBook
        from starling.conversions.rates import DynamoPartnerTiers, TrailingRates
        from starling.conversions.repository import DynamoConversionRepository
        from starling.links.service import ClickIdVerifier, click_counter_store
        from starling.recruiting.service import partner_store

        settings = settings or Settings.from_env()
        return cls(
            DynamoConversionRepository(),
            partner_store(),
            ContractsService.from_settings(settings),
            ClickIdVerifier(settings.click_secret_id),
            ledger=CostLedger.from_settings(settings),
            rates=TrailingRates(click_counter_store(), DynamoFigureBook(), DynamoPartnerTiers()),
        )

    # --- recording -------------------------------------------------------------------------------------

    def record(self, brand_id: str, order: OrderIn) -> tuple[Conversion, bool]:
        """The order's conversion, and whether this call recorded it (False: it was recorded before, and
        the first record is the answer)."""
        try:
            return self.conversions.get(brand_id, order.order_id), False
        except NotFound:
            pass
        now = self.now()
        check_order_time(order.occurred_at, now, MAX_WINDOW_DAYS)  # before any date arithmetic on it
        attribution, partner, terms = self._attribute(brand_id, order)
        window = window_days(terms.attribution_window_days if terms else None)
        check_order_time(order.occurred_at, now, window)
        if terms is not None and order.currency != terms.currency:
            raise Invalid(
                f"The partner's contract is in {terms.currency}, the order in {order.currency}.",
                {"currency": f"expected {terms.currency}"},
            )
        customer = customer_hash(order.customer_email, order.customer_ref)
        hold = None
        if partner is not None:
            since = order.occurred_at - timedelta(days=window)
            other = (
                self.conversions.other_partner(brand_id, customer, partner.partner_id, since)
                if customer
                else None
            )
            rates = None
            if self.rates is not None and attribution.method == "click":
                rates = self.rates.rates(brand_id, partner.partner_id, now.date())
            hold = hold_for(order.customer_email, partner.email, other, rates)
        draft = Conversion(
            brand_id=brand_id, order_id=order.order_id, amount=order.amount, currency=order.currency,
            occurred_at=order.occurred_at, recorded_at=now, attribution=attribution,
            state=State.ON_HOLD if hold else State.ACCRUED, hold=hold,
            customer_hash=customer if partner is not None else None, items=order.items,
        )  # fmt: skip
        rules = CommissionRules.of(terms) if terms is not None else None

        def attempt() -> tuple[Conversion, SpendWrite | None, bool]:
            if rules is None or partner is None:
                self.conversions.record(draft, None, 0)
                return draft, None, False
            month, version = self.conversions.month(brand_id, partner.partner_id, month_of(order.occurred_at))
            commission, after = price_order(rules, month, order.amount, order.occurred_at)
            conversion = replace(draft, commission=commission)
            cost, warn = self._commission_cost(conversion)
            if (
                cost is not None
                and cost.accrual.state is CostState.OVER_BUDGET
                and conversion.state is State.ACCRUED
            ):
                conversion = replace(conversion, state=State.OVER_BUDGET)
            self.conversions.record(conversion, after, version, cost)
            return conversion, cost, warn

        try:
            conversion, cost, warn = self._retrying(attempt)
        except AlreadyRecorded:
            return self.conversions.get(brand_id, order.order_id), False
        if warn and cost is not None and self.ledger is not None:
            self.ledger.warn(cost.accrual, cost.spend)
        return conversion, True

    def _commission_cost(self, conversion: Conversion) -> tuple[SpendWrite | None, bool]:
        """The commission as a cost accrual, ruled by its campaign's budget (None: no ledger, or nothing
        earned)."""
        c, partner_id = conversion.commission, conversion.attribution.partner_id
        if self.ledger is None or c is None or partner_id is None or c.amount == 0:
            return None, False
        draft = new_accrual(
            conversion.brand_id,
            partner_id,
            conversion.attribution.campaign_id,
            CostKind.COMMISSION,
            c.amount,
            c.currency,
            utc(conversion.occurred_at).date(),
            conversion.order_id,
            f"commission on order {conversion.order_id}",
            self.now(),
        )
        return self.ledger.rule(draft)

    def _commission_accrual(self, conversion: Conversion) -> CostAccrual | None:
        if self.ledger is None or conversion.commission is None:
            return None
        try:
            return self.ledger.get(
                conversion.brand_id, accrual_id_for(CostKind.COMMISSION, conversion.order_id)
            )
        except NotFound:
            return None

    def _correction(self, conversion: Conversion, amount: int, source: str, basis: str) -> SpendWrite | None:
        """A negative cost accrual for what a refund or a rejection took back of the commission."""
        original = self._commission_accrual(conversion)
        if original is None or amount == 0 or self.ledger is None:
            return None
        write, _ = self.ledger.correction(original, amount, f"{conversion.order_id}#{source}", basis)
        return write

    def _attribute(self, brand_id: str, order: OrderIn) -> tuple[Attribution, Partner | None, Terms | None]:
        click: ClickCandidate | None = None
        note = None
        found: dict[str, tuple[Partner, Terms | None]] = {}
        if order.click_id:
            verified, note = self.clicks.verify(order.click_id)
            if verified is not None and verified.brand_id != brand_id:
                verified, note = None, "the click id is another brand's"
            known = (
                self._partner_terms(brand_id, verified.partner_id, order.occurred_at) if verified else None
            )
            if verified is not None and known is not None:
                found[verified.partner_id] = known
                click = ClickCandidate(
                    verified.click_id, verified.partner_id, verified.campaign_id, verified.slug,
                    verified.clicked_at, window_days(known[1].attribution_window_days if known[1] else None),
                )  # fmt: skip
            elif verified is not None:
                note = "the click's partner is no longer in the program"
        coupon: CouponCandidate | None = None
        if order.coupon_code:
            holder = self.partners.partner_for_coupon(brand_id, order.coupon_code)
            if holder is not None:
                terms = self._terms(brand_id, holder.partner_id, order.occurred_at)
                found[holder.partner_id] = (holder, terms)
                coupon = CouponCandidate(
                    order.coupon_code,
                    holder.partner_id,
                    window_days(terms.attribution_window_days if terms else None),
                )
        attribution = attribute(order.occurred_at, click, coupon, note)
        if attribution.partner_id is None:
            return attribution, None, None
        partner, terms = found[attribution.partner_id]
        return attribution, partner, terms

    def _partner_terms(
        self, brand_id: str, partner_id: str, at: datetime
    ) -> tuple[Partner, Terms | None] | None:
        try:
            partner = self.partners.get(brand_id, partner_id)
        except NotFound:
            return None
        return partner, self._terms(brand_id, partner_id, at)

    def _terms(self, brand_id: str, partner_id: str, at: datetime) -> Terms | None:
        return terms_in_force(self.contracts.versions(brand_id, partner_id), at)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        deadline = time.monotonic() + RETRY_SECONDS
        n = 0
        while time.monotonic() < deadline:
            try:
                return attempt()
            except Moved:
                _pause(n)
                n += 1
        raise Conflict("Too many writes to this partner at once; send the request again.")

    # --- reading -----------------------------------------------------------------------------------------

    def get(self, brand_id: str, order_id: str) -> Conversion:
        return self.conversions.get(brand_id, order_id)

    def commissions(
        self, brand_id: str, status: str | None, partner_id: str | None, campaign_id: str | None,
        limit: int | None, cursor: str | None,
    ) -> tuple[list[Conversion], str | None]:  # fmt: skip
        try:
            wanted = CommissionStatus(status) if status else None
        except ValueError as exc:
            known = ", ".join(s.value for s in CommissionStatus)
            raise Invalid(f"status is one of {known}.", {"status": status}) from exc
        return self.conversions.commissions_page(
            brand_id, self.now().date(), wanted, partner_id, campaign_id, clamp_limit(limit), cursor
        )

    def commissions_of(self, brand_id: str, partner_ids: list[str]) -> dict[str, list[Conversion]]:
        """Every commission of these partners (up to 100), whatever its status: what statements read."""
        return self.conversions.commissions_of(brand_id, partner_ids)

    def partner_month(self, brand_id: str, partner_id: str, month: str) -> PartnerMonth:
        """The partner's month as accrued so far (its CPC earnings among them)."""
        return self.conversions.month(brand_id, partner_id, month)[0]

    # --- refunds and reviews -------------------------------------------------------------------------------

    def refund(self, brand_id: str, order_id: str, refund_id: str, amount: int) -> Conversion:
        """Record a refund once (by its id) and reverse the commission in proportion (the engine's rule)."""

        def attempt() -> Conversion:
            before = self.conversions.get(brand_id, order_id)
            after, reversal = before.refund(refund_id, amount, self.now())
            if after is before:
                return before
            month, version, cost = None, 0, None
            if reversal is not None and before.commission is not None and before.attribution.partner_id:
                month, version = self.conversions.month(
                    brand_id, before.attribution.partner_id, before.commission.month
                )
                month = month.after_reversal(amount, reversal)
                cost = self._correction(before, reversal.amount, f"refund#{refund_id}", f"refund {refund_id}")
            self.conversions.change(before, after, month, version, cost)
            return after

        return self._retrying(attempt)

    def release(self, brand_id: str, commission_id: str, note: str | None, actor: str) -> Conversion:
        return self._review(brand_id, commission_id, State.ACCRUED, note, actor)

    def reject(self, brand_id: str, commission_id: str, note: str | None, actor: str) -> Conversion:
        return self._review(brand_id, commission_id, State.REJECTED, note, actor)

    def _review(
        self, brand_id: str, commission_id: str, state: State, note: str | None, actor: str
    ) -> Conversion:
        text = clean_note(note)

        def attempt() -> Conversion:
            before = self.conversions.get_by_commission(brand_id, commission_id)
            after = before.review(state, text, actor, self.now())
            month, version, cost = None, 0, None
            partner_id = before.attribution.partner_id
            if state is State.REJECTED and before.commission is not None and partner_id:
                month, version = self.conversions.month(brand_id, partner_id, before.commission.month)
                month = before.given_back(month)
                cost = self._correction(before, -before.earned, "rejected", "commission rejected")
            original = self._commission_accrual(before) if state is State.ACCRUED else None
            over = original is not None and original.state is CostState.OVER_BUDGET
            if over and before.state is State.ON_HOLD:  # released from the hold into its budget's ruling
                after = replace(after, state=State.OVER_BUDGET)
            elif over and original is not None and self.ledger is not None:  # a manager lets it through
                cost = self.ledger.releasing(original, actor)
            self.conversions.change(before, after, month, version, cost)
            return after

        return self._retrying(attempt)


def order_in(fields: dict[str, Any], now: datetime) -> OrderIn:
    """An order from a request's fields; `occurred_at` defaults to now."""
    return OrderIn(**{**fields, "occurred_at": fields.get("occurred_at") or now})


def conversion_rates(
    clicks: ClickMonthReader, book: FigureBook, tiers: TierSource, brand_id: str, partner_id: str,
    start: date, end: date,
) -> Rates:  # fmt: skip
    """A partner's people's clicks and orders by click over [start, end], and their baseline's (their
    tier's other partners, else the brand's other partners), as the `conversion_rate` hold reads them."""
    found = brand_rates(clicks, book, brand_id, start, end)
    found.tiers = {pid: known.tier for pid, known in tiers.tiers(brand_id).items()}
    return found.of(partner_id)
