"""The product catalogue: adding products, reading them, changing them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starling.catalog.campaigns import Campaign, CampaignRepository, apply_campaign_changes, new_campaign
from starling.catalog.model import (
    BrandReader,
    Product,
    ProductRepository,
    apply_product_changes,
    new_product,
)
from starling.shared import clock
from starling.shared.merge_patch import merge_fields
from starling.shared.paging import clamp_limit


def create_product(
    products: ProductRepository, brands: BrandReader, brand_id: str, fields: Mapping[str, Any]
) -> Product:
    """A new product whose url is on one of the brand's allowed domains."""
    product = new_product(brand_id, fields, brands.get_brand(brand_id).allowed_domains, clock.now())
    products.create(product)
    return product


def get_product(products: ProductRepository, brand_id: str, product_id: str) -> Product:
    """The brand's product; NotFound for an unknown id or another brand's product."""
    return products.get(brand_id, product_id)


def list_products(
    products: ProductRepository, brand_id: str, limit: int | None, cursor: str | None
) -> tuple[list[Product], str | None]:
    """A page of the brand's products, newest first."""
    return products.list_page(brand_id, clamp_limit(limit), cursor)


def update_product(
    products: ProductRepository,
    brands: BrandReader,
    brand_id: str,
    product_id: str,
    changes: Mapping[str, Any],
) -> Product:
    """Change the fields sent, as a JSON Merge Patch (`price` merges: its amount alone may change); a new url
    is checked against the brand's allowed domains as it is now."""
    product = products.get(brand_id, product_id)
    if not changes:
        return product
    price = {"amount": product.price.amount, "currency": product.price.currency} if product.price else {}
    changes = merge_fields({"price": price}, dict(changes), frozenset({"price"}))
    allowed = brands.get_brand(brand_id).allowed_domains if "url" in changes else ()
    updated = apply_product_changes(product, changes, allowed, clock.now())
    products.save(updated)
    return updated


def delete_product(products: ProductRepository, brand_id: str, product_id: str) -> None:
    """Remove the product from the catalogue and the partner's product page. Links made to it keep working:
    each stored its destination URL when it was made, so the redirect never reads the catalogue."""
    products.delete(brand_id, product_id)


# --- campaigns -------------------------------------------------------------------------------------------


def campaign_store() -> CampaignRepository:
    """The campaigns on DynamoDB (for capabilities above this one)."""
    from starling.catalog.campaign_repository import DynamoCampaignRepository

    return DynamoCampaignRepository()


def create_campaign(campaigns: CampaignRepository, brand_id: str, fields: Mapping[str, Any]) -> Campaign:
    campaign = new_campaign(brand_id, fields, clock.now())
    campaigns.create(campaign)
    return campaign


def get_campaign(campaigns: CampaignRepository, brand_id: str, campaign_id: str) -> Campaign:
    return campaigns.get(brand_id, campaign_id)


def list_campaigns(
    campaigns: CampaignRepository, brand_id: str, limit: int | None, cursor: str | None
) -> tuple[list[Campaign], str | None]:
    return campaigns.list_page(brand_id, clamp_limit(limit), cursor)


def update_campaign(
    campaigns: CampaignRepository, brand_id: str, campaign_id: str, changes: Mapping[str, Any]
) -> Campaign:
    """A JSON Merge Patch; `budget` merges (its amount alone may change); `default_terms` is replaced."""
    campaign = campaigns.get(brand_id, campaign_id)
    if not changes:
        return campaign
    budget = (
        {"amount": campaign.budget.amount, "currency": campaign.budget.currency} if campaign.budget else {}
    )
    changes = merge_fields({"budget": budget}, dict(changes), frozenset({"budget"}))
    updated = apply_campaign_changes(campaign, changes, clock.now())
    campaigns.save(updated, campaign.status)
    return updated
