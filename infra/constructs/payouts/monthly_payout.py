"""The monthly-payout state machine's definition (JSONPath), built from CDK states.

  Lock -(duplicate)-> AlreadyStarted
    |-> ManyShards? -> BuildStatements (inline Map) | BuildStatementsDistributed (Distributed Map)
    |-> WaitForApproval (task token, timeout) -(PayoutRejected)-> Rejected
    |        | States.Timeout / HeartbeatTimeout -> Expire -> Expired
    |-> ApproveStatements -> PayStatements (Map: PayStatement, payout.paid/failed on the bus)
    |-> Complete -> Done
  (any failure) -> ReportFailure -> PayoutFailed

Both Maps iterate over shard numbers (100 partners each, written by Lock), never over partners, so the
state's input stays small at any size. Lock says `distributed` above `distributed_above_shards`.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
             "Lambda.TooManyRequestsException", "Lambda.Unknown"]  # fmt: skip
TIMEOUTS = ["States.Timeout", "States.HeartbeatTimeout"]
BUILD_CONCURRENCY = 10
EVENT_SOURCE_PAYOUTS = "starling.payouts"  # payout.paid, payout.failed
PAY_CONCURRENCY = 10
# A provider's network error, timeout, 5xx, 409 or 429: the same call, the same idempotency key, later.
PAYMENT_TRANSIENT = ["TransientPaymentError"]


def _task(
    scope: Construct,
    name: str,
    function: lambda_.IFunction,
    payload: dict[str, object],
    result_path: str = sfn.JsonPath.DISCARD,
    result_selector: dict[str, object] | None = None,
) -> tasks.LambdaInvoke:
    task = tasks.LambdaInvoke(
        scope,
        name,
        lambda_function=function,
        payload=sfn.TaskInput.from_object(payload),
        retry_on_service_exceptions=False,
        result_selector=result_selector,
        result_path=result_path,
    )
    task.add_retry(errors=TRANSIENT, interval=Duration.seconds(2), max_attempts=4, backoff_rate=2)
    task.add_retry(errors=["States.TaskFailed"], interval=Duration.seconds(5), max_attempts=2, backoff_rate=2)
    return task


def _run_ids() -> dict[str, object]:
    return {
        "brand_id": sfn.JsonPath.string_at("$.brand_id"),
        "run_id": sfn.JsonPath.string_at("$.lock.run_id"),
    }


def monthly_payout_definition(
    scope: Construct, function: lambda_.IFunction, approval_timeout: Duration, bus: events.IEventBus
) -> sfn.IChainable:
    failed = sfn.Fail(scope, "PayoutFailed", error="PayoutFailed", cause="A step failed for good.")
    report_failure = _task(
        scope, "ReportFailure", function,
        {"action": "fail", **_run_ids(), "error": sfn.JsonPath.object_at("$.error")},
    )  # fmt: skip
    report_failure.add_catch(failed, errors=["States.ALL"], result_path="$.error")
    report_failure.next(failed)

    def guarded(state: sfn.TaskStateBase | sfn.Map | sfn.DistributedMap) -> sfn.TaskStateBase | sfn.Map:
        state.add_catch(report_failure, errors=["States.ALL"], result_path="$.error")  # type: ignore[union-attr]
        return state  # type: ignore[return-value]

    lock = _task(
        scope,
        "Lock",
        function,
        {
            "action": "lock",
            "brand_id": sfn.JsonPath.string_at("$.brand_id"),
            "period": sfn.JsonPath.string_at("$.period"),
            "execution": sfn.JsonPath.string_at("$$.Execution.Name"),
        },
        result_path="$.lock",
        result_selector={
            "run_id.$": "$.Payload.run_id",
            "duplicate.$": "$.Payload.duplicate",
            "shards.$": "$.Payload.shards",
            "distributed.$": "$.Payload.distributed",
        },
    )
    lock.add_catch(failed, errors=["States.ALL"], result_path="$.error")  # no run to report on

    shard_input = {
        "brand_id": sfn.JsonPath.string_at("$.brand_id"),
        "run_id": sfn.JsonPath.string_at("$.lock.run_id"),
        "shard": sfn.JsonPath.number_at("$$.Map.Item.Value"),
    }
    build_payload: dict[str, object] = {
        "action": "build",
        "brand_id": sfn.JsonPath.string_at("$.brand_id"),
        "run_id": sfn.JsonPath.string_at("$.run_id"),
        "shard": sfn.JsonPath.number_at("$.shard"),
    }
    inline = sfn.Map(
        scope, "BuildStatements", items_path="$.lock.shards", item_selector=shard_input,
        max_concurrency=BUILD_CONCURRENCY, result_path=sfn.JsonPath.DISCARD,
    )  # fmt: skip
    inline.item_processor(_task(scope, "BuildShard", function, build_payload))
    distributed = sfn.DistributedMap(
        scope, "BuildStatementsDistributed", items_path="$.lock.shards", item_selector=shard_input,
        max_concurrency=BUILD_CONCURRENCY * 10, result_path=sfn.JsonPath.DISCARD,
    )  # fmt: skip
    distributed.item_processor(_task(scope, "BuildShardDistributed", function, build_payload))

    wait = tasks.LambdaInvoke(
        scope,
        "WaitForApproval",
        lambda_function=function,
        integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload=sfn.TaskInput.from_object(
            {"action": "await_approval", **_run_ids(), "task_token": sfn.JsonPath.task_token}
        ),
        task_timeout=sfn.Timeout.duration(approval_timeout),
        retry_on_service_exceptions=False,
        result_path="$.decision",
    )
    wait.add_retry(errors=TRANSIENT, interval=Duration.seconds(2), max_attempts=4, backoff_rate=2)
    expire = guarded(
        _task(
            scope, "Expire", function,
            {"action": "expire", **_run_ids(), "days": approval_timeout.to_days()},
        )
    ).next(sfn.Succeed(scope, "Expired"))  # fmt: skip
    wait.add_catch(sfn.Succeed(scope, "Rejected"), errors=["PayoutRejected"], result_path="$.error")
    wait.add_catch(expire, errors=TIMEOUTS, result_path="$.error")
    wait.add_catch(report_failure, errors=["States.ALL"], result_path="$.error")

    approve = guarded(
        _task(
            scope, "ApproveStatements", function, {"action": "approved", **_run_ids()},
            result_path="$.payments", result_selector={"statement_ids.$": "$.Payload.statement_ids"},
        )
    )  # fmt: skip
    pay_statement = tasks.LambdaInvoke(
        scope,
        "PayStatement",
        lambda_function=function,
        payload=sfn.TaskInput.from_object(
            {
                "action": "pay",
                "brand_id": sfn.JsonPath.string_at("$.brand_id"),
                "run_id": sfn.JsonPath.string_at("$.run_id"),
                "statement_id": sfn.JsonPath.string_at("$.statement_id"),
            }
        ),
        retry_on_service_exceptions=False,
        result_selector={"outcome.$": "$.Payload"},
        result_path="$.paid",
    )
    # Listed first: the first Retry whose errors match is the one that counts.
    pay_statement.add_retry(
        errors=PAYMENT_TRANSIENT, interval=Duration.seconds(10), max_attempts=6, backoff_rate=2,
        max_delay=Duration.minutes(5), jitter_strategy=sfn.JitterType.FULL,
    )  # fmt: skip
    pay_statement.add_retry(errors=TRANSIENT, interval=Duration.seconds(2), max_attempts=4, backoff_rate=2)
    pay = sfn.Map(
        scope, "PayStatements", items_path="$.payments.statement_ids",
        item_selector={"brand_id": sfn.JsonPath.string_at("$.brand_id"),
                       "run_id": sfn.JsonPath.string_at("$.lock.run_id"),
                       "statement_id": sfn.JsonPath.string_at("$$.Map.Item.Value")},
        max_concurrency=PAY_CONCURRENCY, result_path=sfn.JsonPath.DISCARD,
    )  # fmt: skip
    tell = tasks.EventBridgePutEvents(
        scope,
        "TellPayout",
        entries=[
            tasks.EventBridgePutEventsEntry(
                event_bus=bus, source=EVENT_SOURCE_PAYOUTS,
                detail_type=sfn.JsonPath.string_at("$.paid.outcome.event"),
                detail=sfn.TaskInput.from_json_path_at("$.paid.outcome"),
            )
        ],
        result_path=sfn.JsonPath.DISCARD,
    )  # fmt: skip
    tell.add_retry(errors=["States.ALL"], interval=Duration.seconds(2), max_attempts=4, backoff_rate=2)
    told = (
        sfn.Choice(scope, "Paid?")
        .when(sfn.Condition.string_equals("$.paid.outcome.event", "none"), sfn.Pass(scope, "NothingToTell"))
        .otherwise(tell)
    )
    pay.item_processor(pay_statement.next(told))
    complete = guarded(
        _task(scope, "Complete", function, {"action": "complete", **_run_ids()}, result_path="$.outcome",
              result_selector={"status.$": "$.Payload.status"})
    )  # fmt: skip
    wait.next(approve)
    approve.next(guarded(pay)).next(complete).next(sfn.Succeed(scope, "Done"))

    guarded(inline).next(wait)
    guarded(distributed).next(wait)
    many = (
        sfn.Choice(scope, "ManyShards")
        .when(sfn.Condition.boolean_equals("$.lock.distributed", True), distributed)
        .otherwise(inline)
    )
    started = (
        sfn.Choice(scope, "AlreadyStarted?")
        .when(sfn.Condition.boolean_equals("$.lock.duplicate", True), sfn.Succeed(scope, "AlreadyStarted"))
        .otherwise(many)
    )
    return lock.next(started)
