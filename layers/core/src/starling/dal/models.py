"""PynamoDB models of the core table (one table, brand-partitioned) and the idempotency table.

Key layout of the core table:
  BRAND#<brand_id> / BRAND            the brand
  BRAND#<brand_id> / KEY#<key_id>     an API key (metadata, never the key)
  BRANDSLUG#<slug> / BRANDSLUG        slug -> brand, keeps slugs unique
  APIKEY#<sha256>  / APIKEY           key hash -> brand, role, key id: what the authorizer reads
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from starling.settings import get_settings

_settings = get_settings()


class CoreMeta:
    table_name = _settings.table_name
    region = _settings.region


class BrandItem(Model):
    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    allowed_domains = ListAttribute(of=UnicodeAttribute, default=list)
    fallback_url = UnicodeAttribute(null=True)
    utm_defaults = JSONAttribute(default=dict)
    tier_thresholds = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()


class BrandSlugItem(Model):
    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    brand_id = UnicodeAttribute()


class ApiKeyItem(Model):
    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    key_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    key_hash = UnicodeAttribute()
    last4 = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class ApiKeyLookupItem(Model):
    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    brand_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    role = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)


class IdempotencyItem(Model):
    class Meta:
        table_name = _settings.idempotency_table_name
        region = _settings.region

    id = UnicodeAttribute(hash_key=True)
    request_hash = UnicodeAttribute()
    status = UnicodeAttribute()  # in_progress | done
    response_status = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()  # the table's TTL attribute
