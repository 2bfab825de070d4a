"""PynamoDB items of links."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from starling.shared.dynamo_items import CoreItem, Gsi1, ListedItem


class LinksByPartner(Gsi1["LinkItem"]):
    """A partner's links."""


class LinkItem(ListedItem):
    """A brand's link: pk the brand's (brand_pk), sk LINK#<slug>; gsi1 lists a partner's links."""

    gsi1 = LinksByPartner()

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
    archived_at = UTCDateTimeAttribute(null=True)
    previous_slugs = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[var-annotated]
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class LinkStatsItem(CoreItem):
    """A link's lifetime figures: pk the brand's, sk LSTAT#<slug>. Written only by the click aggregator with
    conditional updates (starling.links.counters), which also keep its checkpoints (ck_<shard>)."""

    c = NumberAttribute(null=True)
    u = NumberAttribute(null=True)
    b = NumberAttribute(null=True)
    f = NumberAttribute(null=True)


class SlugForwardItem(CoreItem):
    """A renamed link's old slug: pk SLUG#<old>, sk SLUG, pointing at the new slug until the TTL deletes it
    (starling.links.redirect_store reads it; it holds the old slug so no other link can take it meanwhile)."""

    slug = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    moved_to = UnicodeAttribute()
    expires_at = NumberAttribute()


class RedirectItem(CoreItem):
    """What the redirect reads for a slug: pk SLUG#<slug>, sk SLUG (starling.links.redirect_store)."""

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
