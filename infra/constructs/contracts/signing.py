"""The contract-signing state machine's definition (JSONPath), built from CDK states.

  RenderAndStore -> SendAndWaitForSignature -(signed)-> NeedsCountersignature? -> WaitForCountersignature
        |                 | ContractDeclined -> ReportDeclined            |            |
        |                 | States.Timeout / HeartbeatTimeout -> Expire -> ReportExpired
        v                 v                                               v            v
  (any failure) -> ReportFailure -> SigningFailed            Activate -> ReportActive -> Done

Human steps wait on `lambda:invoke.waitForTaskToken`: the task function keeps the token server-side (the
contract's token item) and the email's link names only the contract. Every Task retries transient Lambda
errors and catches the rest.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

SIGNING_TIMEOUT = Duration.days(14)
TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
             "Lambda.TooManyRequestsException", "Lambda.Unknown"]  # fmt: skip
TIMEOUTS = ["States.Timeout", "States.HeartbeatTimeout"]


def _ids() -> dict[str, str]:
    return {
        "brand_id": sfn.JsonPath.string_at("$$.Execution.Input.brand_id"),
        "contract_id": sfn.JsonPath.string_at("$$.Execution.Input.contract_id"),
    }


def _task(
    scope: Construct,
    name: str,
    function: lambda_.IFunction,
    action: str,
    result_path: str = sfn.JsonPath.DISCARD,
    result_selector: dict[str, object] | None = None,
    **extra: object,
) -> tasks.LambdaInvoke:
    task = tasks.LambdaInvoke(
        scope,
        name,
        lambda_function=function,
        payload=sfn.TaskInput.from_object({"action": action, **_ids(), **extra}),
        retry_on_service_exceptions=False,
        result_selector=result_selector,
        result_path=result_path,
    )
    task.add_retry(errors=TRANSIENT, interval=Duration.seconds(2), max_attempts=4, backoff_rate=2)
    task.add_retry(errors=["States.TaskFailed"], interval=Duration.seconds(5), max_attempts=2, backoff_rate=2)
    return task


def _human_step(scope: Construct, name: str, function: lambda_.IFunction, action: str) -> tasks.LambdaInvoke:
    task = tasks.LambdaInvoke(
        scope,
        name,
        lambda_function=function,
        integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload=sfn.TaskInput.from_object(
            {"action": action, **_ids(), "task_token": sfn.JsonPath.task_token}
        ),
        task_timeout=sfn.Timeout.duration(SIGNING_TIMEOUT),
        retry_on_service_exceptions=False,
        result_path="$.decision",
    )
    task.add_retry(errors=TRANSIENT, interval=Duration.seconds(2), max_attempts=4, backoff_rate=2)
    return task


def contract_signing_definition(scope: Construct, function: lambda_.IFunction) -> sfn.IChainable:
    failed = sfn.Fail(scope, "SigningFailed", error="ContractSigningFailed", cause="A step failed for good.")
    report_failure = _task(scope, "ReportFailure", function, "report")
    report_failure.add_catch(failed, errors=["States.ALL"], result_path="$.error")
    report_failure.next(failed)

    def guarded(task: tasks.LambdaInvoke) -> tasks.LambdaInvoke:
        task.add_catch(report_failure, errors=["States.ALL"], result_path="$.error")
        return task

    done = sfn.Succeed(scope, "Done")
    report_active = guarded(_task(scope, "ReportActive", function, "report"))
    report_declined = guarded(_task(scope, "ReportDeclined", function, "report"))
    report_expired = guarded(_task(scope, "ReportExpired", function, "report"))
    for report in (report_active, report_declined, report_expired):
        report.next(done)
    expire = guarded(_task(scope, "Expire", function, "expire")).next(report_expired)

    # The whole input, so that `parent_task_token` may be left out (an execution started by hand).
    render = guarded(
        _task(
            scope,
            "RenderAndStore",
            function,
            "render",
            result_path="$.rendered",
            result_selector={"countersign.$": "$.Payload.countersign"},
            execution_input=sfn.JsonPath.object_at("$$.Execution.Input"),
        )
    )
    wait_signature = _human_step(scope, "SendAndWaitForSignature", function, "send_for_signature")
    wait_signature.add_catch(expire, errors=TIMEOUTS, result_path="$.error")
    wait_signature.add_catch(report_declined, errors=["ContractDeclined"], result_path="$.error")
    wait_signature.add_catch(report_failure, errors=["States.ALL"], result_path="$.error")
    wait_countersignature = _human_step(scope, "WaitForCountersignature", function, "await_countersignature")
    wait_countersignature.add_catch(expire, errors=TIMEOUTS, result_path="$.error")
    wait_countersignature.add_catch(report_failure, errors=["States.ALL"], result_path="$.error")
    activate = guarded(_task(scope, "Activate", function, "activate")).next(report_active)
    wait_countersignature.next(activate)

    needs_countersignature = (
        sfn.Choice(scope, "NeedsCountersignature")
        .when(sfn.Condition.boolean_equals("$.rendered.countersign", True), wait_countersignature)
        .otherwise(activate)
    )
    return render.next(wait_signature).next(needs_countersignature)
