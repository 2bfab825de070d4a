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
    """Erase the brand's creator `creator_id` (NotFound unless the brand has them): the creator records,
    the partner's personal data and its timeline's, then one audit entry naming the kinds of data erased."""
    erased = discovery.erase_creator(creators, principal.brand_id, creator_id)
    fields = list(erased.fields)
    try:
        partner = partners.get(principal.brand_id, partner_id_for(creator_id))
    except NotFound:
        partner = None
    if partner is not None:
        partners.save(erased_partner(partner, clock.now()))
        partners.erase_timeline(principal.brand_id, partner.partner_id)
        fields += [f"partner.{name}" for name in PARTNER_FIELDS if getattr(partner, name)]
        fields += TIMELINE_FIELDS
    if erased.from_network:
        fields.append("network.creator")
    entry = identity.record_audit(identity_repo, principal, ACTION, creator_id, tuple(fields))
    return Erasure(creator_id=creator_id, erased_at=entry.at, fields=entry.fields)
