"""Creating links through the use case with in-memory ports: the slug retry, the partner and product
checks, and what the API is given back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from starling.catalog.model import Product
from starling.identity.model import Brand
from starling.links import service
from starling.recruiting.model import Partner, Stage
from starling.shared.errors import Conflict, Invalid
from tests.fakes.links import BrandsById, InMemoryLinkRepository, PartnersById, ProductsById

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BRAND = Brand(
    brand_id="brd_1",
    name="Acme",
    slug="acme",
    created_at=NOW,
    allowed_domains=("shop.acme.com",),
    utm_defaults={"utm_source": "starling"},
)
BASE_URL = "https://go.acme.com"


def _partner(stage: Stage = Stage.ACTIVE) -> Partner:
    return Partner(
        partner_id="ptn_1", brand_id="brd_1", creator_id="crt_1", platform="instagram", handle="maya",
        display_name="Maya", email=None, stage=stage, stage_entered_at=NOW, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


PRODUCT = Product("prd_1", "brd_1", "Serum", "https://shop.acme.com/serum", NOW, NOW)


def _create(links: InMemoryLinkRepository, partner: Partner | None = None, **fields: object):  # type: ignore[no-untyped-def]
    return service.create_link(
        links,
        BrandsById(BRAND),
        PartnersById(partner or _partner()),
        ProductsById(PRODUCT),
        "brd_1",
        {"partner_id": "ptn_1", **fields},
        BASE_URL,
    )


@pytest.fixture()
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The generated slugs to hand out, in order."""
    slugs: list[str] = []
    supply: Iterator[str] = iter(slugs)
    monkeypatch.setattr(service, "generate_slug", lambda: next(supply))
    return slugs


def test_a_generated_slug_that_is_taken_is_drawn_again(drawn: list[str]) -> None:
    # Given the first generated slug is another brand's
    drawn.extend(["taken77", "fresh88"])
    links = InMemoryLinkRepository(taken={"taken77"})
    # When a link is created without a slug
    created = _create(links, destination_url="https://shop.acme.com/serum")
    # Then the next slug drawn is used, and only that one is stored
    assert links.attempts == ["taken77", "fresh88"]
    assert created.slug == "fresh88"
    assert set(links.targets) == {"fresh88"}


def test_generated_slugs_give_up_with_a_conflict_after_five_draws(drawn: list[str]) -> None:
    # Given every slug drawn is taken
    drawn.extend(f"taken{n}" for n in range(6))
    links = InMemoryLinkRepository(taken=set(drawn))
    # When a link is created without a slug, Then it is a conflict after five draws
    with pytest.raises(Conflict):
        _create(links, destination_url="https://shop.acme.com/serum")
    assert links.attempts == [f"taken{n}" for n in range(5)]
    assert links.links == {}


def test_a_chosen_slug_that_is_taken_is_a_conflict_and_never_replaced(drawn: list[str]) -> None:
    # Given the chosen slug is another brand's
    drawn.append("fresh88")
    links = InMemoryLinkRepository(taken={"maya"})
    # When a link is created with it
    with pytest.raises(Conflict) as refused:
        _create(links, slug="Maya", destination_url="https://shop.acme.com/serum")
    # Then it is a 409 naming the slug, after one attempt, and no generated slug is used instead
    assert refused.value.details == {"slug": "maya"}
    assert links.attempts == ["maya"]
    assert links.links == {}


def test_a_created_link_comes_back_with_its_urls_utm_and_no_clicks() -> None:
    links = InMemoryLinkRepository()
    created = _create(links, slug="maya", product_id="prd_1")
    assert (created.short_url, created.qr_svg_url) == (f"{BASE_URL}/maya", f"{BASE_URL}/v1/links/maya/qr.svg")
    assert created.destination_url == PRODUCT.url
    assert created.effective_utm == {"utm_source": "starling"}
    assert (created.clicks, created.unique_clicks, created.bot_clicks, created.flagged_clicks) == (0, 0, 0, 0)
    assert links.targets["maya"].url == "https://shop.acme.com/serum?utm_source=starling"


def test_a_declined_partner_gets_no_links_and_an_unknown_one_is_invalid() -> None:
    links = InMemoryLinkRepository()
    with pytest.raises(Conflict):
        _create(links, partner=_partner(Stage.DECLINED), destination_url="https://shop.acme.com/serum")
    with pytest.raises(Invalid) as refused:
        service.create_link(
            links, BrandsById(BRAND), PartnersById(), ProductsById(), "brd_1",
            {"partner_id": "ptn_9", "destination_url": "https://shop.acme.com/serum"}, BASE_URL,
        )  # fmt: skip
    assert refused.value.details == {"partner_id": "ptn_9"}
    assert links.attempts == []
