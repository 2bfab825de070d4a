"""Discovery: importing a brand's creators and searching them, and the shared network."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from functions.api.schemas import Page
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.discovery import service as discovery
from starling.discovery import uploads
from starling.discovery.index import SearchFilters
from starling.discovery.repository import DynamoCreatorRepository, DynamoImportJobs
from starling.identity.model import Area
from starling.identity.repository import DynamoIdentityRepository
from starling.recruiting import erasure
from starling.recruiting.repository import DynamoPartnerRepository
from starling.shared.paging import clamp_limit

router = CapabilityRouter("Discovery")
_index_cache = discovery.IndexCache()  # warm across invocations of this function

# A decimal figure (a rate, a score's part) shown as text, so no client reads it as a float.
DecimalText = Annotated[str, BeforeValidator(str)]


class _FromDomain(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RejectedRowOut(_FromDomain):
    row: int
    errors: dict[str, str]


class ImportOut(_FromDomain):
    imported: int
    updated: int
    rejected: list[RejectedRowOut]
    ignored_columns: list[str]


class FitFactorOut(_FromDomain):
    name: str
    weight: DecimalText = Field(description="The most this factor gives in this score, in points out of 100")
    nominal_weight: int = Field(description="The factor's weight before scaling (FIT_WEIGHTS)")
    value: DecimalText
    contribution: DecimalText
    explanation: str


class FitOut(_FromDomain):
    score: int
    weighting: str = Field(description="How the nominal weights were scaled to fill 100 points")
    factors: list[FitFactorOut]


class CreatorHitOut(_FromDomain):
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


class CreatorOut(_FromDomain):
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


@router.post("/v1/creators/import", summary="Import creators: a JSON array, or CSV with a header row")
@requires(Area.CREATORS, write=True)
def handle_import_creators() -> ImportOut:
    caller = principal(router)
    event = router.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    summary = discovery.import_creator_file(
        DynamoCreatorRepository(), caller.brand_id, content_type, event.decoded_body or ""
    )
    return ImportOut.model_validate(summary, from_attributes=True)


class ImportStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"size_bytes": 131_072_000}]})
    size_bytes: int = Field(
        ge=1,
        le=uploads.MAX_UPLOAD_BYTES,
        description="The CSV file's size in bytes; the upload must match it",
    )


class ImportJobOut(_FromDomain):
    import_id: str
    status: Literal["waiting_for_upload", "importing", "finished", "failed"]
    finished: bool
    size_bytes: int
    rows_done: int = Field(description="Rows read so far, rejected ones included")
    imported: int
    updated: int
    rejected_count: int
    rejected: list[RejectedRowOut] = Field(
        description="Rejected rows by their number in the file (first 1,000)"
    )
    error: str | None = Field(description="Why a failed import stopped; the rows before stay imported")
    created_at: datetime
    updated_at: datetime


class ImportUploadOut(BaseModel):
    import_id: str
    upload_url: str = Field(description="PUT the CSV file here, with upload_headers, within the hour")
    upload_method: Literal["PUT"] = "PUT"
    upload_headers: dict[str, str]
    expires_at: datetime
    max_bytes: int
    progress_url: str


@router.post(
    "/v1/creators/imports",
    summary="Start a large import: an upload URL for a CSV file, imported in the background",
    status_code=201,
)
@requires(Area.CREATORS, write=True)
def handle_start_creator_upload(body: ImportStartIn) -> ImportUploadOut:
    caller = principal(router)
    ticket = uploads.start_upload(DynamoImportJobs(), caller.brand_id, body.size_bytes)
    return ImportUploadOut(
        import_id=ticket.job.import_id,
        upload_url=ticket.upload_url,
        upload_headers=ticket.upload_headers,
        expires_at=ticket.expires_at or ticket.job.created_at,
        max_bytes=uploads.MAX_UPLOAD_BYTES,
        progress_url=f"/v1/creators/imports/{ticket.job.import_id}",
    )


@router.get("/v1/creators/imports/<import_id>", summary="A large import's progress")
@requires(Area.CREATORS)
def handle_get_creator_upload(import_id: str) -> ImportJobOut:
    caller = principal(router)
    job = uploads.get_import(DynamoImportJobs(), caller.brand_id, import_id)
    return ImportJobOut.model_validate(job, from_attributes=True)


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
    min_engagement: Annotated[
        Decimal | None, Query(ge=0, description="A fraction of followers: 0.05 for 5%")
    ] = None,
    sort: Annotated[Literal["fit", "engagement", "followers"], Query()] = "fit",
    scope: Annotated[Literal["own", "network", "all"], Query()] = "own",
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[CreatorHitOut]:
    caller = principal(router)
    filters = SearchFilters(
        q=q, tier=tier, niche=niche, platform=platform, country=country, language=language,
        min_followers=min_followers, max_followers=max_followers, min_engagement=min_engagement, sort=sort,
    )  # fmt: skip
    hits, next_cursor = discovery.search_creators(
        DynamoCreatorRepository(), DynamoIdentityRepository(), _index_cache, caller.brand_id,
        filters, scope, clamp_limit(limit), cursor,
    )  # fmt: skip
    items = [CreatorHitOut.model_validate(hit, from_attributes=True) for hit in hits]
    return Page[CreatorHitOut](items=items, next_cursor=next_cursor)


@router.get("/v1/creators/<creator_id>", summary="One creator: the brand's own, or a discoverable one")
@requires(Area.CREATORS)
def handle_get_creator(creator_id: str) -> CreatorOut:
    caller = principal(router)
    creator = discovery.get_creator(
        DynamoCreatorRepository(), DynamoIdentityRepository(), caller.brand_id, creator_id
    )
    return CreatorOut.model_validate(creator, from_attributes=True)


class ErasureOut(_FromDomain):
    creator_id: str
    erased_at: datetime
    fields: list[str] = Field(description="The kinds of personal data erased (field names, never the data)")


@router.delete(
    "/v1/creators/<creator_id>",
    summary="Erase a creator on request: their personal data goes, figures stay, the audit log records it",
)
@requires(Area.CREATORS, write=True)
def handle_erase_creator(creator_id: str) -> ErasureOut:
    caller = principal(router)
    erased = erasure.erase_creator(
        DynamoIdentityRepository(), DynamoCreatorRepository(), DynamoPartnerRepository(), caller, creator_id
    )
    return ErasureOut.model_validate(erased, from_attributes=True)
