"""The contracts construct: contract-signing is a STANDARD state machine in JSONPath whose every Task
retries and catches, whose human steps wait on a task token with both timeouts caught, and whose
functions get only what they use."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from infra.stack import StarlingStack


def _machine(template: Template) -> dict[str, Any]:
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    (found,) = [m for m in machines.values() if m["Properties"].get("StateMachineName") == "contract-signing"]
    return found


def _definition(template: Template) -> dict[str, Any]:
    parts = _machine(template)["Properties"]["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "arn:placeholder" for p in parts)
    return dict(json.loads(text))


def _statements(template: Template, role_prefix: str) -> list[dict[str, Any]]:
    found = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if role_prefix in json.dumps(policy["Properties"]["Roles"]):
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    return {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


def test_contract_signing_is_a_standard_state_machine_in_jsonpath(template: Template) -> None:
    machine = _machine(template)
    assert machine["Properties"]["StateMachineType"] == "STANDARD"
    definition = _definition(template)
    assert definition.get("QueryLanguage", "JSONPath") == "JSONPath"
    assert all(
        state.get("QueryLanguage", "JSONPath") == "JSONPath" for state in definition["States"].values()
    )
    assert "JSONata" not in json.dumps(definition)


def test_every_task_retries_and_catches(template: Template) -> None:
    tasks = {name: s for name, s in _definition(template)["States"].items() if s["Type"] == "Task"}
    assert len(tasks) >= 8
    for name, state in tasks.items():
        assert state.get("Retry"), name
        assert state.get("Catch"), name
        assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"]), name


def test_human_steps_wait_on_a_token_for_14_days_and_catch_both_timeouts(template: Template) -> None:
    states = _definition(template)["States"]
    for name in ("SendAndWaitForSignature", "WaitForCountersignature"):
        state = states[name]
        assert state["Resource"].endswith(":states:::lambda:invoke.waitForTaskToken")
        assert state["TimeoutSeconds"] == 14 * 86400
        assert state["Parameters"]["Payload"]["task_token.$"] == "$$.Task.Token"
        caught = [e for c in state["Catch"] for e in c["ErrorEquals"]]
        assert {"States.Timeout", "States.HeartbeatTimeout"} <= set(caught)
        timeout_next = next(c["Next"] for c in state["Catch"] if "States.Timeout" in c["ErrorEquals"])
        assert timeout_next == "Expire"
    assert any("ContractDeclined" in c["ErrorEquals"] for c in states["SendAndWaitForSignature"]["Catch"])


def test_only_a_request_id_goes_into_the_task_payloads_besides_the_token(template: Template) -> None:
    for name, state in _definition(template)["States"].items():
        if state["Type"] != "Task":
            continue
        payload = state["Parameters"]["Payload"]
        assert set(payload) <= {
            "action",
            "brand_id.$",
            "contract_id.$",
            "task_token.$",
            "execution_input.$",
        }, name


def test_the_functions_get_only_what_they_use(template: Template, stack: StarlingStack) -> None:
    start = _actions(_statements(template, "ContractsStartSigningFunction"))
    assert "states:StartExecution" in start
    assert not {a for a in start if a.startswith("states:SendTask")}
    assert not {a for a in start if a.startswith("ses:")}
    tasks = _actions(_statements(template, "ContractsSigningTasksFunction"))
    assert {"ses:SendEmail", "states:SendTaskSuccess", "states:SendTaskFailure"} <= tasks
    assert "states:StartExecution" not in tasks
    machine = _actions(_statements(template, "ContractsContractSigningRole"))
    assert "lambda:InvokeFunction" in machine
    assert not {a for a in machine if a.startswith("dynamodb:")}
    api = _actions(_statements(template, "ApiApiFunction"))
    assert {"states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"} <= api


def test_onboarding_gets_the_start_signing_function(stack: StarlingStack) -> None:
    function = stack.contracts.start_signing_function
    assert function.node.path.endswith("Contracts/StartSigningFunction")
    env = stack.contracts.environment("table")
    assert "CONTRACT_SIGNING_STATE_MACHINE_ARN" in env
