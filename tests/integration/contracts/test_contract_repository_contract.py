"""ContractRepository's contract: what the contracts service relies on, held against the in-memory fake
and the DynamoDB repository (on moto, in the API function's environment) alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from starling.contracts.evidence import next_event, verify
from starling.contracts.model import (
    Awaiting,
    Contract,
    ContractRepository,
    ContractStatus,
    EvidenceEvent,
    Template,
)
from starling.shared.errors import Conflict, NotFound
from starling.shared.ids import new_id
from starling.shared.terms import parse_terms
from tests.fakes.contracts import InMemoryContractRepository
from tests.integration.contract_backends import BACKENDS, fake_or_dynamo

NOW = datetime(2026, 11, 29, 12, 30, 15, 123456, tzinfo=UTC)
TERMS = parse_terms({"currency": "USD", "cpa_percent": "10", "tiers": [{"from": 0, "cpa_percent": "10"}]})


@pytest.fixture(params=BACKENDS)
def repo(request: pytest.FixtureRequest) -> Iterator[ContractRepository]:
    yield from fake_or_dynamo(
        request, InMemoryContractRepository, "starling.contracts.repository:DynamoContractRepository"
    )


def _draft(brand_id: str, partner_id: str = "ptn_a", version: int = 1) -> tuple[Contract, EvidenceEvent]:
    event = next_event((), "created", NOW, "owner:key", {"version": version})
    contract = Contract(
        contract_id=new_id("ctr"), brand_id=brand_id, partner_id=partner_id, version=version,
        status=ContractStatus.DRAFT, terms=TERMS, starts_on=date(2026, 12, 1), created_at=NOW, updated_at=NOW,
        template_id="ctt_0000000000000000", evidence=(event,),
    )  # fmt: skip
    return contract, event


def _brand() -> str:
    return f"brd_{uuid.uuid4().hex[:16]}"


def test_a_contract_reads_back_with_its_terms_and_evidence(repo: ContractRepository) -> None:
    brand = _brand()
    contract, event = _draft(brand)
    repo.create_contract(contract, event)
    found = repo.get_contract(brand, contract.contract_id)
    assert found == replace(contract, awaiting=None)
    assert found.terms.tiers[0].from_ == 0 and verify(found.evidence)
    assert [c.contract_id for c in repo.versions(brand, "ptn_a")] == [contract.contract_id]


def test_another_brand_finds_nothing(repo: ContractRepository) -> None:
    brand = _brand()
    contract, event = _draft(brand)
    repo.create_contract(contract, event)
    with pytest.raises(NotFound):
        repo.get_contract(_brand(), contract.contract_id)
    assert repo.versions(_brand(), "ptn_a") == []


def test_a_version_is_taken_once(repo: ContractRepository) -> None:
    brand = _brand()
    first, event = _draft(brand)
    repo.create_contract(first, event)
    second, event2 = _draft(brand)
    with pytest.raises(Conflict):
        repo.create_contract(second, event2)


def test_a_change_appends_its_event_and_a_stale_one_is_refused(repo: ContractRepository) -> None:
    brand = _brand()
    contract, event = _draft(brand)
    repo.create_contract(contract, event)
    read = repo.get_contract(brand, contract.contract_id)
    sent = repo.change(
        read, replace(read, status=ContractStatus.SENT), next_event(read.evidence, "sent", NOW, "wf")
    )
    assert [e.kind for e in repo.get_contract(brand, contract.contract_id).evidence] == ["created", "sent"]
    assert sent.status is ContractStatus.SENT
    with pytest.raises(Conflict):  # written from the first read: the contract changed since
        repo.change(
            read, replace(read, status=ContractStatus.DECLINED), next_event(read.evidence, "x", NOW, "p")
        )


def test_a_token_is_taken_once_and_only_if_it_is_the_one_read(repo: ContractRepository) -> None:
    brand = _brand()
    contract, event = _draft(brand)
    repo.create_contract(contract, event)
    repo.store_token(brand, contract.contract_id, Awaiting.SIGNATURE, "token-1")
    read = repo.get_contract(brand, contract.contract_id)
    assert read.awaiting is Awaiting.SIGNATURE
    signed = replace(read, status=ContractStatus.SIGNED)
    with pytest.raises(Conflict):
        repo.change(
            read, signed, next_event(read.evidence, "signed", NOW, "p"), consume=(Awaiting.SIGNATURE, "other")
        )
    repo.change(
        read, signed, next_event(read.evidence, "signed", NOW, "p"), consume=(Awaiting.SIGNATURE, "token-1")
    )
    assert repo.token(brand, contract.contract_id) == (None, None)
    repo.set_parent_token(brand, contract.contract_id, "parent")
    assert repo.parent_token(brand, contract.contract_id) == "parent"


def test_templates_read_back_and_stay_with_their_brand(repo: ContractRepository) -> None:
    brand = _brand()
    template = Template(new_id("ctt"), brand, "Std", "Hi {{partner_name}}", True, NOW, TERMS, default=True)
    repo.create_template(template)
    assert repo.get_template(brand, template.template_id) == template
    assert repo.all_templates(brand) == [template]
    with pytest.raises(NotFound):
        repo.get_template(_brand(), template.template_id)
