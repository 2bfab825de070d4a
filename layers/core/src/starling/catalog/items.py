"""PynamoDB items of catalog."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from starling.shared.dynamo_items import CoreMeta, Gsi1


class ProductsByCreation(Gsi1["ProductItem"]):
    """A brand's products, newest first."""


class ProductItem(Model):
    """A product: pk BRAND#<id>, sk PRODUCT#<product_id>; gsi1 lists a brand's products by creation."""

    class Meta(CoreMeta):
        pass

    gsi1 = ProductsByCreation()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
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
