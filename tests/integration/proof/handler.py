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


def _consume(records: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS batch: `ok` messages are recorded, `flaky` ones fail on first delivery, `poison` always."""
    table = _table()
    failures = []
    for record in records:
        kind, _, name = record["body"].partition(":")
        deliveries = table.update_item(
            Key={"pk": f"DELIVERY#{name}", "sk": "count"},
            UpdateExpression="ADD deliveries :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )["Attributes"]["deliveries"]
        if kind == "poison" or (kind == "flaky" and deliveries == 1):
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        table.update_item(
            Key={"pk": f"DONE#{name}", "sk": "count"},
            UpdateExpression="ADD done :one SET batch_size = :size",
            ExpressionAttributeValues={":one": 1, ":size": len(records)},
        )
    return {"batchItemFailures": failures}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        return _consume(event["Records"])
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
