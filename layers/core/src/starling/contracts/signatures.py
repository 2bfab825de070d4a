"""Signatures: the partner's side of a contract in the portal (read, view, sign, decline) and the brand's
countersignature. Each commits the new status and its evidence event, taking the stored task token in the
same transaction, before it resumes the workflow with that token."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import replace

from starling.contracts.evidence import next_event
from starling.contracts.model import (
    ESIGN_DISCLOSURE,
    INTENT_STATEMENT,
    MAX_TYPED_NAME,
    Awaiting,
    Contract,
    ContractRepository,
    ContractStatus,
    RenderedDocument,
    SigningWorkflow,
    require_status,
    validate_sha256,
)
from starling.contracts.rendering import document_of
from starling.contracts.workflow import StaleToken
from starling.shared import clock
from starling.shared.errors import Conflict, Invalid, NotFound


def partner_actor(partner_id: str) -> str:
    return f"partner:{partner_id}"


class Signatures:
    contracts: ContractRepository
    workflow: SigningWorkflow

    def countersign(
        self, brand_id: str, contract_id: str, *, actor: str, ip: str | None, user_agent: str | None
    ) -> Contract:
        contract = self.contracts.get_contract(brand_id, contract_id)
        if contract.status is ContractStatus.SIGNED and not contract.countersign:
            raise Conflict("This contract's template asks for no countersignature.", {"countersign": False})
        require_status(contract, {ContractStatus.SIGNED}, "countersigned")
        awaiting, token = self.contracts.token(brand_id, contract_id)
        if awaiting is not Awaiting.COUNTERSIGNATURE or token is None:
            raise Conflict("The contract is not ready for the countersignature yet; try again in a moment.")
        now = clock.now()
        event = next_event(contract.evidence, "countersigned", now, actor,
                           {"document_sha256": contract.document_sha256},
                           ip=ip, user_agent=user_agent)  # fmt: skip
        done = self.contracts.change(
            contract, replace(contract, status=ContractStatus.COUNTERSIGNED, updated_at=now), event,
            consume=(Awaiting.COUNTERSIGNATURE, token),
        )  # fmt: skip
        self.workflow.resume(token, {"status": ContractStatus.COUNTERSIGNED.value})
        return done

    # --- the partner's side (the portal) ---------------------------------------------------------------

    def contracts_for_partner(self, brand_id: str, partner_id: str) -> list[Contract]:
        return [
            c for c in self.contracts.versions(brand_id, partner_id) if c.status is not ContractStatus.DRAFT
        ]

    def get_for_partner(self, brand_id: str, partner_id: str, contract_id: str) -> Contract:
        """The partner's own contract; NotFound for another partner's (or one not sent yet)."""
        contract = self.contracts.get_contract(brand_id, contract_id)
        if contract.partner_id != partner_id or contract.status is ContractStatus.DRAFT:
            raise NotFound("No such contract.")
        return contract

    def document(self, brand_id: str, contract_id: str) -> RenderedDocument:
        return document_of(self.contracts.get_contract(brand_id, contract_id))

    def record_view(
        self, brand_id: str, partner_id: str, contract_id: str, *, ip: str | None, user_agent: str | None
    ) -> Contract:
        for _ in range(3):  # a view racing another event is simply written after it
            contract = self.get_for_partner(brand_id, partner_id, contract_id)
            event = next_event(contract.evidence, "viewed", clock.now(), partner_actor(partner_id),
                               {"document_sha256": contract.document_sha256},
                           ip=ip, user_agent=user_agent)  # fmt: skip
            try:
                return self.contracts.change(contract, contract, event)
            except Conflict:
                continue
        return contract

    def sign(
        self,
        brand_id: str,
        partner_id: str,
        contract_id: str,
        *,
        consent: bool,
        typed_name: str,
        document_sha256: str,
        ip: str,
        user_agent: str,
    ) -> Contract:
        contract = self.get_for_partner(brand_id, partner_id, contract_id)
        if consent is not True:
            raise Invalid(
                "Consent to sign electronically first (or ask for a paper copy).", {"consent": "required"}
            )
        name = " ".join(str(typed_name or "").split())
        if not name or len(name) > MAX_TYPED_NAME or not name.isprintable():
            raise Invalid("Type your full name to sign.", {"typed_name": "required"})
        shown = validate_sha256(document_sha256)
        require_status(contract, {ContractStatus.SENT}, "signed")
        now = clock.now()
        if contract.expires_at is not None and now >= contract.expires_at:
            raise Conflict(
                "This contract expired; ask the brand to send it again.",
                {"expires_at": contract.expires_at.isoformat()},
            )
        if shown != contract.document_sha256:
            raise Conflict(
                "The document changed since it was shown; read it again before signing.",
                {"document_sha256": contract.document_sha256, "shown": shown},
            )
        awaiting, token = self.contracts.token(brand_id, contract_id)
        if awaiting is not Awaiting.SIGNATURE or token is None:
            raise Conflict("This contract is not ready to sign yet; try again in a moment.")
        event = next_event(contract.evidence, "signed", now, partner_actor(partner_id), {
            "consent": True, "esign_disclosure": ESIGN_DISCLOSURE,
            "esign_disclosure_sha256": hashlib.sha256(ESIGN_DISCLOSURE.encode()).hexdigest(),
            "intent_statement": INTENT_STATEMENT, "typed_name": name, "document_sha256": shown,
        }, ip=ip, user_agent=user_agent)  # fmt: skip
        signed = self.contracts.change(
            contract, replace(contract, status=ContractStatus.SIGNED, signed_at=now, updated_at=now), event,
            consume=(Awaiting.SIGNATURE, token),
        )  # fmt: skip
        try:
            self.workflow.resume(token, {"status": ContractStatus.SIGNED.value})
        except StaleToken as exc:  # the signing period ended between the checks and now
            late = next_event(
                signed.evidence, "expired", clock.now(), "workflow", {"reason": "signed after the deadline"}
            )
            self.contracts.change(
                signed, replace(signed, status=ContractStatus.EXPIRED, ended_at=clock.now()), late
            )
            raise Conflict("This contract expired before the signature arrived.") from exc
        return signed

    def decline(
        self,
        brand_id: str,
        partner_id: str,
        contract_id: str,
        *,
        reason: str,
        ip: str | None,
        user_agent: str | None,
    ) -> Contract:
        contract = self.get_for_partner(brand_id, partner_id, contract_id)
        require_status(contract, {ContractStatus.SENT}, "declined")
        why = " ".join(str(reason or "").split())[:1000]
        awaiting, token = self.contracts.token(brand_id, contract_id)
        now = clock.now()
        event = next_event(contract.evidence, "declined", now, partner_actor(partner_id), {"reason": why},
                           ip=ip, user_agent=user_agent)  # fmt: skip
        declined = self.contracts.change(
            contract, replace(contract, status=ContractStatus.DECLINED, ended_at=now, updated_at=now), event,
            consume=(awaiting, token) if awaiting is Awaiting.SIGNATURE and token else None,
        )  # fmt: skip
        if token and awaiting is Awaiting.SIGNATURE:
            # If the workflow ended meanwhile (expired), the decline stands as the contract's end.
            with contextlib.suppress(StaleToken):
                self.workflow.refuse(token, "ContractDeclined", why or "declined by the partner")
        return declined
