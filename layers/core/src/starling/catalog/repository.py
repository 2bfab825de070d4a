"""A brand's product catalogue in DynamoDB."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from starling.catalog.items import ProductItem
from starling.catalog.model import Product, looks_like_product_id
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.money import Money
from starling.shared.paging import decode_cursor, encode_cursor

_CURSOR_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})
_CONDITION_FAILED = "ConditionalCheckFailedException"


def _list_pk(brand_id: str) -> str:
    return brand_list_pk(brand_id, "PRODUCTS")


def _item(product: Product) -> ProductItem:
    """The one mapping of a product to its item (and `_product` back)."""
    return ProductItem(
        pk=brand_pk(product.brand_id),
        sk=f"PRODUCT#{product.product_id}",
        gsi1pk=_list_pk(product.brand_id),
        gsi1sk=f"{product.created_at.isoformat()}#{product.product_id}",
        product_id=product.product_id,
        brand_id=product.brand_id,
        name=product.name,
        url=product.url,
        image_url=product.image_url,
        price_amount=product.price.amount if product.price else None,
        price_currency=product.price.currency if product.price else None,
        sku=product.sku,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def _product(item: ProductItem) -> Product:
    price = None
    if item.price_amount is not None and item.price_currency is not None:
        price = Money(amount=int(item.price_amount), currency=item.price_currency)
    return Product(
        product_id=item.product_id,
        brand_id=item.brand_id,
        name=item.name,
        url=item.url,
        image_url=item.image_url,
        price=price,
        sku=item.sku,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _start_key(brand_id: str, cursor: str | None) -> dict[str, Any] | None:
    """The cursor's key if this brand's product list gave it out; else Invalid, never a DynamoDB error."""
    key = decode_cursor(cursor, brand_pk(brand_id))
    if key is None:
        return None
    values = [v.get("S") if isinstance(v, dict) and set(v) == {"S"} else None for v in key.values()]
    if (
        set(key) != _CURSOR_KEYS
        or not all(isinstance(v, str) for v in values)
        or key["gsi1pk"]["S"] != _list_pk(brand_id)
        or not key["sk"]["S"].startswith("PRODUCT#")
    ):
        raise Invalid("cursor is not one this list gave out.", {"cursor": cursor})
    return key


class DynamoProductRepository:
    def create(self, product: Product) -> None:
        try:
            _item(product).save(condition=ProductItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise
            raise Conflict(
                "A product with this id exists already.", {"product_id": product.product_id}
            ) from exc

    def get(self, brand_id: str, product_id: str) -> Product:
        """The brand's product; NotFound for an unknown id or another brand's product."""
        if not looks_like_product_id(product_id):
            raise NotFound("No such product.")
        try:
            return _product(
                ProductItem.get(brand_pk(brand_id), f"PRODUCT#{product_id}", consistent_read=True)
            )
        except DoesNotExist as exc:
            raise NotFound("No such product.") from exc

    def list_page(self, brand_id: str, limit: int, cursor: str | None) -> tuple[list[Product], str | None]:
        """Newest first."""
        result = ProductItem.gsi1.query(  # type: ignore[attr-defined]
            _list_pk(brand_id),
            limit=limit,
            scan_index_forward=False,
            last_evaluated_key=_start_key(brand_id, cursor),
        )
        products = [_product(item) for item in result]
        return products, encode_cursor(result.last_evaluated_key)

    def save(self, product: Product) -> None:
        try:
            _item(product).save(condition=ProductItem.pk.exists())
        except PutError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise
            raise NotFound("No such product.") from exc

    def delete(self, brand_id: str, product_id: str) -> None:
        """Remove the brand's product; NotFound when it has none by this id."""
        if not looks_like_product_id(product_id):
            raise NotFound("No such product.")
        item = ProductItem(brand_pk(brand_id), f"PRODUCT#{product_id}")
        try:
            item.delete(condition=ProductItem.pk.exists())
        except DeleteError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise
            raise NotFound("No such product.") from exc
