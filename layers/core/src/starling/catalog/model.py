"""Products: what a brand sells, the page a shopper is sent to, and its price in integer minor units."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

# Campaigns' types and rules, part of catalog's public face.
from starling.catalog.campaigns import (  # noqa: F401
    CAMPAIGN_ID_PREFIX,
    Campaign,
    CampaignRepository,
    CampaignStatus,
    looks_like_campaign_id,
)
from starling.identity.model import Brand
from starling.shared.destinations import MAX_URL_LENGTH, validate_destination
from starling.shared.errors import Invalid
from starling.shared.ids import new_id
from starling.shared.money import Money, parse_currency

PRODUCT_ID_PREFIX = "prd"
MAX_NAME_LENGTH = 200
MAX_SKU_LENGTH = 100
MAX_AMOUNT = 10_000_000_000  # 100,000,000.00 in a currency of two decimals: anything above is a typo
_PRODUCT_ID_RE = re.compile(r"^prd_[a-z0-9]{16}$")
FIELDS = ("name", "url", "image_url", "price", "sku")


@dataclass(frozen=True)
class Product:
    product_id: str
    brand_id: str
    name: str
    url: str
    created_at: datetime
    updated_at: datetime
    image_url: str | None = None
    price: Money | None = None
    sku: str | None = None


class ProductRepository(Protocol):
    """The brand's products, stored; each brand sees only its own."""

    def create(self, product: Product) -> None: ...
    def get(self, brand_id: str, product_id: str) -> Product: ...
    def list_page(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Product], str | None]: ...
    def save(self, product: Product) -> None: ...
    def delete(self, brand_id: str, product_id: str) -> None: ...


class BrandReader(Protocol):
    """Where a product's url must point: the brand's allowed domains."""

    def get_brand(self, brand_id: str) -> Brand: ...


def looks_like_product_id(product_id: str) -> bool:
    return bool(_PRODUCT_ID_RE.match(product_id))


def _clean_text(value: Any, field: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text.", {field: "not text"})
    text = value.strip()
    if not text:
        raise Invalid(f"{field} must not be empty.", {field: "empty"})
    if len(text) > max_length:
        raise Invalid(f"{field} is at most {max_length} characters.", {field: f"over {max_length}"})
    if not text.isprintable():
        raise Invalid(f"{field} must not contain control characters.", {field: "characters"})
    return text


def validate_name(name: Any) -> str:
    return _clean_text(name, "name", MAX_NAME_LENGTH)


def validate_sku(sku: Any) -> str | None:
    return None if sku is None else _clean_text(sku, "sku", MAX_SKU_LENGTH)


def validate_product_url(url: Any, allowed_domains: Iterable[str]) -> str:
    """Where the product is bought: an http(s) URL on one of the brand's allowed domains."""
    if not isinstance(url, str):
        raise Invalid("url must be text.", {"url": "not text"})
    return validate_destination(url, allowed_domains, field="url")


def validate_image_url(url: Any) -> str | None:
    """A picture of the product: any http(s) host (images live on CDNs), never javascript: or data:."""
    if url is None:
        return None
    if not isinstance(url, str):
        raise Invalid("image_url must be text.", {"image_url": "not text"})
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise Invalid(
            f"image_url must be a URL of at most {MAX_URL_LENGTH} characters.", {"image_url": "length"}
        )
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise Invalid("image_url must not contain spaces or control characters.", {"image_url": "characters"})
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError as exc:
        raise Invalid("image_url is not a valid URL.", {"image_url": str(exc)}) from exc
    if parts.scheme.lower() not in ("https", "http"):
        raise Invalid(
            f"image_url must be an http(s) URL; '{parts.scheme or 'no'}' scheme is refused.",
            {"image_url": "scheme", "allowed_schemes": ["https", "http"]},
        )
    if not host or parts.username or parts.password:
        raise Invalid("image_url must name a host and carry no credentials.", {"image_url": "host"})
    return url


def validate_price(price: Mapping[str, Any] | None) -> Money | None:
    """Integer minor units from 0 to MAX_AMOUNT and an ISO 4217 currency in use; floats are refused."""
    if price is None:
        return None
    amount, currency = price.get("amount"), price.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise Invalid(
            "price.amount is an integer number of minor units (1999 for 19.99), never a decimal.",
            {"price.amount": "not an integer"},
        )
    if amount < 0 or amount > MAX_AMOUNT:
        raise Invalid(
            f"price.amount must be between 0 and {MAX_AMOUNT} minor units.", {"price.amount": "out of range"}
        )
    return Money(amount=amount, currency=parse_currency(currency, "price.currency"))


def _refuse_unknown(fields: Mapping[str, Any]) -> None:
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise Invalid(
            f"A product has no field {', '.join(unknown)}.", dict.fromkeys(unknown, "unknown field")
        )


def new_product(
    brand_id: str, fields: Mapping[str, Any], allowed_domains: Iterable[str], now: datetime
) -> Product:
    _refuse_unknown(fields)
    return Product(
        product_id=new_id(PRODUCT_ID_PREFIX),
        brand_id=brand_id,
        name=validate_name(fields.get("name")),
        url=validate_product_url(fields.get("url"), allowed_domains),
        image_url=validate_image_url(fields.get("image_url")),
        price=validate_price(fields.get("price")),
        sku=validate_sku(fields.get("sku")),
        created_at=now,
        updated_at=now,
    )


def apply_product_changes(
    product: Product, changes: Mapping[str, Any], allowed_domains: Iterable[str], now: datetime
) -> Product:
    """A partial update: fields not sent stay; `None` clears an optional field; name and url stay set."""
    _refuse_unknown(changes)
    for field in ("name", "url"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be cleared.", {field: "required"})
    updates: dict[str, Any] = {"updated_at": now}
    if "name" in changes:
        updates["name"] = validate_name(changes["name"])
    if "url" in changes:
        updates["url"] = validate_product_url(changes["url"], allowed_domains)
    if "image_url" in changes:
        updates["image_url"] = validate_image_url(changes["image_url"])
    if "price" in changes:
        updates["price"] = validate_price(changes["price"])
    if "sku" in changes:
        updates["sku"] = validate_sku(changes["sku"])
    return replace(product, **updates)
