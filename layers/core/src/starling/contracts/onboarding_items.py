"""PynamoDB items of the portal's access and of onboarding (core table)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from starling.shared.dynamo_items import CoreItem


class MagicLinkItem(CoreItem):
    """pk MAGIC#<sha256 of the secret>, sk link. `expires_at` (TTL) removes it a day after it stops working,
    so that a late click still finds it and is told the link expired."""

    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    next_path = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    valid_until = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute()


class PortalAccountItem(CoreItem):
    """pk PORTAL#<sha256 of the partner's email>, sk ACCOUNT#<brand_id>#<partner_id>: a partnership the
    address can sign in to. The address itself is not in the key."""

    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    brand_name = UnicodeAttribute()


class OnboardingItem(CoreItem):
    """pk BRAND#<id>, sk ONBOARDING#<partner_id>: one attribute per step's time, so that the workflow and
    the partner can each record a step without overwriting the other's."""

    partner_id = UnicodeAttribute()
    status = UnicodeAttribute()
    task_token = UnicodeAttribute(null=True)
    contract_id = UnicodeAttribute(null=True)
    ended_reason = UnicodeAttribute(null=True)
    page_handle = UnicodeAttribute(null=True)  # /p/<handle>, once active
    profile = UnicodeAttribute(null=True)  # JSON
    payout = UnicodeAttribute(null=True)  # JSON
    tax = UnicodeAttribute(null=True)  # JSON; the tax id only as KMS ciphertext
    started_at = UTCDateTimeAttribute(null=True)
    invited_at = UTCDateTimeAttribute(null=True)
    profile_at = UTCDateTimeAttribute(null=True)
    payout_at = UTCDateTimeAttribute(null=True)
    tax_at = UTCDateTimeAttribute(null=True)
    reminded_at = UTCDateTimeAttribute(null=True)
    contract_sent_at = UTCDateTimeAttribute(null=True)
    contract_signed_at = UTCDateTimeAttribute(null=True)
    activated_at = UTCDateTimeAttribute(null=True)
    expired_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)


class ProductPageItem(CoreItem):
    """pk PAGE#<handle>, sk page: whose product page /p/<handle> is (handles are unique across brands)."""

    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
