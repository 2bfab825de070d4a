"""Partners: creators in a brand's recruiting pipeline, and what happened to each of them.

A partner made from a network creator keeps `network_contact_id`, the network creator's id, and no email,
until the creator applies to the brand. What a brand sees of a partner and its timeline goes through the
discovery rule (`partner_as_seen_by`, `entry_as_seen_by`, both on `contact_shown`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from starling.discovery.creators import Creator
from starling.discovery.model import brand_owner, contact_shown, without_contact
from starling.recruiting.pipeline import Stage, StageChange, clean_note
from starling.shared.errors import Invalid

MAX_OWNER_LENGTH = 200


def partner_id_for(creator_id: str) -> str:
    """One partner per creator and brand: the id is derived from the creator's."""
    return "ptn_" + creator_id.removeprefix("cre_")


@dataclass(frozen=True)
class Partner:
    partner_id: str
    brand_id: str
    creator_id: str
    platform: str
    handle: str
    display_name: str
    email: str | None
    stage: Stage
    stage_entered_at: datetime
    created_at: datetime
    updated_at: datetime
    owner: str | None = None
    follow_up_on: date | None = None
    notes: str = ""
    network_contact_id: str | None = None


def new_partner(brand_id: str, creator: Creator, change: StageChange) -> Partner:
    """A partner of `creator`, a record of `brand_id`'s own list (a network creator's is a reference)."""
    return Partner(
        partner_id=change.partner_id,
        brand_id=brand_id,
        creator_id=creator.creator_id,
        platform=creator.platform.value,
        handle=creator.handle,
        display_name=creator.display_name,
        email=creator.email,
        stage=change.to_stage,
        stage_entered_at=change.at,
        created_at=change.at,
        updated_at=change.at,
        network_contact_id=creator.network_contact_id,
    )


def reveal_contact(partner: Partner, email: str, now: datetime) -> Partner:
    """The partner once the creator gave the brand their address themselves (they applied to it)."""
    return replace(partner, email=email, network_contact_id=None, updated_at=now)


def partner_as_seen_by(partner: Partner, viewer_brand_id: str) -> Partner:
    """The partner as the brand `viewer_brand_id` may see it: without contact details until the creator
    shared them with that brand."""
    if contact_shown(brand_owner(partner.brand_id), viewer_brand_id, partner.network_contact_id):
        return partner
    return without_contact(partner)


def apply_partner_changes(partner: Partner, changes: dict[str, Any], now: datetime) -> Partner:
    """Owner, follow-up date and notes; the stage only moves through `move_partner`."""
    updates: dict[str, Any] = {"updated_at": now}
    if "owner" in changes:
        owner = (changes["owner"] or "").strip() or None
        if owner is not None and len(owner) > MAX_OWNER_LENGTH:
            raise Invalid(f"owner is at most {MAX_OWNER_LENGTH} characters.", {"owner": "too long"})
        updates["owner"] = owner
    if "follow_up_on" in changes:
        updates["follow_up_on"] = changes["follow_up_on"]
    if "notes" in changes:
        updates["notes"] = clean_note(changes["notes"])
    return replace(partner, **updates)


@dataclass(frozen=True)
class TimelineEntry:
    """Something that happened to a partner: a stage change, an email sent, or a note."""

    kind: str  # stage | email
    at: datetime
    actor: str
    from_stage: Stage | None = None
    to_stage: Stage | None = None
    note: str = ""
    email_to: str | None = None
    email_subject: str | None = None
    message_id: str | None = None

    @classmethod
    def of_change(cls, change: StageChange) -> TimelineEntry:
        return cls(
            kind="stage",
            at=change.at,
            actor=change.actor,
            from_stage=change.from_stage,
            to_stage=change.to_stage,
            note=change.note,
        )

    def as_change(self, partner_id: str) -> StageChange | None:
        if self.kind != "stage" or self.to_stage is None:
            return None
        return StageChange(partner_id, self.from_stage, self.to_stage, self.actor, self.at, self.note)


def entry_as_seen_by(entry: TimelineEntry, partner: Partner, viewer_brand_id: str) -> TimelineEntry:
    """A timeline entry of `partner` as the brand `viewer_brand_id` may see it: an email's recipient is a
    contact detail, shown only where the partner's are."""
    if entry.email_to is None or contact_shown(
        brand_owner(partner.brand_id), viewer_brand_id, partner.network_contact_id
    ):
        return entry
    return replace(entry, email_to=None)
