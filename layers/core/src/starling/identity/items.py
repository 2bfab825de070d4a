"""PynamoDB items of identity."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from starling.shared.dynamo_items import CoreItem
from starling.shared.money import DEFAULT_LOCALE


class BrandItem(CoreItem):
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    allowed_domains = ListAttribute(of=UnicodeAttribute, default=list)
    fallback_url = UnicodeAttribute(null=True)
    logo_url = UnicodeAttribute(null=True)
    terms_url = UnicodeAttribute(null=True)
    utm_defaults = JSONAttribute(default=dict)
    tier_thresholds = JSONAttribute(default=dict)
    target_niches = ListAttribute(of=UnicodeAttribute, default=list)
    target_countries = ListAttribute(of=UnicodeAttribute, default=list)
    locale = UnicodeAttribute(default=DEFAULT_LOCALE)  # brands stored before it read the default
    created_at = UTCDateTimeAttribute()


class BrandSlugItem(CoreItem):
    brand_id = UnicodeAttribute()


class BrandRosterItem(CoreItem):
    """One brand in the roster of all brands: pk BRANDS, sk <brand id> (scheduled runs read it)."""


class ApiKeyItem(CoreItem):
    key_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    key_hash = UnicodeAttribute()
    last4 = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class ApiKeyLookupItem(CoreItem):
    brand_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    role = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)


class AuditItem(CoreItem):
    """An entry of a brand's audit trail: pk BRAND#<id>, sk AUDIT#<time>#<entry_id>; written once."""

    entry_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    action = UnicodeAttribute()
    subject = UnicodeAttribute()
    actor = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    fields = ListAttribute(of=UnicodeAttribute, default=list)
