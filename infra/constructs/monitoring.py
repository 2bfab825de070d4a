"""Monitoring: CloudWatch alarms that email an operator through one SNS topic, and a dashboard.

An alarm fires when
  - a dead-letter or failure queue holds a message (work that failed for good, waiting to be replayed);
  - the API answers a 5xx (design.md: no 5xx on any input, so each one is a bug);
  - a function of the account is throttled (a flood reached a cap, or the account ran out of concurrency);
  - a consumer of clicks is more than 10 minutes behind (a stream's iterator age, or events waiting in
    Lambda's asynchronous queue).
Missing data is never breaching: at zero traffic nothing emits, and nothing should alarm.
CloudWatch bills an alarm for each metric it reads ($0.10 a month), a metric-math alarm for every metric in
its expression; so one alarm per failure mode, each on one metric, and the dashboard shows which function,
which queue. The constructs that own queues, streams and functions hand them over; nothing here knows their
names.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.nag import acknowledge

PERIOD = Duration.minutes(5)
ITERATOR_AGE_MS = 10 * 60 * 1000


def _path_id(owner: IConstruct) -> str:
    """An id from where `owner` sits in the stack, e.g. LinksRedirectFunction for Links/RedirectFunction."""
    return owner.node.path.split("/", 1)[1].replace("/", "")


class MonitoringConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        http_api: apigw.HttpApi,
        functions: Sequence[lambda_.IFunction],
        dead_letter_queues: Sequence[sqs.IQueue],
        stream_consumers: Sequence[lambda_.IFunction],
        redirect_function: lambda_.IFunction,
        alarm_email: str = "",
        dashboard: bool = True,
        async_consumers: Sequence[lambda_.IFunction] = (),
    ) -> None:
        """`functions`: every function of the stack (the dashboard's throttles graph); `dead_letter_queues`:
        queues where a message means failed work; `stream_consumers`: functions fed by a stream (iterator-age
        alarms); `async_consumers`: functions fed by asynchronous invocations, such as a log subscription
        (alarms on the age of the oldest event waiting in Lambda's queue for them)."""
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", display_name="Starling alarms", enforce_ssl=True)
        acknowledge(
            self.topic,
            "SNS2",
            "Alarm notifications carry alarm names and metric values, nothing secret; CloudWatch cannot "
            "publish to a topic under the AWS-managed SNS key, and a customer key costs $1 a month.",
        )
        stack = Stack.of(self)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "ArnLike": {"aws:SourceArn": stack.format_arn(service="cloudwatch", resource="alarm:*")},
                    "StringEquals": {"aws:SourceAccount": stack.account},
                },
            )
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self._action = cloudwatch_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        for queue in dead_letter_queues:
            self._alarm(
                f"{_path_id(queue)}MessagesAlarm",
                queue.metric_approximate_number_of_messages_visible(statistic="Maximum", period=PERIOD),
                threshold=1,
                description=f"{queue.node.path} holds failed work: read a message, fix the cause, replay it.",
            )

        self._alarm(
            f"{_path_id(http_api)}ServerErrorsAlarm",
            http_api.metric_server_error(statistic="Sum", period=PERIOD),
            threshold=1,
            description="The API answered a 5xx in the last five minutes: every 5xx is a bug (design.md). "
            "The dashboard's API graphs show when; the functions' logs say why.",
        )

        # Lambda's account-wide Throttles (no dimension): one metric for every function, where a
        # metric-math sum of the stack's functions would bill each of them.
        self._alarm(
            "LambdaThrottlesAlarm",
            cloudwatch.Metric(
                namespace="AWS/Lambda", metric_name="Throttles", statistic="Sum", period=PERIOD
            ),
            threshold=1,
            description="A Lambda function of this account and region was throttled: a reserved concurrency, "
            "the stage's limits or the account's concurrency were reached. The dashboard's Throttles graph "
            "names Starling's function; none there means another application of the account.",
        )

        for consumer in stream_consumers:
            self._alarm(
                f"{_path_id(consumer)}IteratorAgeAlarm",
                consumer.metric("IteratorAge", statistic="Maximum", period=PERIOD),
                threshold=ITERATOR_AGE_MS,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                description=f"{consumer.node.path} is more than {ITERATOR_AGE_MS // 60000} minutes behind "
                "its stream; records older than the stream's retention are lost.",
            )

        for consumer in async_consumers:
            self._alarm(
                f"{_path_id(consumer)}AsyncEventAgeAlarm",
                consumer.metric("AsyncEventAge", statistic="Maximum", period=PERIOD),
                threshold=ITERATOR_AGE_MS,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                description=f"Events have waited more than {ITERATOR_AGE_MS // 60000} minutes for "
                f"{consumer.node.path} in Lambda's asynchronous queue; after 6 hours they go to its failure "
                "queue.",
            )

        if dashboard:
            self.dashboard = self._dashboard(
                http_api,
                functions,
                dead_letter_queues,
                [*stream_consumers, *async_consumers],
                redirect_function,
            )

    def _alarm(
        self,
        alarm_id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
    ) -> cloudwatch.Alarm:
        """One alarm, named after what it watches, that tells the topic when it fires and when it clears."""
        alarm = cloudwatch.Alarm(
            self,
            alarm_id,
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
        return alarm

    def _dashboard(
        self,
        http_api: apigw.HttpApi,
        functions: Sequence[lambda_.IFunction],
        dead_letter_queues: Sequence[sqs.IQueue],
        stream_consumers: Sequence[lambda_.IFunction],
        redirect: lambda_.IFunction,
    ) -> cloudwatch.Dashboard:
        def graph(
            title: str, metrics: Sequence[cloudwatch.IMetric], width: int = 8
        ) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=list(metrics), width=width, height=6)

        def percentile(metric: cloudwatch.Metric, statistic: str) -> cloudwatch.Metric:
            return metric.with_(statistic=statistic, label=f"{metric.metric_name} {statistic}")

        latency = http_api.metric_latency(period=PERIOD)
        duration = redirect.metric_duration(period=PERIOD)
        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(24))
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24, height=3)
        )
        dashboard.add_widgets(
            graph("API requests", [http_api.metric_count(statistic="Sum", period=PERIOD)]),
            graph(
                "API 4xx and 5xx",
                [
                    http_api.metric_client_error(statistic="Sum", period=PERIOD),
                    http_api.metric_server_error(statistic="Sum", period=PERIOD),
                ],
            ),
            graph("API latency (ms)", [percentile(latency, "p50"), percentile(latency, "p99")]),
        )
        dashboard.add_widgets(
            graph(
                "Redirect invocations and errors",
                [
                    redirect.metric_invocations(statistic="Sum", period=PERIOD),
                    redirect.metric_errors(statistic="Sum", period=PERIOD),
                ],
            ),
            graph("Redirect duration (ms)", [percentile(duration, "p50"), percentile(duration, "p99")]),
            graph(
                "Click consumers' lag: stream iterator age, async event age (ms)",
                [
                    consumer.metric(name, statistic="Maximum", period=PERIOD)
                    for consumer in stream_consumers
                    for name in ("IteratorAge", "AsyncEventAge")
                ],
            ),
        )
        dashboard.add_widgets(
            graph(
                "Queue depths (messages visible)",
                [
                    queue.metric_approximate_number_of_messages_visible(statistic="Maximum", period=PERIOD)
                    for queue in dead_letter_queues
                ],
                width=12,
            ),
            graph(
                "Throttles",
                [
                    function.metric_throttles(statistic="Sum", period=PERIOD, label=function.node.id)
                    for function in functions
                ],
                width=12,
            ),
        )
        return dashboard
