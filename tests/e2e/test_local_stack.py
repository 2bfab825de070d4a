"""A brand, an operator and the AWS CLI against the local stack, as README.md shows them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.conftest import aws_client, starling_cli
from tests.support import ApiClient

REPO = Path(__file__).resolve().parents[2]


def test_the_seeded_owner_key_reaches_the_demo_brand(api: ApiClient, stack: dict[str, Any]) -> None:
    me = api.call("GET", "/v1/me", stack["api_key"])
    assert me.status == 200
    assert me.body["brand"]["brand_id"] == stack["brand_id"]
    assert me.body["brand"]["slug"] == "demo"
    assert me.body["role"] == "owner"


def test_the_template_s_tables_are_on_the_aws_endpoint_with_ttl(stack: dict[str, Any]) -> None:
    dynamodb = aws_client(stack, "dynamodb")
    tables = dynamodb.list_tables()["TableNames"]
    assert {stack["tables"]["core"], stack["tables"]["idempotency"]} <= set(tables)
    ttl = dynamodb.describe_time_to_live(TableName=stack["tables"]["core"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    core = dynamodb.describe_table(TableName=stack["tables"]["core"])["Table"]
    assert [i["IndexName"] for i in core["GlobalSecondaryIndexes"]] == ["gsi1"]


def test_the_template_s_functions_are_deployed_with_their_environment(stack: dict[str, Any]) -> None:
    functions = aws_client(stack, "lambda").list_functions()["Functions"]
    handlers = {f["Handler"]: f for f in functions}
    assert {"functions.api.handler.lambda_handler", "functions.authorizer.handler.lambda_handler"} <= set(
        handlers
    )
    api_env = handlers["functions.api.handler.lambda_handler"]["Environment"]["Variables"]
    assert api_env["TABLE_NAME"] == stack["tables"]["core"]


def test_the_state_machine_api_answers_on_the_aws_endpoint(stack: dict[str, Any]) -> None:
    listed = aws_client(stack, "stepfunctions").list_state_machines()
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "contract-signing" in {m["name"] for m in listed["stateMachines"]}


def test_the_template_s_alarms_topic_and_dashboard_are_on_the_aws_endpoint(stack: dict[str, Any]) -> None:
    # Given the local stack, when an operator lists the monitoring, then the template's alarms are there,
    # each telling the alarm topic (moto keeps them; it never evaluates them)
    cloudwatch = aws_client(stack, "cloudwatch")
    alarms = cloudwatch.describe_alarms()["MetricAlarms"]
    topics = {t["TopicArn"] for t in aws_client(stack, "sns").list_topics()["Topics"]}
    assert len(alarms) >= 5
    assert {a.get("MetricName") for a in alarms} >= {
        "5xx",
        "Throttles",  # Lambda's account-wide figure: one alarm for every function
        "AsyncEventAge",  # the default click capture: the log subscription invokes the aggregator
        "ApproximateNumberOfMessagesVisible",
    }
    for alarm in alarms:
        assert alarm["AlarmActions"] and set(alarm["AlarmActions"]) <= topics
    assert cloudwatch.list_dashboards()["DashboardEntries"]


def test_an_operator_creates_a_brand_and_keys_with_the_cli(api: ApiClient, stack: dict[str, Any]) -> None:
    brand = starling_cli(stack, "brand", "create", "CLI Brand", "--allowed-domain", "cli.example.com")
    assert api.call("GET", "/v1/brand", brand["owner_key"]).body["allowed_domains"] == ["cli.example.com"]
    viewer = starling_cli(stack, "key", "create", "--brand", brand["brand_id"], "--role", "viewer")
    assert api.call("GET", "/v1/me", viewer["key"]).body["role"] == "viewer"
    refused = api.call("POST", "/v1/api-keys", viewer["key"], {"name": "x", "role": "owner"})
    assert refused.status == 403


def test_an_owner_revokes_a_key_and_it_is_refused_at_once(api: ApiClient, stack: dict[str, Any]) -> None:
    created = api.call("POST", "/v1/api-keys", stack["api_key"], {"name": "temp", "role": "finance"}).body
    assert api.call("GET", "/v1/me", created["key"]).status == 200
    assert api.call("DELETE", f"/v1/api-keys/{created['key_id']}", stack["api_key"]).status == 200
    assert api.call("GET", "/v1/me", created["key"]).status == 401


def test_bad_requests_get_clear_errors_over_http(api: ApiClient, stack: dict[str, Any]) -> None:
    assert api.call("GET", "/v1/me").status == 401
    bad_json = api.call(
        "POST", "/v1/api-keys", stack["api_key"], raw="{", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status == 400 and bad_json.body["error"]["code"] == "bad_json"
    invalid = api.call("POST", "/v1/api-keys", stack["api_key"], {"role": "boss"})
    assert invalid.status == 422
    assert {d["field"] for d in invalid.body["error"]["details"]} == {"name", "role"}
    assert api.call("GET", "/nowhere/at/all").status == 404


def test_a_creator_applies_from_the_form_and_the_brand_sees_them_and_the_email(
    api: ApiClient, stack: dict[str, Any]
) -> None:
    # Given the demo brand's public form, as a phone loads it
    page = api.call("GET", "/apply/demo", headers={"User-Agent": "Mozilla/5.0 (iPhone) Instagram 300.0"})
    assert page.status == 200 and 'name="viewport"' in page.text
    # When a creator fills it in and sends it
    form = (
        "name=Priya+Shah&email=priya.e2e%40gmail.com&platform_1=instagram&handle_1=priya.plants"
        "&followers_1=12000&niches=plants&country=IN&pitch=Plants+%26+pots&accept_terms=on&network_opt_in=on"
    )
    sent = api.call(
        "POST",
        "/apply/demo",
        raw=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert sent.status == 200 and "Thank you, Priya Shah!" in sent.text
    # Then the brand sees a partner at `applied`
    applied = api.call("GET", "/v1/partners?stage=applied", stack["api_key"]).body["items"]
    assert "priya.plants" in [p["handle"] for p in applied]
    # And the confirmation is in the local outbox, as `starling outbox` shows it
    outbox = subprocess.run(
        [sys.executable, "-m", "infra.cli", "outbox", "--to", "priya.e2e@gmail.com", "--json"],
        cwd=REPO, env={**os.environ, "STARLING_STATE_FILE": stack["state_file"]},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    emails = json.loads(outbox.stdout)
    assert [e["subject"] for e in emails] == ["Your application to Demo Brand"]
