"""A month's payout run on the real monthly-payout state machine: started over HTTP (or with boto3, as
the AWS CLI does), statements built in the Map, finance's approval through the parked task token."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from infra.local import stepfunctions
from infra.local.cloud import LocalCloud
from infra.payout_run import run_payout
from starling.payouts.ledger import (
    Ledger,
    brand_expense_account,
    check_invariants,
    partner_account,
    provider_clearing_account,
)
from starling.payouts.model import execution_name
from tests.integration.conftest import new_brand
from tests.integration.conversions.conftest import key_with_role, partner, record
from tests.integration.payouts.conftest import (
    TERMS,
    earning_partner,
    execution,
    finished,
    give_payout_method,
    last_month,
    mid_last_month,
    run,
    start,
    state_machine_arn,
    stripe_account,
    stripe_paid,
    until,
)
from tests.support import ApiClient


def _statement(found: dict, partner_id: str) -> dict:
    [statement] = [s for s in found["statements"] if s["partner_id"] == partner_id]
    return statement


def test_finance_starts_inspects_and_approves_a_month(
    api: ApiClient, brand: dict, cloud: LocalCloud, dynamo_ledger: Ledger
) -> None:
    # Given last month: one partner earned 1,200; one earned 1,200 below a 5,000 minimum; one order is held
    key = brand["api_key"]
    paid = earning_partner(api, key)
    small = earning_partner(api, key, min_payout=5000)
    held = partner(api, key, TERMS, email="maya.self@gmail.com", coupon_codes=["SELFIE"])
    record(api, key, {"order_id": "self-1", "amount": 5000, "currency": "USD", "coupon_code": "SELFIE",
                      "customer_email": "maya.self@gmail.com", "occurred_at": mid_last_month()})  # fmt: skip
    finance = key_with_role(api, key, "finance")
    give_payout_method(cloud, brand["brand_id"], paid["partner_id"], "stripe", stripe_account(cloud))
    paid_before = stripe_paid(cloud)["transferred"].get("usd", 0)

    # When finance starts the month's run
    started = start(api, finance)
    assert started["status"] in ("building", "awaiting_approval")
    assert started["execution_name"] == execution_name(brand["brand_id"], last_month())

    # Then the statements are built and the run waits for finance
    waiting = until(api, finance, started["run_id"], "awaiting_approval")
    assert waiting["partners"] == 3 and waiting["shards_built"] == waiting["shards"] == 1
    assert waiting["totals"] == [{"currency": "USD", "payable": 1200, "carried_forward": 1200}]
    first = _statement(waiting, paid["partner_id"])
    assert (first["status"], first["payable"]) == ("draft", 1200)
    assert [(line["kind"], line["amount"]) for line in first["lines"]] == [("commission", 1200)]
    carried = _statement(waiting, small["partner_id"])
    assert (carried["status"], carried["payable"]) == ("carried_forward", 0)
    assert carried["carry_reason"] == "below the minimum payout of 5000"
    assert [h["partner_id"] for h in waiting["on_hold"]] == [held["partner_id"]]
    assert waiting["on_hold"][0]["amount"] == 500

    # When finance approves
    approved = api.call("POST", f"/v1/payout-runs/{started['run_id']}/approve", finance)
    assert approved.status == 200, approved.text
    assert approved.body["status"] == "paying" and approved.body["decided_by"].startswith("finance:")

    # Then the workflow pays the statement through Stripe and the run ends completed
    assert finished(cloud, started["execution_name"])["status"] == "SUCCEEDED"
    done = run(api, finance, started["run_id"])
    assert done["status"] == "completed"
    statement = _statement(done, paid["partner_id"])
    assert statement["status"] == "paid" and statement["reference"].startswith("tr_")
    # And the ledger shows it: the paid partner owes nothing more, the carried one is owed 1,200
    brand_id = brand["brand_id"]
    assert dynamo_ledger.balance(partner_account(brand_id, paid["partner_id"]), "USD") == 0
    assert dynamo_ledger.balance(partner_account(brand_id, small["partner_id"]), "USD") == 1200
    assert dynamo_ledger.balance(partner_account(brand_id, held["partner_id"]), "USD") == 0
    assert dynamo_ledger.balance(brand_expense_account(brand_id), "USD") == -2400
    assert dynamo_ledger.balance(provider_clearing_account(brand_id, "stripe"), "USD") == 1200
    assert check_invariants(dynamo_ledger) == []
    assert stripe_paid(cloud)["transferred"].get("usd", 0) - paid_before == 1200
    again = api.call("POST", f"/v1/payout-runs/{started['run_id']}/approve", finance)
    assert again.status == 409 and again.body["error"]["code"] == "conflict"

    # And the same period again is the same run
    assert start(api, finance, status=200)["run_id"] == started["run_id"]
    # And the partner's history shows the statement
    history = api.call("GET", f"/v1/partners/{paid['partner_id']}/statements", finance)
    assert history.status == 200 and [s["statement_id"] for s in history.body] == [first["statement_id"]]


def test_starting_the_same_period_at_once_over_http_and_with_boto3_makes_one_run(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given a partner who earned last month
    key, brand_id = brand["api_key"], brand["brand_id"]
    earning_partner(api, key)
    sfn = cloud.client("stepfunctions")
    payload = json.dumps({"brand_id": brand_id, "period": last_month()})
    name = execution_name(brand_id, last_month())

    def by_cli() -> str:
        try:
            return str(
                sfn.start_execution(stateMachineArn=state_machine_arn(cloud), name=name, input=payload)[
                    "executionArn"
                ]
            )
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])

    # When the API (twice) and the AWS CLI start it at once
    with ThreadPoolExecutor(3) as pool:
        answers = [
            pool.submit(api.call, "POST", "/v1/payout-runs", key, {"period": last_month()}) for _ in range(2)
        ]
        cli = pool.submit(by_cli)
        runs = [a.result() for a in answers]

    # Then there is one run and one execution of its name; the late ones are told so
    assert len({a.body["run_id"] for a in runs}) == 1
    assert {a.status for a in runs} <= {200, 201} and [a.status for a in runs].count(201) == 1
    assert cli.result().endswith(f":{name}") or cli.result() == "ExecutionAlreadyExists"
    until(api, key, runs[0].body["run_id"], "awaiting_approval")

    # And an execution started by hand under another name ends at once without touching the run
    other = "payout-by-hand-" + datetime.now(UTC).strftime("%H%M%S%f")
    sfn.start_execution(stateMachineArn=state_machine_arn(cloud), name=other, input=payload)
    ended = finished(cloud, other)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"])["lock"]["duplicate"] is True
    assert run(api, key, runs[0].body["run_id"])["status"] == "awaiting_approval"
    listed = sfn.list_executions(stateMachineArn=state_machine_arn(cloud))["executions"]
    assert [e["name"] for e in listed].count(name) == 1


def test_finance_rejects_with_a_reason_and_the_period_can_start_again(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    earning_partner(api, key)
    first = start(api, key)
    until(api, key, first["run_id"], "awaiting_approval")

    # A reason is required
    assert api.call("POST", f"/v1/payout-runs/{first['run_id']}/reject", key, {}).status == 422
    rejected = api.call(
        "POST", f"/v1/payout-runs/{first['run_id']}/reject", key, {"reason": "Fees look wrong"}
    )
    assert rejected.status == 200, rejected.text
    assert (rejected.body["status"], rejected.body["reason"]) == ("rejected", "Fees look wrong")
    assert finished(cloud, first["execution_name"])["status"] == "SUCCEEDED"
    assert api.call("POST", f"/v1/payout-runs/{first['run_id']}/approve", key).status == 409

    # The period starts again as a second attempt, with its own statements
    second = start(api, key)
    assert second["run_id"] != first["run_id"] and second["attempt"] == 2
    assert second["execution_name"].endswith("-2")
    assert until(api, key, second["run_id"], "awaiting_approval")["totals"][0]["payable"] == 1200


def test_an_approval_with_an_old_task_token_is_refused_and_changes_nothing(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given a first attempt rejected, whose task token someone kept
    key, brand_id = brand["api_key"], brand["brand_id"]
    earning_partner(api, key)
    first = start(api, key)
    until(api, key, first["run_id"], "awaiting_approval")
    old_token = _token(cloud, brand_id, first["run_id"])
    api.call("POST", f"/v1/payout-runs/{first['run_id']}/reject", key, {"reason": "redo"})
    second = start(api, key)
    until(api, key, second["run_id"], "awaiting_approval")

    # When the old token is sent to Step Functions
    with pytest.raises(ClientError) as refused:
        cloud.client("stepfunctions").send_task_success(taskToken=old_token, output="{}")

    # Then Step Functions refuses it and the new run still waits
    assert refused.value.response["Error"]["Code"] in ("InvalidToken", "TaskTimedOut", "TaskDoesNotExist")
    assert run(api, key, second["run_id"])["status"] == "awaiting_approval"
    assert execution(cloud, second["execution_name"])["status"] == "RUNNING"
    assert api.call("POST", f"/v1/payout-runs/{second['run_id']}/approve", key).status == 200


def test_a_run_finance_never_approves_ends_failed_after_the_timeout(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    earning_partner(api, key)
    # 7 days at 1e-6 is 0.6 seconds: the wait for finance begins while the scale is small.
    with stepfunctions.scaled_time(1e-6):
        started = start(api, key)
        assert finished(cloud, started["execution_name"])["status"] == "SUCCEEDED"
    ended = run(api, key, started["run_id"])
    assert (ended["status"], ended["reason"]) == ("failed", "not approved within 7 days")
    assert api.call("POST", f"/v1/payout-runs/{started['run_id']}/approve", key).status == 409
    assert start(api, key)["attempt"] == 2


def test_finance_excludes_a_statement_with_a_reason_before_approving(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    kept, left_out = earning_partner(api, key), earning_partner(api, key, amount=30000)
    started = start(api, key)
    waiting = until(api, key, started["run_id"], "awaiting_approval")
    statement = _statement(waiting, left_out["partner_id"])
    path = f"/v1/payout-runs/{started['run_id']}/statements/{statement['statement_id']}/exclude"
    assert api.call("POST", path, key, {}).status == 422
    excluded = api.call("POST", path, key, {"reason": "Disputed order"})
    assert excluded.status == 200, excluded.text
    assert (excluded.body["status"], excluded.body["reason"]) == ("excluded", "Disputed order")
    assert api.call("POST", path, key, {"reason": "again"}).status == 409
    assert run(api, key, started["run_id"])["totals"] == [
        {"currency": "USD", "payable": 1200, "carried_forward": 0}
    ]
    assert api.call("POST", f"/v1/payout-runs/{started['run_id']}/approve", key).status == 200
    assert finished(cloud, started["execution_name"])["status"] == "SUCCEEDED"
    after = run(api, key, started["run_id"])
    # The kept partner never gave a payout method: their statement fails for good, with the reason
    failed = _statement(after, kept["partner_id"])
    assert (failed["status"], failed["reason"]) == ("failed", "no_payout_method")
    assert _statement(after, left_out["partner_id"])["status"] == "excluded"
    assert after["status"] == "completed_with_failures"


@pytest.mark.parametrize(
    ("period", "field"),
    [("2026-13", "period"), ("26-10", "period"), ("october", "period"), ("2999-01", "period")],
)
def test_a_bad_period_is_refused_and_starts_nothing(
    api: ApiClient, brand: dict, period: str, field: str
) -> None:
    answer = api.call("POST", "/v1/payout-runs", brand["api_key"], {"period": period})
    assert answer.status == 422, answer.text
    assert field in json.dumps(answer.body["error"]["details"])


def test_the_current_month_cannot_be_paid_yet(api: ApiClient, brand: dict) -> None:
    now = datetime.now(UTC)
    answer = api.call(
        "POST", "/v1/payout-runs", brand["api_key"], {"period": f"{now.year:04d}-{now.month:02d}"}
    )
    assert answer.status == 422 and answer.body["error"]["details"] == {"period": "not ended"}


def test_viewers_and_managers_cannot_write_payouts_and_another_brand_sees_nothing(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    earning_partner(api, key)
    started = start(api, key)
    waiting = until(api, key, started["run_id"], "awaiting_approval")
    statement_id = waiting["statements"][0]["statement_id"]
    run_path = f"/v1/payout-runs/{started['run_id']}"
    writes = [
        ("/v1/payout-runs", {"period": last_month()}),
        (f"{run_path}/approve", None),
        (f"{run_path}/reject", {"reason": "no"}),
        (f"{run_path}/statements/{statement_id}/exclude", {"reason": "no"}),
    ]
    for role in ("viewer", "manager"):
        other = key_with_role(api, key, role)
        for path, body in writes:
            answer = api.call("POST", path, other, body)
            assert answer.status == 403, (role, path, answer.text)
        assert api.call("GET", run_path, other).status == 200  # reading is for every role
    stranger = new_brand(cloud)["api_key"]
    assert api.call("GET", run_path, stranger).status == 404
    assert api.call("POST", f"{run_path}/approve", stranger).status == 404
    assert (
        api.call("POST", f"{run_path}/statements/{statement_id}/exclude", stranger, {"reason": "x"}).status
        == 404
    )
    assert api.call("GET", "/v1/payout-runs/run_1999-01_1", key).status == 404
    assert api.call("GET", "/v1/payout-runs/nonsense", key).status == 404
    assert run(api, key, started["run_id"])["status"] == "awaiting_approval"


def _token(cloud: LocalCloud, brand_id: str, run_id: str) -> str:
    table = cloud.physical_id("DataCoreTable", "AWS::DynamoDB::Table")
    item = cloud.client("dynamodb").get_item(
        TableName=table,
        Key={"pk": {"S": f"BRAND#{brand_id}"}, "sk": {"S": f"PAYRUN#{run_id}"}},
        ConsistentRead=True,
    )["Item"]
    return str(item["task_token"]["S"])


def test_the_cli_starts_a_run_follows_it_with_a_bar_and_approves_it(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    earning_partner(api, key)
    out = io.StringIO()
    assert run_payout(cloud.api_url, key, last_month(), approve=True, out=out) == 0
    text = out.getvalue()
    assert "building  [##############################] 100%" in text
    assert "USD: payable 1200, carried forward 0" in text and "1 draft" in text
    assert "approved by owner:" in text
    [found] = [line for line in text.splitlines() if line.startswith("run ")]
    run_id = found.split()[1]
    assert run(api, key, run_id)["status"] in ("paying", "completed")


def test_above_the_threshold_the_statements_are_built_in_the_distributed_map(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given the tasks function told that any run is large (its threshold 0 shards)
    key = brand["api_key"]
    earning_partner(api, key)
    lambdas = cloud.client("lambda")
    name = cloud.physical_id("PayoutsPayoutTasksFunction", "AWS::Lambda::Function")
    variables = lambdas.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    lambdas.update_function_configuration(
        FunctionName=name, Environment={"Variables": {**variables, "PAYOUT_DISTRIBUTED_ABOVE_SHARDS": "0"}}
    )
    try:
        # When a run starts
        started = start(api, key)
        waiting = until(api, key, started["run_id"], "awaiting_approval")
    finally:
        lambdas.update_function_configuration(FunctionName=name, Environment={"Variables": variables})

    # Then the Distributed Map built the statements (moto runs that form too)
    assert waiting["totals"] == [{"currency": "USD", "payable": 1200, "carried_forward": 0}]
    arn = state_machine_arn(cloud).replace(":stateMachine:", ":execution:") + f":{started['execution_name']}"
    events = cloud.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    assert "BuildStatementsDistributed" in entered and "BuildStatements" not in entered
