"""PynamoDB models of the core table (one table, brand-partitioned) and the idempotency table.

Key layout of the core table:
  BRAND#<brand_id> / BRAND            the brand
  BRAND#<brand_id> / KEY#<key_id>     an API key (metadata, never the key)
  BRANDSLUG#<slug> / BRANDSLUG        slug -> brand, keeps slugs unique
  APIKEY#<sha256>  / APIKEY           key hash -> brand, role, key id: what the authorizer reads
"""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
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
    target_niches = ListAttribute(of=UnicodeAttribute, default=list)
    target_countries = ListAttribute(of=UnicodeAttribute, default=list)
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


class CreatorItem(Model):
    """A creator of a brand (pk BRAND#<id>) or of the shared network (pk NETWORK); sk CREATOR#<id>."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    creator_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    handle = UnicodeAttribute()
    display_name = UnicodeAttribute(default="")
    followers = NumberAttribute(default=0)
    avg_likes = NumberAttribute(default=0)
    avg_comments = NumberAttribute(default=0)
    avg_views = NumberAttribute(default=0)
    niches = ListAttribute(of=UnicodeAttribute, default=list)
    country = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    profile_url = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(default="")
    discoverable = BooleanAttribute(default=False)
    brand_safety_flags = ListAttribute(of=UnicodeAttribute, default=list)
    network_contact_id = UnicodeAttribute(null=True)  # a brand's reference to a network creator: no email
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class SearchSegmentItem(Model):
    """Compressed search rows of one segment of an owner's creators; sk SEARCH#<nn>."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    data = BinaryAttribute(legacy_encoding=False)
    version = NumberAttribute()


class SearchManifestItem(Model):
    """Bumped after every change to an owner's search segments; sk SEARCH#MANIFEST."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    generation = NumberAttribute(default=0)


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


class PartnersByStage(GlobalSecondaryIndex["PartnerItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class PartnerItem(Model):
    """A partner: pk BRAND#<id>, sk PARTNER#<partner_id>; gsi1 lists a brand's partners by stage."""

    class Meta(CoreMeta):
        pass

    gsi1 = PartnersByStage()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    creator_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    handle = UnicodeAttribute()
    display_name = UnicodeAttribute(default="")
    email = UnicodeAttribute(null=True)
    stage = UnicodeAttribute()
    stage_entered_at = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    owner = UnicodeAttribute(null=True)
    follow_up_on = UnicodeAttribute(null=True)  # ISO date
    notes = UnicodeAttribute(default="")
    network_contact_id = UnicodeAttribute(null=True)  # contact through the network: no email kept here


class TimelineItem(Model):
    """One entry of a partner's timeline: pk BRAND#<id>, sk HISTORY#<partner_id>#<time>#<random>."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    partner_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    from_stage = UnicodeAttribute(null=True)
    to_stage = UnicodeAttribute(null=True)
    note = UnicodeAttribute(default="")
    email_to = UnicodeAttribute(null=True)
    email_subject = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)


class EmailTemplateItem(Model):
    """A brand's email template: pk BRAND#<id>, sk TEMPLATE#<name>."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    subject = UnicodeAttribute()
    text_body = UnicodeAttribute()
    html_body = UnicodeAttribute(null=True)


class RateLimitItem(Model):
    """Requests from one source in one window: pk RATE#<key>, sk RATE; expires by TTL."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute()


class ProductsByCreation(GlobalSecondaryIndex["ProductItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


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


class LinksByPartner(GlobalSecondaryIndex["LinkItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class LinkItem(Model):
    """A brand's link: pk BRAND#<id>, sk LINK#<slug>; gsi1 lists a partner's links."""

    class Meta(CoreMeta):
        pass

    gsi1 = LinksByPartner()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    slug = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    destination_url = UnicodeAttribute()
    product_id = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    utm = JSONAttribute(default=dict)
    ios_url = UnicodeAttribute(null=True)
    android_url = UnicodeAttribute(null=True)
    link_expires_at = UTCDateTimeAttribute(null=True)  # not `expires_at`: that is the table's TTL
    disabled = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class LinkStatsItem(Model):
    """A link's lifetime figures: pk BRAND#<id>, sk LSTAT#<slug>. Written only by the click aggregator with
    conditional updates (starling.dal.click_counters), which also keep its checkpoints (ck_<shard>)."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    c = NumberAttribute(null=True)
    u = NumberAttribute(null=True)
    b = NumberAttribute(null=True)
    f = NumberAttribute(null=True)


class RedirectItem(Model):
    """What the redirect reads for a slug: pk SLUG#<slug>, sk SLUG (starling.dal.redirect_store)."""

    class Meta(CoreMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    slug = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute(null=True)
    url = UnicodeAttribute()
    ios_url = UnicodeAttribute(null=True)
    android_url = UnicodeAttribute(null=True)
    fallback_url = UnicodeAttribute(null=True)
    disabled = BooleanAttribute(default=False)
    expires_epoch = NumberAttribute(null=True)
