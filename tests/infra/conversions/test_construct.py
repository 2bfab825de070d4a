"""The conversions construct: a daily fee run with what it needs (the table, SES, the bus), and the API
function able to warn of a budget (the bus's name in its environment, PutEvents on that bus only)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template


def _function(template: Template, prefix: str) -> dict[str, Any]:
    (found,) = [
        f for lid, f in template.find_resources("AWS::Lambda::Function").items() if lid.startswith(prefix)
    ]
    return found


def _statements(template: Template, role_prefix: str) -> list[dict[str, Any]]:
    return [
        s
        for p in template.find_resources("AWS::IAM::Policy").values()
        if role_prefix in json.dumps(p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _bus_id(template: Template) -> str:
    (bus,) = template.find_resources("AWS::Events::EventBus")
    return bus


def test_a_daily_schedule_runs_the_fee_function(template: Template) -> None:
    fees = _function(template, "ConversionsFeesFunction")
    assert fees["Properties"]["Handler"] == "functions.fees.handler.lambda_handler"
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(1 day)",
            "Targets": Match.array_with([Match.object_like({"RetryPolicy": {"MaximumRetryAttempts": 2}})]),
        },
    )


def test_functions_that_record_costs_can_put_budget_warnings_on_the_bus_and_name_it(
    template: Template,
) -> None:
    bus = _bus_id(template)
    for function, role in (
        ("ApiApiFunction", "ApiApiFunctionServiceRole"),
        ("ConversionsFeesFunction", "ConversionsFeesFunctionServiceRole"),
    ):
        env = _function(template, function)["Properties"]["Environment"]["Variables"]
        assert env["EVENT_BUS_NAME"] == {"Ref": bus}
        assert env["MANAGER_INBOX"]
        puts = [s for s in _statements(template, role) if s["Action"] == "events:PutEvents"]
        assert [s["Resource"] for s in puts] == [{"Fn::GetAtt": [bus, "Arn"]}]
