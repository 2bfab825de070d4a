"""Recruiting's use cases: adding creators as partners, moving them through the pipeline with outreach,
the public application form, email templates, and the pipeline's figures.

Write, then tell: every use case that emails commits its state change first (conditionally), then sends,
then records the email on the timeline; a refused change sends nothing.

What a brand gets back of a partner is a `PartnerView`: the discovery rule (`partner_as_seen_by`) applied
for that brand, so a network creator's contact details stay theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from starling.discovery import service as discovery
from starling.discovery.model import (
    NETWORK,
    Creator,
    CreatorDraft,
    CreatorRepository,
    brand_owner,
    new_creator,
)
from starling.discovery.service import creator_id_for
from starling.identity.model import Brand, Principal
from starling.identity.service import IdentityRepository
from starling.recruiting.applications import (
    RATE_LIMIT_WINDOW_SECONDS,
    Application,
    allow_submission,
    application_drafts,
    application_url,
    creator_from_application,
    parse_application,
    rate_limit_key,
)
from starling.recruiting.model import (
    EmailTemplate,
    Partner,
    PartnerRepository,
    PartnerView,
    RateLimiter,
    Stage,
    StageChange,
    TimelineEntry,
    apply_partner_changes,
    entry_as_seen_by,
    new_partner,
    partner_as_seen_by,
    partner_id_for,
    reveal_contact,
)
from starling.recruiting.outreach import (
    DEFAULT_CONTACTED_TEMPLATE,
    creator_fields,
    network_notice,
    render_email,
    validate_template,
    with_notice,
)
from starling.recruiting.pipeline import (
    PipelineSummary,
    can_move,
    enter_pipeline,
    is_overdue,
    move_partner,
    parse_stage,
    pipeline_summary,
    plan_move,
)
from starling.recruiting.search import search_page
from starling.shared import clock
from starling.shared.email import Email, EmailSender
from starling.shared.errors import Invalid, NotFound, StarlingError

DEFAULT_TEMPLATES: dict[str, EmailTemplate] = {"contacted": DEFAULT_CONTACTED_TEMPLATE}
APPLICANT = "applicant"


class TooManySubmissions(StarlingError):
    code = "rate_limited"


def actor_of(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.key_id}"


def partner_view(partner: Partner, viewer_brand_id: str) -> PartnerView:
    """What the brand `viewer_brand_id` sees of `partner` today: contact details only once the creator
    shared them with it, and whether the follow-up date has passed."""
    seen = partner_as_seen_by(partner, viewer_brand_id)
    fields = {name: getattr(seen, name) for name in Partner.__dataclass_fields__}
    return PartnerView(**fields, overdue=is_overdue(seen.follow_up_on, clock.today(), seen.stage))


# --- partners ----------------------------------------------------------------------------------------


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
        creator = new_creator(draft, clock.now(), creator_id=cid)
        creators.save_many(owner, [creator])
        return creator
    if creator_id is None:
        raise Invalid("Send creator_id, or a new creator.", {"creator_id": "required"})
    return discovery.add_to_brand(creators, brand_id, creator_id)


def add_partner(
    partners: PartnerRepository, brand_id: str, creator: Creator, stage: str, actor: str, note: str | None
) -> PartnerView:
    change = enter_pipeline(partner_id_for(creator.creator_id), stage, actor, clock.now(), note)
    partner = new_partner(brand_id, creator, change)
    partners.create(partner, [TimelineEntry.of_change(change)])
    return partner_view(partner, brand_id)


def get_partner(partners: PartnerRepository, brand_id: str, partner_id: str) -> PartnerView:
    return partner_view(partners.get(brand_id, partner_id), brand_id)


def list_partners(
    partners: PartnerRepository,
    brand_id: str,
    stage: str | None,
    limit: int,
    cursor: str | None,
    q: str | None = None,
) -> tuple[list[PartnerView], str | None]:
    """A page of the brand's partners, at one stage or all; with `q`, those whose handle or name matches it
    (`discovery.model.name_matches`), by handle."""
    at = parse_stage(stage) if stage else None
    if q is not None:
        found, next_cursor = search_page(partners.all(brand_id), brand_id, at, q, limit, cursor)
        return [partner_view(p, brand_id) for p in found], next_cursor
    found, next_cursor = partners.list_page(brand_id, at, limit, cursor)
    return [partner_view(p, brand_id) for p in found], next_cursor


def update_partner(
    partners: PartnerRepository, brand_id: str, partner_id: str, changes: dict[str, Any]
) -> PartnerView:
    before = partners.get(brand_id, partner_id)
    partners.save(updated := apply_partner_changes(before, changes, clock.now()), before)
    return partner_view(updated, brand_id)


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
    return pipeline_summary(current, histories, clock.now())


# --- stage moves and outreach ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outreach:
    """An outreach email ready to go, and how its timeline entry reads once it has gone."""

    email: Email
    via_network: bool

    def entry(self, actor: str, message_id: str) -> TimelineEntry:
        return TimelineEntry(
            kind="email",
            at=clock.now(),
            actor=actor,
            note="Sent by Starling through the network" if self.via_network else "",
            email_to=None if self.via_network else self.email.to,
            email_subject=self.email.subject,
            message_id=message_id,
        )


def move_stage(
    partners: PartnerRepository,
    creators: CreatorRepository,
    identity: IdentityRepository,
    email: EmailSender,
    brand_id: str,
    partner_id: str,
    to_stage: str,
    actor: str,
    note: str | None,
    send_email: bool = False,
    public_base_url: str = "",
) -> PartnerView:
    """Move a partner to another stage, or back to the stage before (an undo, with a note: see
    `pipeline.plan_move`); moving forward to `contacted` can send the brand's outreach email.

    The email goes to the partner's address, or, for a network creator who has not applied to the brand,
    from Starling to the address in the network, which the brand never sees. Its link is the brand's form
    with the creator's account filled in (`public_base_url` is where the form is served), and it speaks for
    the brand read from `identity`. The email is
    prepared first (a partner without an address is refused before anything changes), sent only after the
    move is committed (a concurrent move is a Conflict and sends nothing), then added to the timeline.
    """
    partner = partners.get(brand_id, partner_id)
    target = parse_stage(to_stage)
    history: list[StageChange] = []
    if not can_move(partner.stage, target):  # perhaps a move back: the history says which is allowed
        history = [c for _, e in partners.timeline(brand_id, partner_id) if (c := e.as_change(partner_id))]
    change = plan_move(partner_id, partner.stage, target, actor, clock.now(), note, history)
    outreach: _Outreach | None = None
    if send_email:
        if target is not Stage.CONTACTED or change.undo:
            raise Invalid(
                "An outreach email goes with a move forward to contacted.",
                {"send_email": "only for contacted"},
            )
        brand = identity.get_brand(brand_id)
        outreach = _prepare_outreach(partners, creators, brand, partner, public_base_url)
    after = replace(partner, stage=target, stage_entered_at=change.at, updated_at=change.at)
    partners.move(partner, after, [TimelineEntry.of_change(change)])
    if outreach is not None:
        message_id = email.send(outreach.email)
        partners.add_entries(brand_id, partner_id, [outreach.entry(actor, message_id)])
    return partner_view(after, brand_id)


def _prepare_outreach(
    partners: PartnerRepository,
    creators: CreatorRepository,
    brand: Brand,
    partner: Partner,
    public_base_url: str,
) -> _Outreach:
    via_network = partner.network_contact_id is not None
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
    if via_network:
        rendered = with_notice(rendered, network_notice(brand.name, apply_url))
    message = Email(to=to, subject=rendered.subject, text=rendered.text_body, html=rendered.html_body)
    return _Outreach(email=message, via_network=via_network)


# --- email templates ---------------------------------------------------------------------------------


def template_for(partners: PartnerRepository, brand_id: str, name: str) -> EmailTemplate:
    """The brand's template `name`, or the default until the brand sets one; NotFound for other names."""
    if name not in DEFAULT_TEMPLATES:
        raise NotFound(f"No template named {name}; there is: {', '.join(DEFAULT_TEMPLATES)}.")
    return partners.email_template(brand_id, name) or DEFAULT_TEMPLATES[name]


def set_template(
    partners: PartnerRepository, brand_id: str, name: str, template: EmailTemplate
) -> EmailTemplate:
    """Save the brand's template `name` once it checks out (known placeholders, lengths)."""
    template_for(partners, brand_id, name)  # 404 for a name that is not a template
    checked = validate_template(template)
    partners.save_email_template(brand_id, name, checked)
    return checked


def reset_template(partners: PartnerRepository, brand_id: str, name: str) -> EmailTemplate:
    """Drop the brand's own template `name`, so the default applies again; returns the default. Deleting a
    template the brand never set changes nothing and answers the same; an unknown name is NotFound."""
    template_for(partners, brand_id, name)
    partners.delete_email_template(brand_id, name)
    return DEFAULT_TEMPLATES[name]


# --- the public application form ---------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    brand: Brand
    application: Application
    partner_id: str


def brand_for_form(identity: IdentityRepository, brand_slug: str) -> Brand:
    brand = identity.find_brand_by_slug(brand_slug.lower())
    if brand is None:
        raise NotFound("There is no application form here.")
    return brand


def submit_application(
    identity: IdentityRepository,
    creators: CreatorRepository,
    partners: PartnerRepository,
    limiter: RateLimiter,
    email: EmailSender,
    brand_slug: str,
    form: dict[str, str | list[str]],
    source_ip: str,
) -> Submitted:
    """Check the source's rate, the form (SpamRejected for the honeypot, Invalid for fields), then save the
    applicant's accounts as creators (and in the network when they opt in), put them in the pipeline at
    `applied` (a duplicate application merges into what is there), and email a confirmation.

    Applying is how a creator shares their contact details with a brand: the brand's records of them,
    network references included, take the address they typed (`merge_creator`, `reveal_contact`)."""
    now = clock.now()
    brand = brand_for_form(identity, brand_slug)
    key = rate_limit_key(source_ip, brand.slug, now)
    if not allow_submission(limiter.hit(key, RATE_LIMIT_WINDOW_SECONDS, int(now.timestamp())) - 1):
        raise TooManySubmissions("Too many applications from here; please try again in an hour.")
    application = parse_application(form, asks_terms=brand.terms_url is not None)
    primary = _save_applicant(creators, brand, application, now)
    partner_id = partner_id_for(primary.creator_id)
    note = application.pitch
    try:
        partner = partners.get(brand.brand_id, partner_id)
    except NotFound:
        change = enter_pipeline(partner_id, Stage.APPLIED, APPLICANT, now, note)
        partners.create(new_partner(brand.brand_id, primary, change), [TimelineEntry.of_change(change)])
    else:
        revealed = reveal_contact(partner, application.email, now)
        if can_move(partner.stage, Stage.APPLIED):
            change = move_partner(partner_id, partner.stage, Stage.APPLIED, APPLICANT, now, note)
            after = replace(revealed, stage=Stage.APPLIED, stage_entered_at=now)
            partners.move(partner, after, [TimelineEntry.of_change(change)])
        elif revealed != replace(partner, updated_at=now):
            partners.save(revealed)  # no move from here (declined, active ...), but it is their address

    subject = f"Your application to {brand.name}"
    message_id = email.send(
        Email(
            to=application.email,
            subject=subject,
            text=(
                f"Hi {application.name},\n\nthank you for applying to partner with {brand.name}. "
                "We have your application and the team will be in touch.\n"
            ),
        )
    )
    confirmation = TimelineEntry(
        kind="email",
        at=clock.now(),
        actor=APPLICANT,
        email_to=application.email,
        email_subject=subject,
        message_id=message_id,
    )
    partners.add_entries(brand.brand_id, partner_id, [confirmation])
    return Submitted(brand=brand, application=application, partner_id=partner_id)


def _save_applicant(
    creators: CreatorRepository, brand: Brand, application: Application, now: datetime
) -> Creator:
    """Save the applicant's accounts as the brand's creators (and in the network when they opt in, or are
    there already); the first account's creator, whom the partner is made of."""
    owner = brand_owner(brand.brand_id)
    drafts = {creator_id_for(d.platform.value, d.handle): d for d in application_drafts(application)}
    existing = creators.get_many(owner, drafts)
    saved = [
        creator_from_application(d, existing.get(cid), application.network_opt_in, now)
        for cid, d in drafts.items()
    ]
    saved = [replace(c, creator_id=cid) for c, cid in zip(saved, drafts, strict=True)]
    creators.save_many(owner, saved)
    in_network = creators.get_many(NETWORK, drafts)
    network = [c for c in saved if application.network_opt_in or c.creator_id in in_network]
    if network:
        creators.save_many(NETWORK, [replace(c, notes="", network_contact_id=None) for c in network])
    return saved[0]


def partner_store() -> PartnerRepository:
    """The partners on DynamoDB (for capabilities above this one)."""
    from starling.recruiting.repository import DynamoPartnerRepository

    return DynamoPartnerRepository()
