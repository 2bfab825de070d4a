"""The Lambda function of the test-only proof stack: one handler, three actions the state machine uses."""

from __future__ import annotations

import os
from typing import Any

import boto3


class TransientError(Exception):
    """Fails the first classify of each run, so the state machine's Retry has to act."""


class PermanentError(Exception):
    """Always raised by `explode`, so the state machine's Catch has to act."""


def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    action, run_id = event["action"], event["run_id"]
    table = _table()
    if action == "classify":
        attempts = table.update_item(
            Key={"pk": f"ATTEMPTS#{run_id}", "sk": "classify"},
            UpdateExpression="ADD attempts :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )["Attributes"]["attempts"]
        if attempts == 1:
            raise TransientError("first attempt fails on purpose")
        return {"count": len(event["items"]), "big": len(event["items"]) >= 3}
    if action == "park":
        table.put_item(Item={"pk": f"TOKEN#{run_id}", "sk": "token", "token": event["token"]})
        return {}
    if action == "explode":
        raise PermanentError("always fails")
    raise ValueError(f"unknown action {action}")
