"""Contracts in DynamoDB. A change of a contract and the evidence event that explains it are one
transaction, conditioned on the status and the number of events read, so two changes never interleave and
an event is never lost or overwritten. Taking the task token is part of the same transaction, conditioned on
the token read: a token is used once."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from starling.contracts.items import (
    ContractItem,
    EvidenceItem,
    OfferItem,
    TemplateItem,
    TokenItem,
    VersionSlotItem,
)
from starling.contracts.model import (
    AmendmentOffer,
    Awaiting,
    Contract,
    ContractStatus,
    EvidenceEvent,
    Segment,
    Template,
    looks_like,
)
from starling.shared.dynamo import transaction_connection
from starling.shared.errors import Conflict, NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.paging import decode_cursor, encode_cursor
from starling.shared.terms import Terms

_CONDITION_FAILED = "ConditionalCheckFailedException"


def _terms_json(terms: Terms) -> str:
    return json.dumps(terms.as_document(), sort_keys=True)


def _template_item(t: Template) -> TemplateItem:
    return TemplateItem(
        pk=brand_pk(t.brand_id),
        sk=f"CTEMPLATE#{t.template_id}",
        gsi1pk=brand_list_pk(t.brand_id, "CTEMPLATES"),
        gsi1sk=f"{t.created_at.isoformat()}#{t.template_id}",
        template_id=t.template_id,
        brand_id=t.brand_id,
        name=t.name,
        body_markdown=t.body_markdown,
        countersign=t.countersign,
        is_default=t.default,
        default_terms=_terms_json(t.default_terms) if t.default_terms else None,
        created_at=t.created_at,
    )


def _template(item: TemplateItem) -> Template:
    return Template(
        template_id=item.template_id,
        brand_id=item.brand_id,
        name=item.name,
        body_markdown=item.body_markdown,
        countersign=bool(item.countersign),
        created_at=item.created_at,
        default_terms=Terms.model_validate_json(item.default_terms) if item.default_terms else None,
        default=bool(item.is_default),
    )


def _contract_item(c: Contract) -> ContractItem:
    return ContractItem(
        pk=brand_pk(c.brand_id),
        sk=f"CONTRACT#{c.contract_id}",
        gsi1pk=brand_list_pk(c.brand_id, "CONTRACTS", c.partner_id),
        gsi1sk=f"{c.version:06d}",
        contract_id=c.contract_id,
        brand_id=c.brand_id,
        partner_id=c.partner_id,
        version=c.version,
        status=c.status.value,
        terms=_terms_json(c.terms),
        starts_on=c.starts_on.isoformat(),
        template_id=c.template_id,
        recorded=c.recorded,
        countersign=c.countersign,
        document_markdown=c.document_markdown,
        document_sha256=c.document_sha256,
        sent_at=c.sent_at,
        expires_at_time=c.expires_at,
        signed_at=c.signed_at,
        activated_at=c.activated_at,
        ended_at=c.ended_at,
        amendment_id=c.amendment_id,
        signed_on=c.signed_on.isoformat() if c.signed_on else None,
        evidence_count=len(c.evidence),
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _contract(item: ContractItem) -> Contract:
    return Contract(
        contract_id=item.contract_id,
        brand_id=item.brand_id,
        partner_id=item.partner_id,
        version=int(item.version),
        status=ContractStatus(item.status),
        terms=Terms.model_validate_json(item.terms),
        starts_on=date.fromisoformat(item.starts_on),
        created_at=item.created_at,
        updated_at=item.updated_at,
        template_id=item.template_id,
        recorded=bool(item.recorded),
        countersign=bool(item.countersign),
        document_markdown=item.document_markdown,
        document_sha256=item.document_sha256,
        sent_at=item.sent_at,
        expires_at=item.expires_at_time,
        signed_at=item.signed_at,
        activated_at=item.activated_at,
        ended_at=item.ended_at,
        amendment_id=item.amendment_id,
        signed_on=date.fromisoformat(item.signed_on) if item.signed_on else None,
    )


def _event_item(brand_id: str, contract_id: str, e: EvidenceEvent) -> EvidenceItem:
    return EvidenceItem(
        pk=brand_pk(brand_id),
        sk=f"CONTRACT#{contract_id}#EV#{e.sequence:05d}",
        sequence=e.sequence,
        kind=e.kind,
        at=e.at,
        actor=e.actor,
        data=json.dumps(e.data, sort_keys=True, default=str),
        previous_hash=e.previous_hash,
        hash=e.hash,
        ip=e.ip,
        user_agent=e.user_agent,
    )


def _event(item: EvidenceItem) -> EvidenceEvent:
    return EvidenceEvent(
        sequence=int(item.sequence),
        kind=item.kind,
        at=item.at,
        actor=item.actor,
        data=json.loads(item.data),
        previous_hash=item.previous_hash,
        hash=item.hash,
        ip=item.ip,
        user_agent=item.user_agent,
    )


def _token_key(brand_id: str, contract_id: str) -> tuple[str, str]:
    return brand_pk(brand_id), f"CONTRACT#{contract_id}#TOKEN"


class DynamoContractRepository:
    def __init__(self) -> None:
        self._connection = transaction_connection()

    # Templates
    def create_template(self, template: Template) -> None:
        _template_item(template).save(condition=TemplateItem.pk.does_not_exist())

    def get_template(self, brand_id: str, template_id: str) -> Template:
        if not looks_like("ctt", template_id):
            raise NotFound("No such contract template.")
        try:
            return _template(TemplateItem.get(brand_pk(brand_id), f"CTEMPLATE#{template_id}"))
        except DoesNotExist as exc:
            raise NotFound("No such contract template.") from exc

    def templates(self, brand_id: str, limit: int, cursor: str | None) -> tuple[list[Template], str | None]:
        result = TemplateItem.gsi1.query(  # type: ignore[attr-defined]
            brand_list_pk(brand_id, "CTEMPLATES"),
            limit=limit,
            scan_index_forward=False,
            last_evaluated_key=decode_cursor(cursor, brand_pk(brand_id)),
        )
        found = [_template(item) for item in result]
        return found, encode_cursor(result.last_evaluated_key)

    def all_templates(self, brand_id: str) -> list[Template]:
        query = TemplateItem.gsi1.query(brand_list_pk(brand_id, "CTEMPLATES"))  # type: ignore[attr-defined]
        return [_template(item) for item in query]

    # Contracts
    def create_contract(self, contract: Contract, event: EvidenceEvent) -> None:
        slot = VersionSlotItem(
            pk=brand_pk(contract.brand_id),
            sk=f"CONTRACTVERSION#{contract.partner_id}#{contract.version:06d}",
            contract_id=contract.contract_id,
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(slot, condition=VersionSlotItem.pk.does_not_exist())
                tx.save(_contract_item(contract), condition=ContractItem.pk.does_not_exist())
                tx.save(_event_item(contract.brand_id, contract.contract_id, event),
                        condition=EvidenceItem.pk.does_not_exist())  # fmt: skip
        except TransactWriteError as exc:
            raise Conflict(
                "Another version of this partner's contract was just created; try again.",
                {"version": contract.version},
            ) from exc

    def get_contract(self, brand_id: str, contract_id: str) -> Contract:
        if not looks_like("ctr", contract_id):
            raise NotFound("No such contract.")
        pk = brand_pk(brand_id)
        try:
            item = ContractItem.get(pk, f"CONTRACT#{contract_id}", consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound("No such contract.") from exc
        events = EvidenceItem.query(
            pk, EvidenceItem.sk.startswith(f"CONTRACT#{contract_id}#EV#"), consistent_read=True
        )
        contract = replace(_contract(item), evidence=tuple(_event(e) for e in events))
        awaiting, _ = self.token(brand_id, contract_id)
        return replace(contract, awaiting=awaiting)

    def versions(self, brand_id: str, partner_id: str) -> list[Contract]:
        query = ContractItem.gsi1.query(brand_list_pk(brand_id, "CONTRACTS", partner_id))  # type: ignore[attr-defined]
        return [_contract(item) for item in query]

    def change(
        self,
        before: Contract,
        after: Contract,
        event: EvidenceEvent | None,
        *,
        consume: tuple[Awaiting, str] | None = None,
    ) -> Contract:
        """Save `after` if the contract is still as `before` was read, with its event; `consume` takes the
        task token of that step, which must still be the one read. Conflict otherwise."""
        events = (*before.evidence, event) if event else before.evidence
        after = replace(after, evidence=tuple(events))
        condition = (ContractItem.status == before.status.value) & (
            ContractItem.evidence_count == len(before.evidence)
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_contract_item(after), condition=condition)
                if event is not None:
                    tx.save(_event_item(after.brand_id, after.contract_id, event),
                            condition=EvidenceItem.pk.does_not_exist())  # fmt: skip
                if consume is not None:
                    awaiting, token = consume
                    pk, sk = _token_key(after.brand_id, after.contract_id)
                    tx.update(
                        TokenItem(pk, sk),
                        actions=[TokenItem.task_token.remove(), TokenItem.awaiting.remove()],
                        condition=(TokenItem.task_token == token) & (TokenItem.awaiting == awaiting.value),
                    )
        except TransactWriteError as exc:
            raise Conflict(
                "This contract changed meanwhile; read it again.", {"status": before.status.value}
            ) from exc
        return replace(after, awaiting=None if consume else after.awaiting)

    # Tokens: server-side only
    def token(self, brand_id: str, contract_id: str) -> tuple[Awaiting | None, str | None]:
        try:
            item = TokenItem.get(*_token_key(brand_id, contract_id), consistent_read=True)
        except DoesNotExist:
            return None, None
        if not item.awaiting or not item.task_token:
            return None, None
        return Awaiting(item.awaiting), item.task_token

    def store_token(self, brand_id: str, contract_id: str, awaiting: Awaiting, token: str) -> None:
        TokenItem(*_token_key(brand_id, contract_id)).update(
            actions=[TokenItem.awaiting.set(awaiting.value), TokenItem.task_token.set(token)]
        )

    def parent_token(self, brand_id: str, contract_id: str) -> str | None:
        try:
            return TokenItem.get(*_token_key(brand_id, contract_id), consistent_read=True).parent_task_token
        except DoesNotExist:
            return None

    def set_parent_token(self, brand_id: str, contract_id: str, token: str) -> None:
        TokenItem(*_token_key(brand_id, contract_id)).update(actions=[TokenItem.parent_task_token.set(token)])

    # Amendment offers
    def save_offer(self, offer: AmendmentOffer) -> None:
        segment = {k: v for k, v in vars(offer.segment).items() if v is not None}
        item = OfferItem(
            pk=brand_pk(offer.brand_id),
            sk=f"AMENDMENT#{offer.amendment_id}",
            gsi1pk=brand_list_pk(offer.brand_id, "AMENDMENTS"),
            gsi1sk=f"{offer.created_at.isoformat()}#{offer.amendment_id}",
            amendment_id=offer.amendment_id,
            brand_id=offer.brand_id,
            segment=json.dumps(segment, sort_keys=True),
            terms=_terms_json(offer.terms),
            starts_on=offer.starts_on.isoformat(),
            template_id=offer.template_id,
            contract_ids=json.dumps(offer.contract_ids, sort_keys=True),
            skipped=json.dumps(offer.skipped, sort_keys=True),
            created_at=offer.created_at,
        )
        try:
            item.save(condition=OfferItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise
            raise Conflict("This amendment exists already.") from exc

    def get_offer(self, brand_id: str, amendment_id: str) -> AmendmentOffer:
        if not looks_like("amd", amendment_id):
            raise NotFound("No such amendment.")
        try:
            item = OfferItem.get(brand_pk(brand_id), f"AMENDMENT#{amendment_id}")
        except DoesNotExist as exc:
            raise NotFound("No such amendment.") from exc
        return AmendmentOffer(
            amendment_id=item.amendment_id,
            brand_id=item.brand_id,
            segment=Segment(**json.loads(item.segment)),
            terms=Terms.model_validate_json(item.terms),
            starts_on=date.fromisoformat(item.starts_on),
            template_id=item.template_id,
            created_at=item.created_at,
            contract_ids=json.loads(item.contract_ids),
            skipped=json.loads(item.skipped),
        )
