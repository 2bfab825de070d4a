"""Proof that the local cloud executes state machines for real: the ASL that CDK synthesizes runs on
moto's interpreter, its Lambda tasks run our handler in-process, and its DynamoDB tasks write to moto."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from infra.local.template import Template


def _wait_for(probe: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture()
def proof(proof_template: Template) -> tuple[str, str]:
    """(state machine ARN, table name) of the proof stack."""
    machine_arn = next(
        proof_template.physical_ids[lid] for lid in proof_template.of_type("AWS::StepFunctions::StateMachine")
    )
    table = next(proof_template.physical_ids[lid] for lid in proof_template.of_type("AWS::DynamoDB::Table"))
    return machine_arn, table


def _finish(sfn: Any, execution_arn: str) -> str:
    return str(
        _wait_for(
            lambda: (s := sfn.describe_execution(executionArn=execution_arn)["status"]) != "RUNNING" and s
        )
    )


def test_a_state_machine_with_every_kind_of_step_runs_to_success_and_writes_its_item(
    cloud: LocalCloud, proof: tuple[str, str]
) -> None:
    # Given the proof stack deployed onto the running local cloud
    machine_arn, table = proof
    dynamodb = cloud.client("dynamodb")
    sfn = cloud.client("stepfunctions")
    run_id = uuid.uuid4().hex

    # When an execution starts (without a name) with three items
    execution_arn = sfn.start_execution(
        stateMachineArn=machine_arn, input=json.dumps({"run_id": run_id, "items": ["a", "b", "c"]})
    )["executionArn"]

    # Then it parks on the task token, which the test sends back as a person approving would
    token_item = _wait_for(
        lambda: dynamodb.get_item(
            TableName=table, Key={"pk": {"S": f"TOKEN#{run_id}"}, "sk": {"S": "token"}}
        ).get("Item")
    )
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    sfn.send_task_success(
        taskToken=token_item["token"]["S"], output=json.dumps({"approver": "finance@brand.test"})
    )

    # And it finishes
    assert _finish(sfn, execution_arn) == "SUCCEEDED"

    # And the Lambda task was retried once after its transient failure
    attempts = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"ATTEMPTS#{run_id}"}, "sk": {"S": "classify"}}
    )
    assert attempts["Item"]["attempts"]["N"] == "2"
    # And the Map wrote one item per input through the DynamoDB task
    stored = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ITEM#{run_id}"}},
    )["Items"]
    assert sorted(i["sk"]["S"] for i in stored) == ["a", "b", "c"]
    # And the Choice took the big path, the Catch caught the permanent error, and the result was written
    result = dynamodb.get_item(TableName=table, Key={"pk": {"S": f"RESULT#{run_id}"}, "sk": {"S": "result"}})
    assert result["Item"]["approver"]["S"] == "finance@brand.test"
    assert result["Item"]["caught"]["S"] == "PermanentError"
    assert result["Item"]["count"]["N"] == "3"


def test_a_small_input_takes_the_choice_s_other_branch_without_waiting(
    cloud: LocalCloud, proof: tuple[str, str]
) -> None:
    machine_arn, table = proof
    sfn = cloud.client("stepfunctions")
    run_id = uuid.uuid4().hex

    execution_arn = sfn.start_execution(
        stateMachineArn=machine_arn, input=json.dumps({"run_id": run_id, "items": ["only"]})
    )["executionArn"]

    assert _finish(sfn, execution_arn) == "SUCCEEDED"
    small = cloud.client("dynamodb").get_item(
        TableName=table, Key={"pk": {"S": f"RESULT#{run_id}"}, "sk": {"S": "small"}}
    )
    assert "Item" in small


def test_two_executions_without_names_both_start(cloud: LocalCloud, proof: tuple[str, str]) -> None:
    machine_arn, _ = proof
    sfn = cloud.client("stepfunctions")
    first = sfn.start_execution(
        stateMachineArn=machine_arn, input=json.dumps({"run_id": "x1", "items": ["a"]})
    )
    second = sfn.start_execution(
        stateMachineArn=machine_arn, input=json.dumps({"run_id": "x2", "items": ["b"]})
    )
    assert first["executionArn"] != second["executionArn"]
    assert _finish(sfn, first["executionArn"]) == _finish(sfn, second["executionArn"]) == "SUCCEEDED"
