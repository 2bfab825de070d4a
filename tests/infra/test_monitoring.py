"""Alarms for failed work, server errors, throttles and a lagging click consumer, all telling one SNS topic,
each on one metric (CloudWatch bills an alarm per metric it reads); an email subscription only when an
address is configured; and a dashboard of the key figures, per function and per queue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.conftest import CONFIGURED


def _alarms(template: Template) -> list[dict[str, Any]]:
    return [a["Properties"] for a in template.find_resources("AWS::CloudWatch::Alarm").values()]


def _topic(template: Template) -> str:
    (topic,) = template.find_resources("AWS::SNS::Topic")
    return topic


def _arn_target(value: Any) -> str | None:
    """The logical id behind `{"Fn::GetAtt": [id, "Arn"]}`."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return None


def _dead_letter_queues(template: Template) -> set[str]:
    """Every queue that receives failed work, read from the template itself: stream and queue mappings'
    on-failure destinations and queues' redrive targets. A queue added later is found here too."""
    queues = template.find_resources("AWS::SQS::Queue")
    found = set()
    configured = [
        *template.find_resources("AWS::Lambda::EventSourceMapping").values(),
        *template.find_resources("AWS::Lambda::EventInvokeConfig").values(),  # async invocations
    ]
    for resource in configured:
        destination = resource["Properties"].get("DestinationConfig", {}).get("OnFailure", {})
        found.add(_arn_target(destination.get("Destination")))
    for queue in queues.values():
        found.add(_arn_target(queue["Properties"].get("RedrivePolicy", {}).get("deadLetterTargetArn")))
    return {lid for lid in found if lid in queues}


def _alarms_on(template: Template, namespace: str, metric: str) -> dict[str, dict[str, Any]]:
    """Plain metric alarms by the logical id their one dimension points at."""
    found = {}
    for alarm in _alarms(template):
        if (
            alarm.get("Namespace") == namespace
            and alarm.get("MetricName") == metric
            and "Dimensions" in alarm
        ):
            ((dimension,),) = [alarm["Dimensions"]]
            value = dimension["Value"]
            found[value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]] = alarm
    return found


def _widgets(template: Template) -> list[dict[str, Any]]:
    ((_, dashboard),) = template.find_resources("AWS::CloudWatch::Dashboard").items()
    _, parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"]
    body = "".join(part if isinstance(part, str) else "0" for part in parts)
    return list(json.loads(body)["widgets"])


def test_every_dead_letter_queue_alarms_on_its_first_message(template: Template) -> None:
    queues = _dead_letter_queues(template)
    assert "LinksClickBatchFailures" in " ".join(queues)
    alarms = _alarms_on(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    for queue in queues:
        assert queue in alarms, f"no alarm on {queue}: expose it in the owning construct's dead_letter_queues"
        alarm = alarms[queue]
        assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
        assert alarm["Statistic"] == "Maximum"


def test_the_api_alarms_on_its_first_5xx(template: Template) -> None:
    # design.md allows no 5xx on any input: one in five minutes is a bug to look at
    ((api_id, _),) = template.find_resources("AWS::ApiGatewayV2::Api").items()
    alarms = _alarms_on(template, "AWS/ApiGateway", "5xx")
    assert set(alarms) == {api_id}
    alarm = alarms[api_id]
    assert alarm["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": api_id}}]
    assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "Sum", "GreaterThanOrEqualToThreshold", 1,
    )  # fmt: skip


def test_a_throttle_of_any_function_alarms_and_the_dashboard_names_the_function(template: Template) -> None:
    # One alarm on Lambda's account-wide Throttles covers every function, those added later too
    throttles = [a for a in _alarms(template) if a.get("MetricName") == "Throttles"]
    assert len(throttles) == 1
    (alarm,) = throttles
    assert (alarm["Namespace"], alarm.get("Dimensions")) == ("AWS/Lambda", None)
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["Statistic"]) == (
        "GreaterThanOrEqualToThreshold", 1, "Sum",
    )  # fmt: skip
    # and the dashboard's Throttles graph has each of the stack's functions, to tell which one
    functions = set(template.find_resources("AWS::Lambda::Function"))
    assert len(functions) >= 5
    (graph,) = [w for w in _widgets(template) if w["properties"].get("title") == "Throttles"]
    graphed = json.dumps(graph["properties"]["metrics"])
    assert graphed.count('"Throttles"') == len(functions)


def test_every_alarm_reads_one_metric(template: Template) -> None:
    # CloudWatch bills an alarm for each metric it reads: a metric-math alarm over ten functions costs ten
    for alarm in _alarms(template):
        assert "Metrics" not in alarm and alarm["MetricName"], alarm["AlarmDescription"]


@pytest.mark.parametrize("stack_template", ["template", "kinesis_template"])
def test_every_stream_consumer_alarms_when_it_falls_ten_minutes_behind(
    stack_template: str, request: pytest.FixtureRequest
) -> None:
    template: Template = request.getfixturevalue(stack_template)
    consumers = {
        m["Properties"]["FunctionName"]["Ref"]
        for m in template.find_resources("AWS::Lambda::EventSourceMapping").values()
        if "StartingPosition" in m["Properties"]  # Kinesis and DynamoDB streams, not queues
    }
    # The click stream's consumer on the kinesis path; none on the default path, which has no stream
    has_stream = bool(template.find_resources("AWS::Kinesis::Stream"))
    assert any(c.startswith("LinksClickAggregatorFunction") for c in consumers) == has_stream
    alarms = _alarms_on(template, "AWS/Lambda", "IteratorAge")
    assert set(alarms) == consumers
    for alarm in alarms.values():
        assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
            "Maximum",
            "GreaterThanThreshold",
            600_000,
        )


def test_the_click_aggregator_alarms_when_deliveries_wait_ten_minutes_in_its_async_queue(
    template: Template,
) -> None:
    alarms = _alarms_on(template, "AWS/Lambda", "AsyncEventAge")
    assert [lid for lid in alarms if lid.startswith("LinksClickAggregatorFunction")]
    for alarm in alarms.values():
        assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
            "Maximum",
            "GreaterThanThreshold",
            600_000,
        )


def test_every_alarm_tells_the_topic_and_stays_quiet_without_data(template: Template) -> None:
    topic = {"Ref": _topic(template)}
    alarms = _alarms(template)
    assert len(alarms) >= 5
    for alarm in alarms:
        assert alarm["AlarmActions"] == [topic]
        assert alarm["OKActions"] == [topic]
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["EvaluationPeriods"] == 1


def test_the_topic_takes_only_tls_and_lets_cloudwatch_alarms_of_this_account_publish(
    template: Template,
) -> None:
    topic = _topic(template)
    ((_, policy),) = template.find_resources("AWS::SNS::TopicPolicy").items()
    assert policy["Properties"]["Topics"] == [{"Ref": topic}]
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    tls = statements["AllowPublishThroughSSLOnly"]
    assert (tls["Effect"], tls["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    alarms = statements["CloudWatchAlarmsPublish"]
    assert (alarms["Effect"], alarms["Principal"], alarms["Action"]) == (
        "Allow",
        {"Service": "cloudwatch.amazonaws.com"},
        "sns:Publish",
    )
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert ":alarm:*" in json.dumps(alarms["Condition"]["ArnLike"])


def test_no_email_subscription_without_an_address(template: Template) -> None:
    template.resource_count_is("AWS::SNS::Subscription", 0)


def test_a_configured_address_is_subscribed_to_the_topic(configured_template: Template) -> None:
    configured_template.resource_count_is("AWS::SNS::Subscription", 1)
    configured_template.has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Protocol": "email",
            "Endpoint": CONFIGURED["alarm_email"],
            "TopicArn": {"Ref": _topic(configured_template)},
        },
    )


def test_the_dashboard_shows_the_api_the_redirect_the_aggregator_queues_and_throttles(
    template: Template,
) -> None:
    widgets = _widgets(template)
    titles = {w["properties"]["title"] for w in widgets}
    assert {
        "Alarms",
        "API requests",
        "API 4xx and 5xx",
        "API latency (ms)",
        "Redirect invocations and errors",
        "Redirect duration (ms)",
        "Click consumers' lag: stream iterator age, async event age (ms)",
        "Queue depths (messages visible)",
        "Throttles",
    } <= titles
    metrics = json.dumps([w["properties"].get("metrics") for w in widgets])
    names = "Count 4xx 5xx Latency Invocations Errors Duration IteratorAge Throttles"
    for name in [*names.split(), "ApproximateNumberOfMessagesVisible"]:
        assert f'"{name}"' in metrics, name
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    assert len(alarm_widget["properties"]["alarms"]) == len(_alarms(template))


def test_the_dashboard_can_be_left_out(configured_template: Template) -> None:
    configured_template.resource_count_is("AWS::CloudWatch::Dashboard", 0)
    assert _alarms(configured_template)
