"""The Lambda function of the test-only proof stack: one handler for three actions the state machine uses,
the queue's batches and the stream's batches."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import boto3


class TransientError(Exception):
    """Fails the first classify of each run, so the state machine's Retry has to act (and the first delivery
    of a stream's `crash` record, so the whole batch has to be retried)."""


class PermanentError(Exception):
    """Always raised by `explode`, so the state machine's Catch has to act."""


def _table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def _count_delivery(table: Any, name: str) -> int:
    return int(
        table.update_item(
            Key={"pk": f"DELIVERY#{name}", "sk": "count"},
            UpdateExpression="ADD deliveries :one",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="UPDATED_NEW",
        )["Attributes"]["deliveries"]
    )


def _append(table: Any, pk: str, sk: str, values: list[Any]) -> None:
    table.update_item(
        Key={"pk": pk, "sk": sk},
        UpdateExpression="SET entries = list_append(if_not_exists(entries, :empty), :values)",
        ExpressionAttributeValues={":empty": [], ":values": values},
    )


def _consume_stream(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A Kinesis batch, in order. Each run's share of the batch is logged (`STREAM#run`, `batches`) before
    anything else; then `ok` records are logged as done per partition key (`STREAM#run#key`, `done`),
    `flaky` ones are reported failed on their first delivery, `crash` ones fail the whole invocation on
    their first delivery, and `poison` ones are always reported failed."""
    table = _table()
    bodies = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records]
    batches: dict[str, list[str]] = {}
    for body in bodies:
        batches.setdefault(body["run"], []).append(body["name"])
    for run, names in batches.items():
        _append(table, f"STREAM#{run}", "batches", [names])
    failures = []
    for record, body in zip(records, bodies, strict=True):
        deliveries = _count_delivery(table, body["name"])
        if body["kind"] == "crash" and deliveries == 1:
            raise TransientError("the first delivery of a crash record fails the invocation")
        if body["kind"] == "poison" or (body["kind"] == "flaky" and deliveries == 1):
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
            continue
        _append(table, f"STREAM#{body['run']}#{record['kinesis']['partitionKey']}", "done", [body["name"]])
    return {"batchItemFailures": failures}


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
        if event["Records"] and event["Records"][0].get("eventSource") == "aws:kinesis":
            return _consume_stream(event["Records"])
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
