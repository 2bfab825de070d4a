"""The onboarding state machine (JSONPath, every task with Retry and Catch, human steps that catch both
timeouts, the nested contract-signing task) and the portal's function, routes and grants."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from infra.constructs.contracts.onboarding import DEFINITION
from infra.constructs.portal import PORTAL_PATHS

TIMEOUTS = {"States.Timeout", "States.HeartbeatTimeout"}


def _asl() -> dict[str, Any]:
    return dict(json.loads(DEFINITION.read_text()))


def _resource(template: Template, resource_type: str, prefix: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = [
        (lid, r) for lid, r in template.find_resources(resource_type).items() if lid.startswith(prefix)
    ]
    return logical_id, resource


def _actions(template: Template, role_prefix: str) -> list[tuple[set[str], Any]]:
    found = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if role_prefix in json.dumps(policy["Properties"]["Roles"]):
            for s in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = {s["Action"]} if isinstance(s["Action"], str) else set(s["Action"])
                found.append((actions, s["Resource"]))
    return found


def test_onboarding_is_a_standard_jsonpath_state_machine_with_its_definition_beside_the_construct(
    template: Template,
) -> None:
    _, machine = _resource(template, "AWS::StepFunctions::StateMachine", "OnboardingOnboardingStateMachine")
    assert machine["Properties"]["StateMachineType"] == "STANDARD"
    asl = _asl()
    assert asl.get("QueryLanguage", "JSONPath") == "JSONPath"
    assert not [name for name, state in asl["States"].items() if state.get("QueryLanguage") == "JSONata"]
    assert set(machine["Properties"]["DefinitionSubstitutions"]) == {
        "OnboardingTasksArn", "StartSigningArn", "EventBusName",
    }  # fmt: skip


def test_every_task_has_retry_and_catch() -> None:
    tasks = {name: s for name, s in _asl()["States"].items() if s["Type"] == "Task"}
    assert len(tasks) >= 10
    for name, state in tasks.items():
        assert state.get("Retry"), name
        assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"]), name


def test_each_human_step_waits_on_a_token_and_catches_both_timeouts() -> None:
    states = _asl()["States"]
    waits = {n: s for n, s in states.items() if s.get("Resource", "").endswith(".waitForTaskToken")}
    assert set(waits) == {"WaitForSteps", "WaitAfterReminder", "SignContract"}
    for name, state in waits.items():
        caught = {e for c in state["Catch"] for e in c["ErrorEquals"]}
        assert caught >= TIMEOUTS, name
        assert "$$.Task.Token" in json.dumps(state["Parameters"]), name
    # 3 days to the reminder, 14 in all before the expiry
    assert states["WaitForSteps"]["TimeoutSeconds"] == 3 * 86400
    assert (
        states["WaitForSteps"]["TimeoutSeconds"] + states["WaitAfterReminder"]["TimeoutSeconds"] == 14 * 86400
    )
    assert states["WaitAfterReminder"]["Catch"][0]["Next"] == "Expire"


def test_the_contract_step_invokes_start_signing_with_the_parent_token_and_catches_decline_and_expiry() -> (
    None
):
    state = _asl()["States"]["SignContract"]
    assert state["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert state["Parameters"] == {
        "FunctionName": "${StartSigningArn}",
        "Payload": {
            "brand_id.$": "$.brand_id",
            "partner_id.$": "$.partner_id",
            "parent_task_token.$": "$$.Task.Token",
        },
    }
    ended = next(c for c in state["Catch"] if c["Next"] == "ContractEnded")
    assert {"ContractDeclined", "ContractExpired"} <= set(ended["ErrorEquals"])
    # A decline is never retried (it would offer the contract again)
    never = state["Retry"][0]
    assert never["MaxAttempts"] == 0 and {"ContractDeclined", "ContractExpired"} <= set(never["ErrorEquals"])


def test_activation_publishes_partner_activated_on_the_bus(template: Template) -> None:
    publish = _asl()["States"]["PublishActivated"]
    assert publish["Resource"] == "arn:aws:states:::events:putEvents"
    assert publish["Parameters"]["Entries"][0]["DetailType"] == "partner.activated"
    bus_id, _ = _resource(template, "AWS::Events::EventBus", "EventsBus")
    statements = _actions(template, "OnboardingOnboardingStateMachineRole")
    assert any("events:PutEvents" in a and bus_id in json.dumps(r) for a, r in statements)


def test_the_portal_serves_its_routes_and_the_product_page_without_an_api_key(template: Template) -> None:
    portal_id, _ = _resource(template, "AWS::Lambda::Function", "PortalPortalFunction")
    for path in PORTAL_PATHS:
        methods = ("GET",) if path.startswith("/p/") else ("GET", "POST")
        for method in methods:
            template.has_resource_properties(
                "AWS::ApiGatewayV2::Route", {"RouteKey": f"{method} {path}", "AuthorizationType": "NONE"}
            )
    _, function = _resource(template, "AWS::Lambda::Function", "PortalPortalFunction")
    assert {"PORTAL_SECRET_ARN", "TAX_KEY_ID", "CONTRACT_SIGNING_STATE_MACHINE_ARN"} <= set(
        function["Properties"]["Environment"]["Variables"]
    )
    assert portal_id


def test_the_portal_reads_the_one_root_secret_and_may_only_encrypt_tax_ids(template: Template) -> None:
    # The session key is derived from the stack's one secret (the click secret), which it names and reads
    statements = _actions(template, "PortalPortalFunctionServiceRole")
    actions = set().union(*(a for a, _ in statements))
    assert {a for a in actions if a.startswith("kms:")} == {"kms:Encrypt"}
    assert {"states:SendTaskSuccess"} <= actions
    # (the other secret is the Stripe key, which only the payouts workflow reads)
    (secret_id,) = [
        s for s in template.find_resources("AWS::SecretsManager::Secret") if s.startswith("Links")
    ]
    assert secret_id.startswith("LinksClickSecret")
    read = [r for a, r in statements if "secretsmanager:GetSecretValue" in a]
    assert read == [{"Ref": secret_id}]
    _, function = _resource(template, "AWS::Lambda::Function", "PortalPortalFunction")
    assert function["Properties"]["Environment"]["Variables"]["PORTAL_SECRET_ARN"] == {"Ref": secret_id}


def test_the_tax_key_rotates_and_is_kept(template: Template) -> None:
    _, key = _resource(template, "AWS::KMS::Key", "OnboardingTaxIdKey")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"


def test_the_brand_api_may_start_onboarding(template: Template) -> None:
    _, function = _resource(template, "AWS::Lambda::Function", "ApiApiFunction")
    assert "ONBOARDING_STATE_MACHINE_ARN" in function["Properties"]["Environment"]["Variables"]
    statements = _actions(template, "ApiApiFunctionServiceRole")
    machine_id, _ = _resource(
        template, "AWS::StepFunctions::StateMachine", "OnboardingOnboardingStateMachine"
    )
    assert any("states:StartExecution" in a and machine_id in json.dumps(r) for a, r in statements)
