"""A test-only stack whose state machine uses a Lambda task, DynamoDB tasks, a Choice, a Map, Retry,
Catch and a `.waitForTaskToken` task, and whose function consumes a queue and a Kinesis stream, built with
the same CDK constructs the product uses."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

HERE = Path(__file__).resolve().parent


class ProofStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        table = dynamodb.Table(
            self,
            "ProofTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        )
        function = lambda_.Function(
            self,
            "ProofFunction",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="tests.integration.local_cloud.proof.handler.lambda_handler",
            code=lambda_.Code.from_asset(str(HERE), exclude=["__pycache__"]),
            environment={"TABLE_NAME": table.table_name},
        )
        table.grant_read_write_data(function)

        dead_letters = sqs.Queue(self, "ProofDeadLetters")
        queue = sqs.Queue(
            self,
            "ProofQueue",
            visibility_timeout=cdk.Duration.seconds(30),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=3),
        )
        function.add_event_source(
            event_sources.SqsEventSource(
                queue,
                batch_size=25,
                max_batching_window=cdk.Duration.seconds(1),
                report_batch_item_failures=True,
            )
        )

        stream = kinesis.Stream(
            self,
            "ProofStream",
            stream_mode=kinesis.StreamMode.ON_DEMAND,
            encryption=kinesis.StreamEncryption.MANAGED,
        )
        stream_failures = sqs.Queue(self, "ProofStreamFailures")
        function.add_event_source(
            event_sources.KinesisEventSource(
                stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=1000,
                # Longer than the product's 1 s, so that records put in one call reliably share a batch.
                max_batching_window=cdk.Duration.seconds(5),
                report_batch_item_failures=True,
                retry_attempts=2,
                bisect_batch_on_error=False,
                on_failure=event_sources.SqsDlq(stream_failures),
            )
        )

        run_id = sfn.JsonPath.string_at("$.run_id")

        classify = tasks.LambdaInvoke(
            self,
            "Classify",
            lambda_function=function,
            payload=sfn.TaskInput.from_object(
                {"action": "classify", "run_id": run_id, "items": sfn.JsonPath.list_at("$.items")}
            ),
            result_selector={"count.$": "$.Payload.count", "big.$": "$.Payload.big"},
            result_path="$.classified",
            retry_on_service_exceptions=False,
        )
        classify.add_retry(errors=["TransientError"], interval=cdk.Duration.seconds(2), max_attempts=3)

        store_item = tasks.DynamoPutItem(
            self,
            "StoreItem",
            table=table,
            item={
                "pk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.format("ITEM#{}", run_id)),
                "sk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.item")),
            },
            result_path=sfn.JsonPath.DISCARD,
        )
        store_each = sfn.Map(
            self,
            "StoreEach",
            items_path="$.items",
            item_selector={"item.$": "$$.Map.Item.Value", "run_id.$": "$.run_id"},
            result_path=sfn.JsonPath.DISCARD,
        ).item_processor(store_item)

        wait_for_approval = tasks.LambdaInvoke(
            self,
            "WaitForApproval",
            lambda_function=function,
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            payload=sfn.TaskInput.from_object(
                {"action": "park", "run_id": run_id, "token": sfn.JsonPath.task_token}
            ),
            result_path="$.approval",
            task_timeout=sfn.Timeout.duration(cdk.Duration.minutes(5)),
        )

        fallback = sfn.Pass(self, "RecordFallback", result_path=sfn.JsonPath.DISCARD)
        risky = tasks.LambdaInvoke(
            self,
            "TryRisky",
            lambda_function=function,
            payload=sfn.TaskInput.from_object({"action": "explode", "run_id": run_id}),
            result_path=sfn.JsonPath.DISCARD,
            retry_on_service_exceptions=False,
        )
        risky.add_catch(fallback, errors=["PermanentError"], result_path="$.caught")

        write_result = tasks.DynamoPutItem(
            self,
            "WriteResult",
            table=table,
            item={
                "pk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.format("RESULT#{}", run_id)),
                "sk": tasks.DynamoAttributeValue.from_string("result"),
                "approver": tasks.DynamoAttributeValue.from_string(
                    sfn.JsonPath.string_at("$.approval.approver")
                ),
                "caught": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.caught.Error")),
                "count": tasks.DynamoAttributeValue.number_from_string(
                    sfn.JsonPath.format("{}", sfn.JsonPath.string_at("$.classified.count"))
                ),
            },
        )
        write_small = tasks.DynamoPutItem(
            self,
            "WriteSmall",
            table=table,
            item={
                "pk": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.format("RESULT#{}", run_id)),
                "sk": tasks.DynamoAttributeValue.from_string("small"),
            },
        )

        big_path = store_each.next(wait_for_approval).next(risky)
        fallback.next(write_result)
        risky.next(write_result)
        definition = classify.next(
            sfn.Choice(self, "IsBig")
            .when(sfn.Condition.boolean_equals("$.classified.big", True), big_path)
            .otherwise(write_small)
        )
        sfn.StateMachine(self, "ProofMachine", definition_body=sfn.DefinitionBody.from_chainable(definition))


def synth_proof_stack(outdir: Path) -> Path:
    app = cdk.App(outdir=str(outdir))
    ProofStack(app, "StarlingProof")
    app.synth()
    return outdir / "StarlingProof.template.json"
