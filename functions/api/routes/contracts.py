"""Contracts: templates, a partner's contract versions and their signing, countersignature, records of
contracts signed elsewhere, and amendments offered to a segment of partners in one call."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from functions.api.schemas import MULTILINE, Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.contracts.model import MAX_TEMPLATE_LENGTH, Segment
from starling.contracts.service import ContractsService
from starling.identity.model import Area, Role
from starling.recruiting.service import actor_of
from starling.shared.errors import Forbidden, Invalid
from starling.shared.terms import Terms

router = CapabilityRouter("Contracts")
_TERMS_EXAMPLE = {
    "currency": "USD",
    "cpa_percent": "10",
    "flat_fee": {"amount": 20000, "due_on": "2026-12-01"},
}
_BODY_EXAMPLE = (
    "# Partner agreement\n\n{{brand_name}} and {{partner_name}} agree, from {{start_date}}:\n\n"
    "{{terms_summary}}\n"
)


def _examples(*examples: Any) -> Any:
    """A body model's request examples, which Swagger UI offers to try."""
    return {"examples": list(examples)}


def _service() -> ContractsService:
    return ContractsService.from_settings()


def _terms_document(value: Any) -> Any:
    return value.as_document() if isinstance(value, Terms) else value


class TemplateCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra=_examples(
                {"name": "Standard", "body_markdown": _BODY_EXAMPLE, "default_terms": _TERMS_EXAMPLE,
                 "countersign": False, "default": True}
        )
    )  # fmt: skip

    name: str = Field(min_length=1, max_length=200)
    body_markdown: str = Field(
        min_length=1, max_length=MAX_TEMPLATE_LENGTH, json_schema_extra=MULTILINE,
        description="Markdown with {{partner_name}}, {{partner_handle}}, {{brand_name}}, {{terms_summary}}, "
        "{{start_date}}, {{contract_id}}, {{version}}, {{currency}}",
    )  # fmt: skip
    default_terms: Terms | None = None
    countersign: bool = Field(default=False, description="The brand countersigns after the partner")
    default: bool = Field(default=False, description="The template onboarding offers (else the newest)")


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    template_id: str
    name: str
    body_markdown: str
    default_terms: dict[str, Any] | None
    countersign: bool
    default: bool
    created_at: datetime

    _terms = field_validator("default_terms", mode="before")(_terms_document)


class SignedElsewhere(StrictBody):
    signed_on: date
    document_sha256: str = Field(min_length=64, max_length=64, description="SHA-256 of the signed file")


class ContractCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra=_examples(
                {"template_id": "ctt_0123456789abcdef", "terms": _TERMS_EXAMPLE, "starts_on": "2026-12-01"},
                {"terms": _TERMS_EXAMPLE,
                 "signed_elsewhere": {"signed_on": "2026-01-15", "document_sha256": "ab" * 32}},
        )
    )  # fmt: skip

    template_id: str | None = Field(default=None, max_length=40, description="Else the brand's default")
    terms: Terms | None = Field(default=None, description="Else the template's default terms")
    starts_on: date | None = None
    signed_elsewhere: SignedElsewhere | None = Field(default=None, description="Owner only: record it")


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int
    kind: str
    at: datetime
    actor: str
    ip: str | None
    user_agent: str | None
    data: dict[str, Any]
    previous_hash: str
    hash: str


class ContractSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contract_id: str
    partner_id: str
    version: int
    status: str
    terms: dict[str, Any]
    starts_on: date
    template_id: str | None
    recorded: bool
    countersign: bool
    document_sha256: str | None
    amendment_id: str | None
    sent_at: datetime | None
    expires_at: datetime | None
    signed_at: datetime | None
    activated_at: datetime | None
    ended_at: datetime | None
    created_at: datetime

    _terms = field_validator("terms", mode="before")(_terms_document)


class ContractOut(ContractSummaryOut):
    awaiting: str | None = Field(
        description="The human step the workflow waits on: signature, countersignature"
    )
    document_markdown: str | None
    evidence: list[EvidenceOut]


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contract_id: str
    markdown: str
    sha256: str
    footer: str
    text: str = Field(description="The document as downloaded: the Markdown, then the footer")


class ContractList(BaseModel):
    items: list[ContractSummaryOut]


class SegmentIn(StrictBody):
    campaign_id: str | None = Field(default=None, max_length=64)
    tier: str | None = Field(default=None, max_length=40)
    stage: str | None = Field(default=None, max_length=40)


class AmendmentCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra=_examples({"terms": _TERMS_EXAMPLE, "starts_on": "2027-01-01",
                          "segment": {"stage": "active", "tier": "micro"}})
    )  # fmt: skip

    template_id: str | None = Field(default=None, max_length=40)
    terms: Terms
    starts_on: date
    segment: SegmentIn


class AmendmentContractOut(BaseModel):
    partner_id: str
    contract_id: str
    status: str
    signed_at: datetime | None


class AmendmentOut(BaseModel):
    amendment_id: str
    starts_on: date
    terms: dict[str, Any]
    segment: dict[str, str]
    contracts: list[AmendmentContractOut]
    skipped: dict[str, str] = Field(description="Partners of the segment not offered it, and why")
    signed: int = Field(description="How many have signed (or are active already)")


def _client() -> tuple[str | None, str | None]:
    event = router.current_event
    return event.request_context.http.source_ip, event.headers.get("user-agent")


@router.post("/v1/contract-templates", summary="Add a contract template", status_code=201)
@requires(Area.CONTRACTS, write=True)
def handle_create_template(body: TemplateCreate) -> TemplateOut:
    caller = principal(router)
    return TemplateOut.model_validate(_service().create_template(caller.brand_id, body.model_dump()))


@router.get("/v1/contract-templates", summary="The brand's contract templates, newest first")
@requires(Area.CONTRACTS)
def handle_list_templates(
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[TemplateOut]:
    caller = principal(router)
    found, next_cursor = _service().templates(caller.brand_id, limit, cursor)
    return Page[TemplateOut](items=[TemplateOut.model_validate(t) for t in found], next_cursor=next_cursor)


@router.post(
    "/v1/partners/<partner_id>/contracts",
    summary="Offer a partner a contract to sign (starts contract-signing), or record one signed elsewhere",
    status_code=201,
)
@requires(Area.CONTRACTS, write=True)
def handle_create_contract(partner_id: str, body: ContractCreate) -> ContractOut:
    caller = principal(router)
    service = _service()
    if body.signed_elsewhere is not None:
        if caller.role is not Role.OWNER:
            raise Forbidden("Only the owner records a contract signed elsewhere.")
        if body.terms is None:
            raise Invalid("A contract signed elsewhere needs its terms.", {"terms": "required"})
        contract = service.record_signed_elsewhere(
            caller.brand_id, partner_id, actor=actor_of(caller), terms=body.terms,
            signed_on=body.signed_elsewhere.signed_on, document_sha256=body.signed_elsewhere.document_sha256,
            starts_on=body.starts_on,
        )  # fmt: skip
    else:
        contract = service.start_contract(
            caller.brand_id, partner_id, actor=actor_of(caller), template_id=body.template_id,
            terms=body.terms, starts_on=body.starts_on,
        )  # fmt: skip
    return ContractOut.model_validate(contract)


@router.get("/v1/partners/<partner_id>/contracts", summary="A partner's contract versions, oldest first")
@requires(Area.CONTRACTS)
def handle_list_contracts(partner_id: str) -> ContractList:
    caller = principal(router)
    versions = _service().versions(caller.brand_id, partner_id)
    return ContractList(items=[ContractSummaryOut.model_validate(c) for c in versions])


@router.get("/v1/contracts/<contract_id>", summary="A contract: its document, terms, status and evidence")
@requires(Area.CONTRACTS)
def handle_get_contract(contract_id: str) -> ContractOut:
    caller = principal(router)
    return ContractOut.model_validate(_service().get_contract(caller.brand_id, contract_id))


@router.get(
    "/v1/contracts/<contract_id>/document",
    summary="The rendered document, with a footer stating its hash and the signature's",
)
@requires(Area.CONTRACTS)
def handle_get_document(contract_id: str) -> DocumentOut:
    caller = principal(router)
    return DocumentOut.model_validate(_service().document(caller.brand_id, contract_id))


@router.post("/v1/contracts/<contract_id>/countersign", summary="Countersign a contract the partner signed")
@requires(Area.CONTRACTS, write=True)
def handle_countersign(contract_id: str) -> ContractOut:
    caller = principal(router)
    ip, user_agent = _client()
    contract = _service().countersign(
        caller.brand_id, contract_id, actor=actor_of(caller), ip=ip, user_agent=user_agent
    )
    return ContractOut.model_validate(contract)


def _amendment_out(service: ContractsService, brand_id: str, amendment_id: str) -> AmendmentOut:
    offer, contracts = service.amendment(brand_id, amendment_id)
    signed = {"signed", "countersigned", "active", "superseded"}
    return AmendmentOut(
        amendment_id=offer.amendment_id,
        starts_on=offer.starts_on,
        terms=offer.terms.as_document(),
        segment={k: v for k, v in vars(offer.segment).items() if v is not None},
        contracts=[
            AmendmentContractOut(
                partner_id=c.partner_id,
                contract_id=c.contract_id,
                status=c.status.value,
                signed_at=c.signed_at,
            )
            for c in contracts
        ],
        skipped=offer.skipped,
        signed=sum(1 for c in contracts if c.status.value in signed),
    )


@router.post(
    "/v1/contract-amendments",
    summary="Offer new terms to every partner of a segment, each as their own amendment to sign",
    status_code=201,
)
@requires(Area.CONTRACTS, write=True)
def handle_offer_amendment(body: AmendmentCreate) -> AmendmentOut:
    caller = principal(router)
    service = _service()
    offer = service.offer_amendment(
        caller.brand_id, actor=actor_of(caller), terms=body.terms, starts_on=body.starts_on,
        segment=Segment(**body.segment.model_dump()), template_id=body.template_id,
    )  # fmt: skip
    return _amendment_out(service, caller.brand_id, offer.amendment_id)


@router.get("/v1/contract-amendments/<amendment_id>", summary="An amendment offer: who signed, who has not")
@requires(Area.CONTRACTS)
def handle_get_amendment(amendment_id: str) -> AmendmentOut:
    caller = principal(router)
    return _amendment_out(_service(), caller.brand_id, amendment_id)
