"""Creating and changing vanity links, and keeping the redirect's lookup items in step with the brand."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from typing import Any

from starling.identity import service as identity
from starling.identity.model import Brand, IdentityRepository
from starling.links import qr
from starling.links.click_secret import ClickSecret
from starling.links.clicks import BadClickId
from starling.links.model import (
    BrandLookup,
    CampaignLookup,
    ClickMonthReader,
    Link,
    LinkFigures,
    LinkRepository,
    LinkView,
    PartnerLookup,
    ProductLookup,
    apply_link_changes,
    effective_utm,
    generate_slug,
    new_link,
    redirect_target,
    validate_slug,
)
from starling.links.redirect_store import RENAME_FORWARD_DAYS
from starling.recruiting.model import Partner
from starling.shared.clock import now
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.merge_patch import merge_fields

_GENERATION_ATTEMPTS = 5
_CLOSED_STAGES = frozenset({"declined", "offboarded"})
# PATCH /v1/links/{slug} is a JSON Merge Patch: `utm` merges key by key, null removing the link's own value.
_LINK_OBJECT_SETTINGS = frozenset({"utm"})


def link_view(link: Link, figures: LinkFigures, brand: Brand, base_url: str) -> LinkView:
    """The link with its figures, its effective UTM parameters and its URLs under `base_url`."""
    return LinkView(
        **{f.name: getattr(link, f.name) for f in dataclass_fields(Link)},
        **asdict(figures),
        short_url=short_url(base_url, link.slug),
        qr_svg_url=f"{base_url}/v1/links/{link.slug}/qr.svg",
        effective_utm=effective_utm(brand.utm_defaults, link.utm),
    )


def _partner_for_link(partners: PartnerLookup, brand_id: str, partner_id: str) -> Partner:
    try:
        partner = partners.get(brand_id, partner_id)
    except NotFound as exc:
        raise Invalid("partner_id is not one of the brand's partners.", {"partner_id": partner_id}) from exc
    if partner.stage.value in _CLOSED_STAGES:
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


def _check_campaign(campaigns: CampaignLookup | None, brand_id: str, campaign_id: Any) -> None:
    """A link's campaign must be one of the brand's (422 otherwise, as for product_id)."""
    if campaigns is None or campaign_id is None:
        return
    try:
        campaigns.get(brand_id, str(campaign_id))
    except NotFound as exc:
        raise Invalid(
            "campaign_id is not one of the brand's campaigns.", {"campaign_id": campaign_id}
        ) from exc


def new_partner_link(
    links: LinkRepository,
    partners: PartnerLookup,
    products: ProductLookup,
    brand: Brand,
    fields: dict[str, Any],
    campaigns: CampaignLookup | None = None,
) -> Link:
    """A link to `destination_url` or to `product_id`'s page, under the chosen or a generated slug: a
    generated slug that is taken is drawn again (a few times); a chosen one that is taken is a Conflict."""
    partner = _partner_for_link(partners, brand.brand_id, fields["partner_id"])
    _check_campaign(campaigns, brand.brand_id, fields.get("campaign_id"))
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


def _changed_link(
    links: LinkRepository,
    products: ProductLookup,
    brand: Brand,
    slug: str,
    changes: dict[str, Any],
    campaigns: CampaignLookup | None = None,
) -> Link:
    link, _ = links.get(brand.brand_id, slug)
    _check_campaign(campaigns, brand.brand_id, changes.get("campaign_id"))
    changes = merge_fields({"utm": link.utm}, changes, _LINK_OBJECT_SETTINGS)  # a copy: ours to change
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
    new_slug = changes.pop("slug", None)
    at = now()
    updated = apply_link_changes(link, brand, changes, at)
    if new_slug is None or validate_slug(new_slug) == link.slug:
        links.update(updated, redirect_target(updated, brand))
        return updated
    renamed = replace(updated, slug=validate_slug(new_slug), previous_slugs=(*link.previous_slugs, link.slug))
    forward_until = int(at.timestamp()) + RENAME_FORWARD_DAYS * 86_400
    links.rename(link.slug, renamed, redirect_target(renamed, brand), forward_until)
    return renamed


def create_link(
    links: LinkRepository,
    brands: BrandLookup,
    partners: PartnerLookup,
    products: ProductLookup,
    brand_id: str,
    fields: dict[str, Any],
    base_url: str,
    campaigns: CampaignLookup | None = None,
) -> LinkView:
    """POST /v1/links: a new partner link, shown with no clicks yet; its campaign must be the brand's."""
    brand = brands.get_brand(brand_id)
    link = new_partner_link(links, partners, products, brand, fields, campaigns)
    return link_view(link, LinkFigures(), brand, base_url)


def update_link(
    links: LinkRepository,
    brands: BrandLookup,
    products: ProductLookup,
    brand_id: str,
    slug: str,
    changes: dict[str, Any],
    base_url: str,
    campaigns: CampaignLookup | None = None,
) -> LinkView:
    """PATCH /v1/links/{slug}: the changes applied, then the link read back with its figures. A new `slug`
    renames the link in the same write: the old slug forwards to the new one for RENAME_FORWARD_DAYS (its
    clicks counted under the new slug), then answers 404; the link's figures include its old slugs'."""
    brand = brands.get_brand(brand_id)
    changed = _changed_link(links, products, brand, slug, changes, campaigns)
    link, figures = links.get(brand_id, changed.slug)
    return link_view(link, figures, brand, base_url)


def get_link(links: LinkRepository, brands: BrandLookup, brand_id: str, slug: str, base_url: str) -> LinkView:
    brand = brands.get_brand(brand_id)
    link, figures = links.get(brand_id, slug)
    return link_view(link, figures, brand, base_url)


def list_links(
    links: LinkRepository,
    brands: BrandLookup,
    brand_id: str,
    partner_id: str | None,
    limit: int,
    cursor: str | None,
    base_url: str,
    archived: bool = False,
) -> tuple[list[LinkView], str | None]:
    """A page of the brand's links (or one partner's), each with its figures, and the next page's cursor;
    archived links only when asked for, and then only they."""
    brand = brands.get_brand(brand_id)
    found, next_cursor = links.list_page(brand_id, partner_id, limit, cursor, archived)
    return [link_view(link, figures, brand, base_url) for link, figures in found], next_cursor


def archive_link(
    links: LinkRepository, brands: BrandLookup, brand_id: str, slug: str, archived: bool, base_url: str
) -> LinkView:
    """Archive the link (its redirect goes to the brand's fallback; its figures and slug stay) or bring it
    back. Archiving an archived link keeps the time it was first archived."""
    brand = brands.get_brand(brand_id)
    link, figures = links.get(brand_id, slug)
    if (link.archived_at is not None) != archived:
        at = now()
        link = replace(link, archived_at=at if archived else None, updated_at=at)
        links.update(link, redirect_target(link, brand))
    return link_view(link, figures, brand, base_url)


def link_qr_svg(links: LinkRepository, brand_id: str, slug: str, base_url: str, caption: bool = False) -> str:
    """The QR code of the link's short URL as SVG, with the URL written under it when `caption`."""
    link, _ = links.get(brand_id, slug)
    return qr.qr_svg(short_url(base_url, link.slug), caption=caption)


def link_qr_png(links: LinkRepository, brand_id: str, slug: str, base_url: str) -> bytes:
    """The QR code of the link's short URL as PNG (for an Instagram story)."""
    link, _ = links.get(brand_id, slug)
    return qr.qr_png(short_url(base_url, link.slug))


def refresh_redirects(links: LinkRepository, brand: Brand) -> int:
    """After the brand's UTM defaults or fallback change, rewrite every link's lookup item."""
    targets = [redirect_target(link, brand) for link in links.all(brand.brand_id)]
    if targets:
        links.save_targets(targets)
    return len(targets)


def short_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/{slug}"


def change_brand(
    brands: IdentityRepository, links: LinkRepository, brand_id: str, changes: dict[str, Any]
) -> Brand:
    """Change the brand's settings; when its UTM defaults or fallback change, rewrite every redirect item,
    so a click follows the brand as it is now. Identity knows nothing of links, hence the use case here."""
    brand = identity.update_brand(brands, brand_id, changes)
    if {"utm_defaults", "fallback_url"} & set(changes):
        refresh_redirects(links, brand)
    return brand


def link_store() -> LinkRepository:
    """The links on DynamoDB (for capabilities above this one)."""
    from starling.links.repository import DynamoLinkRepository

    return DynamoLinkRepository()


def click_counter_store() -> ClickMonthReader:
    """The links' month click counters on DynamoDB (for capabilities above this one)."""
    from starling.links.counters import DynamoClickCounterRepository

    return DynamoClickCounterRepository()


@dataclass(frozen=True)
class VerifiedClick:
    """What a click id this deployment issued says (for capabilities above this one: conversions)."""

    brand_id: str
    slug: str
    partner_id: str
    campaign_id: str | None
    clicked_at: datetime
    click_id: str


class ClickIdVerifier:
    """Checks click ids (`stclid`) against the click secret the redirect signs them with."""

    def __init__(self, secret_id: str, client: Any = None) -> None:
        self._secret_id = secret_id
        self._client = client
        self._secret: ClickSecret | None = None

    def verify(self, stclid: str) -> tuple[VerifiedClick | None, str | None]:
        """The click, or None and why not: an id with a broken signature is never trusted."""
        if not self._secret_id:
            return None, "click ids cannot be checked here (no click secret configured)"
        if self._secret is None:
            import boto3

            self._secret = ClickSecret(self._client or boto3.client("secretsmanager"), self._secret_id)
        try:
            claims = self._secret.keys().click_ids.verify(stclid)
        except BadClickId as exc:
            return None, f"the click id was refused: {exc}"
        at = datetime.fromtimestamp(claims.at_ms / 1000, UTC)
        return VerifiedClick(
            claims.brand_id, claims.slug, claims.partner_id, claims.campaign_id, at, claims.nonce
        ), None
