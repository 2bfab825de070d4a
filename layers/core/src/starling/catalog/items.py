"""PynamoDB items of catalog."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from starling.shared.dynamo_items import Gsi1, ListedItem


class ProductsByCreation(Gsi1["ProductItem"]):
    """A brand's products, newest first."""


class ProductItem(ListedItem):
    """A product: pk BRAND#<id>, sk PRODUCT#<product_id>; gsi1 lists a brand's products by creation."""

    gsi1 = ProductsByCreation()

    product_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    url = UnicodeAttribute()
    image_url = UnicodeAttribute(null=True)
    price_amount = NumberAttribute(null=True)  # minor units
    price_currency = UnicodeAttribute(null=True)  # ISO 4217
    sku = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class CampaignsByCreation(Gsi1["CampaignItem"]):
    """A brand's campaigns, newest first."""


class CampaignItem(ListedItem):
    """A campaign: pk BRAND#<id>, sk CAMPAIGN#<campaign_id>; gsi1 lists a brand's campaigns by creation."""

    gsi1 = CampaignsByCreation()

    campaign_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    starts_on = UnicodeAttribute()
    ends_on = UnicodeAttribute(null=True)
    budget_amount = NumberAttribute(null=True)
    budget_currency = UnicodeAttribute(null=True)
    default_terms = UnicodeAttribute(null=True)  # Terms as JSON
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
