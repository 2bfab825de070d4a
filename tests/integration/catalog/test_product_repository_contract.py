"""ProductRepository's contract: what the catalogue's service relies on, held against the in-memory fake and
the DynamoDB repository (on moto, in the API function's environment) alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from starling.catalog.model import Product, ProductRepository, new_product
from starling.shared.errors import Conflict, NotFound
from starling.shared.money import Money
from tests.fakes.catalog import InMemoryProductRepository
from tests.integration.contract_backends import BACKENDS, fake_or_dynamo

NOW = datetime(2026, 11, 1, 12, 30, 15, 123456, tzinfo=UTC)
DOMAINS = ("shop.example.com",)


@pytest.fixture(params=BACKENDS)
def repo(request: pytest.FixtureRequest) -> Iterator[ProductRepository]:
    yield from fake_or_dynamo(
        request, InMemoryProductRepository, "starling.catalog.repository:DynamoProductRepository"
    )


def _brand_id() -> str:
    return f"brd_{uuid.uuid4().hex[:16]}"


def _product(brand_id: str, at: datetime = NOW, **fields: object) -> Product:
    return new_product(
        brand_id, {"name": "Serum", "url": "https://shop.example.com/s", **fields}, DOMAINS, at
    )


def test_a_created_product_reads_back_as_it_was(repo: ProductRepository) -> None:
    brand_id = _brand_id()
    for product in (
        _product(
            brand_id, price={"amount": 2499, "currency": "KWD"}, sku="S-1", image_url="https://cdn.x/a.png"
        ),
        _product(brand_id),
    ):
        repo.create(product)
        assert repo.get(brand_id, product.product_id) == product
    assert repo.get(brand_id, product.product_id).price is None


def test_a_product_is_not_found_through_another_brand_or_an_unknown_id(repo: ProductRepository) -> None:
    brand_id = _brand_id()
    product = _product(brand_id)
    repo.create(product)
    for other_brand, product_id in ((_brand_id(), product.product_id), (brand_id, "prd_0000000000000000")):
        with pytest.raises(NotFound):
            repo.get(other_brand, product_id)


def test_an_id_is_created_once(repo: ProductRepository) -> None:
    product = _product(_brand_id())
    repo.create(product)
    with pytest.raises(Conflict):
        repo.create(replace(product, name="Another"))
    assert repo.get(product.brand_id, product.product_id) == product


def test_saving_replaces_a_product_and_never_creates_one(repo: ProductRepository) -> None:
    product = _product(_brand_id())
    repo.create(product)
    changed = replace(product, price=Money(100, "JPY"), sku=None, updated_at=NOW + timedelta(hours=1))
    repo.save(changed)
    assert repo.get(product.brand_id, product.product_id) == changed
    with pytest.raises(NotFound):
        repo.save(_product(product.brand_id))


def test_a_brand_s_products_are_listed_newest_first_in_pages_and_only_its_own(
    repo: ProductRepository,
) -> None:
    # Given three products of one brand made an hour apart, and one of another brand
    brand_id = _brand_id()
    made = [_product(brand_id, NOW + timedelta(hours=i)) for i in range(3)]
    for product in [*made, _product(_brand_id())]:
        repo.create(product)
    # When they are listed two at a time
    first, cursor = repo.list_page(brand_id, 2, None)
    assert cursor is not None
    rest, end = repo.list_page(brand_id, 2, cursor)
    # Then they come newest first, each once, and only the brand's
    assert end is None
    assert [p.product_id for p in first + rest] == [p.product_id for p in reversed(made)]


def test_a_deleted_product_is_gone_and_only_its_brand_can_delete_it(repo: ProductRepository) -> None:
    # Given a product of one brand
    brand_id = _brand_id()
    product = _product(brand_id)
    repo.create(product)
    # When another brand, or an unknown id, is deleted; Then NotFound, and the product stays
    for other_brand, product_id in ((_brand_id(), product.product_id), (brand_id, "prd_0000000000000000")):
        with pytest.raises(NotFound):
            repo.delete(other_brand, product_id)
    assert repo.get(brand_id, product.product_id) == product
    # When its brand deletes it; Then it reads as NotFound and a second delete is NotFound too
    repo.delete(brand_id, product.product_id)
    with pytest.raises(NotFound):
        repo.get(brand_id, product.product_id)
    with pytest.raises(NotFound):
        repo.delete(brand_id, product.product_id)
