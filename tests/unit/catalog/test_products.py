"""The product catalogue's rules and logic, without AWS: URLs, money in minor units, partial updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from starling.catalog import service as products
from starling.catalog.model import (
    MAX_AMOUNT,
    MAX_NAME_LENGTH,
    Product,
    apply_product_changes,
    looks_like_product_id,
    new_product,
    validate_image_url,
    validate_price,
)
from starling.identity.model import Brand
from starling.shared.errors import Invalid, NotFound
from starling.shared.money import Money
from tests.fakes.catalog import InMemoryProductRepository
from tests.fakes.identity import InMemoryIdentityRepository

NOW = datetime(2026, 11, 1, tzinfo=UTC)
LATER = datetime(2026, 11, 2, tzinfo=UTC)
DOMAINS = ("shop.example.com", "example.com")
SERUM = {"name": "Glow Serum", "url": "https://shop.example.com/serum"}


def _brands(*brands: Brand) -> InMemoryIdentityRepository:
    repo = InMemoryIdentityRepository()
    for brand in brands:
        repo.brands[brand.brand_id] = brand
    return repo


def _brand(brand_id: str = "brd_a", domains: tuple[str, ...] = DOMAINS) -> Brand:
    return Brand(brand_id=brand_id, name="Acme", slug=brand_id, created_at=NOW, allowed_domains=domains)


def _product(**fields: Any) -> Product:
    return new_product("brd_a", {**SERUM, **fields}, DOMAINS, NOW)


def test_a_new_product_gets_a_prd_id_and_its_times() -> None:
    # Given a name and a url on an allowed domain, When the product is made
    product = _product(price={"amount": 1999, "currency": "USD"}, sku="GS-30")
    # Then it has a prd_ id of 16 characters, its fields, and created == updated
    assert looks_like_product_id(product.product_id) and len(product.product_id) == 20
    assert (product.name, product.url, product.price, product.sku) == (
        "Glow Serum",
        "https://shop.example.com/serum",
        Money(1999, "USD"),
        "GS-30",
    )
    assert product.created_at == product.updated_at == NOW
    assert product.image_url is None


def test_a_url_on_a_subdomain_of_an_allowed_domain_is_accepted() -> None:
    assert _product(url="https://www.example.com/p/1").url == "https://www.example.com/p/1"


def test_a_url_off_the_allowed_domains_is_refused_naming_them() -> None:
    # Given a url on another site, When the product is made, Then Invalid names the allowed domains
    with pytest.raises(Invalid) as caught:
        _product(url="https://evil.test/serum")
    assert "example.com, shop.example.com" in caught.value.message
    assert caught.value.details == {
        "url": "evil.test",
        "allowed_domains": ["example.com", "shop.example.com"],
    }


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://shop.example.com/x",
        "//shop.example.com/x",
        "https://user:pw@shop.example.com/",
        "https://shop.example.com/a b",
        "",
    ],
)
def test_a_url_that_is_not_plain_http_s_is_refused(url: str) -> None:
    with pytest.raises(Invalid) as caught:
        _product(url=url)
    assert "url" in caught.value.details


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:image/png;base64,AAAA", "file:///etc/passwd", "  "]
)
def test_an_image_url_that_is_not_http_s_is_refused(url: str) -> None:
    with pytest.raises(Invalid) as caught:
        _product(image_url=url)
    assert "image_url" in caught.value.details


def test_an_image_may_live_on_any_http_s_host() -> None:
    # Given an image on a CDN (not an allowed domain), Then it is accepted: a shopper is never sent there
    assert validate_image_url("https://cdn.imgix.net/serum.jpg") == "https://cdn.imgix.net/serum.jpg"


@pytest.mark.parametrize("amount", [0, 1, 1999, MAX_AMOUNT])
def test_a_price_is_whole_minor_units_from_zero_to_the_ceiling(amount: int) -> None:
    assert validate_price({"amount": amount, "currency": "EUR"}) == Money(amount, "EUR")


@pytest.mark.parametrize("amount", [19.99, 20.0, "1999", True, None, -1, MAX_AMOUNT + 1, 10**30])
def test_a_price_amount_that_is_not_a_sane_integer_is_refused(amount: object) -> None:
    # Given floats, strings, booleans, negatives or absurd amounts, Then price.amount is at fault
    with pytest.raises(Invalid) as caught:
        validate_price({"amount": amount, "currency": "USD"})
    assert "price.amount" in caught.value.details


@pytest.mark.parametrize("currency", ["usd", "US", "USDX", "U5D", "", None, 840, "€"])
def test_a_currency_that_is_not_three_uppercase_letters_is_refused(currency: object) -> None:
    with pytest.raises(Invalid) as caught:
        validate_price({"amount": 100, "currency": currency})
    assert "price.currency" in caught.value.details


@pytest.mark.parametrize("name", ["", "   ", "x" * (MAX_NAME_LENGTH + 1), "bad\x00name", None, 7])
def test_a_name_that_is_empty_too_long_or_not_text_is_refused(name: object) -> None:
    with pytest.raises(Invalid) as caught:
        _product(name=name)
    assert "name" in caught.value.details


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        _product(colour="red")
    assert caught.value.details == {"colour": "unknown field"}


def test_a_change_touches_only_the_fields_sent_and_bumps_updated_at() -> None:
    # Given a product with a price, When only its name changes
    product = _product(price={"amount": 500, "currency": "GBP"}, image_url="https://cdn.test/a.jpg")
    changed = apply_product_changes(product, {"name": "Glow Serum 50ml"}, (), LATER)
    # Then the rest stays and updated_at moves
    assert changed == replace(product, name="Glow Serum 50ml", updated_at=LATER)


def test_null_clears_an_optional_field() -> None:
    product = _product(price={"amount": 500, "currency": "GBP"}, image_url="https://cdn.test/a.jpg", sku="S1")
    cleared = apply_product_changes(product, {"image_url": None, "price": None, "sku": None}, (), LATER)
    assert (cleared.image_url, cleared.price, cleared.sku) == (None, None, None)


@pytest.mark.parametrize("field", ["name", "url"])
def test_null_cannot_clear_a_required_field(field: str) -> None:
    with pytest.raises(Invalid) as caught:
        apply_product_changes(_product(), {field: None}, DOMAINS, LATER)
    assert caught.value.details == {field: "required"}


@pytest.mark.parametrize("product_id", ["prd_0123456789abcdef", "prd_zzzzzzzzzzzzzzzz"])
def test_product_ids_of_the_documented_shape_are_recognised(product_id: str) -> None:
    assert looks_like_product_id(product_id)


@pytest.mark.parametrize(
    "product_id", ["prd_short", "ptn_0123456789abcdef", "prd_0123456789ABCDEF", "x" * 500]
)
def test_anything_else_is_not_a_product_id(product_id: str) -> None:
    assert not looks_like_product_id(product_id)


def test_creating_a_product_checks_the_url_against_the_brand_s_domains_and_stores_it() -> None:
    # Given a brand that allows only shop.example.com
    repo, brands = InMemoryProductRepository(), _brands(_brand(domains=("shop.example.com",)))
    # When a product is added, Then it is stored under the brand
    product = products.create_product(repo, brands, "brd_a", SERUM)
    assert repo.get("brd_a", product.product_id) == product
    # And a url on a domain the brand does not allow is refused, and nothing more is stored
    with pytest.raises(Invalid):
        products.create_product(repo, brands, "brd_a", {**SERUM, "url": "https://example.org/serum"})
    assert len(repo.products) == 1


def test_a_brand_without_allowed_domains_is_told_to_set_them() -> None:
    repo, brands = InMemoryProductRepository(), _brands(_brand(domains=()))
    with pytest.raises(Invalid) as caught:
        products.create_product(repo, brands, "brd_a", SERUM)
    assert "allowed_domains" in caught.value.message


def test_updating_a_url_checks_the_brand_s_domains_as_they_are_now() -> None:
    # Given a product, and then the brand narrows its allowed domains
    repo, brands = InMemoryProductRepository(), _brands(_brand())
    product = products.create_product(repo, brands, "brd_a", {**SERUM, "url": "https://example.com/serum"})
    brands.brands["brd_a"] = _brand(domains=("shop.example.com",))
    # When the url changes to the domain no longer allowed, Then it is refused and the product is unchanged
    with pytest.raises(Invalid):
        products.update_product(repo, brands, "brd_a", product.product_id, {"url": "https://example.com/new"})
    assert repo.get("brd_a", product.product_id) == product
    # And a change that leaves the url alone still succeeds
    renamed = products.update_product(repo, brands, "brd_a", product.product_id, {"name": "Serum"})
    assert renamed.name == "Serum" and renamed.url == product.url


def test_an_empty_change_leaves_the_product_as_it_was() -> None:
    repo, brands = InMemoryProductRepository(), _brands(_brand())
    product = products.create_product(repo, brands, "brd_a", SERUM)
    assert products.update_product(repo, brands, "brd_a", product.product_id, {}) == product


def test_another_brand_cannot_update_a_product() -> None:
    # Given brand A's product, When brand B updates it by id, Then it is not found and stays as it was
    repo, brands = InMemoryProductRepository(), _brands(_brand("brd_a"), _brand("brd_b"))
    product = products.create_product(repo, brands, "brd_a", SERUM)
    with pytest.raises(NotFound):
        products.update_product(repo, brands, "brd_b", product.product_id, {"name": "Mine now"})
    assert repo.get("brd_a", product.product_id).name == "Glow Serum"
