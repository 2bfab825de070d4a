"""The contracts routes: bad input, tenancy (another brand's key gets 404), owner-only records, segment
offers, and onboarding's nested signing through `start_signing`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from infra.local.cloud import LocalCloud
from starling.contracts.evidence import next_event
from starling.contracts.model import Contract, ContractStatus
from starling.contracts.service import ContractsService
from starling.shared import clock
from starling.shared.terms import parse_terms
from tests.integration.conftest import new_brand
from tests.integration.contracts.conftest import (
    TERMS,
    as_portal,
    contract,
    finished,
    new_partner,
    new_template,
    offer,
    sign,
    until_status,
    wait_for,
)
from tests.support import ApiClient

SHA = "ab" * 32


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "T", "body_markdown": "Hi {{nickname}}"}, "body_markdown"),
        (
            {"name": "T", "body_markdown": "Hi", "default_terms": {"currency": "usd"}},
            "default_terms.currency",
        ),
        (
            {"name": "T", "body_markdown": "Hi", "default_terms": {"currency": "USD", "cpa_percent": "101"}},
            "cpa_percent",
        ),
        ({"name": "T", "body_markdown": "Hi", "countersign": "yes please"}, "countersign"),
        ({"name": "T"}, "body_markdown"),
    ],
)
def test_bad_templates_are_refused_with_the_field(
    api: ApiClient, brand: dict, body: dict, field: str
) -> None:
    answer = api.call("POST", "/v1/contract-templates", brand["api_key"], body)
    assert answer.status == 422, answer.text
    assert field in answer.text
    assert api.call("GET", "/v1/contract-templates", brand["api_key"]).body["items"] == []


def test_bad_contract_offers_are_refused_and_start_nothing(api: ApiClient, brand: dict) -> None:
    key = brand["api_key"]
    partner = new_partner(api, key)
    pid = partner["partner_id"]
    # No template yet
    assert api.call("POST", f"/v1/partners/{pid}/contracts", key, {}).status == 422
    template = new_template(api, key, default_terms=None)
    # No terms anywhere, an unknown template, a past start, contradictory terms
    for body in (
        {"template_id": template["template_id"]},
        {"template_id": "ctt_0000000000000000", "terms": TERMS},
        {"terms": TERMS, "starts_on": (date.today() - timedelta(days=1)).isoformat()},
        {"terms": {**TERMS, "cap": 100}},
    ):
        answer = api.call("POST", f"/v1/partners/{pid}/contracts", key, body)
        assert answer.status == 422, (body, answer.text)
    assert api.call("GET", f"/v1/partners/{pid}/contracts", key).body["items"] == []
    # An unknown partner
    assert api.call("POST", "/v1/partners/ptn_nobody/contracts", key, {"terms": TERMS}).status == 404
    # A second offer while the first is being signed is a conflict
    offer(api, key, pid, terms=TERMS)
    assert api.call("POST", f"/v1/partners/{pid}/contracts", key, {"terms": TERMS}).status == 409


def test_another_brand_reaches_none_of_the_contract_routes(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    template = new_template(api, key)
    partner = new_partner(api, key)
    cid = offer(api, key, partner["partner_id"])["contract_id"]
    until_status(api, key, cid, "sent")
    other = new_brand(cloud)["api_key"]
    new_template(api, other)
    for method, path, body in (
        ("GET", f"/v1/contracts/{cid}", None),
        ("GET", f"/v1/contracts/{cid}/document", None),
        ("POST", f"/v1/contracts/{cid}/countersign", None),
        ("GET", f"/v1/partners/{partner['partner_id']}/contracts", None),
        ("POST", f"/v1/partners/{partner['partner_id']}/contracts", {"terms": TERMS}),
        ("POST", f"/v1/partners/{partner['partner_id']}/contracts",
         {"terms": TERMS, "signed_elsewhere": {"signed_on": "2026-01-02", "document_sha256": SHA}}),
        ("GET", "/v1/contract-amendments/amd_0000000000000000", None),
    ):  # fmt: skip
        answer = api.call(method, path, other, body)
        assert answer.status == 404, (method, path, answer.text)
    # Naming this brand's template from another brand is a 422 like any unknown template
    theirs = api.call("POST", "/v1/contract-templates", other, {"name": "x", "body_markdown": "x"})
    assert theirs.status == 201
    mine = new_partner(api, other)
    answer = api.call("POST", f"/v1/partners/{mine['partner_id']}/contracts", other,
                      {"template_id": template["template_id"], "terms": TERMS})  # fmt: skip
    assert answer.status == 422
    assert [t["template_id"] for t in api.call("GET", "/v1/contract-templates", other).body["items"]] != [
        template["template_id"]
    ]


def test_an_owner_records_a_contract_signed_elsewhere_and_a_manager_cannot(
    api: ApiClient, brand: dict
) -> None:
    key = brand["api_key"]
    partner = new_partner(api, key)
    pid = partner["partner_id"]
    record = {"terms": TERMS, "signed_elsewhere": {"signed_on": "2026-01-15", "document_sha256": SHA}}
    manager = api.call("POST", "/v1/api-keys", key, {"name": "m", "role": "manager"}).body["key"]
    refused = api.call("POST", f"/v1/partners/{pid}/contracts", manager, record)
    assert refused.status == 403
    future = {**record, "signed_elsewhere": {"signed_on": "2999-01-01", "document_sha256": SHA}}
    assert api.call("POST", f"/v1/partners/{pid}/contracts", key, future).status == 422
    short = {**record, "signed_elsewhere": {"signed_on": "2026-01-15", "document_sha256": "ab"}}
    assert api.call("POST", f"/v1/partners/{pid}/contracts", key, short).status == 422

    recorded = api.call("POST", f"/v1/partners/{pid}/contracts", key, record)

    assert recorded.status == 201, recorded.text
    body = recorded.body
    assert (body["status"], body["recorded"], body["document_sha256"]) == ("active", True, SHA)
    assert [e["kind"] for e in body["evidence"]] == ["recorded"]
    document = api.call("GET", f"/v1/contracts/{body['contract_id']}/document", key).body
    assert "signed elsewhere" in document["text"] and SHA in document["footer"]


def test_new_terms_offered_to_a_segment_reach_each_partner_and_the_brand_sees_who_signed(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key)
    micro = [new_partner(api, key, followers=20000) for _ in range(2)]
    nano = new_partner(api, key, followers=900)
    for p in [*micro, nano]:
        assert (
            api.call("POST", f"/v1/partners/{p['partner_id']}/stage", key, {"stage": "contacted"}).status
            == 200
        )

    starts = (date.today() + timedelta(days=10)).isoformat()
    answer = api.call("POST", "/v1/contract-amendments", key, {
        "terms": {**TERMS, "cpa_percent": "14"}, "starts_on": starts,
        "segment": {"stage": "contacted", "tier": "micro"},
    })  # fmt: skip

    assert answer.status == 201, answer.text
    offered = {c["partner_id"]: c["contract_id"] for c in answer.body["contracts"]}
    assert set(offered) == {p["partner_id"] for p in micro}
    first = micro[0]["partner_id"]
    until_status(api, key, offered[first], "sent", awaiting="signature")
    with as_portal(cloud) as portal:
        sign(portal, brand_id, first, offered[first])
    until_status(api, key, offered[first], "active")
    seen = api.call("GET", f"/v1/contract-amendments/{answer.body['amendment_id']}", key).body
    assert seen["signed"] == 1
    assert {c["partner_id"]: c["status"] for c in seen["contracts"]}[first] == "active"
    # An empty segment is refused
    empty = api.call(
        "POST", "/v1/contract-amendments", key, {"terms": TERMS, "starts_on": starts, "segment": {}}
    )
    assert empty.status == 422


def test_onboarding_s_nested_signing_reports_the_active_contract_to_its_parent(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given a parent state machine that waits on start_signing, as onboarding does
    key, brand_id = brand["api_key"], brand["brand_id"]
    new_template(api, key, default=True)
    partner = new_partner(api, key)
    function = cloud.physical_id("ContractsStartSigningFunction", "AWS::Lambda::Function")
    definition = {"StartAt": "Contract", "States": {"Contract": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": function, "Payload": {"brand_id.$": "$.brand_id",
            "partner_id.$": "$.partner_id", "parent_task_token.$": "$$.Task.Token"}},
        "End": True}}}  # fmt: skip
    sfn = cloud.client("stepfunctions")
    parent = sfn.create_state_machine(
        name=f"parent-{partner['partner_id']}", definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/parent",
    )["stateMachineArn"]  # fmt: skip
    start = {"brand_id": brand_id, "partner_id": partner["partner_id"]}
    run = sfn.start_execution(stateMachineArn=parent, name="onboarding-1", input=json.dumps(start))

    # When the partner signs the contract it started
    listed = wait_for(
        lambda: api.call("GET", f"/v1/partners/{partner['partner_id']}/contracts", key).body["items"]
    )
    cid = listed[0]["contract_id"]
    until_status(api, key, cid, "sent", awaiting="signature")
    with as_portal(cloud) as portal:
        sign(portal, brand_id, partner["partner_id"], cid)

    # Then the child ends and the parent gets the contract id and "active"
    assert finished(cloud, cid)["status"] == "SUCCEEDED"
    done = wait_for(
        lambda: (e := sfn.describe_execution(executionArn=run["executionArn"]))["status"] != "RUNNING" and e
    )
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"contract_id": cid, "status": "active"}


def test_an_operator_starts_a_contract_s_signing_with_the_aws_cli(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given a draft contract whose workflow never started (StartExecution failed after the write)
    key, brand_id = brand["api_key"], brand["brand_id"]
    template = new_template(api, key)
    partner = new_partner(api, key)
    with as_portal(cloud) as service:
        draft = _draft(service, brand_id, partner["partner_id"], template["template_id"])
    machine = cloud.physical_id("ContractsContractSigning", "AWS::StepFunctions::StateMachine")

    # When the operator starts it with the AWS CLI against the local endpoint
    aws = str(Path(sys.executable).parent / "aws")
    started = subprocess.run(
        [aws, "--endpoint-url", cloud.endpoint_url, "--region", cloud.settings.region, "stepfunctions",
         "start-execution", "--state-machine-arn", machine, "--name", draft.contract_id,
         "--input", json.dumps({"brand_id": brand_id, "contract_id": draft.contract_id})],
        capture_output=True, text=True, check=True,
        env={"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    # Then the contract is sent, and the execution is listed by the CLI
    assert "executionArn" in started.stdout
    until_status(api, key, draft.contract_id, "sent", awaiting="signature")
    listed = subprocess.run(
        [aws, "--endpoint-url", cloud.endpoint_url, "--region", cloud.settings.region, "stepfunctions",
         "list-state-machines", "--query", "stateMachines[].name", "--output", "text"],
        capture_output=True, text=True, check=True,
        env={"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert "contract-signing" in listed.stdout.split()
    assert contract(api, key, draft.contract_id)["status"] == "sent"


def _draft(service: ContractsService, brand_id: str, partner_id: str, template_id: str) -> Contract:
    now = clock.now()
    event = next_event((), "created", now, "test", {"template_id": template_id})
    draft = Contract(
        contract_id="ctr_" + now.strftime("%H%M%S%f")[:16].ljust(16, "0"), brand_id=brand_id,
        partner_id=partner_id, version=1, status=ContractStatus.DRAFT, terms=parse_terms(TERMS),
        starts_on=date.today(), created_at=now, updated_at=now, template_id=template_id, evidence=(event,),
    )  # fmt: skip
    service.contracts.create_contract(draft, event)
    return draft
