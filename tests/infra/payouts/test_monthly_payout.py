"""The monthly-payout state machine: STANDARD in JSONPath, started by a name only the brand and period make,
statements built per shard in an inline Map or (above a size) a Distributed Map, finance's approval on a
task token with both timeouts caught, every task retried and caught; a monthly Scheduler schedule; the
grants its functions need and no more."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from infra.config import StarlingConfig


def _machine(template: Template) -> dict[str, Any]:
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    (found,) = [m for m in machines.values() if m["Properties"].get("StateMachineName") == "monthly-payout"]
    return found


def _definition(template: Template) -> dict[str, Any]:
    parts = _machine(template)["Properties"]["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "arn:placeholder" for p in parts)
    return dict(json.loads(text))


def _all_states(states: dict[str, Any]) -> dict[str, Any]:
    found = dict(states)
    for state in states.values():
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            found.update(_all_states(processor["States"]))
    return found


def _policy_actions(template: Template, role_fragment: str) -> set[str]:
    actions: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if role_fragment in json.dumps(policy["Properties"]["Roles"]):
            for s in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions.update([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    return actions


def test_monthly_payout_is_a_standard_state_machine_in_jsonpath(template: Template) -> None:
    assert _machine(template)["Properties"]["StateMachineType"] == "STANDARD"
    definition = _definition(template)
    assert "JSONata" not in json.dumps(definition)
    assert definition["StartAt"] == "Lock"
    assert definition["States"]["Lock"]["Parameters"]["Payload"]["execution.$"] == "$$.Execution.Name"


def test_statements_are_built_per_shard_inline_or_in_a_distributed_map(template: Template) -> None:
    states = _definition(template)["States"]
    choice = states["ManyShards"]
    assert choice["Choices"][0]["Variable"] == "$.lock.distributed"
    assert choice["Choices"][0]["Next"] == "BuildStatementsDistributed"
    assert choice["Default"] == "BuildStatements"
    inline, distributed = states["BuildStatements"], states["BuildStatementsDistributed"]
    assert inline["ItemsPath"] == distributed["ItemsPath"] == "$.lock.shards"
    assert inline["ItemProcessor"]["ProcessorConfig"].get("Mode", "INLINE") == "INLINE"
    assert distributed["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert "ItemReader" not in distributed  # the form moto executes (docs/decisions.md)
    assert inline["Next"] == distributed["Next"] == "WaitForApproval"


def test_finance_approval_waits_on_a_token_and_both_timeouts_end_the_run_cleanly(template: Template) -> None:
    state = _definition(template)["States"]["WaitForApproval"]
    assert state["Resource"].endswith(":states:::lambda:invoke.waitForTaskToken")
    assert state["TimeoutSeconds"] == StarlingConfig().payout_approval_days * 86400
    assert state["Parameters"]["Payload"]["task_token.$"] == "$$.Task.Token"
    nexts = {e: c["Next"] for c in state["Catch"] for e in c["ErrorEquals"]}
    assert nexts["States.Timeout"] == nexts["States.HeartbeatTimeout"] == "Expire"
    assert nexts["PayoutRejected"] == "Rejected"
    assert nexts["States.ALL"] == "ReportFailure"


def test_every_task_retries_and_catches(template: Template) -> None:
    states = _all_states(_definition(template)["States"])
    tasks = {name: s for name, s in states.items() if s["Type"] == "Task"}
    assert {"Lock", "BuildShard", "BuildShardDistributed", "WaitForApproval", "ApproveStatements"} <= set(
        tasks
    )
    for name, state in tasks.items():
        assert state.get("Retry"), name
        if name not in ("BuildShard", "BuildShardDistributed", "PayStatement", "TellPayout"):  # in a Map
            assert any("States.ALL" in c["ErrorEquals"] for c in state.get("Catch", [])), name
    for name in ("BuildStatements", "BuildStatementsDistributed", "PayStatements"):
        assert any("States.ALL" in c["ErrorEquals"] for c in states[name]["Catch"]), name


def test_a_scheduler_schedule_starts_the_runs_monthly_on_the_configured_day(template: Template) -> None:
    (schedule,) = template.find_resources("AWS::Scheduler::Schedule").values()
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == f"cron(0 6 {StarlingConfig().payout_schedule_day} * ? *)"
    assert props["ScheduleExpressionTimezone"] == "UTC"
    assert "PayoutsPayoutScheduleFunction" in json.dumps(props["Target"]["Arn"])


def test_the_api_may_start_runs_and_answer_their_token_but_never_write_the_ledger(template: Template) -> None:
    api = _policy_actions(template, "ApiApiFunction")
    assert {"states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"} <= api
    tasks = _policy_actions(template, "PayoutsPayoutTasksFunction")
    assert "states:StartExecution" not in tasks and "states:SendTaskSuccess" not in tasks
    assert "dynamodb:PutItem" in tasks  # the ledger's writer (tests/infra/payouts/test_ledger_policy.py)


def test_approved_statements_are_paid_in_a_map_whose_transient_errors_retry_with_backoff(
    template: Template,
) -> None:
    states = _definition(template)["States"]
    assert states["ApproveStatements"]["Next"] == "PayStatements"
    pay = states["PayStatements"]
    assert pay["ItemsPath"] == "$.payments.statement_ids" and pay["Next"] == "Complete"
    assert pay["ItemSelector"]["statement_id.$"] == "$$.Map.Item.Value"
    assert pay["Catch"][0]["Next"] == "ReportFailure"
    task = _all_states(states)["PayStatement"]
    first = task["Retry"][0]  # the first matching Retry counts: the payment's own comes first
    assert first["ErrorEquals"] == ["TransientPaymentError"]
    assert first["BackoffRate"] == 2 and first["MaxAttempts"] >= 3 and first["IntervalSeconds"] >= 5
    assert "States.ALL" not in json.dumps(task["Retry"]) and "States.TaskFailed" not in json.dumps(
        task["Retry"]
    )
    assert states["Complete"]["Next"] == "Done"


def test_only_the_payouts_tasks_function_may_read_the_stripe_key(template: Template) -> None:
    readers = [
        policy["Properties"]["Roles"]
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if "PaymentProvidersStripeSecret" in json.dumps(policy["Properties"]["PolicyDocument"])
    ]
    assert len(readers) == 1 and "PayoutTasksFunction" in json.dumps(readers[0])


def test_each_paid_or_failed_statement_is_told_on_the_bus(template: Template) -> None:
    states = _all_states(_definition(template)["States"])
    assert states["PayStatement"]["Next"] == "Paid?"
    tell = states["TellPayout"]
    assert tell["Resource"].endswith(":events:putEvents")
    [entry] = tell["Parameters"]["Entries"]
    assert entry["Source"] == "starling.payouts" and entry["DetailType.$"] == "$.paid.outcome.event"
