"""Conversions: orders a shop records (attributed by click id or coupon, priced by the terms in force),
their refunds, and the commissions a manager reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from functions.api.schemas import MULTILINE, Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.conversions.ingestion import GuardedIngestion
from starling.conversions.orders import CommissionView, Conversion
from starling.conversions.service import ConversionsService, order_in
from starling.identity.model import Area
from starling.recruiting.service import actor_of
from starling.shared import clock
from starling.shared.settings import Settings

router = CapabilityRouter("Conversions")


@lru_cache(maxsize=4)
def services(settings: Settings) -> tuple[ConversionsService, GuardedIngestion]:
    """Built once per environment: the clients behind them are reused across requests, as on Lambda."""
    service = ConversionsService.from_settings(settings)
    return service, GuardedIngestion(service, settings.idempotency_table_name)


def service() -> ConversionsService:
    return services(Settings.from_env())[0]


class OrderItem(StrictBody):
    product_id: str | None = Field(default=None, max_length=64)
    sku: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, max_length=200)
    quantity: int = Field(default=1, strict=True, ge=1, le=100_000)
    amount: int = Field(strict=True, ge=0, le=10**12, description="The line's total, minor units")


class ConversionCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [
            {"order_id": "1001", "amount": 12000, "currency": "USD", "click_id": "1.eyJi...",
             "coupon_code": "MAYA10", "customer_email": "shopper@example.com",
             "occurred_at": "2026-11-29T10:00:00Z"},
        ]}
    )  # fmt: skip

    order_id: str = Field(min_length=1, max_length=200, description="The shop's order id: recorded once")
    amount: int = Field(strict=True, gt=0, le=10**12, description="The order's amount in minor units (1999)")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217; the contract's currency")
    click_id: str | None = Field(default=None, max_length=400, description="The `stclid` the link appended")
    coupon_code: str | None = Field(default=None, max_length=40)
    customer_ref: str | None = Field(default=None, max_length=200, description="The shop's customer id")
    customer_email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Kept only as a hash"
    )
    occurred_at: datetime | None = Field(default=None, description="When the order was placed (else now)")
    items: list[OrderItem] | None = Field(default=None, max_length=100)


class RefundCreate(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"refund_id": "r-1", "amount": 6000}]})

    refund_id: str = Field(min_length=1, max_length=200, description="The shop's refund id: counted once")
    amount: int = Field(strict=True, gt=0, le=10**12, description="The amount refunded, minor units")


class Review(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "Her sister's order, checked"}]})

    note: str | None = Field(default=None, max_length=2000, json_schema_extra=MULTILINE)


class AttributionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    method: str = Field(description="click, coupon or none")
    partner_id: str | None
    campaign_id: str | None
    link_slug: str | None
    click_id: str | None
    clicked_at: datetime | None
    coupon_code: str | None
    note: str | None = Field(description="Why a given click id or coupon did not count")


class PartOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rule: str = Field(description="cpa_percent, tier or cpa_fixed")
    basis: int
    rate: str | None
    amount: int
    tier_from: int | None


class CommissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    commission_id: str
    order_id: str
    partner_id: str
    campaign_id: str | None
    status: str = Field(
        description="pending, approved, on_hold, over_budget, rejected, reversed (paid: by a payout)"
    )
    currency: str
    order_amount: int
    gross: int = Field(description="The sum of the parts, before the monthly cap")
    cut: int = Field(description="What the monthly cap took off")
    amount: int = Field(description="What the order earned when recorded")
    reversed: int = Field(description="What refunds took back (0 or negative)")
    earned: int = Field(description="What it earns now: amount plus reversed (0 when rejected)")
    month: str
    approves_on: date = Field(description="Pending until this day (lock_days after the order)")
    parts: list[PartOut]
    hold_reason: str | None = Field(description="self_referral, disposable_email or duplicate_customer")
    hold_detail: str | None
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    occurred_at: datetime


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    refund_id: str
    amount: int
    reversal: int = Field(description="What this refund took back of the commission")
    at: datetime


class ConversionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    order_id: str
    amount: int
    currency: str
    occurred_at: datetime
    recorded_at: datetime
    refunded: int
    attribution: AttributionOut
    commission: CommissionOut | None = Field(description="None when unattributed or without terms in force")
    refunds: list[RefundOut]


_JSON_ANSWER: Any = {"application/json": {"model": ConversionOut}}


def conversion_out(conversion: Conversion) -> ConversionOut:
    view: CommissionView | None = conversion.commission_view(clock.today())
    return ConversionOut(
        order_id=conversion.order_id, amount=conversion.amount, currency=conversion.currency,
        occurred_at=conversion.occurred_at, recorded_at=conversion.recorded_at, refunded=conversion.refunded,
        attribution=AttributionOut.model_validate(conversion.attribution),
        commission=CommissionOut.model_validate(view) if view else None,
        refunds=[RefundOut.model_validate(r) for r in conversion.refunds],
    )  # fmt: skip


def order_fields(body: BaseModel) -> dict[str, Any]:
    fields = body.model_dump(exclude_none=True)
    fields["items"] = tuple(fields.get("items") or ())
    fields["currency"] = fields["currency"].upper()
    if body.occurred_at is not None and body.occurred_at.tzinfo is None:  # type: ignore[attr-defined]
        fields["occurred_at"] = body.occurred_at.replace(tzinfo=UTC)  # type: ignore[attr-defined]
    return fields


@router.post(
    "/v1/conversions",
    summary="Record an order: its attribution, commission and status (the same order_id records once)",
    status_code=201,
    responses={
        200: {"description": "Recorded before: the first record", "content": _JSON_ANSWER},
        201: {"description": "Recorded now", "content": _JSON_ANSWER},
    },
)  # fmt: skip
@requires(Area.CONVERSIONS, write=True)
def handle_record_conversion(body: ConversionCreate) -> Response[ConversionOut]:
    caller = principal(router)
    _, ingestion = services(Settings.from_env())
    conversion, recorded = ingestion.record(caller.brand_id, order_in(order_fields(body), clock.now()))
    return Response(
        status_code=201 if recorded else 200,
        content_type=content_types.APPLICATION_JSON,
        body=conversion_out(conversion),
    )


@router.get("/v1/conversions/<order_id>", summary="An order: its attribution, commission and refunds")
@requires(Area.CONVERSIONS)
def handle_get_conversion(order_id: str) -> ConversionOut:
    caller = principal(router)
    return conversion_out(service().get(caller.brand_id, order_id))


@router.post(
    "/v1/conversions/<order_id>/refunds",
    summary="Record a full or partial refund (once per refund_id); the commission is reversed in proportion",
)
@requires(Area.CONVERSIONS, write=True)
def handle_refund(order_id: str, body: RefundCreate) -> ConversionOut:
    caller = principal(router)
    return conversion_out(service().refund(caller.brand_id, order_id, body.refund_id, body.amount))


@router.get("/v1/commissions", summary="Commissions, newest first, by status, partner or campaign")
@requires(Area.CONVERSIONS)
def handle_list_commissions(
    status: Annotated[str | None, Query(max_length=40)] = None,
    partner_id: Annotated[str | None, Query(max_length=64)] = None,
    campaign_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[CommissionOut]:
    caller = principal(router)
    found, next_cursor = service().commissions(
        caller.brand_id, status, partner_id, campaign_id, limit, cursor
    )
    today = clock.today()
    views = [c.commission_view(today) for c in found]
    return Page[CommissionOut](
        items=[CommissionOut.model_validate(v) for v in views if v], next_cursor=next_cursor
    )


@router.post("/v1/commissions/<commission_id>/release", summary="Release a held commission (manager)")
@requires(Area.CONVERSIONS, write=True)
def handle_release(commission_id: str, body: Review) -> CommissionOut:
    caller = principal(router)
    conversion = service().release(caller.brand_id, commission_id, body.note, actor_of(caller))
    return CommissionOut.model_validate(conversion.commission_view(clock.today()))


@router.post(
    "/v1/commissions/<commission_id>/reject", summary="Reject a held commission, with a note (manager)"
)
@requires(Area.CONVERSIONS, write=True)
def handle_reject(commission_id: str, body: Review) -> CommissionOut:
    caller = principal(router)
    conversion = service().reject(caller.brand_id, commission_id, body.note, actor_of(caller))
    return CommissionOut.model_validate(conversion.commission_view(clock.today()))
