"""Vanity links: the redirect on `/{slug}`, click capture from the redirect's log lines, and the aggregator
that turns them into counters.

  shopper -> HTTP API -> redirect function (one GetItem on a cache miss, 302)
                             | one JSON line per click on stdout
                             v
  capture "lambda" (default, nothing billed by the hour):
  CloudWatch Logs --subscription filter--> aggregator (async: 2 retries) --> one item per delivery
                                                | retries exhausted              | every 5 minutes (schedule)
                                                v                                v
                                         SQS failure queue          rollup: counters once per run

  capture "kinesis" (the option: figures within seconds, $29.20 a month; infra/config.py):
  CloudWatch Logs --subscription filter--> Kinesis click stream --> aggregator --> counters
                                                                        | retries exhausted
                                                                        v
                                                                 SQS failure queue
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as lambda_destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as log_destinations
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import Throttle
from infra.constructs.api import throttle_routes
from infra.constructs.data import DataConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge

CLICK_BATCH_SIZE = 1000
CAPTURE_PATHS = ("lambda", "kinesis")


class LinksConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        http_api: apigw.HttpApi,
        throttle: Throttle,
        reserved_concurrency: int | None = None,
        home_url: str = "",
        capture: str = "lambda",
        rollup_minutes: int = 5,
    ) -> None:
        """`throttle` limits GET and HEAD /{slug} at the stage; `reserved_concurrency` caps the redirect;
        `home_url` is where the page of an unknown link sends a shopper (none when empty); `capture` is how
        click lines reach the aggregator: "lambda" (subscription straight to it, the default) or "kinesis";
        `rollup_minutes` is how often the lambda path counts what it has recorded."""
        super().__init__(scope, construct_id)
        if capture not in CAPTURE_PATHS:
            raise ValueError(f"capture must be one of {CAPTURE_PATHS}, got {capture!r}")
        self.capture = capture
        table = data.core_table

        # The stack's one random root: the click-id signing key, the visitor salt and the portal's session key
        # are derived from it, each under its own label (starling.links.click_secret). Its id stays
        # "ClickSecret": a new logical id would replace it, and every click id already in a URL would fail.
        self.click_secret = secretsmanager.Secret(
            self,
            "ClickSecret",
            description="Root of the click-id signing key, the daily visitor salt and the portal session key",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}", generate_string_key="key", password_length=64,
                exclude_punctuation=True,
            ),
        )  # fmt: skip
        acknowledge(
            self.click_secret,
            "SMG4",
            "Rotating the root would invalidate click ids already in shoppers' URLs and sign every partner"
            " out of the portal; rotation is manual.",
        )

        self.redirect_function = runtime.function(
            self,
            "RedirectFunction",
            name="redirect",
            environment={
                "TABLE_NAME": table.table_name,
                "CLICK_SECRET_ID": self.click_secret.secret_arn,
                "HOME_URL": home_url,
            },
            memory_mb=256,
            timeout_seconds=5,
            quiet_platform_logs=True,
            reserved_concurrency=reserved_concurrency,
        )
        iam.Grant.add_to_principal(
            grantee=self.redirect_function, actions=["dynamodb:GetItem"], resource_arns=[table.table_arn]
        )
        self.click_secret.grant_read(self.redirect_function)
        integration = integrations.HttpLambdaIntegration("RedirectIntegration", self.redirect_function)
        redirect_routes = http_api.add_routes(
            path="/{slug}", methods=[apigw.HttpMethod.GET, apigw.HttpMethod.HEAD], integration=integration
        )
        for route in redirect_routes:
            acknowledge(route, "APIG4", "Vanity links are public by design: shoppers follow them.")
        throttle_routes(http_api, redirect_routes, throttle)

        self.aggregator_function = runtime.function(
            self,
            "ClickAggregatorFunction",
            name="clicks",
            environment={"TABLE_NAME": table.table_name},
            memory_mb=1024,
            timeout_seconds=120,
        )
        self.failures = sqs.Queue(
            self,
            "ClickBatchFailures",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(self.failures, "SQS3", "This queue is itself where failed click batches are kept.")
        self.click_stream: kinesis.Stream | None = None
        if capture == "kinesis":
            self._capture_through_a_stream(table)
        else:
            self._capture_straight_to_the_aggregator(table, rollup_minutes)

    def _capture_straight_to_the_aggregator(self, table: dynamodb.ITable, rollup_minutes: int) -> None:
        """Subscription -> aggregator (async), which records each delivery once; a schedule rolls them up."""
        aggregator = self.aggregator_function
        logs.SubscriptionFilter(
            self,
            "ClickLines",
            log_group=self.redirect_function.log_group,  # type: ignore[arg-type]
            destination=log_destinations.LambdaDestination(aggregator),  # type: ignore[arg-type]
            filter_pattern=logs.FilterPattern.string_value("$.type", "=", "click"),
        )
        aggregator.configure_async_invoke(
            retry_attempts=2,
            max_event_age=Duration.hours(6),
            on_failure=lambda_destinations.SqsDestination(self.failures),
        )
        events.Rule(
            self,
            "ClickRollupSchedule",
            description="Counts the click deliveries recorded since the last rollup",
            schedule=events.Schedule.rate(Duration.minutes(rollup_minutes)),
            targets=[events_targets.LambdaFunction(aggregator, retry_attempts=0)],  # type: ignore[arg-type]
        )
        iam.Grant.add_to_principal(
            grantee=aggregator,
            actions=["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            resource_arns=[table.table_arn],
        )

    def _capture_through_a_stream(self, table: dynamodb.ITable) -> None:
        """Subscription -> on-demand Kinesis stream -> aggregator in batches of up to 1,000, checkpointed."""
        self.click_stream = kinesis.Stream(
            self,
            "ClickStream",
            stream_mode=kinesis.StreamMode.ON_DEMAND,
            encryption=kinesis.StreamEncryption.MANAGED,
            retention_period=Duration.hours(24),
        )
        acknowledge(
            self.click_stream,
            "KDS3",
            "The AWS-managed key is enough for click lines: they hold hashes, never raw IPs.",
        )
        logs.SubscriptionFilter(
            self,
            "ClickLines",
            log_group=self.redirect_function.log_group,  # type: ignore[arg-type]
            destination=log_destinations.KinesisDestination(self.click_stream),
            filter_pattern=logs.FilterPattern.string_value("$.type", "=", "click"),
        )
        iam.Grant.add_to_principal(
            grantee=self.aggregator_function,
            actions=["dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem"],
            resource_arns=[table.table_arn],
        )
        self.aggregator_function.add_event_source(
            event_sources.KinesisEventSource(
                self.click_stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=CLICK_BATCH_SIZE,
                max_batching_window=Duration.seconds(2),
                report_batch_item_failures=True,
                retry_attempts=20,
                bisect_batch_on_error=False,
                parallelization_factor=1,  # counters checkpoint per shard: one batch at a time per shard
                on_failure=event_sources.SqsDlq(self.failures),
            )
        )

    @property
    def dead_letter_queues(self) -> list[sqs.IQueue]:
        """Queues where work that failed for good is kept: a message in one is an alarm."""
        return [self.failures]

    @property
    def stream_consumers(self) -> list[lambda_.IFunction]:
        """Functions reading a stream: falling behind it (iterator age) is an alarm."""
        return [self.aggregator_function] if self.click_stream is not None else []

    @property
    def async_consumers(self) -> list[lambda_.IFunction]:
        """Functions a log subscription invokes asynchronously: events waiting long for them is an alarm."""
        return [self.aggregator_function] if self.click_stream is None else []

    def grant_click_ids(self, function: lambda_.Function) -> None:
        """Let `function` verify click ids (conversions attribute orders by them): read the click secret,
        named by CLICK_SECRET_ID."""
        function.add_environment("CLICK_SECRET_ID", self.click_secret.secret_arn)
        self.click_secret.grant_read(function)
