"""Campaigns: dates, a budget, the default terms partners who join get, and a status draft/active/ended."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from functions.api.routes.products import PriceIn, PriceOut, PricePatch
from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.catalog import service as catalog
from starling.catalog.campaign_repository import DynamoCampaignRepository
from starling.catalog.model import Campaign
from starling.identity.model import Area
from starling.shared.terms import Terms

router = CapabilityRouter("Catalog")
Status = Literal["draft", "active", "ended"]
_EXAMPLE: Any = {
    "name": "Spring glow",
    "starts_on": "2027-03-01",
    "ends_on": "2027-05-31",
    "budget": {"amount": 5000000, "currency": "USD"},
    "default_terms": {"currency": "USD", "cpa_percent": "12", "lock_days": 30},
}


class CampaignCreate(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date | None = None
    budget: PriceIn | None = Field(default=None, description="Money: amount in minor units and currency")
    default_terms: Terms | None = Field(default=None, description="The terms partners who join get")
    status: Literal["draft", "active"] = "draft"


class CampaignPatch(StrictBody):
    """A JSON Merge Patch: null clears ends_on, budget or default_terms; status: draft -> active -> ended."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "active", "ends_on": None}]})
    not_clearable = frozenset({"name", "starts_on", "status"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    budget: PricePatch | None = None
    default_terms: Terms | None = None
    status: Status | None = None


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    campaign_id: str
    name: str
    starts_on: date
    ends_on: date | None
    budget: PriceOut | None
    default_terms: dict[str, Any] | None
    status: str
    created_at: datetime
    updated_at: datetime

    @field_validator("default_terms", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> Any:
        return value.as_document() if isinstance(value, Terms) else value


def _out(campaign: Campaign) -> CampaignOut:
    return CampaignOut.model_validate(campaign)


def _fields(body: BaseModel, **options: Any) -> dict[str, Any]:
    fields = body.model_dump(**options)
    for name in ("default_terms",):
        value = getattr(body, name, None)
        if name in fields and isinstance(value, Terms):
            fields[name] = value  # the validated model, not its dump (tiers' `from`)
    return fields


@router.post("/v1/campaigns", summary="Add a campaign", status_code=201)
@requires(Area.CAMPAIGNS, write=True)
def handle_create_campaign(body: CampaignCreate) -> CampaignOut:
    caller = principal(router)
    return _out(catalog.create_campaign(DynamoCampaignRepository(), caller.brand_id, _fields(body)))


@router.get("/v1/campaigns", summary="The brand's campaigns, newest first")
@requires(Area.CAMPAIGNS)
def handle_list_campaigns(
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[CampaignOut]:
    caller = principal(router)
    found, next_cursor = catalog.list_campaigns(DynamoCampaignRepository(), caller.brand_id, limit, cursor)
    return Page[CampaignOut](items=[_out(c) for c in found], next_cursor=next_cursor)


@router.get("/v1/campaigns/<campaign_id>", summary="One campaign")
@requires(Area.CAMPAIGNS)
def handle_get_campaign(campaign_id: str) -> CampaignOut:
    caller = principal(router)
    return _out(catalog.get_campaign(DynamoCampaignRepository(), caller.brand_id, campaign_id))


@router.patch(
    "/v1/campaigns/<campaign_id>", summary="Change a campaign (JSON Merge Patch), or move its status"
)
@requires(Area.CAMPAIGNS, write=True)
def handle_patch_campaign(campaign_id: str, body: CampaignPatch) -> CampaignOut:
    caller = principal(router)
    changes = _fields(body, exclude_unset=True)
    return _out(catalog.update_campaign(DynamoCampaignRepository(), caller.brand_id, campaign_id, changes))
