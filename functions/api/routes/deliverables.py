"""Deliverables: posts partners submit (in the portal, or recorded by the brand), each checked for a
disclosure, banned words and the partner's own link or coupon; the brand approves (the post earns its
per-post fee) or rejects with a reason. The brand's rules for the checks are its program settings."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from functions.api.schemas import MULTILINE, Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.events import public_base_url
from starling.api.openapi import CapabilityRouter
from starling.conversions.deliverables import PLATFORMS, Deliverable
from starling.conversions.deliverables_service import DeliverablesService
from starling.identity.model import Area
from starling.recruiting.service import actor_of
from starling.shared.settings import Settings

router = CapabilityRouter("Deliverables")


@lru_cache(maxsize=4)
def _services(settings: Settings) -> DeliverablesService:
    return DeliverablesService.from_settings(settings)


def _service() -> DeliverablesService:
    return _services(Settings.from_env())


class PostCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner_id": "ptn_...",
                    "url": "https://www.instagram.com/p/C1a2b3/",
                    "platform": "instagram",
                    "caption": "My morning routine #ad go.brand.com/maya",
                },
            ]
        }
    )

    partner_id: str = Field(min_length=1, max_length=64, description="Whose post it is")
    url: str = Field(min_length=1, max_length=2000, description="The post's address")
    platform: str = Field(min_length=1, max_length=20, description=", ".join(PLATFORMS))
    caption: str = Field(min_length=1, max_length=5000, json_schema_extra=MULTILINE)
    campaign_id: str | None = Field(default=None, max_length=64, description="The campaign it is for")


class Approval(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "Great post"}]})

    note: str | None = Field(default=None, max_length=2000, json_schema_extra=MULTILINE)


class Rejection(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Add #ad at the start of the caption"}]}
    )

    reason: str = Field(
        min_length=1, max_length=2000, description="Shown to the partner", json_schema_extra=MULTILINE
    )


class CheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str = Field(description="disclosure, banned_words or link_or_coupon")
    passed: bool
    detail: str


class FeeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    amount: int = Field(description="The per-post fee earned, minor units (0: none)")
    currency: str | None
    accrual_id: str | None = Field(description="The fee's cost accrual (GET /v1/accruals)")
    state: str | None = Field(description="accrued or over_budget")
    note: str


class DeliverableOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    deliverable_id: str
    partner_id: str
    campaign_id: str | None
    url: str
    platform: str
    caption: str
    checks: list[CheckOut]
    passed: bool = Field(description="Whether every check passed")
    status: str = Field(description="submitted, approved or rejected")
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None = Field(description="The rejection's reason, or the approval's note")
    fee: FeeOut | None


class ProgramSettingsChange(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "disclosures": ["#ad", "#sponsored", "paid partnership"],
                    "banned_words": ["cure", "guaranteed"],
                    "manager_emails": ["team@brand.example"],
                },
            ]
        }
    )

    disclosures: list[str] | None = Field(
        default=None, max_length=100, description="Any one marks a post as paid"
    )
    banned_words: list[str] | None = Field(default=None, max_length=100, description="None may appear")
    manager_emails: list[str] | None = Field(
        default=None, max_length=20, description="Who gets budget warnings"
    )


class ProgramSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    disclosures: list[str]
    banned_words: list[str]
    manager_emails: list[str]


def _out(d: Deliverable) -> DeliverableOut:
    return DeliverableOut.model_validate(d)


@router.post(
    "/v1/deliverables",
    summary="Record a partner's post on their behalf (partners submit in the portal)",
    status_code=201,
)
@requires(Area.DELIVERABLES, write=True)
def handle_record_post(body: PostCreate) -> DeliverableOut:
    caller = principal(router)
    fields = body.model_dump(exclude={"partner_id"})
    base = public_base_url(router.current_event)
    return _out(_service().submit(caller.brand_id, body.partner_id, fields, base))


@router.get("/v1/deliverables", summary="Posts, newest first, by status or partner")
@requires(Area.DELIVERABLES)
def handle_list_posts(
    status: Annotated[str | None, Query(max_length=40)] = None,
    partner_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[DeliverableOut]:
    caller = principal(router)
    found, next_cursor = _service().page(caller.brand_id, status, partner_id, limit, cursor)
    return Page[DeliverableOut](items=[_out(d) for d in found], next_cursor=next_cursor)


@router.get("/v1/deliverables/<deliverable_id>", summary="A post, its checks and the decision")
@requires(Area.DELIVERABLES)
def handle_get_post(deliverable_id: str) -> DeliverableOut:
    caller = principal(router)
    return _out(_service().get(caller.brand_id, deliverable_id))


@router.post("/v1/deliverables/<deliverable_id>/approve", summary="Approve a post: it earns its per-post fee")
@requires(Area.DELIVERABLES, write=True)
def handle_approve_post(deliverable_id: str, body: Approval) -> DeliverableOut:
    caller = principal(router)
    return _out(_service().approve(caller.brand_id, deliverable_id, actor_of(caller), body.note))


@router.post(
    "/v1/deliverables/<deliverable_id>/reject", summary="Reject a post with a reason the partner sees"
)
@requires(Area.DELIVERABLES, write=True)
def handle_reject_post(deliverable_id: str, body: Rejection) -> DeliverableOut:
    caller = principal(router)
    return _out(_service().reject(caller.brand_id, deliverable_id, actor_of(caller), body.reason))


@router.get("/v1/program-settings", summary="What posts must disclose and avoid; who gets budget warnings")
@requires(Area.DELIVERABLES)
def handle_get_program_settings() -> ProgramSettingsOut:
    caller = principal(router)
    return ProgramSettingsOut.model_validate(_service().settings(caller.brand_id))


@router.patch("/v1/program-settings", summary="Change the disclosures, banned words or budget-warning emails")
@requires(Area.DELIVERABLES, write=True)
def handle_change_program_settings(body: ProgramSettingsChange) -> ProgramSettingsOut:
    caller = principal(router)
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    return ProgramSettingsOut.model_validate(_service().change_settings(caller.brand_id, fields))
