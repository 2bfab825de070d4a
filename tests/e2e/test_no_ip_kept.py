"""design.md promises that no shopper's IP is stored. A shopper clicks with a known address in
X-Forwarded-For; afterwards no table, no log group and no console line of the local stack holds it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import aws_client
from tests.support import ApiClient

SHOPPER_IP = "203.0.113.77"  # TEST-NET-3: an address no real shopper has


def test_a_clicking_shoppers_ip_is_kept_nowhere(api: ApiClient, stack: dict[str, Any]) -> None:
    key = stack["api_key"]
    # Given a link, clicked and counted, by a shopper whose address reaches the stack in X-Forwarded-For
    partner = api.call(
        "POST", "/v1/partners", key, {"creator": {"handle": "e2e.privacy", "platform": "tiktok"}}
    )
    link = api.call(
        "POST",
        "/v1/links",
        key,
        {"partner_id": partner.body["partner_id"], "destination_url": "https://shop.example.com/"},
    )
    slug = link.body["slug"]
    forwarded = {"X-Forwarded-For": SHOPPER_IP, "User-Agent": "Mozilla/5.0 (iPhone) Instagram 300.0"}
    assert api.call("GET", f"/{slug}", headers=forwarded).status == 302
    assert api.call("GET", "/v1/me", key, headers=forwarded).status == 200
    deadline = time.monotonic() + 150  # clicks reach the figures at the next rollup
    while api.call("GET", f"/v1/links/{slug}", key).body["clicks"] < 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert api.call("GET", f"/v1/links/{slug}", key).body["clicks"] == 1
    # Then no table holds the address
    dynamodb = aws_client(stack, "dynamodb")
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            assert SHOPPER_IP not in json.dumps(page["Items"], default=repr), table
    # Nor any log group
    logs = aws_client(stack, "logs")
    groups = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert groups
    for group in groups:
        for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
            assert not [e for e in page["events"] if SHOPPER_IP in e["message"]], group
    # Nor the console
    console = Path(stack["state_file"]).parent / "dev.log"
    assert SHOPPER_IP not in console.read_text()
