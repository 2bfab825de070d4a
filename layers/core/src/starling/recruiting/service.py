"""The recruiting pipeline: adding creators as partners, moving them, outreach email, and analytics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from starling.discovery import service as discovery
from starling.discovery.creators import Creator, CreatorDraft, new_creator
from starling.discovery.model import brand_owner
from starling.discovery.service import CreatorRepository, creator_id_for
from starling.identity.model import Brand, Principal
from starling.recruiting.applications import application_url
from starling.recruiting.model import (
    Partner,
    TimelineEntry,
    apply_partner_changes,
    entry_as_seen_by,
    new_partner,
    partner_as_seen_by,
    partner_id_for,
)
from starling.recruiting.outreach import (
    DEFAULT_CONTACTED_TEMPLATE,
    EmailTemplate,
    creator_fields,
    network_notice,
    render_email,
    with_notice,
)
from starling.recruiting.pipeline import (
    PipelineSummary,
    Stage,
    StageChange,
    check_move,
    enter_pipeline,
    move_partner,
    parse_stage,
    pipeline_summary,
)
from starling.shared.email import Email, EmailSender
from starling.shared.errors import Invalid, NotFound

DEFAULT_TEMPLATES: dict[str, EmailTemplate] = {"contacted": DEFAULT_CONTACTED_TEMPLATE}


class PartnerRepository(Protocol):
    def create(self, partner: Partner, entries: list[TimelineEntry]) -> None: ...
    def get(self, brand_id: str, partner_id: str) -> Partner: ...
    def list_page(
        self, brand_id: str, stage: Stage | None, limit: int, cursor: str | None
    ) -> tuple[list[Partner], str | None]: ...
    def all(self, brand_id: str) -> list[Partner]: ...
    def move(self, before: Partner, after: Partner, entries: list[TimelineEntry]) -> None: ...
    def save(self, partner: Partner) -> None: ...
    def add_entries(self, brand_id: str, partner_id: str, entries: list[TimelineEntry]) -> None: ...
    def timeline(self, brand_id: str, partner_id: str | None = None) -> list[tuple[str, TimelineEntry]]: ...
    def email_template(self, brand_id: str, name: str) -> EmailTemplate | None: ...
    def save_email_template(self, brand_id: str, name: str, template: EmailTemplate) -> None: ...


def actor_of(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.key_id}"


def _now() -> datetime:
    return datetime.now(UTC)


def creator_for_partner(
    creators: CreatorRepository, brand_id: str, creator_id: str | None, draft: CreatorDraft | None
) -> Creator:
    """The brand's own creator; a network creator (kept as a reference, without contact details); or a
    new one."""
    owner = brand_owner(brand_id)
    if draft is not None:
        cid = creator_id_for(draft.platform.value, draft.handle)
        existing = creators.get_many(owner, [cid])
        if cid in existing:
            return existing[cid]
        creator = new_creator(draft, _now(), creator_id=cid)
        creators.save_many(owner, [creator])
        return creator
    if creator_id is None:
        raise Invalid("Send creator_id, or a new creator.", {"creator_id": "required"})
    return discovery.add_to_brand(creators, brand_id, creator_id)


def add_partner(
    partners: PartnerRepository, brand_id: str, creator: Creator, stage: str, actor: str, note: str | None
) -> Partner:
    change = enter_pipeline(partner_id_for(creator.creator_id), stage, actor, _now(), note)
    partner = new_partner(brand_id, creator, change)
    partners.create(partner, [TimelineEntry.of_change(change)])
    return partner_as_seen_by(partner, brand_id)


def template_for(partners: PartnerRepository, brand_id: str, name: str) -> EmailTemplate:
    if name not in DEFAULT_TEMPLATES:
        raise NotFound(f"No template named {name}; there is: {', '.join(DEFAULT_TEMPLATES)}.")
    return partners.email_template(brand_id, name) or DEFAULT_TEMPLATES[name]


def move_stage(
    partners: PartnerRepository,
    creators: CreatorRepository,
    email: EmailSender,
    brand: Brand,
    partner_id: str,
    to_stage: str,
    actor: str,
    note: str | None,
    send_email: bool = False,
    public_base_url: str = "",
) -> Partner:
    """Move a partner to another stage; moving to `contacted` can send the brand's outreach email.

    The email goes to the partner's address, or, for a network creator who has not applied to the brand,
    from Starling to the address in the network, which the brand never sees. Its link is the brand's form
    with the creator's account filled in (`public_base_url` is where the form is served).
    """
    partner = partners.get(brand.brand_id, partner_id)
    target = parse_stage(to_stage)
    check_move(partner.stage, target)
    change = move_partner(partner_id, partner.stage, target, actor, _now(), note)
    entries = [TimelineEntry.of_change(change)]
    if send_email:
        if target is not Stage.CONTACTED:
            raise Invalid(
                "An outreach email goes with a move to contacted.", {"send_email": "only for contacted"}
            )
        entries.append(_send_outreach(partners, creators, email, brand, partner, actor, public_base_url))
    after = replace(partner, stage=target, stage_entered_at=change.at, updated_at=change.at)
    partners.move(partner, after, entries)
    return partner_as_seen_by(after, brand.brand_id)


def _send_outreach(
    partners: PartnerRepository,
    creators: CreatorRepository,
    email: EmailSender,
    brand: Brand,
    partner: Partner,
    actor: str,
    public_base_url: str,
) -> TimelineEntry:
    if partner.network_contact_id is not None:
        to = discovery.network_address(creators, partner.network_contact_id)
    elif partner.email:
        to = partner.email
    else:
        raise Invalid("This partner has no email address on record.", {"send_email": "no email address"})
    creator = creators.get(brand_owner(brand.brand_id), partner.creator_id)
    apply_url = application_url(public_base_url, brand.slug, creator.platform.value, creator.handle)
    rendered = render_email(
        template_for(partners, brand.brand_id, "contacted"),
        creator_fields(creator, brand.name, apply_url=apply_url),
    )
    if partner.network_contact_id is not None:
        rendered = with_notice(rendered, network_notice(brand.name, apply_url))
    message_id = email.send(
        Email(to=to, subject=rendered.subject, text=rendered.text_body, html=rendered.html_body)
    )
    return TimelineEntry(
        kind="email",
        at=_now(),
        actor=actor,
        note="Sent by Starling through the network" if partner.network_contact_id is not None else "",
        email_to=None if partner.network_contact_id is not None else to,
        email_subject=rendered.subject,
        message_id=message_id,
    )


def get_partner(partners: PartnerRepository, brand_id: str, partner_id: str) -> Partner:
    return partner_as_seen_by(partners.get(brand_id, partner_id), brand_id)


def list_partners(
    partners: PartnerRepository, brand_id: str, stage: str | None, limit: int, cursor: str | None
) -> tuple[list[Partner], str | None]:
    found, next_cursor = partners.list_page(brand_id, parse_stage(stage) if stage else None, limit, cursor)
    return [partner_as_seen_by(p, brand_id) for p in found], next_cursor


def update_partner(
    partners: PartnerRepository, brand_id: str, partner_id: str, changes: dict[str, Any]
) -> Partner:
    updated = apply_partner_changes(partners.get(brand_id, partner_id), changes, _now())
    partners.save(updated)
    return partner_as_seen_by(updated, brand_id)


def history(partners: PartnerRepository, brand_id: str, partner_id: str) -> list[TimelineEntry]:
    partner = partners.get(brand_id, partner_id)  # 404 for another brand's or an unknown partner
    return [entry_as_seen_by(e, partner, brand_id) for _, e in partners.timeline(brand_id, partner_id)]


def summary(partners: PartnerRepository, brand_id: str) -> PipelineSummary:
    current = {p.partner_id: p.stage for p in partners.all(brand_id)}
    histories: dict[str, list[StageChange]] = {}
    for partner_id, entry in partners.timeline(brand_id):
        change = entry.as_change(partner_id)
        if change is not None:
            histories.setdefault(partner_id, []).append(change)
    return pipeline_summary(current, histories, _now())


def today() -> date:
    return _now().date()
