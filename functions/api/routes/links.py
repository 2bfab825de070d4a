"""Vanity links: create them for partners, list and change them, their click figures and QR codes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.catalog.repository import DynamoProductRepository
from starling.identity.repository import DynamoIdentityRepository
from starling.identity.roles import Area
from starling.links import service as links
from starling.links.model import Link, effective_utm
from starling.links.repository import DynamoLinkRepository, LinkFigures
from starling.recruiting.repository import DynamoPartnerRepository
from starling.shared.paging import clamp_limit
from starling.shared.settings import get_settings

router = APIGatewayHttpRouter()


class LinkCreate(StrictBody):
    partner_id: str = Field(min_length=1, max_length=64)
    destination_url: str | None = Field(default=None, max_length=4096)
    product_id: str | None = Field(default=None, max_length=64)
    slug: str | None = Field(default=None, max_length=200)
    campaign_id: str | None = Field(default=None, max_length=200)
    utm: dict[str, str | None] | None = None
    ios_url: str | None = Field(default=None, max_length=4096)
    android_url: str | None = Field(default=None, max_length=4096)
    expires_at: datetime | None = None


class LinkPatch(StrictBody):
    destination_url: str | None = Field(default=None, max_length=4096)
    product_id: str | None = Field(default=None, max_length=64)
    campaign_id: str | None = Field(default=None, max_length=200)
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
    clicks: int
    unique_clicks: int
    bot_clicks: int
    flagged_clicks: int
    created_at: datetime
    updated_at: datetime


def _base_url() -> str:
    """The public base of short links: the configured domain, else the one this request came in on."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    event = router.current_event
    scheme = event.headers.get("x-forwarded-proto", "https")
    return f"{scheme}://{event.request_context.domain_name}"


def _out(link: Link, figures: LinkFigures, brand_utm: dict[str, str]) -> LinkOut:
    base = _base_url()
    return LinkOut(
        slug=link.slug,
        short_url=links.short_url(base, link.slug),
        qr_svg_url=f"{base}/v1/links/{link.slug}/qr.svg",
        partner_id=link.partner_id,
        destination_url=link.destination_url,
        product_id=link.product_id,
        campaign_id=link.campaign_id,
        utm=link.utm,
        effective_utm=effective_utm(brand_utm, link.utm),
        ios_url=link.ios_url,
        android_url=link.android_url,
        expires_at=link.expires_at,
        disabled=link.disabled,
        clicks=figures.clicks,
        unique_clicks=figures.unique_clicks,
        bot_clicks=figures.bot_clicks,
        flagged_clicks=figures.flagged_clicks,
        created_at=link.created_at,
        updated_at=link.updated_at,
    )


@router.post(
    "/v1/links",
    summary="Create a partner's link to a URL or a product (slug chosen or generated)",
    status_code=201,
)
@requires(Area.LINKS, write=True)
def handle_create_link(body: LinkCreate) -> LinkOut:
    caller = principal(router)
    brand = DynamoIdentityRepository().get_brand(caller.brand_id)
    link = links.create_link(
        DynamoLinkRepository(),
        DynamoPartnerRepository(),
        DynamoProductRepository(),
        brand,
        body.model_dump(exclude_unset=True),
    )
    return _out(link, LinkFigures(), brand.utm_defaults)


@router.get("/v1/links", summary="The brand's links, or one partner's")
@requires(Area.LINKS)
def handle_list_links(
    partner_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[LinkOut]:
    caller = principal(router)
    brand = DynamoIdentityRepository().get_brand(caller.brand_id)
    found, next_cursor = DynamoLinkRepository().list_page(
        caller.brand_id, partner_id, clamp_limit(limit), cursor
    )
    return Page[LinkOut](
        items=[_out(li, fi, brand.utm_defaults) for li, fi in found], next_cursor=next_cursor
    )


@router.get("/v1/links/<slug>", summary="One link with its clicks, unique clicks and bot clicks")
@requires(Area.LINKS)
def handle_get_link(slug: str) -> LinkOut:
    caller = principal(router)
    brand = DynamoIdentityRepository().get_brand(caller.brand_id)
    link, figures = DynamoLinkRepository().get(caller.brand_id, slug.lower())
    return _out(link, figures, brand.utm_defaults)


@router.patch("/v1/links/<slug>", summary="Change a link: destination, devices, UTM, expiry, disabled")
@requires(Area.LINKS, write=True)
def handle_patch_link(slug: str, body: LinkPatch) -> LinkOut:
    caller = principal(router)
    brand = DynamoIdentityRepository().get_brand(caller.brand_id)
    repo = DynamoLinkRepository()
    links.update_link(
        repo, DynamoProductRepository(), brand, slug.lower(), body.model_dump(exclude_unset=True)
    )
    link, figures = repo.get(caller.brand_id, slug.lower())
    return _out(link, figures, brand.utm_defaults)


@router.get("/v1/links/<slug>/qr.svg", summary="The link's QR code (SVG), which scans to its short URL")
@requires(Area.LINKS)
def handle_link_qr(slug: str) -> Response[str]:
    caller = principal(router)
    link, _ = DynamoLinkRepository().get(caller.brand_id, slug.lower())
    return Response(
        status_code=200,
        content_type="image/svg+xml",
        body=links.qr_svg(links.short_url(_base_url(), link.slug)),
        headers={"Cache-Control": "private, max-age=300"},
    )
