"""The links construct: a public redirect with the least it needs; click lines straight from the log
group's subscription to the aggregator (default), or through a Kinesis stream (option); counting exact."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.config import StarlingConfig


def _logical_id(template: Template, resource_type: str, prefix: str) -> str:
    (found,) = [lid for lid in template.find_resources(resource_type) if lid.startswith(prefix)]
    return found


def _policy_statements(template: Template, role_prefix: str) -> list[dict[str, Any]]:
    statements = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        roles = json.dumps(policy["Properties"]["Roles"])
        if role_prefix in roles:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def test_the_redirect_serves_get_and_head_on_slug_without_an_api_key(template: Template) -> None:
    for method in ("GET", "HEAD"):
        template.has_resource_properties(
            "AWS::ApiGatewayV2::Route",
            {"RouteKey": f"{method} /{{slug}}", "AuthorizationType": "NONE"},
        )


def test_the_redirect_may_only_read_one_item_type_and_its_secret(template: Template) -> None:
    statements = _policy_statements(template, "LinksRedirectFunctionServiceRole")
    actions = {
        a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "dynamodb:GetItem" in actions
    assert not {a for a in actions if a.startswith("dynamodb:") and a != "dynamodb:GetItem"}
    assert not {a for a in actions if a.startswith(("kinesis:", "sqs:"))}
    assert {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"} <= actions


def test_the_redirect_is_small_and_drops_lambda_platform_log_lines(template: Template) -> None:
    redirect = _logical_id(template, "AWS::Lambda::Function", "LinksRedirectFunction")
    props = template.find_resources("AWS::Lambda::Function")[redirect]["Properties"]
    assert props["MemorySize"] == 256
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    assert props["LoggingConfig"]["SystemLogLevel"] == "WARN"
    assert set(props["Environment"]["Variables"]) >= {"TABLE_NAME", "CLICK_SECRET_ID", "HOME_URL"}


def test_the_deployments_home_url_reaches_the_redirect(configured_template: Template) -> None:
    # Given a deployment that sets home_url, the redirect's 404 page can offer it to a lost shopper
    redirect = _logical_id(configured_template, "AWS::Lambda::Function", "LinksRedirectFunction")
    props = configured_template.find_resources("AWS::Lambda::Function")[redirect]["Properties"]
    assert props["Environment"]["Variables"]["HOME_URL"] == "https://www.brand.example/"


def test_a_home_url_that_is_not_https_is_refused_at_synth() -> None:
    with pytest.raises(ValueError, match="home_url"):
        StarlingConfig.from_context({"home_url": "http://brand.example/"})


def _actions(template: Template, role_prefix: str) -> set[str]:
    statements = _policy_statements(template, role_prefix)
    return {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


def test_by_default_click_lines_go_straight_to_the_aggregator_with_nothing_billed_by_the_hour(
    template: Template,
) -> None:
    aggregator = _logical_id(template, "AWS::Lambda::Function", "LinksClickAggregatorFunction")
    # No stream and no stream mapping on the click path
    assert not template.find_resources("AWS::Kinesis::Stream")
    assert not template.find_resources(
        "AWS::Lambda::EventSourceMapping", {"Properties": {"StartingPosition": Match.any_value()}}
    )
    # The subscription invokes the aggregator, which CloudWatch Logs is allowed to do
    template.has_resource_properties(
        "AWS::Logs::SubscriptionFilter",
        {
            "DestinationArn": {"Fn::GetAtt": [aggregator, "Arn"]},
            "FilterPattern": '{ $.type = "click" }',
            "LogGroupName": {"Ref": Match.string_like_regexp("LinksRedirectFunctionLogs")},
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"FunctionName": {"Fn::GetAtt": [aggregator, "Arn"]}, "Principal": "logs.amazonaws.com"},
    )


def test_a_delivery_the_aggregator_cannot_count_is_retried_then_kept_in_the_failure_queue(
    template: Template,
) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {
                "OnFailure": {
                    "Destination": {
                        "Fn::GetAtt": [Match.string_like_regexp("LinksClickBatchFailures"), "Arn"]
                    }
                }
            },
        },
    )


def test_a_schedule_rolls_up_the_recorded_deliveries_every_five_minutes(template: Template) -> None:
    aggregator = _logical_id(template, "AWS::Lambda::Function", "LinksClickAggregatorFunction")
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(5 minutes)",
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [aggregator, "Arn"]}})],
        },
    )
    actions = _actions(template, "LinksClickAggregatorFunctionServiceRole")
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"} <= actions
    assert not {"dynamodb:DeleteItem", "dynamodb:Scan", "dynamodb:BatchWriteItem"} & actions


def test_an_unknown_capture_path_is_refused_at_synth() -> None:
    with pytest.raises(ValueError, match="click_capture"):
        StarlingConfig.from_context({"click_capture": "firehose"})


def test_click_lines_flow_from_the_redirect_log_group_into_an_encrypted_stream(
    kinesis_template: Template,
) -> None:
    template = kinesis_template
    stream = _logical_id(template, "AWS::Kinesis::Stream", "LinksClickStream")
    assert not template.find_resources(
        "AWS::Events::Rule", {"Properties": {"ScheduleExpression": "rate(5 minutes)"}}
    )
    template.has_resource_properties(
        "AWS::Kinesis::Stream",
        {
            "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
            "StreamEncryption": Match.object_like({"EncryptionType": "KMS"}),
        },
    )
    template.has_resource_properties(
        "AWS::Logs::SubscriptionFilter",
        {
            "DestinationArn": {"Fn::GetAtt": [stream, "Arn"]},
            "FilterPattern": '{ $.type = "click" }',
            "LogGroupName": {"Ref": Match.string_like_regexp("LinksRedirectFunctionLogs")},
        },
    )


def test_the_aggregator_reads_the_stream_in_batches_with_partial_failures_and_a_failure_queue(
    kinesis_template: Template,
) -> None:
    template = kinesis_template
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "BatchSize": 1000,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ParallelizationFactor": 1,
            "StartingPosition": "TRIM_HORIZON",
            "DestinationConfig": {
                "OnFailure": {
                    "Destination": {
                        "Fn::GetAtt": [Match.string_like_regexp("LinksClickBatchFailures"), "Arn"]
                    }
                }
            },
        },
    )
    actions = _actions(template, "LinksClickAggregatorFunctionServiceRole")
    assert {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem"} <= actions
    assert not {"dynamodb:DeleteItem", "dynamodb:Scan"} & actions
