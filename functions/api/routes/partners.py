"""Recruiting: partners in the pipeline, their stage moves and timeline, outreach templates, analytics."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from functions.api.routes import onboarding
from functions.api.schemas import MULTILINE, Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.events import public_base_url
from starling.api.openapi import CapabilityRouter
from starling.discovery.importing import RejectedRow, validate_creator_row
from starling.discovery.model import CreatorDraft
from starling.discovery.repository import DynamoCreatorRepository
from starling.identity.model import Area
from starling.identity.repository import DynamoIdentityRepository
from starling.recruiting import service as recruiting
from starling.recruiting.model import EmailTemplate, Stage
from starling.recruiting.repository import DynamoPartnerRepository
from starling.shared.email import SesEmailSender
from starling.shared.errors import Invalid
from starling.shared.paging import clamp_limit

router = CapabilityRouter("Recruiting")


@lru_cache(maxsize=1)
def _email() -> SesEmailSender:
    return SesEmailSender()


class NewCreator(BaseModel):
    """A creator who is not in the brand's list yet (the import's fields)."""

    model_config = {"extra": "allow"}
    handle: str
    platform: str


class PartnerCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "creator": {
                        "handle": "maya.makes",
                        "platform": "instagram",
                        "display_name": "Maya Lopez",
                        "email": "maya@example.com",
                    },
                    "note": "Met at the spring fair",
                }
            ]
        }
    )

    creator_id: str | None = Field(default=None, max_length=40)
    creator: NewCreator | None = None
    stage: str = "prospect"
    note: str | None = Field(default=None, max_length=2000, json_schema_extra=MULTILINE)

    @model_validator(mode="after")
    def one_creator(self) -> PartnerCreate:
        if (self.creator_id is None) == (self.creator is None):
            raise ValueError("send exactly one of creator_id or creator")
        return self


class PartnerPatch(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"owner": "sam@brand.example", "follow_up_on": "2026-12-07"}]}
    )

    owner: str | None = Field(default=None, max_length=200)
    follow_up_on: date | None = None
    notes: str | None = Field(default=None, max_length=2000, json_schema_extra=MULTILINE)
    coupon_codes: list[str] | None = Field(
        default=None, max_length=20, description="The partner's coupon codes, unique per brand in any case"
    )


class StageMove(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"stage": "contacted", "note": "Sent the spring brief", "send_email": True}]
        }
    )

    stage: str = Field(max_length=40)
    note: str | None = Field(default=None, max_length=2000, json_schema_extra=MULTILINE)
    send_email: bool = False


class PartnerOut(BaseModel):
    """A partner as the calling brand sees it (the services apply discovery's `partner_as_seen_by`)."""

    model_config = ConfigDict(from_attributes=True)
    partner_id: str
    creator_id: str
    platform: str
    handle: str
    display_name: str
    email: str | None = Field(description="Shown once the creator shared it with the brand")
    contact_via_network: bool = Field(description="A network creator Starling writes to for the brand")
    stage: str
    stage_entered_at: datetime
    owner: str | None
    follow_up_on: date | None
    overdue: bool
    notes: str
    coupon_codes: list[str]
    created_at: datetime
    updated_at: datetime


class TimelineEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    at: datetime
    actor: str
    from_stage: str | None
    to_stage: str | None
    note: str
    email_to: str | None
    email_subject: str | None
    message_id: str | None
    undo: bool = Field(description="A stage move back that undid the move before")


class HistoryOut(BaseModel):
    items: list[TimelineEntryOut]


class StageConversionOut(BaseModel):
    model_config = {"populate_by_name": True}
    from_stage: str = Field(alias="from")
    to_stage: str = Field(alias="to")
    reached_from: int
    reached_to: int
    rate: str | None


class PipelineOut(BaseModel):
    counts: dict[str, int]
    conversions: list[dict[str, Any]]
    median_days_in_stage: dict[str, str | None]


class TemplateIn(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"subject": "$brand_name would love to work with you", "text_body": "Hi $first_name, ..."}
            ]
        }
    )

    subject: str = Field(min_length=1, max_length=200)
    text_body: str = Field(min_length=1, max_length=20000, json_schema_extra=MULTILINE)
    html_body: str | None = Field(default=None, max_length=50000, json_schema_extra=MULTILINE)


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    subject: str
    text_body: str
    html_body: str | None


def _draft(creator: NewCreator) -> CreatorDraft:
    checked = validate_creator_row(creator.model_dump(), row=1)
    if isinstance(checked, RejectedRow):
        raise Invalid(
            "The new creator has fields at fault.", {f"creator.{k}": v for k, v in checked.errors.items()}
        )
    return checked


@router.post(
    "/v1/partners", summary="Add a creator to the pipeline (by creator_id, or a new creator)", status_code=201
)
@requires(Area.PARTNERS, write=True)
def handle_create_partner(body: PartnerCreate) -> PartnerOut:
    caller = principal(router)
    creator = recruiting.creator_for_partner(
        DynamoCreatorRepository(),
        caller.brand_id,
        body.creator_id,
        _draft(body.creator) if body.creator else None,
    )
    partner = recruiting.add_partner(
        DynamoPartnerRepository(),
        caller.brand_id,
        creator,
        body.stage,
        recruiting.actor_of(caller),
        body.note,
    )
    return PartnerOut.model_validate(partner, from_attributes=True)


@router.get(
    "/v1/partners", summary="The brand's partners, optionally at one stage or searched by handle or name"
)
@requires(Area.PARTNERS)
def handle_list_partners(
    stage: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Words that start the handle or the name, case and accents ignored ('zoe' finds Zoë)",
        ),
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[PartnerOut]:
    caller = principal(router)
    partners, next_cursor = recruiting.list_partners(
        DynamoPartnerRepository(), caller.brand_id, stage, clamp_limit(limit), cursor, q
    )
    items = [PartnerOut.model_validate(p, from_attributes=True) for p in partners]
    return Page[PartnerOut](items=items, next_cursor=next_cursor)


@router.get("/v1/partners/<partner_id>", summary="One partner")
@requires(Area.PARTNERS)
def handle_get_partner(partner_id: str) -> PartnerOut:
    caller = principal(router)
    partner = recruiting.get_partner(DynamoPartnerRepository(), caller.brand_id, partner_id)
    return PartnerOut.model_validate(partner, from_attributes=True)


@router.patch("/v1/partners/<partner_id>", summary="Assign an owner, set a follow-up date, keep notes")
@requires(Area.PARTNERS, write=True)
def handle_patch_partner(partner_id: str, body: PartnerPatch) -> PartnerOut:
    caller = principal(router)
    changes = body.model_dump(exclude_unset=True)
    partner = recruiting.update_partner(DynamoPartnerRepository(), caller.brand_id, partner_id, changes)
    return PartnerOut.model_validate(partner, from_attributes=True)


@router.post(
    "/v1/partners/<partner_id>/stage",
    summary="Move a partner to another stage, or back to the stage before with a note (409 if not allowed)",
    description=(
        "Moves follow the pipeline's rules. Before `active`, a partner can also go back to the stage they "
        "came from (an undo): send that stage with a `note` saying why; history marks the move `undo`, and "
        "conversion figures leave out the undone move."
    ),
)
@requires(Area.PARTNERS, write=True)
def handle_move_stage(partner_id: str, body: StageMove) -> PartnerOut:
    caller = principal(router)
    partner = recruiting.move_stage(
        DynamoPartnerRepository(),
        DynamoCreatorRepository(),
        DynamoIdentityRepository(),
        _email(),
        caller.brand_id,
        partner_id,
        body.stage,
        recruiting.actor_of(caller),
        body.note,
        send_email=body.send_email,
        public_base_url=public_base_url(router.current_event),
    )
    if partner.stage is Stage.APPROVED:
        onboarding.start_for_approved(caller.brand_id, partner_id)
    return PartnerOut.model_validate(partner, from_attributes=True)


@router.get("/v1/partners/<partner_id>/history", summary="Stage moves and emails, oldest first")
@requires(Area.PARTNERS)
def handle_partner_history(partner_id: str) -> HistoryOut:
    caller = principal(router)
    entries = recruiting.history(DynamoPartnerRepository(), caller.brand_id, partner_id)
    return HistoryOut(items=[TimelineEntryOut.model_validate(e, from_attributes=True) for e in entries])


@router.get("/v1/pipeline", summary="Count per stage, stage-to-stage conversion, median days in stage")
@requires(Area.PARTNERS)
def handle_pipeline() -> PipelineOut:
    caller = principal(router)
    return PipelineOut(**recruiting.summary(DynamoPartnerRepository(), caller.brand_id).as_dict())


@router.get("/v1/email-templates/<name>", summary="An outreach email template (the default until set)")
@requires(Area.PARTNERS)
def handle_get_template(name: str) -> TemplateOut:
    caller = principal(router)
    template = recruiting.template_for(DynamoPartnerRepository(), caller.brand_id, name)
    return TemplateOut.model_validate({"name": name, **asdict(template)})


@router.put("/v1/email-templates/<name>", summary="Set an outreach template: $first_name, $brand_name, ...")
@requires(Area.PARTNERS, write=True)
def handle_put_template(name: str, body: TemplateIn) -> TemplateOut:
    caller = principal(router)
    template = recruiting.set_template(
        DynamoPartnerRepository(),
        caller.brand_id,
        name,
        EmailTemplate(body.subject, body.text_body, body.html_body),
    )
    return TemplateOut.model_validate({"name": name, **asdict(template)})


@router.delete(
    "/v1/email-templates/<name>", summary="Delete the brand's own template: the default applies again"
)
@requires(Area.PARTNERS, write=True)
def handle_delete_template(name: str) -> TemplateOut:
    caller = principal(router)
    template = recruiting.reset_template(DynamoPartnerRepository(), caller.brand_id, name)
    return TemplateOut.model_validate({"name": name, **asdict(template)})
