"""Erasing a creator on request: their personal data leaves the brand's records and the network, the
anonymous figures stay, and the brand's audit trail records what was erased and when (never the data).

Afterwards the creator is gone from the brand's creators, the network and search; a partner made of them
keeps its id, stage and timeline (so figures by partner still add up) with the handle `ERASED_HANDLE` and no
name, address, notes or timeline notes and addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from starling.discovery import service as discovery
from starling.discovery.model import CreatorRepository
from starling.identity import service as identity
from starling.identity.model import Principal
from starling.identity.service import IdentityRepository
from starling.recruiting.model import Partner, PartnerRepository, partner_id_for
from starling.shared import clock
from starling.shared.errors import NotFound

ERASED_HANDLE = "erased"
ACTION = "creator.erased"
# What erasing empties on a partner and on its timeline entries.
PARTNER_FIELDS = ("handle", "display_name", "email", "notes")
TIMELINE_FIELDS = ("timeline.note", "timeline.email_to")


@dataclass(frozen=True)
class Erasure:
    creator_id: str
    erased_at: datetime
    fields: tuple[str, ...]


def erased_partner(partner: Partner, now: datetime) -> Partner:
    """The partner without anything that says who the creator is; its id, stage and dates stay."""
    return replace(
        partner,
        handle=ERASED_HANDLE,
        display_name="",
        email=None,
        notes="",
        network_contact_id=None,
        updated_at=now,
    )


def erase_creator(
    identity_repo: IdentityRepository,
    creators: CreatorRepository,
    partners: PartnerRepository,
    principal: Principal,
    creator_id: str,
) -> Erasure:
    """Erase the brand's creator `creator_id`: the partner's personal data and its timeline's first, then
    the creator records, then one audit entry naming the kinds of data erased. In that order a retry after
    a failure finishes the job: NotFound only when the brand has neither the creator nor a partner of
    theirs with personal data left."""
    try:
        partner: Partner | None = partners.get(principal.brand_id, partner_id_for(creator_id))
    except NotFound:
        partner = None
    fields: list[str] = []
    if partner is not None and partner != erased_partner(partner, partner.updated_at):
        partners.erase_timeline(principal.brand_id, partner.partner_id)
        partners.save(erased_partner(partner, clock.now()))
        fields += [f"partner.{name}" for name in PARTNER_FIELDS if getattr(partner, name)]
        fields += TIMELINE_FIELDS
    try:
        erased = discovery.erase_creator(creators, principal.brand_id, creator_id)
    except NotFound:
        if not fields:
            raise
        erased = discovery.ErasedCreator(creator_id=creator_id, fields=(), from_network=False)
    fields = [*erased.fields, *fields] + (["network.creator"] if erased.from_network else [])
    entry = identity.record_audit(identity_repo, principal, ACTION, creator_id, tuple(fields))
    return Erasure(creator_id=creator_id, erased_at=entry.at, fields=entry.fields)
