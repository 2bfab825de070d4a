"""The steps of the contract-signing workflow, one method per Task state (functions/contracts/handler.py).

Each step is safe to run again (Step Functions retries a task that failed): it checks where the contract
is and does only what is left, so a retried send never emails twice and a retried activation never
supersedes twice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starling.contracts.evidence import next_event
from starling.contracts.model import OPEN, SIGNING_PERIOD, Awaiting, Contract, ContractStatus
from starling.contracts.rendering import render, sha256_of
from starling.contracts.service import ContractsService, supersede_older
from starling.contracts.workflow import StaleToken
from starling.shared import clock
from starling.shared.email import Email
from starling.shared.observability import logger

WORKFLOW = "workflow"
OUTCOME_ERRORS = {ContractStatus.DECLINED: "ContractDeclined", ContractStatus.EXPIRED: "ContractExpired"}


class SigningSteps:
    def __init__(self, service: ContractsService) -> None:
        self.service = service
        self.contracts = service.contracts

    def render(self, brand_id: str, contract_id: str, parent_task_token: str | None) -> dict[str, Any]:
        """Render the template with the partner's terms and store the document with its SHA-256."""
        if parent_task_token:
            self.contracts.set_parent_token(brand_id, contract_id, parent_task_token)
        contract = self.contracts.get_contract(brand_id, contract_id)
        if contract.status is ContractStatus.DRAFT and contract.document_sha256 is None:
            partner = self.service.partners.get(brand_id, contract.partner_id)
            brand = self.service.brands.get_brand(brand_id)
            template = self.contracts.get_template(brand_id, str(contract.template_id))
            markdown = render(
                template.body_markdown, partner_name=partner.display_name or partner.handle,
                partner_handle=partner.handle, brand_name=brand.name, terms=contract.terms,
                starts_on=contract.starts_on, contract_id=contract_id, version=contract.version,
                locale=brand.locale,
            )  # fmt: skip
            sha = sha256_of(markdown)
            now = clock.now()
            event = next_event(contract.evidence, "rendered", now, WORKFLOW, {"document_sha256": sha})
            contract = self.contracts.change(
                contract,
                replace(contract, document_markdown=markdown, document_sha256=sha, updated_at=now),
                event,
            )
        return {"countersign": contract.countersign, "document_sha256": contract.document_sha256}

    def send_for_signature(self, brand_id: str, contract_id: str, token: str) -> None:
        """Keep the step's token, mark the contract sent (14 days to sign), then email the partner a link
        that names only the contract; a retry keeps the newest token and does not email again."""
        self.contracts.store_token(brand_id, contract_id, Awaiting.SIGNATURE, token)
        contract = self.contracts.get_contract(brand_id, contract_id)
        if contract.status is not ContractStatus.DRAFT:
            return
        partner = self.service.partners.get(brand_id, contract.partner_id)
        link = f"{self.service.public_base_url}/portal/contracts/{contract_id}"
        now = clock.now()
        event = next_event(
            contract.evidence, "sent", now, WORKFLOW, {"link": link, "emailed": bool(partner.email)}
        )
        sent = replace(
            contract, status=ContractStatus.SENT, sent_at=now, expires_at=now + SIGNING_PERIOD, updated_at=now
        )
        self.contracts.change(contract, sent, event)
        if partner.email:
            brand = self.service.brands.get_brand(brand_id)
            self.service.email.send(Email(
                to=partner.email,
                subject=f"{brand.name}: your contract to sign",
                text=(f"Hi {partner.display_name or partner.handle},\n\n{brand.name} sent you a contract "
                      f"(version {contract.version}). Read and sign it here within 14 days:\n\n{link}\n\n"
                      "You will be asked to sign in first if you are not. You can also decline it there."),
            ))  # fmt: skip
        else:
            logger.warning(
                "contract sent without email: the partner has no address", extra={"contract_id": contract_id}
            )

    def await_countersignature(self, brand_id: str, contract_id: str, token: str) -> None:
        self.contracts.store_token(brand_id, contract_id, Awaiting.COUNTERSIGNATURE, token)

    def activate(self, brand_id: str, contract_id: str) -> dict[str, Any]:
        """Active from its start date; earlier active versions are superseded from that date."""
        contract = self.contracts.get_contract(brand_id, contract_id)
        if contract.status in (ContractStatus.SIGNED, ContractStatus.COUNTERSIGNED):
            now = clock.now()
            event = next_event(
                contract.evidence, "activated", now, WORKFLOW, {"from": contract.starts_on.isoformat()}
            )
            contract = self.contracts.change(
                contract,
                replace(contract, status=ContractStatus.ACTIVE, activated_at=now, updated_at=now),
                event,
            )
        if contract.status is ContractStatus.ACTIVE:
            supersede_older(self.contracts, contract, WORKFLOW)
        return {"status": contract.status.value}

    def expire(self, brand_id: str, contract_id: str) -> dict[str, Any]:
        """The 14 days passed (or the countersignature never came): the contract ends expired."""
        contract = self.contracts.get_contract(brand_id, contract_id)
        if contract.status in OPEN:
            awaiting, token = self.contracts.token(brand_id, contract_id)
            now = clock.now()
            event = next_event(
                contract.evidence,
                "expired",
                now,
                WORKFLOW,
                {"waited_for": awaiting.value if awaiting else None},
            )
            contract = self.contracts.change(
                contract,
                replace(contract, status=ContractStatus.EXPIRED, ended_at=now, updated_at=now),
                event,
                consume=(awaiting, token) if awaiting and token else None,
            )  # fmt: skip
        return {"status": contract.status.value}

    def report(self, brand_id: str, contract_id: str) -> dict[str, Any]:
        """Tell the parent workflow (onboarding), if one waits, how this contract ended."""
        contract: Contract = self.contracts.get_contract(brand_id, contract_id)
        parent = self.contracts.parent_token(brand_id, contract_id)
        if parent:
            try:
                if contract.status is ContractStatus.ACTIVE:
                    self.service.workflow.resume(parent, {"contract_id": contract_id, "status": "active"})
                else:
                    error = OUTCOME_ERRORS.get(contract.status, "ContractSigningFailed")
                    self.service.workflow.refuse(
                        parent, error, f"The contract ended {contract.status.value}."
                    )
            except StaleToken:
                logger.warning("the parent workflow no longer waits", extra={"contract_id": contract_id})
        return {"contract_id": contract_id, "status": contract.status.value}
