"""PynamoDB items of contracts: templates, contracts, their evidence events, their tokens, and offers."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from starling.shared.dynamo_items import CoreItem, Gsi1, ListedItem


class TemplatesByCreation(Gsi1["TemplateItem"]):
    """A brand's contract templates, newest first."""


class TemplateItem(ListedItem):
    """pk BRAND#<id>, sk CTEMPLATE#<template_id>."""

    gsi1 = TemplatesByCreation()
    template_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    name = UnicodeAttribute()
    body_markdown = UnicodeAttribute()
    countersign = BooleanAttribute()
    is_default = BooleanAttribute(default=False)
    default_terms = UnicodeAttribute(null=True)  # Terms as JSON
    created_at = UTCDateTimeAttribute()


class ContractsByVersion(Gsi1["ContractItem"]):
    """A partner's contracts by version (gsi1pk BRAND#<id>#CONTRACTS#<partner_id>)."""


class ContractItem(ListedItem):
    """pk BRAND#<id>, sk CONTRACT#<contract_id>. Its evidence is in EvidenceItems beside it."""

    gsi1 = ContractsByVersion()
    contract_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute()
    terms = UnicodeAttribute()  # Terms as JSON
    starts_on = UnicodeAttribute()  # ISO date
    template_id = UnicodeAttribute(null=True)
    recorded = BooleanAttribute(default=False)
    countersign = BooleanAttribute(default=False)
    document_markdown = UnicodeAttribute(null=True)
    document_sha256 = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    expires_at_time = UTCDateTimeAttribute(null=True)  # not `expires_at`: that name is the table's TTL
    signed_at = UTCDateTimeAttribute(null=True)
    activated_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    amendment_id = UnicodeAttribute(null=True)
    signed_on = UnicodeAttribute(null=True)
    evidence_count = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class VersionSlotItem(CoreItem):
    """pk BRAND#<id>, sk CONTRACTVERSION#<partner_id>#<version>: one contract per partner and version."""

    contract_id = UnicodeAttribute()


class EvidenceItem(CoreItem):
    """pk BRAND#<id>, sk CONTRACT#<contract_id>#EV#<sequence>: written once, never updated."""

    sequence = NumberAttribute()
    kind = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    data = UnicodeAttribute()  # JSON
    previous_hash = UnicodeAttribute()
    hash = UnicodeAttribute()
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)


class TokenItem(CoreItem):
    """pk BRAND#<id>, sk CONTRACT#<contract_id>#TOKEN: the task token of the human step the workflow waits
    on, and the parent workflow's token (onboarding), kept server-side only."""

    awaiting = UnicodeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    parent_task_token = UnicodeAttribute(null=True)


class OffersByCreation(Gsi1["OfferItem"]):
    """A brand's amendment offers, newest first."""


class OfferItem(ListedItem):
    """pk BRAND#<id>, sk AMENDMENT#<amendment_id>."""

    gsi1 = OffersByCreation()
    amendment_id = UnicodeAttribute()
    brand_id = UnicodeAttribute()
    segment = UnicodeAttribute()  # JSON
    terms = UnicodeAttribute()  # JSON
    starts_on = UnicodeAttribute()
    template_id = UnicodeAttribute()
    contract_ids = UnicodeAttribute()  # JSON: partner_id -> contract_id
    skipped = UnicodeAttribute()  # JSON: partner_id -> why
    created_at = UTCDateTimeAttribute()
