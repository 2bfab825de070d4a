"""Partners: creators in a brand's recruiting pipeline, and what happened to each of them.

A partner made from a network creator keeps `network_contact_id`, the network creator's id, and no email,
until the creator applies to the brand. What a brand sees of a partner and its timeline goes through the
discovery rule (`partner_as_seen_by`, `entry_as_seen_by`, both on `contact_shown`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from starling.discovery.model import Creator, brand_owner, contact_shown, without_contact
from starling.shared.errors import Invalid

MAX_OWNER_LENGTH = 200
MAX_NOTE_LENGTH = 2000


class Stage(StrEnum):
    """Where a partner is in the pipeline; the moves between stages are the rules of `pipeline`."""

    PROSPECT = "prospect"
    CONTACTED = "contacted"
    NEGOTIATING = "negotiating"
    APPLIED = "applied"
    APPROVED = "approved"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    DECLINED = "declined"
    OFFBOARDED = "offboarded"


@dataclass(frozen=True)
class StageChange:
    """One move in a partner's history. `from_stage` is None for the entry into the pipeline; `undo` marks
    a move back that reverses the last forward move still standing (see `pipeline.undo_target`)."""

    partner_id: str
    from_stage: Stage | None
    to_stage: Stage
    actor: str
    at: datetime
    note: str = ""
    undo: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner_id": self.partner_id,
            "from_stage": self.from_stage.value if self.from_stage else None,
            "to_stage": self.to_stage.value,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "note": self.note,
            "undo": self.undo,
        }


def clean_note(note: str | None) -> str:
    text = "".join(ch for ch in (note or "") if ch in "\n\t" or ch.isprintable()).strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise Invalid(f"A note is at most {MAX_NOTE_LENGTH} characters.", {"note": f"over {MAX_NOTE_LENGTH}"})
    return text


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
    coupon_codes: tuple[str, ...] = ()  # unique per brand, case-insensitively (see `coupon_key`)

    @property
    def contact_via_network(self) -> bool:
        """A network creator Starling writes to for the brand (the brand has no address of theirs)."""
        return self.network_contact_id is not None


@dataclass(frozen=True)
class PartnerView(Partner):
    """A partner as the calling brand sees it (`partner_as_seen_by`), with what the brand's lists show."""

    overdue: bool = False


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
    if "coupon_codes" in changes:
        updates["coupon_codes"] = clean_coupon_codes(changes["coupon_codes"])
    return replace(partner, **updates)


MAX_COUPON_CODES = 20
_COUPON_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$")


def coupon_key(code: str) -> str:
    """A coupon code as the brand's codes are compared: case-insensitively (SPRING10 is spring10)."""
    return code.strip().upper()


def clean_coupon_codes(codes: Any) -> tuple[str, ...]:
    """A partner's coupon codes: 2 to 40 letters, digits, `-` or `_`, at most 20, none twice."""
    codes = codes or []
    if not isinstance(codes, list | tuple) or len(codes) > MAX_COUPON_CODES:
        raise Invalid(
            f"coupon_codes is a list of at most {MAX_COUPON_CODES} codes.", {"coupon_codes": "list"}
        )
    cleaned: dict[str, str] = {}
    for code in codes:
        text = str(code).strip()
        if not _COUPON_RE.match(text):
            raise Invalid(
                "A coupon code is 2 to 40 letters, digits, '-' or '_'.",
                {"coupon_codes": f"bad code {text!r}"},
            )
        if coupon_key(text) in cleaned:
            raise Invalid("A coupon code is listed twice.", {"coupon_codes": f"{text!r} twice"})
        cleaned[coupon_key(text)] = text
    return tuple(cleaned.values())


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
    undo: bool = False  # a stage change that moves the partner back (an undo of the move before)

    @classmethod
    def of_change(cls, change: StageChange) -> TimelineEntry:
        return cls(
            kind="stage",
            at=change.at,
            actor=change.actor,
            from_stage=change.from_stage,
            to_stage=change.to_stage,
            note=change.note,
            undo=change.undo,
        )

    def as_change(self, partner_id: str) -> StageChange | None:
        if self.kind != "stage" or self.to_stage is None:
            return None
        return StageChange(
            partner_id, self.from_stage, self.to_stage, self.actor, self.at, self.note, undo=self.undo
        )


def entry_as_seen_by(entry: TimelineEntry, partner: Partner, viewer_brand_id: str) -> TimelineEntry:
    """A timeline entry of `partner` as the brand `viewer_brand_id` may see it: an email's recipient is a
    contact detail, shown only where the partner's are."""
    if entry.email_to is None or contact_shown(
        brand_owner(partner.brand_id), viewer_brand_id, partner.network_contact_id
    ):
        return entry
    return replace(entry, email_to=None)


@dataclass(frozen=True)
class EmailTemplate:
    """A brand's outreach email, with `string.Template` placeholders (see `outreach`)."""

    subject: str
    text_body: str
    html_body: str | None = None


# --- ports -------------------------------------------------------------------------------------------


class PartnerRepository(Protocol):
    """A brand's partners, their timelines and its email templates.

    `create` refuses a partner that exists (Conflict); `move` saves the new stage with its entries only if
    the stage is still `before.stage` (Conflict otherwise); `get` raises NotFound for an unknown partner
    or another brand's; `timeline` is in time order."""

    def create(self, partner: Partner, entries: list[TimelineEntry]) -> None: ...
    def get(self, brand_id: str, partner_id: str) -> Partner: ...
    def list_page(
        self, brand_id: str, stage: Stage | None, limit: int, cursor: str | None
    ) -> tuple[list[Partner], str | None]: ...
    def all(self, brand_id: str) -> list[Partner]: ...
    def move(self, before: Partner, after: Partner, entries: list[TimelineEntry]) -> None: ...
    def save(self, partner: Partner, before: Partner | None = None) -> None:
        """Save the partner; with `before`, its coupon codes' index follows (Conflict for a code taken)."""
        ...

    def partner_for_coupon(self, brand_id: str, code: str) -> Partner | None: ...
    def add_entries(self, brand_id: str, partner_id: str, entries: list[TimelineEntry]) -> None: ...
    def timeline(self, brand_id: str, partner_id: str | None = None) -> list[tuple[str, TimelineEntry]]: ...
    def erase_timeline(self, brand_id: str, partner_id: str) -> None: ...
    def email_template(self, brand_id: str, name: str) -> EmailTemplate | None: ...
    def save_email_template(self, brand_id: str, name: str, template: EmailTemplate) -> None: ...
    def delete_email_template(self, brand_id: str, name: str) -> None: ...


class RateLimiter(Protocol):
    def hit(self, key: str, window_seconds: int, now_epoch: int) -> int:
        """Count one more request for `key` in its window; the count so far, this one included."""
        ...
