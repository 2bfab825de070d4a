"""A contract from the brand's offer to active, declined or expired, on the real contract-signing state
machine: the partner signs through the service the portal calls."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest

from infra.local import stepfunctions
from infra.local.cloud import LocalCloud
from infra.local.gateway import sent_emails
from starling.contracts.evidence import verify
from starling.contracts.model import ContractStatus, terms_in_force
from starling.contracts.service import ContractsService
from starling.shared.errors import Conflict, NotFound
from tests.integration.contracts.conftest import (
    PORTAL,
    TERMS,
    as_portal,
    contract,
    execution,
    finished,
    new_partner,
    new_template,
    offer,
    sign,
    until_status,
)
from tests.support import ApiClient


def test_a_partner_signs_and_the_contract_becomes_active_with_its_evidence(
    api: ApiClient, brand: dict, cloud: LocalCloud, portal: ContractsService
) -> None:
    # Given a template and a partner
    key, brand_id = brand["api_key"], brand["brand_id"]
    template = new_template(api, key)
    partner = new_partner(api, key)

    # When the brand offers the contract
    created = offer(api, key, partner["partner_id"], template_id=template["template_id"])
    contract_id = created["contract_id"]
    assert created["status"] == "draft" and created["version"] == 1

    # Then the workflow renders it, sends it and waits for the signature
    sent = until_status(api, key, contract_id, "sent", awaiting="signature")
    assert sent["document_sha256"] and partner["display_name"] in sent["document_markdown"]
    emails = [m for m in sent_emails(cloud.settings.region) if partner["email"] in m["to"]]
    assert emails and f"/portal/contracts/{contract_id}" in emails[-1]["body"]
    assert "Token" not in emails[-1]["body"] and "token" not in emails[-1]["body"]

    # When the partner views and signs it in the portal
    portal.record_view(brand_id, partner["partner_id"], contract_id, **PORTAL)
    signed = sign(portal, brand_id, partner["partner_id"], contract_id)
    assert signed.status is ContractStatus.SIGNED

    # Then the workflow activates it and ends
    assert finished(cloud, contract_id)["status"] == "SUCCEEDED"
    active = until_status(api, key, contract_id, "active")
    kinds = [e["kind"] for e in active["evidence"]]
    assert kinds == ["created", "rendered", "sent", "viewed", "signed", "activated"]
    signature = next(e for e in active["evidence"] if e["kind"] == "signed")
    assert signature["ip"] == PORTAL["ip"] and signature["user_agent"] == PORTAL["user_agent"]
    assert signature["data"]["typed_name"] == "Maya Lopez"
    assert signature["data"]["intent_statement"].startswith("By typing my name")
    assert signature["data"]["document_sha256"] == active["document_sha256"]
    assert "paper copy" in signature["data"]["esign_disclosure"]
    for before, after in zip(active["evidence"], active["evidence"][1:], strict=False):
        assert after["previous_hash"] == before["hash"]
    assert verify(portal.get_for_partner(brand_id, partner["partner_id"], contract_id).evidence)

    # And the document's footer states its hash and the signature's
    document = api.call("GET", f"/v1/contracts/{contract_id}/document", key).body
    assert active["document_sha256"] in document["footer"] and signature["hash"] in document["footer"]

    # And signing again is refused: the token was used
    with pytest.raises(Conflict):
        sign(portal, brand_id, partner["partner_id"], contract_id)


def test_a_partner_declines_and_the_workflow_ends(
    api: ApiClient, brand: dict, cloud: LocalCloud, portal: ContractsService
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key)
    partner = new_partner(api, key)
    contract_id = offer(api, key, partner["partner_id"])["contract_id"]  # the brand's default template
    until_status(api, key, contract_id, "sent", awaiting="signature")

    declined = portal.decline(brand_id, partner["partner_id"], contract_id, reason="Rate too low", **PORTAL)

    assert declined.status is ContractStatus.DECLINED
    assert finished(cloud, contract_id)["status"] == "SUCCEEDED"
    ended = contract(api, key, contract_id)
    assert ended["status"] == "declined" and ended["evidence"][-1]["data"]["reason"] == "Rate too low"
    with pytest.raises(Conflict):
        sign(portal, brand_id, partner["partner_id"], contract_id)


def test_another_partner_and_a_changed_document_are_refused_and_the_workflow_keeps_waiting(
    api: ApiClient, brand: dict, cloud: LocalCloud, portal: ContractsService
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key)
    maya, other = new_partner(api, key), new_partner(api, key)
    contract_id = offer(api, key, maya["partner_id"])["contract_id"]
    until_status(api, key, contract_id, "sent", awaiting="signature")

    # Another partner's session finds no such contract
    with pytest.raises(NotFound):
        sign(portal, brand_id, other["partner_id"], contract_id)
    with pytest.raises(NotFound):
        portal.decline(brand_id, other["partner_id"], contract_id, reason="no", **PORTAL)
    # A hash other than the one shown is refused
    with pytest.raises(Conflict, match="changed since it was shown"):
        sign(portal, brand_id, maya["partner_id"], contract_id, document_sha256="0" * 64)

    # And the workflow still waits, and the partner can still sign
    still = contract(api, key, contract_id)
    assert still["status"] == "sent" and still["awaiting"] == "signature"
    sign(portal, brand_id, maya["partner_id"], contract_id)
    assert finished(cloud, contract_id)["status"] == "SUCCEEDED"


def test_a_used_task_token_is_refused_by_step_functions(
    api: ApiClient, brand: dict, cloud: LocalCloud, portal: ContractsService
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key, countersign=True)
    partner = new_partner(api, key)
    contract_id = offer(api, key, partner["partner_id"])["contract_id"]
    until_status(api, key, contract_id, "sent", awaiting="signature")
    _, token = portal.contracts.token(brand_id, contract_id)
    assert token
    sign(portal, brand_id, partner["partner_id"], contract_id)
    until_status(api, key, contract_id, "signed", awaiting="countersignature")

    # When the signature's token is sent again (moto may accept it; Step Functions answers InvalidToken)
    sfn = cloud.client("stepfunctions")
    with contextlib.suppress(sfn.exceptions.ClientError):
        sfn.send_task_success(taskToken=token, output='{"status": "signed"}')
    # Then the workflow still waits for the countersignature, and a second signature is refused
    assert execution(cloud, contract_id)["status"] == "RUNNING"
    assert contract(api, key, contract_id)["awaiting"] == "countersignature"
    with pytest.raises(Conflict):
        sign(portal, brand_id, partner["partner_id"], contract_id)
    assert api.call("POST", f"/v1/contracts/{contract_id}/countersign", key).status == 200
    assert until_status(api, key, contract_id, "active")["status"] == "active"


def test_the_brand_countersigns_when_the_template_asks(
    api: ApiClient, brand: dict, cloud: LocalCloud, portal: ContractsService
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key, countersign=True)
    partner = new_partner(api, key)
    contract_id = offer(api, key, partner["partner_id"])["contract_id"]
    until_status(api, key, contract_id, "sent", awaiting="signature")
    early = api.call("POST", f"/v1/contracts/{contract_id}/countersign", key)
    assert early.status == 409

    sign(portal, brand_id, partner["partner_id"], contract_id)
    until_status(api, key, contract_id, "signed", awaiting="countersignature")
    countersigned = api.call("POST", f"/v1/contracts/{contract_id}/countersign", key)

    assert countersigned.status == 200, countersigned.text
    assert finished(cloud, contract_id)["status"] == "SUCCEEDED"
    active = until_status(api, key, contract_id, "active")
    assert [e["kind"] for e in active["evidence"]][-2:] == ["countersigned", "activated"]
    again = api.call("POST", f"/v1/contracts/{contract_id}/countersign", key)
    assert again.status == 409


def test_an_unsigned_contract_expires_after_14_days_on_the_time_scale(
    api: ApiClient, brand: dict, cloud: LocalCloud, portal: ContractsService
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key)
    partner = new_partner(api, key)
    # 14 days at 1e-6 is 1.2 seconds: the wait for the signature begins while the scale is small.
    with stepfunctions.scaled_time(1e-6):
        contract_id = offer(api, key, partner["partner_id"])["contract_id"]
        until_status(api, key, contract_id, "sent", awaiting="signature")
        assert finished(cloud, contract_id)["status"] == "SUCCEEDED"

    expired = contract(api, key, contract_id)
    assert expired["status"] == "expired" and expired["evidence"][-1]["kind"] == "expired"
    with pytest.raises(Conflict):
        sign(portal, brand_id, partner["partner_id"], contract_id)


def test_an_amendment_rules_from_its_start_date_once_signed(
    api: ApiClient, brand: dict, cloud: LocalCloud, portal: ContractsService
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key)
    partner = new_partner(api, key)
    first = offer(api, key, partner["partner_id"])["contract_id"]
    until_status(api, key, first, "sent", awaiting="signature")
    sign(portal, brand_id, partner["partner_id"], first)
    until_status(api, key, first, "active")

    # When an amendment from next month is offered: until it is signed, the first terms rule
    starts = date.today() + timedelta(days=30)
    amended = {**TERMS, "cpa_percent": "15"}
    second = offer(api, key, partner["partner_id"], terms=amended, starts_on=starts.isoformat())
    assert second["version"] == 2
    until_status(api, key, second["contract_id"], "sent", awaiting="signature")
    versions = portal.contracts.versions(brand_id, partner["partner_id"])
    assert str(terms_in_force(versions, starts).cpa_percent) == "10"  # type: ignore[union-attr]

    sign(portal, brand_id, partner["partner_id"], second["contract_id"])
    until_status(api, key, second["contract_id"], "active")

    # Then both versions are listed; the first is superseded from the amendment's start date
    listed = api.call("GET", f"/v1/partners/{partner['partner_id']}/contracts", key).body["items"]
    assert [(c["version"], c["status"]) for c in listed] == [(1, "superseded"), (2, "active")]
    versions = portal.contracts.versions(brand_id, partner["partner_id"])
    assert str(terms_in_force(versions, date.today()).cpa_percent) == "10"  # type: ignore[union-attr]
    assert str(terms_in_force(versions, starts).cpa_percent) == "15"  # type: ignore[union-attr]


def test_the_portal_sees_only_the_partner_s_own_contracts(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key)
    maya, other = new_partner(api, key), new_partner(api, key)
    contract_id = offer(api, key, maya["partner_id"])["contract_id"]
    until_status(api, key, contract_id, "sent")
    with as_portal(cloud) as portal:
        assert [c.contract_id for c in portal.contracts_for_partner(brand_id, maya["partner_id"])] == [
            contract_id
        ]
        assert portal.contracts_for_partner(brand_id, other["partner_id"]) == []
        with pytest.raises(NotFound):
            portal.get_for_partner(brand_id, other["partner_id"], contract_id)
