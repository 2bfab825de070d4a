"""The product catalogue: adding products, reading them, changing them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from starling.catalog.model import Product, apply_product_changes, new_product
from starling.identity.model import Brand


class ProductRepository(Protocol):
    def create(self, product: Product) -> None: ...
    def get(self, brand_id: str, product_id: str) -> Product: ...
    def list_page(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Product], str | None]: ...
    def save(self, product: Product) -> None: ...


class BrandReader(Protocol):
    def get_brand(self, brand_id: str) -> Brand: ...


def _now() -> datetime:
    return datetime.now(UTC)


def create_product(
    products: ProductRepository, brands: BrandReader, brand_id: str, fields: Mapping[str, Any]
) -> Product:
    """A new product whose url is on one of the brand's allowed domains."""
    product = new_product(brand_id, fields, brands.get_brand(brand_id).allowed_domains, _now())
    products.create(product)
    return product


def update_product(
    products: ProductRepository,
    brands: BrandReader,
    brand_id: str,
    product_id: str,
    changes: Mapping[str, Any],
) -> Product:
    """Change the fields sent; a new url is checked against the brand's allowed domains as it is now."""
    product = products.get(brand_id, product_id)
    if not changes:
        return product
    allowed = brands.get_brand(brand_id).allowed_domains if "url" in changes else ()
    updated = apply_product_changes(product, changes, allowed, _now())
    products.save(updated)
    return updated
