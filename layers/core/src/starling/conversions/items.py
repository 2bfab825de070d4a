"""PynamoDB items of conversions (starling.conversions.repository is their only reader and writer)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from starling.shared.dynamo_items import CoreItem


class CommissionsByTime(GlobalSecondaryIndex["ConversionItem"]):
    """A brand's commissions, newest first (gsi1; unattributed orders are not in it)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ConversionItem(CoreItem):
    """An order and its commission: pk BRAND#<id>, sk ORDER#<commission id> (derived from the order id, so
    one conditional put records an order once). gsi1 (BRAND#<id>#COMMISSIONS, <occurred_at>#<id>) lists
    the attributed ones."""

    gsi1 = CommissionsByTime()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)

    order_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    occurred_at = UTCDateTimeAttribute()
    recorded_at = UTCDateTimeAttribute()
    attribution = JSONAttribute()
    partner_id = UnicodeAttribute(null=True)  # the attribution's, for the list's filter
    campaign_id = UnicodeAttribute(null=True)
    commission = JSONAttribute(null=True)
    state = UnicodeAttribute()
    approves_on = UnicodeAttribute(null=True)  # ISO date: pending before it, approved from it
    hold = JSONAttribute(null=True)
    customer_hash = UnicodeAttribute(null=True)
    items = JSONAttribute(null=True)
    refunds = JSONAttribute(null=True)
    review = JSONAttribute(null=True)
    version = NumberAttribute()


class PartnerMonthItem(CoreItem):
    """A partner's month so far (sales, CPA commission, CPC, billable clicks): pk BRAND#<id>,
    sk MONTH#<partner_id>#<YYYY-MM>; every write is conditioned on `version`, so two orders never both take
    the last of a cap."""

    sales = NumberAttribute(default=0)
    commission = NumberAttribute(default=0)
    cpc = NumberAttribute(default=0)
    clicks = NumberAttribute(default=0)
    version = NumberAttribute()


class CustomerItem(CoreItem):
    """A customer credited to a partner: pk BRAND#<id>, sk CUSTOMER#<customer hash>#<partner_id>, with the
    latest order's time (the duplicate-customer hold reads it)."""

    partner_id = UnicodeAttribute()
    last_at = UTCDateTimeAttribute()


class CostsByDay(GlobalSecondaryIndex["CostItem"]):
    """A brand's cost accruals by the day they occurred (gsi1)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class CostItem(CoreItem):
    """A cost accrual (starling.conversions.costs): pk BRAND#<id>, sk COST#<accrual id>, put once under
    `attribute_not_exists`; gsi1 (BRAND#<id>#COSTS, <occurred_on>#<accrual id>) lists them by day."""

    gsi1 = CostsByDay()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()

    accrual_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    occurred_on = UnicodeAttribute()  # ISO date
    state = UnicodeAttribute()
    source = UnicodeAttribute()
    basis = UnicodeAttribute()
    recorded_at = UTCDateTimeAttribute()
    released_by = UnicodeAttribute(null=True)


class CampaignSpendItem(CoreItem):
    """A campaign's spend so far: pk BRAND#<id>, sk SPEND#<campaign id> (NOCAMPAIGN for costs of no
    campaign); every write is conditioned on `version`, so concurrent accruals never both take the last of
    a budget, and the 80% warning is flagged once."""

    committed = NumberAttribute(default=0)
    over = NumberAttribute(default=0)
    warned = NumberAttribute(default=0)
    version = NumberAttribute()


class ProgramSettingsItem(CoreItem):
    """A brand's program settings (starling.conversions.program): pk BRAND#<id>, sk PROGRAM."""

    disclosures = JSONAttribute()
    banned_words = JSONAttribute()
    manager_emails = JSONAttribute()


class DeliverablesByTime(GlobalSecondaryIndex["DeliverableItem"]):
    """A brand's posts, newest first (gsi1)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DeliverableItem(CoreItem):
    """A submitted post: pk BRAND#<id>, sk DELIVERABLE#<id>; gsi1 (BRAND#<id>#DELIVERABLES,
    <submitted_at>#<id>) lists them newest first."""

    gsi1 = DeliverablesByTime()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()

    deliverable_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute(null=True)
    url = UnicodeAttribute()
    platform = UnicodeAttribute()
    caption = UnicodeAttribute()
    checks = JSONAttribute()
    status = UnicodeAttribute()
    submitted_at = UTCDateTimeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    fee = JSONAttribute(null=True)


class PaidPostsItem(CoreItem):
    """How many of a partner's approved posts earned a fee: pk BRAND#<id>, sk POSTS#<partner_id>; written
    under `version` with the approval, so two approvals never both take the last paid post."""

    paid = NumberAttribute(default=0)
    version = NumberAttribute()


class ShopSecretItem(CoreItem):
    """A brand's shop secret of one kind: pk BRAND#<id>, sk SHOPSECRET#<kind>; KMS ciphertexts only."""

    current = UnicodeAttribute()
    set_at = UTCDateTimeAttribute()
    previous = UnicodeAttribute(null=True)
    previous_until = UTCDateTimeAttribute(null=True)
