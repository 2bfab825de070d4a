"""Identity: who am I, the brand's settings, and its API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field, HttpUrl

from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.identity import service as identity
from starling.identity.model import ApiKey, Brand
from starling.identity.repository import DynamoIdentityRepository
from starling.identity.roles import Area, Role
from starling.links import service as links
from starling.links.repository import DynamoLinkRepository
from starling.shared.paging import clamp_limit

router = APIGatewayHttpRouter()


class BrandOut(BaseModel):
    brand_id: str
    name: str
    slug: str
    allowed_domains: list[str]
    fallback_url: str | None
    utm_defaults: dict[str, str]
    tier_thresholds: dict[str, int]
    target_niches: list[str]
    target_countries: list[str]
    created_at: datetime

    @classmethod
    def of(cls, brand: Brand) -> BrandOut:
        return cls(
            brand_id=brand.brand_id,
            name=brand.name,
            slug=brand.slug,
            allowed_domains=list(brand.allowed_domains),
            fallback_url=brand.fallback_url,
            utm_defaults=brand.utm_defaults,
            tier_thresholds=brand.tier_thresholds,
            target_niches=list(brand.target_niches),
            target_countries=list(brand.target_countries),
            created_at=brand.created_at,
        )


class MeOut(BaseModel):
    brand: BrandOut
    role: Role
    key_id: str


class BrandPatch(StrictBody):
    not_clearable = frozenset({"name", "slug", "allowed_domains", "tier_thresholds"})

    name: str | None = Field(default=None, min_length=1, max_length=120)
    slug: str | None = Field(default=None, min_length=3, max_length=40)
    allowed_domains: list[str] | None = Field(default=None, max_length=50)
    fallback_url: HttpUrl | None = None
    utm_defaults: dict[str, str] | None = None
    tier_thresholds: dict[str, int] | None = None
    target_niches: list[str] | None = Field(default=None, max_length=30)
    target_countries: list[str] | None = Field(default=None, max_length=250)


class ApiKeyCreate(StrictBody):
    name: str = Field(min_length=1, max_length=100)
    role: Role


class ApiKeyOut(BaseModel):
    key_id: str
    name: str
    role: Role
    display: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            key_id=key.key_id,
            name=key.name,
            role=key.role,
            display=key.display,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


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
    return MeOut(
        brand=BrandOut.of(_repo().get_brand(caller.brand_id)), role=caller.role, key_id=caller.key_id
    )


@router.get("/v1/brand", summary="The brand's settings")
@requires(Area.BRAND)
def handle_get_brand() -> BrandOut:
    caller = principal(router)
    return BrandOut.of(_repo().get_brand(caller.brand_id))


@router.patch("/v1/brand", summary="Change the brand's settings (owner)")
@requires(Area.BRAND, write=True)
def handle_patch_brand(body: BrandPatch) -> BrandOut:
    caller = principal(router)
    changes = body.model_dump(mode="json", exclude_unset=True)
    brand = identity.update_brand(_repo(), caller.brand_id, changes)
    if {"utm_defaults", "fallback_url"} & set(changes):
        links.refresh_redirects(DynamoLinkRepository(), brand)
    return BrandOut.of(brand)


@router.post("/v1/api-keys", summary="Create an API key (owner); the key is returned once", status_code=201)
@requires(Area.API_KEYS, write=True)
def handle_create_api_key(body: ApiKeyCreate) -> ApiKeyCreated:
    caller = principal(router)
    created = identity.create_api_key(_repo(), caller.brand_id, body.name, body.role)
    out = ApiKeyCreated(**ApiKeyOut.of(created.key).model_dump(), key=created.raw_key)
    return out


@router.get("/v1/api-keys", summary="List the brand's API keys (owner)")
@requires(Area.API_KEYS)
def handle_list_api_keys(
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[ApiKeyOut]:
    caller = principal(router)
    keys, next_cursor = _repo().list_api_keys(caller.brand_id, clamp_limit(limit), cursor)
    return Page[ApiKeyOut](items=[ApiKeyOut.of(k) for k in keys], next_cursor=next_cursor)


@router.delete("/v1/api-keys/<key_id>", summary="Revoke an API key (owner); it is refused at once")
@requires(Area.API_KEYS, write=True)
def handle_revoke_api_key(key_id: str) -> ApiKeyOut:
    caller = principal(router)
    return ApiKeyOut.of(identity.revoke_api_key(_repo(), caller, key_id))
