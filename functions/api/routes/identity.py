"""Identity: who am I, the brand's settings, and its API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.identity import service as identity
from starling.identity.model import Area, Role
from starling.identity.repository import DynamoIdentityRepository
from starling.links import service as links
from starling.links.repository import DynamoLinkRepository

router = CapabilityRouter("Identity")


class BrandOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    brand_id: str
    name: str
    slug: str
    allowed_domains: list[str]
    fallback_url: str | None
    logo_url: str | None = Field(description="https URL of the logo the application form shows")
    terms_url: str | None = Field(
        description="https URL of the terms an applicant accepts; without it the form asks for none"
    )
    utm_defaults: dict[str, str]
    tier_thresholds: dict[str, int]
    target_niches: list[str]
    target_countries: list[str]
    locale: str = Field(description="How amounts are shown to people, a locale like en_US or de_DE")
    created_at: datetime


class MeOut(BaseModel):
    brand: BrandOut
    role: Role
    key_id: str


class BrandPatch(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"utm_defaults": {"utm_medium": "influencer"}, "target_niches": ["skincare"]}]
        }
    )

    not_clearable = frozenset({"name", "slug", "allowed_domains", "tier_thresholds", "locale"})

    name: str | None = Field(default=None, min_length=1, max_length=120)
    slug: str | None = Field(default=None, min_length=3, max_length=40)
    allowed_domains: list[str] | None = Field(
        default=None, max_length=50, description="Replaced whole (a list): send every domain to keep"
    )
    fallback_url: HttpUrl | None = None
    logo_url: HttpUrl | None = None
    terms_url: HttpUrl | None = None
    utm_defaults: dict[str, str | None] | None = Field(
        default=None, description="Merged key by key (JSON Merge Patch); null removes a key"
    )
    tier_thresholds: dict[str, int | None] | None = Field(
        default=None, description="Merged key by key; every tier must remain"
    )
    target_niches: list[str] | None = Field(default=None, max_length=30)
    target_countries: list[str] | None = Field(default=None, max_length=250)
    locale: str | None = Field(default=None, min_length=2, max_length=40, description="en_US, de_DE, ja_JP")


class ApiKeyCreate(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Finance team", "role": "finance"}]})

    name: str = Field(min_length=1, max_length=100)
    role: Role


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key_id: str
    name: str
    role: Role
    display: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str | None = Field(
        description="The API key. It is shown once and never again: null when this answer is an idempotent "
        "replay (header Idempotent-Replayed: true), with key_notice saying what to do."
    )
    key_notice: str | None = None


def _repo() -> DynamoIdentityRepository:
    return DynamoIdentityRepository()


@router.get("/v1/me", summary="The calling key's brand and role")
@requires(None)
def handle_get_me() -> MeOut:
    caller = principal(router)
    brand = identity.get_brand(_repo(), caller.brand_id)
    return MeOut(brand=BrandOut.model_validate(brand), role=caller.role, key_id=caller.key_id)


@router.get("/v1/brand", summary="The brand's settings")
@requires(Area.BRAND)
def handle_get_brand() -> BrandOut:
    caller = principal(router)
    return BrandOut.model_validate(identity.get_brand(_repo(), caller.brand_id))


@router.patch("/v1/brand", summary="Change the brand's settings (owner), as a JSON Merge Patch")
@requires(Area.BRAND, write=True)
def handle_patch_brand(body: BrandPatch) -> BrandOut:
    caller = principal(router)
    changes = body.model_dump(mode="json", exclude_unset=True)
    brand = links.change_brand(_repo(), DynamoLinkRepository(), caller.brand_id, changes)
    return BrandOut.model_validate(brand)


@router.post("/v1/api-keys", summary="Create an API key (owner); the key is returned once", status_code=201)
@requires(Area.API_KEYS, write=True)
def handle_create_api_key(body: ApiKeyCreate) -> ApiKeyCreated:
    caller = principal(router)
    created = identity.create_api_key(_repo(), caller.brand_id, body.name, body.role)
    shown = ApiKeyOut.model_validate(created.key).model_dump()
    return ApiKeyCreated.model_validate({**shown, "key": created.raw_key})


@router.get("/v1/api-keys", summary="List the brand's API keys (owner)")
@requires(Area.API_KEYS)
def handle_list_api_keys(
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[ApiKeyOut]:
    caller = principal(router)
    keys, next_cursor = identity.list_api_keys(_repo(), caller.brand_id, limit, cursor)
    return Page[ApiKeyOut](items=[ApiKeyOut.model_validate(k) for k in keys], next_cursor=next_cursor)


@router.delete("/v1/api-keys/<key_id>", summary="Revoke an API key (owner); it is refused at once")
@requires(Area.API_KEYS, write=True)
def handle_revoke_api_key(key_id: str) -> ApiKeyOut:
    caller = principal(router)
    return ApiKeyOut.model_validate(identity.revoke_api_key(_repo(), caller, key_id))


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entry_id: str
    action: str = Field(description='What was done, like "creator.erased"')
    subject: str = Field(description="The id of what it was done to")
    actor: str = Field(description="The API key that did it")
    at: datetime
    fields: list[str] = Field(description="The kinds of data it concerned (field names, never the data)")


@router.get("/v1/audit-log", summary="The brand's audit trail, newest first (owner)")
@requires(Area.AUDIT)
def handle_audit_log(
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[AuditEntryOut]:
    caller = principal(router)
    entries, next_cursor = identity.audit_log(_repo(), caller.brand_id, limit, cursor)
    items = [AuditEntryOut.model_validate(e, from_attributes=True) for e in entries]
    return Page[AuditEntryOut](items=items, next_cursor=next_cursor)
