"""The signed-in partner's home, links and QR codes, and the public product page /p/{handle}."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from functions.portal import pages
from functions.portal.web import app, base_url, html, signed_in
from starling.catalog.repository import DynamoProductRepository
from starling.contracts.access import Session
from starling.contracts.onboarding import Onboarding
from starling.contracts.onboarding_repository import DynamoOnboardingStore, DynamoProductPages
from starling.identity.repository import DynamoIdentityRepository
from starling.links import qr
from starling.links import service as links
from starling.links.model import Link, LinkFigures
from starling.links.repository import DynamoLinkRepository
from starling.recruiting.repository import DynamoPartnerRepository
from starling.shared.errors import NotFound
from starling.shared.money import format_amount

MAX_LINKS_SHOWN = 50


def _onboarding(brand_id: str, partner_id: str) -> Onboarding | None:
    try:
        return DynamoOnboardingStore().get(brand_id, partner_id)
    except NotFound:
        return None


def _partner_links(session: Session) -> list[tuple[Link, LinkFigures]]:
    found, _ = DynamoLinkRepository().list_page(session.brand_id, session.partner_id, MAX_LINKS_SHOWN, None)
    return found


@app.get("/portal")
@signed_in
def handle_home(session: Session) -> Response:
    brand = DynamoIdentityRepository().get_brand(session.brand_id)
    partner = DynamoPartnerRepository().get(session.brand_id, session.partner_id)
    onboarding = _onboarding(session.brand_id, session.partner_id)
    name = onboarding.profile.display_name if onboarding and onboarding.profile else partner.display_name
    found = _partner_links(session)
    figures = pages.HomeFigures(
        links=len(found),
        clicks=sum(f.clicks for _, f in found),
        unique_clicks=sum(f.unique_clicks for _, f in found),
    )
    return html(200, pages.home_page(brand, name or partner.handle, onboarding, figures))


@app.get("/portal/links")
@signed_in
def handle_links(session: Session) -> Response:
    brand = DynamoIdentityRepository().get_brand(session.brand_id)
    base = base_url()
    cards = [
        pages.LinkCard(
            slug=link.slug,
            short_url=links.short_url(base, link.slug),
            destination=link.destination_url,
            clicks=figures.clicks,
            unique_clicks=figures.unique_clicks,
            qr_svg=qr.qr_svg(links.short_url(base, link.slug)),
        )
        for link, figures in _partner_links(session)
    ]
    page_handle = DynamoProductPages().handle_of(session.brand_id, session.partner_id)
    page_url = f"{base}/p/{page_handle}" if page_handle else None
    return html(200, pages.links_page(brand, cards, page_url))


@app.get("/portal/links/<slug>/qr.png")
@signed_in
def handle_link_qr_png(session: Session, slug: str) -> Response:
    """The QR code of one of the partner's own links; another partner's slug is not found."""
    repository = DynamoLinkRepository()
    link, _ = repository.get(session.brand_id, slug)
    if link.partner_id != session.partner_id:
        raise NotFound("No such link.")
    png = links.link_qr_png(repository, session.brand_id, slug, base_url())
    return Response(
        status_code=200,
        content_type="image/png",
        body=png,
        headers={"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{slug}-qr.png"'},
    )


@app.get("/p/<handle>")
def handle_product_page(handle: str) -> Response:
    """A partner's product page: public, mobile-first, each product with the partner's tracked link."""
    owner = DynamoProductPages().find(handle.lower()) if len(handle) <= 60 else None
    if owner is None:
        raise NotFound("No such page.")
    brand_id, partner_id = owner
    partner = DynamoPartnerRepository().get(brand_id, partner_id)
    if partner.stage.value != "active":
        raise NotFound("No such page.")
    brand = DynamoIdentityRepository().get_brand(brand_id)
    onboarding = _onboarding(brand_id, partner_id)
    profile = onboarding.profile if onboarding else None
    products = DynamoProductRepository()
    base = base_url()
    cards = []
    found, _ = DynamoLinkRepository().list_page(brand_id, partner_id, MAX_LINKS_SHOWN, None)
    for link, _figures in found:
        if link.product_id is None:
            continue
        try:
            product = products.get(brand_id, link.product_id)
        except NotFound:
            continue
        price = format_amount(product.price, brand.locale) if product.price else None
        cards.append(
            pages.ProductCard(product.name, product.image_url, price, links.short_url(base, link.slug))
        )
    name = profile.display_name if profile else partner.display_name or partner.handle
    return html(
        200,
        pages.product_page(
            brand, name, profile.bio if profile else "", profile.photo_url if profile else None, cards
        ),
    )
