"""PynamoDB items of discovery."""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from starling.shared.dynamo_items import CoreMeta
from starling.shared.settings import get_settings

_settings = get_settings()


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
