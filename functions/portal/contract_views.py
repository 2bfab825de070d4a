"""The partner's contracts in the portal: read (each view recorded as evidence), sign, decline, download.
A contract id in the path is looked up in the session's brand and must be the session's partner's."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler import Response

from functions.portal import contract_pages
from functions.portal.web import app, form, html, redirect, signed_in
from starling.contracts.access import Session
from starling.contracts.service import ContractsService
from starling.identity.repository import DynamoIdentityRepository
from starling.shared.errors import Invalid
from starling.shared.observability import metrics


@lru_cache(maxsize=1)
def _service() -> ContractsService:
    return ContractsService.from_settings()


def _client() -> tuple[str, str]:
    http = app.current_event.request_context.http
    return http.source_ip, http.user_agent or ""


@app.get("/portal/contracts")
@signed_in
def handle_contracts(session: Session) -> Response:
    brand = DynamoIdentityRepository().get_brand(session.brand_id)
    found = _service().contracts_for_partner(session.brand_id, session.partner_id)
    return html(200, contract_pages.contracts_page(brand, found))


@app.get("/portal/contracts/<contract_id>")
@signed_in
def handle_contract(session: Session, contract_id: str) -> Response:
    """Reading the contract is evidence: each view is recorded with the document's hash."""
    ip, user_agent = _client()
    contract = _service().record_view(
        session.brand_id, session.partner_id, contract_id, ip=ip, user_agent=user_agent
    )
    document = _service().document(session.brand_id, contract.contract_id)
    brand = DynamoIdentityRepository().get_brand(session.brand_id)
    return html(200, contract_pages.contract_page(brand, contract, document))


@app.post("/portal/contracts/<contract_id>/sign")
@signed_in
def handle_sign(session: Session, contract_id: str) -> Response:
    fields = form()
    ip, user_agent = _client()
    service = _service()
    try:
        service.sign(
            session.brand_id, session.partner_id, contract_id,
            consent=fields.get("consent") in ("yes", "on", "true"), typed_name=fields.get("typed_name", ""),
            document_sha256=fields.get("document_sha256", ""), ip=ip, user_agent=user_agent,
        )  # fmt: skip
    except Invalid as exc:
        contract = service.get_for_partner(session.brand_id, session.partner_id, contract_id)
        errors = exc.details if isinstance(exc.details, dict) else {"form": exc.message}
        errors = {key: exc.message for key in errors} or {"form": exc.message}
        brand = DynamoIdentityRepository().get_brand(session.brand_id)
        document = service.document(session.brand_id, contract_id)
        return html(
            422, contract_pages.contract_page(brand, contract, document, errors, fields.get("typed_name", ""))
        )
    metrics.add_metric(name="ContractSignedInPortal", unit="Count", value=1)
    return redirect(f"/portal/contracts/{contract_id}")


@app.post("/portal/contracts/<contract_id>/decline")
@signed_in
def handle_decline(session: Session, contract_id: str) -> Response:
    ip, user_agent = _client()
    _service().decline(
        session.brand_id,
        session.partner_id,
        contract_id,
        reason=form().get("reason", ""),
        ip=ip,
        user_agent=user_agent,
    )
    return redirect(f"/portal/contracts/{contract_id}")


@app.get("/portal/contracts/<contract_id>/document")
@signed_in
def handle_download(session: Session, contract_id: str) -> Response:
    contract = _service().get_for_partner(session.brand_id, session.partner_id, contract_id)
    document = _service().document(session.brand_id, contract.contract_id)
    return Response(
        status_code=200,
        content_type="text/plain; charset=utf-8",
        body=document.text,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="contract-{contract_id}.txt"',
        },
    )
