"""PynamoDB items of discovery."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from starling.shared.dynamo_items import CoreItem


class CreatorItem(CoreItem):
    """A creator of a brand (pk BRAND#<id>) or of the shared network (pk NETWORK); sk CREATOR#<id>."""

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


class SegmentRef(MapAttribute[str, Any]):
    """One search segment: its S3 object key and the rows it holds."""

    key = UnicodeAttribute()
    rows = NumberAttribute()


class SearchManifestItem(CoreItem):
    """An owner's search segments in S3, oldest first, its creator count, and a generation that every write
    moves; sk SEARCH#MANIFEST (see starling.discovery.segments)."""

    generation = NumberAttribute(default=0)
    creators = NumberAttribute(default=0)
    segments = ListAttribute(of=SegmentRef, default=list)


class ImportJobItem(CoreItem):
    """An uploaded import and its progress (starling.discovery.uploads); sk IMPORT#<id>. `rejected` is the
    JSON of the listed rejected rows (at most 1,000, about 100 KB)."""

    import_id = UnicodeAttribute()
    size_bytes = NumberAttribute()
    status = UnicodeAttribute()
    rows_done = NumberAttribute(default=0)
    imported = NumberAttribute(default=0)
    updated = NumberAttribute(default=0)
    rejected_count = NumberAttribute(default=0)
    rejected = UnicodeAttribute(default="[]")
    error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
