"""In-memory fakes of contracts' ports: the repository (same conditions as DynamoDB's transaction: status,
event count and the token read) and the signing workflow (it records what it was told, and what the
repository held at that moment)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starling.contracts.model import (
    AmendmentOffer,
    Awaiting,
    Contract,
    EvidenceEvent,
    Template,
)
from starling.contracts.workflow import StaleToken
from starling.shared.errors import Conflict, NotFound


class InMemoryContractRepository:
    def __init__(self) -> None:
        self.template_items: dict[tuple[str, str], Template] = {}
        self.contracts: dict[tuple[str, str], Contract] = {}
        self.tokens: dict[tuple[str, str], tuple[Awaiting, str]] = {}
        self.parents: dict[tuple[str, str], str] = {}
        self.offers: dict[tuple[str, str], AmendmentOffer] = {}

    def create_template(self, template: Template) -> None:
        self.template_items[(template.brand_id, template.template_id)] = template

    def get_template(self, brand_id: str, template_id: str) -> Template:
        if (brand_id, template_id) not in self.template_items:
            raise NotFound("No such contract template.")
        return self.template_items[(brand_id, template_id)]

    def templates(self, brand_id: str, limit: int, cursor: str | None) -> tuple[list[Template], str | None]:
        return self.all_templates(brand_id)[:limit], None

    def all_templates(self, brand_id: str) -> list[Template]:
        return [t for (b, _), t in self.template_items.items() if b == brand_id]

    def create_contract(self, contract: Contract, event: EvidenceEvent) -> None:
        if any(c.partner_id == contract.partner_id and c.version == contract.version
               for c in self.contracts.values() if c.brand_id == contract.brand_id):  # fmt: skip
            raise Conflict("version taken")
        self.contracts[(contract.brand_id, contract.contract_id)] = replace(contract, evidence=(event,))

    def get_contract(self, brand_id: str, contract_id: str) -> Contract:
        if (brand_id, contract_id) not in self.contracts:
            raise NotFound("No such contract.")
        awaiting, _ = self.token(brand_id, contract_id)
        return replace(self.contracts[(brand_id, contract_id)], awaiting=awaiting)

    def versions(self, brand_id: str, partner_id: str) -> list[Contract]:
        found = [c for (b, _), c in self.contracts.items() if b == brand_id and c.partner_id == partner_id]
        return sorted(found, key=lambda c: c.version)

    def change(
        self, before: Contract, after: Contract, event: EvidenceEvent | None, *,
        consume: tuple[Awaiting, str] | None = None,
    ) -> Contract:  # fmt: skip
        key = (before.brand_id, before.contract_id)
        stored = self.contracts[key]
        if stored.status is not before.status or len(stored.evidence) != len(before.evidence):
            raise Conflict("This contract changed meanwhile; read it again.")
        if consume is not None and self.tokens.get(key) != consume:
            raise Conflict("This contract changed meanwhile; read it again.")
        events = (*before.evidence, event) if event else before.evidence
        self.contracts[key] = replace(after, evidence=tuple(events), awaiting=None)
        if consume is not None:
            del self.tokens[key]
        return replace(self.contracts[key], awaiting=None if consume else after.awaiting)

    def token(self, brand_id: str, contract_id: str) -> tuple[Awaiting | None, str | None]:
        awaiting, token = self.tokens.get((brand_id, contract_id), (None, None))
        return awaiting, token

    def store_token(self, brand_id: str, contract_id: str, awaiting: Awaiting, token: str) -> None:
        self.tokens[(brand_id, contract_id)] = (awaiting, token)

    def parent_token(self, brand_id: str, contract_id: str) -> str | None:
        return self.parents.get((brand_id, contract_id))

    def set_parent_token(self, brand_id: str, contract_id: str, token: str) -> None:
        self.parents[(brand_id, contract_id)] = token

    def save_offer(self, offer: AmendmentOffer) -> None:
        self.offers[(offer.brand_id, offer.amendment_id)] = offer

    def get_offer(self, brand_id: str, amendment_id: str) -> AmendmentOffer:
        if (brand_id, amendment_id) not in self.offers:
            raise NotFound("No such amendment.")
        return self.offers[(brand_id, amendment_id)]


class RecordingWorkflow:
    """Starts and answers nothing real: records each call with the contract as the repository held it."""

    def __init__(self, contracts: InMemoryContractRepository) -> None:
        self.contracts = contracts
        self.started: list[tuple[str, str, str | None]] = []
        self.answers: list[tuple[str, str, Any, Contract | None]] = []
        self.used: set[str] = set()
        self.stale: set[str] = set()

    def start(self, brand_id: str, contract_id: str, parent_task_token: str | None = None) -> str:
        self.started.append((brand_id, contract_id, parent_task_token))
        return f"arn:execution:{contract_id}"

    def _answer(self, kind: str, token: str, detail: Any) -> None:
        if token in self.used or token in self.stale:
            raise StaleToken("The step this token stood for is over.")
        self.used.add(token)
        held = next((c for c in self.contracts.contracts.values()
                     if token.endswith(c.contract_id)), None)  # fmt: skip
        self.answers.append((kind, token, detail, held))

    def resume(self, token: str, output: dict[str, Any]) -> None:
        self._answer("success", token, output)

    def refuse(self, token: str, error: str, cause: str) -> None:
        self._answer("failure", token, error)
