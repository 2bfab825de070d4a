"""What the deployed stack is made of, and that cdk-nag's AwsSolutions checks hold."""

from __future__ import annotations

import json
import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from infra.nag import add_checks
from infra.stack import StarlingStack


def test_tables_are_on_demand_with_point_in_time_recovery_and_ttl(template: Template) -> None:
    template.resource_count_is("AWS::DynamoDB::Table", 4)
    template.all_resources_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )
    # The core and idempotency tables expire items; the ledger's two never do (tests/infra/payouts).
    expiring = template.find_resources(
        "AWS::DynamoDB::Table",
        {"Properties": {"TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True}}},
    )
    assert len(expiring) == 2


def test_the_core_table_is_retained_and_protected(template: Template) -> None:
    template.has_resource(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like(
                {"DeletionProtectionEnabled": True, "GlobalSecondaryIndexes": Match.any_value()}
            ),
        },
    )


def test_every_function_runs_arm64_python_3_13_with_the_layers_and_its_own_role(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function")
    assert functions
    roles = set()
    for function in functions.values():
        props = function["Properties"]
        assert props["Architectures"] == ["arm64"]
        assert props["Runtime"] == "python3.13"
        # functions.<package>.<module>.lambda_handler: `handler`, or a named entry point (start_signing)
        assert re.fullmatch(r"functions\.[a-z_]+\.[a-z_]+\.lambda_handler", props["Handler"]), props[
            "Handler"
        ]
        assert len(props["Layers"]) == 2
        assert props["TracingConfig"] == {"Mode": "Active"}
        roles.add(json.dumps(props["Role"]))
    assert len(roles) == len(functions)


def test_every_function_logs_to_a_group_with_retention(template: Template) -> None:
    groups = template.find_resources("AWS::Logs::LogGroup")
    assert groups, "expected the functions' log groups and the API's access logs"
    for lid, group in groups.items():
        assert group["Properties"].get("RetentionInDays") == 30, lid
    functions = template.find_resources("AWS::Lambda::Function")
    assert functions
    for lid, function in functions.items():
        assert function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] in groups, lid


def test_the_brand_api_is_behind_a_cached_lambda_authorizer_and_public_routes_are_open(
    template: Template,
) -> None:
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "REQUEST",
            "AuthorizerResultTtlInSeconds": 300,
            "IdentitySource": ["$request.header.Authorization"],
            "EnableSimpleResponses": True,
        },
    )
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    assert routes["ANY /v1/{proxy+}"]["AuthorizationType"] == "CUSTOM"
    for public in ("GET /health", "GET /openapi.json", "GET /docs", "$default"):
        assert routes[public].get("AuthorizationType", "NONE") == "NONE"


def test_the_authorizer_can_only_read_the_core_table(template: Template) -> None:
    policies = template.find_resources("AWS::IAM::Policy")
    authorizer = next(p for lid, p in policies.items() if lid.startswith("ApiAuthorizerFunction"))
    actions = {
        a
        for s in authorizer["Properties"]["PolicyDocument"]["Statement"]
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert not any(
        a.startswith("dynamodb:") and any(w in a for w in ("Put", "Update", "Delete", "Write"))
        for a in actions
    )


def test_the_stack_passes_aws_solutions_checks_with_a_reason_for_every_acknowledgement(
    stack: StarlingStack,
) -> None:
    # Synthesis runs cdk-nag (added by build_app) and fails on any finding not acknowledged.
    assembly = stack.node.root.synth()  # type: ignore[attr-defined]
    assert assembly.get_stack_by_name(stack.stack_name).template["Resources"]
    acknowledged = {
        rule: reason
        for construct in stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for rule, reason in entry.data.items()
    }
    assert acknowledged, "expected reviewed findings"
    for rule, reason in acknowledged.items():
        assert rule.startswith("AwsSolutions::") and len(reason) > 30, (rule, reason)


def test_an_unacknowledged_finding_fails_synthesis() -> None:
    # Given a stack with a queue that breaks AwsSolutions-SQS3/SQS4 (no DLQ, no TLS enforcement)
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    bad = cdk.Stack(app, "Bad")
    sqs.Queue(bad, "Queue")
    add_checks(app)
    # When it is synthesized, then cdk-nag stops it
    with pytest.raises(Exception, match=r"(?i)validation"):
        app.synth()


def test_the_stack_outputs_what_the_cli_needs(template: Template) -> None:
    outputs = template.find_outputs("*")
    assert "CoreTableName" in outputs


def test_the_application_form_is_public_and_its_function_can_send_only_as_the_sender(
    template: Template,
) -> None:
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    for key in ("GET /apply/{brand_slug}", "POST /apply/{brand_slug}"):
        assert routes[key].get("AuthorizationType", "NONE") == "NONE"
    template.has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": "partners@starling.example.com"}
    )
    policies = template.find_resources("AWS::IAM::Policy")
    senders = [
        lid
        for lid, policy in policies.items()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ses:SendEmail"
        in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    ]
    assert sorted(s.split("ServiceRole")[0] for s in senders) == [
        "ApiApiFunction",
        "ContractsSigningTasksFunction",
        "ConversionsFeesFunction",  # budget warnings
        "OnboardingOnboardingTasksFunction",
        "PayoutsPayoutTasksFunction",
        "PortalPortalFunction",
        "WebPublicFunction",
    ]
    for lid in senders:
        for statement in policies[lid]["Properties"]["PolicyDocument"]["Statement"]:
            if "ses:SendEmail" in statement["Action"]:
                assert "identity/partners@starling.example.com" in json.dumps(statement["Resource"])


def test_the_access_log_keeps_no_client_ip_and_goes_to_a_group_with_retention(template: Template) -> None:
    stages = template.find_resources("AWS::ApiGatewayV2::Stage")
    assert stages
    groups = template.find_resources("AWS::Logs::LogGroup")
    for lid, stage in stages.items():
        settings = stage["Properties"]["AccessLogSettings"]
        log_format = settings["Format"]
        assert "sourceIp" not in log_format and "identity." not in log_format, lid
        assert "x-forwarded-for" not in log_format.lower(), lid
        destination = json.dumps(settings["DestinationArn"])
        assert any(group in destination for group in groups), lid
