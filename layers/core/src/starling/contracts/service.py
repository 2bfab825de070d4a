"""Contracts' use cases, for the brand (templates, contracts, countersignature, amendments to a segment)
and for the partner in the portal (read, view, sign, decline).

Write, then tell: each use case commits the contract's new status with its evidence event (one
transaction, conditioned on what was read) before it resumes the workflow with the stored task token, so
the signature is on record before Step Functions hears of it. The token is taken in that same transaction:
a second signature, or one sent with another partner's session, never reaches the workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from starling.contracts.evidence import next_event
from starling.contracts.model import (
    AMENDMENT_ID_PREFIX,
    CONTRACT_ID_PREFIX,
    OPEN,
    TEMPLATE_ID_PREFIX,
    AmendmentOffer,
    Contract,
    ContractRepository,
    ContractStatus,
    Segment,
    SegmentMember,
    SigningWorkflow,
    Template,
    default_template,
    matches,
    validate_sha256,
)
from starling.contracts.onboarding import PayoutMethod
from starling.contracts.rendering import validate_body
from starling.contracts.signatures import Signatures
from starling.identity.model import Brand
from starling.recruiting.model import Partner
from starling.shared import clock
from starling.shared.email import EmailSender
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.ids import new_id
from starling.shared.paging import clamp_limit
from starling.shared.settings import Settings
from starling.shared.terms import Terms, parse_terms

MAX_SEGMENT = 1000
_CLOSED_STAGES = frozenset({"declined", "offboarded"})


class PartnerLookup(Protocol):
    def get(self, brand_id: str, partner_id: str) -> Partner: ...


class BrandLookup(Protocol):
    def get_brand(self, brand_id: str) -> Brand: ...


class SegmentDirectory(Protocol):
    def members(self, brand_id: str) -> list[SegmentMember]: ...


class ContractsService(Signatures):
    """The brand's use cases here; the signatures (the partner's in the portal, the brand's countersignature)
    in starling.contracts.signatures."""

    def __init__(
        self,
        contracts: ContractRepository,
        partners: PartnerLookup,
        brands: BrandLookup,
        workflow: SigningWorkflow,
        email: EmailSender,
        public_base_url: str,
        directory: SegmentDirectory | None = None,
    ) -> None:
        self.contracts = contracts
        self.partners = partners
        self.brands = brands
        self.workflow = workflow
        self.email = email
        self.public_base_url = public_base_url.rstrip("/")
        self.directory = directory

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ContractsService:
        """The service on DynamoDB, Step Functions and SES, as the functions' environment names them."""
        from starling.contracts.repository import DynamoContractRepository
        from starling.contracts.segments import DynamoSegmentDirectory
        from starling.contracts.workflow import StepFunctionsSigningWorkflow
        from starling.identity.service import identity_store
        from starling.recruiting.service import partner_store
        from starling.shared.email import SesEmailSender

        # Read now, not the process's cached settings: several functions share a process on the local cloud.
        settings = settings or Settings.from_env()
        return cls(
            DynamoContractRepository(),
            partner_store(),
            identity_store(),
            StepFunctionsSigningWorkflow(settings),
            SesEmailSender(),
            settings.public_base_url,
            DynamoSegmentDirectory(),
        )

    # --- templates --------------------------------------------------------------------------------------

    def create_template(self, brand_id: str, fields: Mapping[str, Any]) -> Template:
        name = str(fields.get("name") or "").strip()
        if not name:
            raise Invalid("name must not be empty.", {"name": "empty"})
        terms = fields.get("default_terms")
        template = Template(
            template_id=new_id(TEMPLATE_ID_PREFIX),
            brand_id=brand_id,
            name=name,
            body_markdown=validate_body(fields.get("body_markdown")),
            countersign=bool(fields.get("countersign", False)),
            created_at=clock.now(),
            default_terms=parse_terms(terms, "default_terms") if terms is not None else None,
            default=bool(fields.get("default", False)),
        )
        self.contracts.create_template(template)
        return template

    def templates(
        self, brand_id: str, limit: int | None, cursor: str | None
    ) -> tuple[list[Template], str | None]:
        return self.contracts.templates(brand_id, clamp_limit(limit), cursor)

    def template_for(self, brand_id: str, template_id: str | None) -> Template:
        """The template named, else the brand's default one (the one marked default, else the newest)."""
        if template_id is not None:
            try:
                return self.contracts.get_template(brand_id, template_id)
            except NotFound as exc:
                raise Invalid(
                    "template_id names no template of this brand.", {"template_id": template_id}
                ) from exc
        found = default_template(self.contracts.all_templates(brand_id))
        if found is None:
            raise Invalid("This brand has no contract template yet.", {"template_id": "required"})
        return found

    # --- contracts, brand side -----------------------------------------------------------------------------

    def start_contract(
        self,
        brand_id: str,
        partner_id: str,
        *,
        actor: str,
        template_id: str | None,
        terms: Terms | Mapping[str, Any] | None = None,
        starts_on: date | None = None,
        amendment_id: str | None = None,
        parent_task_token: str | None = None,
    ) -> Contract:
        """A new version of the partner's contract, in draft, and its signing workflow started."""
        partner = self.partners.get(brand_id, partner_id)
        if partner.stage.value in _CLOSED_STAGES:
            raise Conflict(
                f"The partner is {partner.stage.value}: offer them no contract.",
                {"stage": partner.stage.value},
            )
        template = self.template_for(brand_id, template_id)
        chosen = terms if terms is not None else template.default_terms
        if chosen is None:
            raise Invalid("Give terms: the template has no default terms.", {"terms": "required"})
        parsed = parse_terms(chosen)
        today = clock.today()
        starts = starts_on or today
        if starts < today:
            raise Invalid(
                "starts_on is today or later; record older contracts as signed elsewhere.",
                {"starts_on": str(starts)},
            )
        version = self._next_version(brand_id, partner_id)
        now = clock.now()
        contract = Contract(
            contract_id=new_id(CONTRACT_ID_PREFIX),
            brand_id=brand_id,
            partner_id=partner_id,
            version=version,
            status=ContractStatus.DRAFT,
            terms=parsed,
            starts_on=starts,
            created_at=now,
            updated_at=now,
            template_id=template.template_id,
            countersign=template.countersign,
            amendment_id=amendment_id,
        )
        event = next_event((), "created", now, actor, {
            "terms": parsed.as_document(), "template_id": template.template_id,
            "starts_on": starts.isoformat(),
            "amendment_id": amendment_id,
        })  # fmt: skip
        contract = replace(contract, evidence=(event,))
        self.contracts.create_contract(contract, event)
        self.workflow.start(brand_id, contract.contract_id, parent_task_token)
        return contract

    def record_signed_elsewhere(
        self,
        brand_id: str,
        partner_id: str,
        *,
        actor: str,
        terms: Terms | Mapping[str, Any],
        signed_on: date,
        document_sha256: str,
        starts_on: date | None = None,
    ) -> Contract:
        """A contract signed outside Starling, active at once and marked recorded."""
        self.partners.get(brand_id, partner_id)
        parsed = parse_terms(terms)
        sha = validate_sha256(document_sha256, "signed_elsewhere.document_sha256")
        if signed_on > clock.today():
            raise Invalid(
                "signed_on cannot be in the future.", {"signed_elsewhere.signed_on": str(signed_on)}
            )
        version = self._next_version(brand_id, partner_id)
        now = clock.now()
        contract = Contract(
            contract_id=new_id(CONTRACT_ID_PREFIX),
            brand_id=brand_id,
            partner_id=partner_id,
            version=version,
            status=ContractStatus.ACTIVE,
            terms=parsed,
            starts_on=starts_on or signed_on,
            created_at=now,
            updated_at=now,
            recorded=True,
            document_sha256=sha,
            signed_on=signed_on,
            activated_at=now,
        )
        event = next_event((), "recorded", now, actor, {
            "terms": parsed.as_document(), "signed_on": signed_on.isoformat(), "document_sha256": sha,
            "starts_on": contract.starts_on.isoformat(),
        })  # fmt: skip
        contract = replace(contract, evidence=(event,))
        self.contracts.create_contract(contract, event)
        supersede_older(self.contracts, contract, actor)
        return contract

    def _next_version(self, brand_id: str, partner_id: str) -> int:
        """The partner's next version number; Conflict while a version is still being signed."""
        versions = self.contracts.versions(brand_id, partner_id)
        pending = [c for c in versions if c.status in OPEN]
        if pending:
            raise Conflict(
                f"Version {pending[0].version} of this partner's contract is still "
                f"{pending[0].status.value}.",
                {"contract_id": pending[0].contract_id, "status": pending[0].status.value},
            )
        return max((c.version for c in versions), default=0) + 1

    def versions(self, brand_id: str, partner_id: str) -> list[Contract]:
        self.partners.get(brand_id, partner_id)
        return self.contracts.versions(brand_id, partner_id)

    def get_contract(self, brand_id: str, contract_id: str) -> Contract:
        return self.contracts.get_contract(brand_id, contract_id)

    # --- amendments -----------------------------------------------------------------------------------------

    def offer_amendment(
        self,
        brand_id: str,
        *,
        actor: str,
        terms: Terms | Mapping[str, Any],
        starts_on: date,
        segment: Segment,
        template_id: str | None = None,
    ) -> AmendmentOffer:
        """New terms offered to every partner of the segment, each as their own version to sign."""
        if segment == Segment():
            raise Invalid("segment names at least one of campaign_id, tier, stage.", {"segment": "empty"})
        parsed = parse_terms(terms)
        template = self.template_for(brand_id, template_id)
        assert self.directory is not None, "offering amendments needs the segment directory"
        members = [m for m in self.directory.members(brand_id) if matches(segment, m)]
        if len(members) > MAX_SEGMENT:
            raise Invalid(
                f"This segment has {len(members)} partners; offer to at most {MAX_SEGMENT} at once."
            )
        amendment_id = new_id(AMENDMENT_ID_PREFIX)
        started: dict[str, str] = {}
        skipped: dict[str, str] = {}
        for member in sorted(members, key=lambda m: m.partner_id):
            try:
                contract = self.start_contract(
                    brand_id, member.partner_id, actor=actor, template_id=template.template_id,
                    terms=parsed, starts_on=starts_on, amendment_id=amendment_id,
                )  # fmt: skip
            except (Conflict, Invalid) as exc:
                skipped[member.partner_id] = exc.message
                continue
            started[member.partner_id] = contract.contract_id
        offer = AmendmentOffer(
            amendment_id=amendment_id, brand_id=brand_id, segment=segment, terms=parsed, starts_on=starts_on,
            template_id=template.template_id, created_at=clock.now(), contract_ids=started, skipped=skipped,
        )  # fmt: skip
        self.contracts.save_offer(offer)
        return offer

    def amendment(self, brand_id: str, amendment_id: str) -> tuple[AmendmentOffer, list[Contract]]:
        """The offer and each partner's contract as it stands now (who signed, who has not)."""
        offer = self.contracts.get_offer(brand_id, amendment_id)
        return offer, [self.contracts.get_contract(brand_id, cid) for cid in offer.contract_ids.values()]


def supersede_older(contracts: ContractRepository, newer: Contract, actor: str) -> None:
    """Mark the partner's earlier active versions superseded from `newer`'s start date; until then they
    still rule (`terms_in_force` reads the dates)."""
    for older in contracts.versions(newer.brand_id, newer.partner_id):
        if older.version < newer.version and older.status is ContractStatus.ACTIVE:
            full = contracts.get_contract(older.brand_id, older.contract_id)
            event = next_event(full.evidence, "superseded", clock.now(), actor,
                               {"by": newer.contract_id, "from": newer.starts_on.isoformat()})  # fmt: skip
            contracts.change(
                full, replace(full, status=ContractStatus.SUPERSEDED, updated_at=clock.now()), event
            )


__all__ = ["ContractsService", "PayoutMethod", "payout_method", "supersede_older"]


def payout_method(brand_id: str, partner_id: str) -> PayoutMethod | None:
    """Where the partner is paid: the payout method they gave in onboarding (a Stripe Connect `acct_...` id
    or a PayPal email), None when they have not given one. The one store of it is the onboarding item."""
    from starling.contracts.onboarding_repository import DynamoOnboardingStore

    try:
        return DynamoOnboardingStore().get(brand_id, partner_id).payout
    except NotFound:
        return None
