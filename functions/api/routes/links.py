"""Vanity links: create them for partners, list and change them, their click figures and QR codes."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.events import public_base_url
from starling.api.openapi import CapabilityRouter
from starling.catalog.campaign_repository import DynamoCampaignRepository
from starling.catalog.repository import DynamoProductRepository
from starling.identity.model import Area
from starling.identity.repository import DynamoIdentityRepository
from starling.links import service as links
from starling.links.model import LinkView
from starling.links.repository import DynamoLinkRepository
from starling.recruiting.repository import DynamoPartnerRepository
from starling.shared.paging import clamp_limit

router = CapabilityRouter("Links")


class LinkCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner_id": "ptn_0123456789abcdef",
                    "destination_url": "https://shop.example.com/serum",
                    "slug": "maya-serum",
                    "campaign_id": "spring",
                    "utm": {"utm_campaign": "spring"},
                }
            ]
        }
    )

    partner_id: str = Field(min_length=1, max_length=64)
    destination_url: str | None = Field(default=None, max_length=4096)
    product_id: str | None = Field(default=None, max_length=64)
    slug: str | None = Field(default=None, max_length=200)
    campaign_id: str | None = Field(default=None, max_length=200, description="One of the brand's campaigns")
    utm: dict[str, str | None] | None = None
    ios_url: str | None = Field(default=None, max_length=4096)
    android_url: str | None = Field(default=None, max_length=4096)
    expires_at: datetime | None = None


class LinkPatch(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"destination_url": "https://shop.example.com/serum-2", "disabled": False}]
        }
    )
    not_clearable = frozenset({"slug"})

    slug: str | None = Field(
        default=None,
        max_length=200,
        description="Rename the link: the old slug keeps redirecting here for 30 days, then answers 404",
    )
    destination_url: str | None = Field(default=None, max_length=4096)
    product_id: str | None = Field(default=None, max_length=64)
    campaign_id: str | None = Field(default=None, max_length=200, description="One of the brand's campaigns")
    utm: dict[str, str | None] | None = None
    ios_url: str | None = Field(default=None, max_length=4096)
    android_url: str | None = Field(default=None, max_length=4096)
    expires_at: datetime | None = None
    disabled: bool | None = None


class LinkOut(BaseModel):
    slug: str
    short_url: str
    qr_svg_url: str
    partner_id: str
    destination_url: str
    product_id: str | None
    campaign_id: str | None
    utm: dict[str, str | None]
    effective_utm: dict[str, str]
    ios_url: str | None
    android_url: str | None
    expires_at: datetime | None
    disabled: bool
    archived_at: datetime | None = Field(description="When the link was archived; null while it is live")
    previous_slugs: list[str] = Field(description="The slugs it had before renames, oldest first")
    clicks: int
    unique_clicks: int
    bot_clicks: int
    flagged_clicks: int
    created_at: datetime
    updated_at: datetime


def _out(view: LinkView) -> LinkOut:
    return LinkOut.model_validate(view, from_attributes=True)


def _base_url() -> str:
    return public_base_url(router.current_event)


@router.post(
    "/v1/links",
    summary="Create a partner's link to a URL or a product (slug chosen or generated)",
    status_code=201,
)
@requires(Area.LINKS, write=True)
def handle_create_link(body: LinkCreate) -> LinkOut:
    caller = principal(router)
    created = links.create_link(
        DynamoLinkRepository(),
        DynamoIdentityRepository(),
        DynamoPartnerRepository(),
        DynamoProductRepository(),
        caller.brand_id,
        body.model_dump(exclude_unset=True),
        _base_url(),
        DynamoCampaignRepository(),
    )
    return _out(created)


@router.get("/v1/links", summary="The brand's links, or one partner's; archived ones with archived=true")
@requires(Area.LINKS)
def handle_list_links(
    partner_id: Annotated[str | None, Query(max_length=64)] = None,
    archived: Annotated[
        bool, Query(description="true lists the archived links instead of the live ones")
    ] = False,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[LinkOut]:
    caller = principal(router)
    found, next_cursor = links.list_links(
        DynamoLinkRepository(),
        DynamoIdentityRepository(),
        caller.brand_id,
        partner_id,
        clamp_limit(limit),
        cursor,
        _base_url(),
        archived,
    )
    return Page[LinkOut](items=[_out(view) for view in found], next_cursor=next_cursor)


@router.get("/v1/links/<slug>", summary="One link with its clicks, unique clicks and bot clicks")
@requires(Area.LINKS)
def handle_get_link(slug: str) -> LinkOut:
    caller = principal(router)
    return _out(
        links.get_link(
            DynamoLinkRepository(), DynamoIdentityRepository(), caller.brand_id, slug.lower(), _base_url()
        )
    )


@router.patch(
    "/v1/links/<slug>", summary="Change a link (JSON Merge Patch): slug, destination, devices, UTM, expiry"
)
@requires(Area.LINKS, write=True)
def handle_patch_link(slug: str, body: LinkPatch) -> LinkOut:
    caller = principal(router)
    changed = links.update_link(
        DynamoLinkRepository(),
        DynamoIdentityRepository(),
        DynamoProductRepository(),
        caller.brand_id,
        slug.lower(),
        body.model_dump(exclude_unset=True),
        _base_url(),
        DynamoCampaignRepository(),
    )
    return _out(changed)


@router.post(
    "/v1/links/<slug>/archive",
    summary="Archive a link: it sends shoppers to the brand's fallback, keeps its figures, leaves the lists",
)
@requires(Area.LINKS, write=True)
def handle_archive_link(slug: str) -> LinkOut:
    caller = principal(router)
    view = links.archive_link(
        DynamoLinkRepository(), DynamoIdentityRepository(), caller.brand_id, slug.lower(), True, _base_url()
    )
    return _out(view)


@router.post("/v1/links/<slug>/unarchive", summary="Bring an archived link back: it redirects again")
@requires(Area.LINKS, write=True)
def handle_unarchive_link(slug: str) -> LinkOut:
    caller = principal(router)
    view = links.archive_link(
        DynamoLinkRepository(), DynamoIdentityRepository(), caller.brand_id, slug.lower(), False, _base_url()
    )
    return _out(view)


@router.get(
    "/v1/links/<slug>/qr.svg",
    summary="The link's QR code (SVG, black on white), which scans to its short URL; caption=1 adds the URL",
    responses={
        200: {"description": "The QR code", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}
    },
)
@requires(Area.LINKS)
def handle_link_qr(
    slug: str,
    caption: Annotated[bool, Query(description="Write the short URL under the code")] = False,
) -> Response[str]:
    caller = principal(router)
    return Response(
        status_code=200,
        content_type="image/svg+xml",
        body=links.link_qr_svg(DynamoLinkRepository(), caller.brand_id, slug.lower(), _base_url(), caption),
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.get(
    "/v1/links/<slug>/qr.png",
    summary="The link's QR code as a PNG (for Instagram stories)",
    responses={
        200: {
            "description": "The QR code",
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
@requires(Area.LINKS)
def handle_link_qr_png(slug: str) -> Response[str]:
    caller = principal(router)
    png = links.link_qr_png(DynamoLinkRepository(), caller.brand_id, slug.lower(), _base_url())
    # Base64 text, flagged as such: the response validation would read a bytes body as UTF-8 text.
    answer = Response(
        status_code=200,
        content_type="image/png",
        body=base64.b64encode(png).decode(),
        headers={"Cache-Control": "private, max-age=300"},
    )
    answer.base64_encoded = True
    return answer
