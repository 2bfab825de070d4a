"""Contracts: the terms a partner signed, versioned, with the evidence of how they were signed.

A contract is one version of a partner's terms. It moves draft -> sent -> signed -> (countersigned) ->
active, and ends declined or expired if the partner says no or lets 14 days pass. A later version (an
amendment) supersedes the one before from its own start date, and only once signed: until then the old
terms rule (`terms_in_force`). A contract signed elsewhere is recorded active at once and marked
`recorded`. The evidence is an append-only chain of events, each carrying the hash of the one before
(starling.contracts.evidence), so a removed or edited event breaks every hash after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from starling.shared.errors import Conflict, Invalid
from starling.shared.terms import Terms

CONTRACT_ID_PREFIX = "ctr"
TEMPLATE_ID_PREFIX = "ctt"
AMENDMENT_ID_PREFIX = "amd"
SIGNING_DAYS = 14
SIGNING_PERIOD = timedelta(days=SIGNING_DAYS)
MAX_TEMPLATE_LENGTH = 100_000
MAX_TYPED_NAME = 200
_ID_RE = {prefix: re.compile(rf"^{prefix}_[a-z0-9]{{16}}$") for prefix in ("ctr", "ctt", "amd")}
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

ESIGN_DISCLOSURE = (
    "Consent to sign electronically. You agree to sign this contract and to receive it and notices about "
    "it electronically, which has the same effect as signing on paper. You may instead ask for a paper "
    "copy, free of charge, by replying to the email that brought you here; asking for one does not "
    "withdraw your consent. You may withdraw your consent to sign electronically at any time before you "
    "sign, by declining here or by replying to that email; after you sign, withdrawing it does not undo "
    "the signature. To read and keep this contract you need a device with a web browser; you can "
    "download it as a text file from this page at any time."
)
INTENT_STATEMENT = "By typing my name I sign this contract electronically."


class ContractStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    SIGNED = "signed"
    COUNTERSIGNED = "countersigned"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    DECLINED = "declined"
    EXPIRED = "expired"


# Statuses a contract can still move out of; the others are where it ends.
OPEN = frozenset(
    {ContractStatus.DRAFT, ContractStatus.SENT, ContractStatus.SIGNED, ContractStatus.COUNTERSIGNED}
)
# Statuses whose terms were agreed: the versions `terms_in_force` chooses from.
AGREED = frozenset({ContractStatus.ACTIVE, ContractStatus.SUPERSEDED})


class Awaiting(StrEnum):
    """The human step a contract's workflow is parked on (its task token is stored for it)."""

    SIGNATURE = "signature"
    COUNTERSIGNATURE = "countersignature"


@dataclass(frozen=True)
class EvidenceEvent:
    """One event of a contract's trail: `hash` covers every field and `previous_hash`."""

    sequence: int
    kind: str
    at: datetime
    actor: str
    data: dict[str, Any]
    previous_hash: str
    hash: str
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Template:
    template_id: str
    brand_id: str
    name: str
    body_markdown: str
    countersign: bool
    created_at: datetime
    default_terms: Terms | None = None
    default: bool = False


@dataclass(frozen=True)
class Contract:
    contract_id: str
    brand_id: str
    partner_id: str
    version: int
    status: ContractStatus
    terms: Terms
    starts_on: date
    created_at: datetime
    updated_at: datetime
    template_id: str | None = None
    recorded: bool = False
    countersign: bool = False
    document_markdown: str | None = None
    document_sha256: str | None = None
    sent_at: datetime | None = None
    expires_at: datetime | None = None
    signed_at: datetime | None = None
    activated_at: datetime | None = None
    ended_at: datetime | None = None
    awaiting: Awaiting | None = None
    amendment_id: str | None = None
    signed_on: date | None = None  # a contract signed elsewhere: the day it was signed
    evidence: tuple[EvidenceEvent, ...] = field(default_factory=tuple)

    @property
    def signature_hash(self) -> str | None:
        """The hash of the partner's signature event (or of the record of a signature made elsewhere)."""
        for event in self.evidence:
            if event.kind in ("signed", "recorded"):
                return event.hash
        return None


@dataclass(frozen=True)
class RenderedDocument:
    contract_id: str
    markdown: str
    sha256: str
    footer: str

    @property
    def text(self) -> str:
        """The document as it is downloaded: the markdown, then the footer."""
        return f"{self.markdown.rstrip()}\n\n---\n{self.footer}\n"


@dataclass(frozen=True)
class Segment:
    """Which partners an amendment is offered to; every part given must match."""

    campaign_id: str | None = None
    tier: str | None = None
    stage: str | None = None


@dataclass(frozen=True)
class AmendmentOffer:
    amendment_id: str
    brand_id: str
    segment: Segment
    terms: Terms
    starts_on: date
    template_id: str
    created_at: datetime
    contract_ids: dict[str, str]  # partner_id -> contract_id
    skipped: dict[str, str]  # partner_id -> why


@dataclass(frozen=True)
class SegmentMember:
    """What segment matching needs to know of a partner."""

    partner_id: str
    stage: str
    tier: str | None
    campaign_ids: frozenset[str]


class ContractRepository(Protocol):
    def create_template(self, template: Template) -> None: ...
    def get_template(self, brand_id: str, template_id: str) -> Template: ...
    def templates(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Template], str | None]: ...
    def all_templates(self, brand_id: str) -> list[Template]: ...
    def create_contract(self, contract: Contract, event: EvidenceEvent) -> None: ...
    def get_contract(self, brand_id: str, contract_id: str) -> Contract: ...
    def versions(self, brand_id: str, partner_id: str) -> list[Contract]: ...
    def change(
        self,
        before: Contract,
        after: Contract,
        event: EvidenceEvent | None,
        *,
        consume: tuple[Awaiting, str] | None = None,
    ) -> Contract: ...
    def token(self, brand_id: str, contract_id: str) -> tuple[Awaiting | None, str | None]: ...
    def store_token(self, brand_id: str, contract_id: str, awaiting: Awaiting, token: str) -> None: ...
    def parent_token(self, brand_id: str, contract_id: str) -> str | None: ...
    def set_parent_token(self, brand_id: str, contract_id: str, token: str) -> None: ...
    def save_offer(self, offer: AmendmentOffer) -> None: ...
    def get_offer(self, brand_id: str, amendment_id: str) -> AmendmentOffer: ...


class SigningWorkflow(Protocol):
    """The contract-signing state machine, as the service drives it."""

    def start(self, brand_id: str, contract_id: str, parent_task_token: str | None = None) -> str: ...
    def resume(self, token: str, output: dict[str, Any]) -> None: ...
    def refuse(self, token: str, error: str, cause: str) -> None: ...


def looks_like(prefix: str, value: str) -> bool:
    return bool(_ID_RE[prefix].match(value))


def validate_sha256(value: Any, field_name: str = "document_sha256") -> str:
    if not isinstance(value, str) or not _SHA256_RE.match(value.lower()):
        raise Invalid(f"{field_name} is 64 hexadecimal characters (a SHA-256).", {field_name: "not a sha256"})
    return value.lower()


def require_status(contract: Contract, allowed: Iterable[ContractStatus], action: str) -> None:
    allowed = frozenset(allowed)
    if contract.status not in allowed:
        raise Conflict(
            f"This contract is {contract.status.value}: it cannot be {action}.",
            {"status": contract.status.value, "allowed": sorted(s.value for s in allowed)},
        )


def terms_in_force(versions: Sequence[Contract], at: date | datetime) -> Terms | None:
    """The terms that rule on day `at`: of the versions agreed (active or superseded, signed here or
    recorded), the latest whose start date has come. An amendment not yet signed, declined or expired
    never rules; one signed rules only from its start date, so before it the version it supersedes does."""
    day = at.date() if isinstance(at, datetime) else at
    ruling = [c for c in versions if c.status in AGREED and c.starts_on <= day]
    if not ruling:
        return None
    return max(ruling, key=lambda c: (c.starts_on, c.version)).terms


def matches(segment: Segment, member: SegmentMember) -> bool:
    return (
        (segment.stage is None or member.stage == segment.stage)
        and (segment.tier is None or member.tier == segment.tier)
        and (segment.campaign_id is None or segment.campaign_id in member.campaign_ids)
    )


def default_template(templates: Sequence[Template]) -> Template | None:
    """The template onboarding uses: the one marked default (the newest such), else the newest."""
    if not templates:
        return None
    marked = [t for t in templates if t.default] or list(templates)
    return max(marked, key=lambda t: (t.created_at, t.template_id))
