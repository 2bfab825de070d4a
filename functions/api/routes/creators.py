"""Discovery: importing a brand's creators and searching them, and the shared network."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from functions.api.schemas import Page
from starling.api.auth import principal, requires
from starling.discovery import service as discovery
from starling.discovery.creators import Creator, engagement_rate, parse_creator_csv, parse_creator_rows_json
from starling.discovery.model import SearchFilters
from starling.discovery.repository import DynamoCreatorRepository
from starling.identity.model import Area
from starling.identity.repository import DynamoIdentityRepository
from starling.shared.errors import Invalid
from starling.shared.paging import clamp_limit

router = APIGatewayHttpRouter()
_index_cache = discovery.IndexCache()  # warm across invocations of this function


class RejectedRowOut(BaseModel):
    row: int
    errors: dict[str, str]


class ImportOut(BaseModel):
    imported: int
    updated: int
    rejected: list[RejectedRowOut]
    ignored_columns: list[str]


class FitFactorOut(BaseModel):
    name: str
    weight: int
    value: str
    contribution: str
    explanation: str


class FitOut(BaseModel):
    score: int
    factors: list[FitFactorOut]


class CreatorHitOut(BaseModel):
    creator_id: str
    source: Literal["own", "network"]
    platform: str
    handle: str
    display_name: str
    followers: int
    tier: str
    engagement_rate: str
    engagement_percentile: int
    niches: list[str]
    country: str | None
    language: str | None
    brand_safety_flags: list[str]
    fit: FitOut


class CreatorOut(BaseModel):
    creator_id: str
    source: Literal["own", "network"]
    platform: str
    handle: str
    display_name: str
    followers: int
    avg_likes: int
    avg_comments: int
    avg_views: int
    tier: str
    engagement_rate: str
    niches: list[str]
    country: str | None
    language: str | None
    email: str | None = Field(description="Shown once the creator shared it with the brand")
    contact_via_network: bool = Field(description="A network creator Starling writes to for the brand")
    profile_url: str | None
    notes: str
    discoverable: bool
    brand_safety_flags: list[str]
    created_at: datetime
    updated_at: datetime


def _creator_out(creator: Creator, source: str, tier: str) -> CreatorOut:
    """`creator` is already the brand's view of them (`discovery.get_creator` applies `public_profile`)."""
    return CreatorOut(
        creator_id=creator.creator_id,
        source=source,  # type: ignore[arg-type]
        platform=creator.platform.value,
        handle=creator.handle,
        display_name=creator.display_name,
        followers=creator.followers,
        avg_likes=creator.avg_likes,
        avg_comments=creator.avg_comments,
        avg_views=creator.avg_views,
        tier=tier,
        engagement_rate=str(engagement_rate(creator)),
        niches=list(creator.niches),
        country=creator.country,
        language=creator.language,
        email=creator.email,
        contact_via_network=source == "network" or creator.network_contact_id is not None,
        profile_url=creator.profile_url,
        notes=creator.notes,
        discoverable=creator.discoverable,
        brand_safety_flags=list(creator.brand_safety_flags),
        created_at=creator.created_at,
        updated_at=creator.updated_at,
    )


@router.post("/v1/creators/import", summary="Import creators: a JSON array, or CSV with a header row")
@requires(Area.CREATORS, write=True)
def handle_import_creators() -> ImportOut:
    caller = principal(router)
    event = router.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = event.decoded_body or ""
    if content_type in ("text/csv", "application/csv", "text/plain"):
        parsed = parse_creator_csv(body)
    else:
        payload: Any = json.loads(body) if body.strip() else None
        if isinstance(payload, dict) and isinstance(payload.get("creators"), list):
            payload = payload["creators"]
        if not isinstance(payload, list):
            raise Invalid(
                'Send a JSON array of creators (or {"creators": [...]}), or CSV with Content-Type: text/csv.',
                {"body": "a JSON array or CSV"},
            )
        parsed = parse_creator_rows_json(payload)
    summary = discovery.import_creators(DynamoCreatorRepository(), caller.brand_id, parsed)
    return ImportOut(
        imported=summary.imported,
        updated=summary.updated,
        rejected=[RejectedRowOut(**r) for r in summary.rejected],
        ignored_columns=list(summary.ignored_columns),
    )


@router.get("/v1/creators", summary="Search creators; each result explains its fit score")
@requires(Area.CREATORS)
def handle_search_creators(
    q: Annotated[str | None, Query(max_length=200)] = None,
    tier: Annotated[str | None, Query(max_length=20)] = None,
    niche: Annotated[str | None, Query(max_length=50)] = None,
    platform: Annotated[str | None, Query(max_length=20)] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    language: Annotated[str | None, Query(min_length=2, max_length=8)] = None,
    min_followers: Annotated[int | None, Query(ge=0)] = None,
    max_followers: Annotated[int | None, Query(ge=0)] = None,
    min_engagement: Annotated[Decimal | None, Query(ge=0, le=100)] = None,
    sort: Annotated[Literal["fit", "engagement", "followers"], Query()] = "fit",
    scope: Annotated[Literal["own", "network", "all"], Query()] = "own",
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[CreatorHitOut]:
    caller = principal(router)
    brand = DynamoIdentityRepository().get_brand(caller.brand_id)
    filters = SearchFilters(
        q=q, tier=tier, niche=niche, platform=platform, country=country, language=language,
        min_followers=min_followers, max_followers=max_followers, min_engagement=min_engagement, sort=sort,
    )  # fmt: skip
    hits, next_cursor = discovery.search_creators(
        DynamoCreatorRepository(), _index_cache, brand, filters, scope, clamp_limit(limit), cursor
    )
    items = [
        CreatorHitOut(
            creator_id=h.row.creator_id,
            source=h.source,  # type: ignore[arg-type]
            platform=h.row.platform,
            handle=h.row.handle,
            display_name=h.row.name,
            followers=h.row.followers,
            tier=h.tier,
            engagement_rate=f"{h.row.engagement:.4f}",
            engagement_percentile=h.engagement_percentile,
            niches=list(h.row.niches),
            country=h.row.country,
            language=h.row.language,
            brand_safety_flags=list(h.row.flags),
            fit=FitOut(**h.fit.as_dict()),
        )
        for h in hits
    ]
    return Page[CreatorHitOut](items=items, next_cursor=next_cursor)


@router.get("/v1/creators/<creator_id>", summary="One creator: the brand's own, or a discoverable one")
@requires(Area.CREATORS)
def handle_get_creator(creator_id: str) -> CreatorOut:
    caller = principal(router)
    brand = DynamoIdentityRepository().get_brand(caller.brand_id)
    creator, source = discovery.get_creator(DynamoCreatorRepository(), brand, creator_id)
    return _creator_out(creator, source, discovery.creator_tier(creator, brand))
