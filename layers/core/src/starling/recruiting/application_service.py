"""The public application form: an applicant becomes a creator and a partner at `applied`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from starling.discovery.model import NETWORK, brand_owner
from starling.discovery.service import CreatorRepository, creator_id_for
from starling.identity.model import Brand
from starling.identity.service import IdentityRepository
from starling.recruiting.applications import (
    RATE_LIMIT_WINDOW_SECONDS,
    Application,
    allow_submission,
    application_drafts,
    creator_from_application,
    parse_application,
    rate_limit_key,
)
from starling.recruiting.model import TimelineEntry, new_partner, partner_id_for, reveal_contact
from starling.recruiting.pipeline import Stage, can_move, enter_pipeline, move_partner
from starling.recruiting.service import PartnerRepository
from starling.shared.email import Email, EmailSender
from starling.shared.errors import NotFound, StarlingError

APPLICANT = "applicant"


class RateLimiter(Protocol):
    def hit(self, key: str, window_seconds: int, now_epoch: int) -> int: ...


class TooManySubmissions(StarlingError):
    code = "rate_limited"


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
    now = datetime.now(UTC)
    brand = brand_for_form(identity, brand_slug)
    key = rate_limit_key(source_ip, brand.slug, now)
    if not allow_submission(limiter.hit(key, RATE_LIMIT_WINDOW_SECONDS, int(now.timestamp())) - 1):
        raise TooManySubmissions("Too many applications from here; please try again in an hour.")
    application = parse_application(form)

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

    primary = saved[0]
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
        at=datetime.now(UTC),
        actor=APPLICANT,
        email_to=application.email,
        email_subject=subject,
        message_id=message_id,
    )
    partners.add_entries(brand.brand_id, partner_id, [confirmation])
    return Submitted(brand=brand, application=application, partner_id=partner_id)
