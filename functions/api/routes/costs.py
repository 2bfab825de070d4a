"""Costs: every cost of a partner as one accrual (commission, CPC, per-post fee, flat fee, retainer, gift),
gifts recorded per partner, a campaign's budget and spend, and releasing a cost kept over budget."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.conversions.cost_ledger import CostLedger
from starling.conversions.costs import CostAccrual, CostKind
from starling.conversions.gifts import GiftIn, record_gift
from starling.identity.model import Area
from starling.recruiting.service import actor_of, partner_store
from starling.shared.errors import NotFound
from starling.shared.settings import Settings

router = CapabilityRouter("Costs")
_PARTNER_ID = re.compile(r"^ptn_[A-Za-z0-9]{1,64}$")


@lru_cache(maxsize=4)
def _ledgers(settings: Settings) -> CostLedger:
    return CostLedger.from_settings(settings)


def _ledger() -> CostLedger:
    return _ledgers(Settings.from_env())


class AccrualOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    accrual_id: str
    partner_id: str
    campaign_id: str | None
    kind: str = Field(description="commission, cpc, per_post, flat_fee, retainer_monthly or gifting")
    amount: int = Field(description="Minor units; negative for a correction (a refund, a rejection)")
    currency: str
    occurred_on: date
    state: str = Field(description="accrued, over_budget or released")
    payable: bool = Field(description="Paid out by a statement (gifts never are; over budget is not)")
    source: str
    basis: str
    recorded_at: datetime
    released_by: str | None


class GiftCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product": "Linen shirt",
                    "product_id": "prd_...",
                    "value": 4500,
                    "currency": "USD",
                    "given_on": "2026-12-01",
                },
            ]
        }
    )

    product: str = Field(min_length=1, max_length=200, description="What was given")
    product_id: str | None = Field(default=None, max_length=64)
    value: int = Field(strict=True, gt=0, le=10**10, description="What it cost the brand, minor units")
    currency: str = Field(min_length=3, max_length=3)
    given_on: date
    campaign_id: str | None = Field(
        default=None, max_length=64, description="The campaign whose budget it uses"
    )


class SpendOut(BaseModel):
    campaign_id: str
    budget: int | None
    currency: str | None
    committed: int = Field(description="Accrued and released costs, net of corrections")
    over_budget: int = Field(description="Costs kept over budget and not released")
    remaining: int | None
    warned: bool = Field(description="Whether the 80% warning went")


def _out(a: CostAccrual) -> AccrualOut:
    return AccrualOut.model_validate(a)


def _known_partner(brand_id: str, partner_id: str) -> None:
    if not _PARTNER_ID.match(partner_id):
        raise NotFound("No such partner.")
    partner_store().get(brand_id, partner_id)


@router.get("/v1/accruals", summary="Cost accruals, newest day first, by kind, state, partner or campaign")
@requires(Area.CONVERSIONS)
def handle_list_accruals(
    kind: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[str | None, Query(max_length=40)] = None,
    partner_id: Annotated[str | None, Query(max_length=64)] = None,
    campaign_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[AccrualOut]:
    caller = principal(router)
    found, next_cursor = _ledger().page(caller.brand_id, kind, state, partner_id, campaign_id, limit, cursor)
    return Page[AccrualOut](items=[_out(a) for a in found], next_cursor=next_cursor)


@router.post("/v1/accruals/<accrual_id>/release", summary="Let a cost kept over budget through (manager)")
@requires(Area.CONVERSIONS, write=True)
def handle_release_accrual(accrual_id: str) -> AccrualOut:
    caller = principal(router)
    return _out(_ledger().release(caller.brand_id, accrual_id, actor_of(caller)))


@router.post(
    "/v1/partners/<partner_id>/gifts",
    summary="Record a gift to a partner: a cost, never paid out",
    status_code=201,
)
@requires(Area.CONVERSIONS, write=True)
def handle_record_gift(partner_id: str, body: GiftCreate) -> AccrualOut:
    caller = principal(router)
    _known_partner(caller.brand_id, partner_id)
    gift = GiftIn(**body.model_dump())
    return _out(record_gift(_ledger(), caller.brand_id, partner_id, gift))


@router.get("/v1/partners/<partner_id>/gifts", summary="A partner's gifts, newest first")
@requires(Area.CONVERSIONS)
def handle_list_gifts(
    partner_id: str,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[AccrualOut]:
    caller = principal(router)
    _known_partner(caller.brand_id, partner_id)
    found, next_cursor = _ledger().page(
        caller.brand_id, CostKind.GIFTING.value, None, partner_id, None, limit, cursor
    )
    return Page[AccrualOut](items=[_out(a) for a in found], next_cursor=next_cursor)


@router.get("/v1/campaigns/<campaign_id>/spend", summary="A campaign's budget and what it has cost so far")
@requires(Area.CONVERSIONS)
def handle_campaign_spend(campaign_id: str) -> SpendOut:
    caller = principal(router)
    _, budget, spend = _ledger().spend_of(caller.brand_id, campaign_id)
    return SpendOut(
        campaign_id=campaign_id,
        budget=budget.amount if budget else None,
        currency=budget.currency if budget else None,
        committed=spend.committed,
        over_budget=spend.over,
        remaining=budget.amount - spend.committed if budget else None,
        warned=spend.warned,
    )
