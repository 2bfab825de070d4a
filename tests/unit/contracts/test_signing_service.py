"""The signing use cases without AWS: the signature is on record before the workflow hears of it, a token
is used once, and what the partner signs is exactly what was shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from starling.contracts.model import Awaiting, ContractStatus
from starling.contracts.service import ContractsService
from starling.contracts.signing import SigningSteps
from starling.identity.model import Brand
from starling.recruiting.model import Partner, Stage
from starling.shared import clock
from starling.shared.errors import Conflict, Invalid, NotFound
from tests.fakes.contracts import InMemoryContractRepository, RecordingWorkflow
from tests.fakes.shared import RecordingEmailSender

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
TERMS = {"currency": "USD", "cpa_percent": "10"}
CLIENT = {"ip": "203.0.113.7", "user_agent": "Mobile Safari"}


class Partners:
    def __init__(self) -> None:
        self.partners = {pid: self._partner(pid) for pid in ("ptn_maya", "ptn_leo")}

    @staticmethod
    def _partner(pid: str) -> Partner:
        return Partner(
            pid,
            "brd_a",
            f"cre_{pid}",
            "instagram",
            pid,
            "Maya Lopez",
            f"{pid}@gmail.com",
            Stage.APPROVED,
            NOW,
            NOW,
            NOW,
        )

    def get(self, brand_id: str, partner_id: str) -> Partner:
        if brand_id != "brd_a" or partner_id not in self.partners:
            raise NotFound("No such partner.")
        return self.partners[partner_id]


class Brands:
    def get_brand(self, brand_id: str) -> Brand:
        return Brand(brand_id, "Glow", "glow", NOW)


@pytest.fixture()
def world(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    repo = InMemoryContractRepository()
    workflow = RecordingWorkflow(repo)
    email = RecordingEmailSender()
    service = ContractsService(repo, Partners(), Brands(), workflow, email, "https://partners.glow.test")
    service.create_template("brd_a", {"name": "Std", "body_markdown": "{{partner_name}}: {{terms_summary}}",
                                      "default_terms": TERMS})  # fmt: skip
    return {
        "repo": repo,
        "workflow": workflow,
        "email": email,
        "service": service,
        "steps": SigningSteps(service),
    }


def _sent(world: dict[str, Any], partner_id: str = "ptn_maya") -> str:
    """A contract offered, rendered and sent, its signature step waiting on a token."""
    contract = world["service"].start_contract("brd_a", partner_id, actor="owner:key", template_id=None)
    world["steps"].render("brd_a", contract.contract_id, None)
    world["steps"].send_for_signature("brd_a", contract.contract_id, f"token-1-{contract.contract_id}")
    return str(contract.contract_id)


def _sign(world: dict[str, Any], contract_id: str, partner_id: str = "ptn_maya", **overrides: Any) -> Any:
    sha = world["service"].document("brd_a", contract_id).sha256
    fields = {"consent": True, "typed_name": "Maya Lopez", "document_sha256": sha, **CLIENT, **overrides}
    return world["service"].sign("brd_a", partner_id, contract_id, **fields)


def test_the_signature_is_recorded_before_the_workflow_is_resumed_and_the_token_is_used_once(
    world: dict,
) -> None:
    contract_id = _sent(world)
    signed = _sign(world, contract_id)

    kind, token, output, held = world["workflow"].answers[-1]
    assert (kind, token, output) == ("success", f"token-1-{contract_id}", {"status": "signed"})
    assert held.status is ContractStatus.SIGNED and held.evidence[-1].kind == "signed"
    assert signed.evidence[-1].data["typed_name"] == "Maya Lopez"
    assert world["repo"].token("brd_a", contract_id) == (None, None)
    with pytest.raises(Conflict):
        _sign(world, contract_id)
    assert len(world["workflow"].answers) == 1


def test_the_send_step_emails_a_link_naming_only_the_contract_and_not_twice(world: dict) -> None:
    contract_id = _sent(world)
    world["steps"].send_for_signature("brd_a", contract_id, f"token-2-{contract_id}")  # a retry
    [email] = world["email"].sent
    assert f"https://partners.glow.test/portal/contracts/{contract_id}" in email.text
    assert "token" not in email.text
    assert world["repo"].token("brd_a", contract_id) == (Awaiting.SIGNATURE, f"token-2-{contract_id}")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"consent": False}, Invalid),
        ({"typed_name": "  "}, Invalid),
        ({"document_sha256": "nope"}, Invalid),
        ({"document_sha256": "0" * 64}, Conflict),
    ],
)
def test_a_signature_without_consent_name_or_the_shown_document_is_refused(
    world: dict, overrides: dict, error: type[Exception]
) -> None:
    contract_id = _sent(world)
    with pytest.raises(error):
        _sign(world, contract_id, **overrides)
    assert world["workflow"].answers == []
    assert world["repo"].get_contract("brd_a", contract_id).status is ContractStatus.SENT


def test_another_partner_cannot_read_sign_or_decline(world: dict) -> None:
    contract_id = _sent(world)
    with pytest.raises(NotFound):
        world["service"].get_for_partner("brd_a", "ptn_leo", contract_id)
    with pytest.raises(NotFound):
        _sign(world, contract_id, partner_id="ptn_leo")
    with pytest.raises(NotFound):
        world["service"].decline("brd_a", "ptn_leo", contract_id, reason="x", **CLIENT)
    assert world["workflow"].answers == []


def test_signing_after_14_days_is_refused(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    contract_id = _sent(world)
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=14, seconds=1))
    with pytest.raises(Conflict, match="expired"):
        _sign(world, contract_id)


def test_a_signature_the_workflow_no_longer_waits_for_leaves_the_contract_expired(world: dict) -> None:
    contract_id = _sent(world)
    world["workflow"].stale.add(f"token-1-{contract_id}")
    with pytest.raises(Conflict, match="expired"):
        _sign(world, contract_id)
    stored = world["repo"].get_contract("brd_a", contract_id)
    assert stored.status is ContractStatus.EXPIRED
    assert [e.kind for e in stored.evidence][-2:] == ["signed", "expired"]


def test_declining_records_the_reason_and_fails_the_step(world: dict) -> None:
    contract_id = _sent(world)
    declined = world["service"].decline("brd_a", "ptn_maya", contract_id, reason="Too low", **CLIENT)
    assert declined.status is ContractStatus.DECLINED
    assert world["workflow"].answers[-1][:3] == ("failure", f"token-1-{contract_id}", "ContractDeclined")
    assert world["workflow"].answers[-1][3].status is ContractStatus.DECLINED


def test_the_report_step_answers_the_parent_with_the_outcome(world: dict) -> None:
    contract_id = _sent(world)
    world["repo"].set_parent_token("brd_a", contract_id, f"parent-{contract_id}")
    _sign(world, contract_id)
    world["steps"].activate("brd_a", contract_id)
    world["steps"].report("brd_a", contract_id)
    assert world["workflow"].answers[-1][:3] == (
        "success", f"parent-{contract_id}", {"contract_id": contract_id, "status": "active"}
    )  # fmt: skip
