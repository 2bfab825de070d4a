"""An in-memory ProductRepository; tests/integration/catalog/test_product_repository_contract.py holds it to
the same behaviour as the DynamoDB one."""

from __future__ import annotations

from starling.catalog.model import Product
from starling.shared.errors import Conflict, NotFound


class InMemoryProductRepository:
    def __init__(self) -> None:
        self.products: dict[tuple[str, str], Product] = {}

    def create(self, product: Product) -> None:
        if (product.brand_id, product.product_id) in self.products:
            raise Conflict("A product with this id exists already.")
        self.products[(product.brand_id, product.product_id)] = product

    def get(self, brand_id: str, product_id: str) -> Product:
        if (brand_id, product_id) not in self.products:
            raise NotFound("No such product.")
        return self.products[(brand_id, product_id)]

    def list_page(self, brand_id: str, limit: int, cursor: str | None) -> tuple[list[Product], str | None]:
        """Newest first; the cursor is the position after the page."""
        newest_first = sorted(
            (p for (b, _), p in self.products.items() if b == brand_id),
            key=lambda p: (p.created_at, p.product_id),
            reverse=True,
        )
        start = int(cursor or 0)
        end = start + limit
        return newest_first[start:end], str(end) if end < len(newest_first) else None

    def save(self, product: Product) -> None:
        self.get(product.brand_id, product.product_id)
        self.products[(product.brand_id, product.product_id)] = product

    def delete(self, brand_id: str, product_id: str) -> None:
        self.get(brand_id, product_id)
        del self.products[(brand_id, product_id)]
