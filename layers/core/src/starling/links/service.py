"""Creating and changing vanity links, and keeping the redirect's lookup items in step with the brand."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any, Protocol

import segno

from starling.catalog.model import Product
from starling.identity import service as identity
from starling.identity.model import Brand, IdentityRepository
from starling.links.model import (
    Link,
    apply_link_changes,
    generate_slug,
    new_link,
    redirect_target,
    validate_slug,
)
from starling.links.redirects import RedirectEntry
from starling.recruiting.model import Partner
from starling.recruiting.pipeline import Stage
from starling.shared.errors import Conflict, Invalid, NotFound

_GENERATION_ATTEMPTS = 5
_CLOSED_STAGES = frozenset({Stage.DECLINED, Stage.OFFBOARDED})


class LinkRepository(Protocol):
    def create(self, link: Link, target: RedirectEntry) -> None: ...
    def update(self, link: Link, target: RedirectEntry) -> None: ...
    def get(self, brand_id: str, slug: str) -> tuple[Link, Any]: ...
    def all(self, brand_id: str) -> list[Link]: ...
    def save_targets(self, targets: list[RedirectEntry]) -> None: ...


class PartnerLookup(Protocol):
    def get(self, brand_id: str, partner_id: str) -> Partner: ...


class ProductLookup(Protocol):
    def get(self, brand_id: str, product_id: str) -> Product: ...


def now() -> datetime:
    return datetime.now(UTC)


def _partner_for_link(partners: PartnerLookup, brand_id: str, partner_id: str) -> Partner:
    try:
        partner = partners.get(brand_id, partner_id)
    except NotFound as exc:
        raise Invalid("partner_id is not one of the brand's partners.", {"partner_id": partner_id}) from exc
    if partner.stage in _CLOSED_STAGES:
        raise Conflict(
            f"The partner is {partner.stage.value}; move them back into the pipeline to give them links.",
            {"partner_id": partner_id, "stage": partner.stage.value},
        )
    return partner


def _product_url(products: ProductLookup, brand_id: str, product_id: str) -> str:
    try:
        return products.get(brand_id, product_id).url
    except NotFound as exc:
        raise Invalid("product_id is not one of the brand's products.", {"product_id": product_id}) from exc


def create_link(
    links: LinkRepository,
    partners: PartnerLookup,
    products: ProductLookup,
    brand: Brand,
    fields: dict[str, Any],
) -> Link:
    """A link to `destination_url` or to `product_id`'s page, under the chosen or a generated slug."""
    partner = _partner_for_link(partners, brand.brand_id, fields["partner_id"])
    product_id = fields.get("product_id")
    destination = fields.get("destination_url")
    if (destination is None) == (product_id is None):
        raise Invalid("Send exactly one of destination_url or product_id.", {"destination_url": destination})
    if product_id is not None:
        destination = _product_url(products, brand.brand_id, product_id)
    chosen = fields.get("slug")
    attempts = 1 if chosen else _GENERATION_ATTEMPTS
    at = now()
    for attempt in range(attempts):
        slug = validate_slug(chosen) if chosen else generate_slug()
        link = new_link(
            brand,
            partner.partner_id,
            str(destination),
            at,
            slug=slug,
            product_id=product_id,
            campaign_id=fields.get("campaign_id"),
            utm=fields.get("utm"),
            ios_url=fields.get("ios_url"),
            android_url=fields.get("android_url"),
            expires_at=fields.get("expires_at"),
        )
        try:
            links.create(link, redirect_target(link, brand))
            return link
        except Conflict:
            if chosen or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def update_link(
    links: LinkRepository, products: ProductLookup, brand: Brand, slug: str, changes: dict[str, Any]
) -> Link:
    link, _ = links.get(brand.brand_id, slug)
    if changes.get("product_id"):
        if changes.get("destination_url"):
            raise Invalid(
                "Send destination_url or product_id, not both.", {"product_id": changes["product_id"]}
            )
        changes = {
            **changes,
            "destination_url": _product_url(products, brand.brand_id, changes["product_id"]),
        }
    elif changes.get("destination_url"):
        changes = {**changes, "product_id": None}
    updated = apply_link_changes(link, brand, changes, now())
    links.update(updated, redirect_target(updated, brand))
    return updated


def refresh_redirects(links: LinkRepository, brand: Brand) -> int:
    """After the brand's UTM defaults or fallback change, rewrite every link's lookup item."""
    targets = [redirect_target(link, brand) for link in links.all(brand.brand_id)]
    if targets:
        links.save_targets(targets)
    return len(targets)


def short_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/{slug}"


def qr_svg(url: str) -> str:
    """A QR code of the URL, as SVG, with a quiet zone and error correction that survives a print."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="svg", scale=8, border=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def change_brand(
    brands: IdentityRepository, links: LinkRepository, brand_id: str, changes: dict[str, Any]
) -> Brand:
    """Change the brand's settings; when its UTM defaults or fallback change, rewrite every redirect item,
    so a click follows the brand as it is now. Identity knows nothing of links, hence the use case here."""
    brand = identity.update_brand(brands, brand_id, changes)
    if {"utm_defaults", "fallback_url"} & set(changes):
        refresh_redirects(links, brand)
    return brand
