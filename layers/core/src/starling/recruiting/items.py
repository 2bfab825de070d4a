"""PynamoDB items of recruiting."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from starling.shared.dynamo_items import CoreItem, Gsi1, ListedItem


class PartnersByStage(Gsi1["PartnerItem"]):
    """A brand's partners by stage."""


class PartnerItem(ListedItem):
    """A partner: pk BRAND#<id>, sk PARTNER#<partner_id>; gsi1 lists a brand's partners by stage."""

    gsi1 = PartnersByStage()

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
    coupon_codes = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[var-annotated]


class CouponItem(CoreItem):
    """A coupon code's owner: pk BRAND#<id>, sk COUPON#<CODE> (upper case), so a code is unique per brand."""

    partner_id = UnicodeAttribute()
    code = UnicodeAttribute()


class TimelineItem(CoreItem):
    """One entry of a partner's timeline: pk BRAND#<id>, sk HISTORY#<partner_id>#<time>#<random>."""

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
    undo = BooleanAttribute(default=False)  # a stage move back


class EmailTemplateItem(CoreItem):
    """A brand's email template: pk BRAND#<id>, sk TEMPLATE#<name>."""

    subject = UnicodeAttribute()
    text_body = UnicodeAttribute()
    html_body = UnicodeAttribute(null=True)


class RateLimitItem(CoreItem):
    """Requests from one source in one window: pk RATE#<key>, sk RATE; expires by TTL."""

    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute()
