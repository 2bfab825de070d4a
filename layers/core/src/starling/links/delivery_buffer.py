"""Recorded subscription deliveries and the rollup's state, in the core table.

CLKQ / <newest event ms>#<delivery id>        an on-time delivery: its click lines (gzip), until TTL;
                                              after the rollup has passed it, only its key matters: it
                                              refuses the same delivery again
CLKQ#LATE / <recorded ms>#<delivery id>       a late delivery's click lines (its on-time key holds a
                                              marker without lines, written in the same transaction)
CLKROLL / STATE                               the rollup: run number, how far it has read, and the
                                              range of the run in progress
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError

from starling.links.deliveries import (
    LATE_LAG_MS,
    ON_TIME_MS,
    ROLLUP_LAG_MS,
    WRITE_BOUND_MS,
    Delivery,
    RollupState,
    pack_lines,
    unpack_lines,
)
from starling.shared.observability import logger
from starling.shared.settings import get_settings

ON_TIME_PK = "CLKQ"
LATE_PK = "CLKQ#LATE"
STATE_KEY = {"pk": {"S": "CLKROLL"}, "sk": {"S": "STATE"}}
# A delivery's key refuses it again for this long: longer than Lambda keeps an async event (6 hours) and
# than the failure queue keeps a failed one for a replay (14 days).
KEEP_DAYS = 15
STREAM_CLAIM_DAYS = 2  # the click stream keeps records 24 hours


class DynamoDeliveryBuffer:
    def __init__(self, client: Any | None = None, table_name: str | None = None) -> None:
        self._client = client or boto3.client("dynamodb")
        self._table = table_name or get_settings().table_name

    def record(self, delivery: Delivery, now_ms: int | None = None) -> str:
        """Keep a delivery's click lines for the rollup, once: "on_time", "late" or "duplicate"."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        expires = {"N": str(now // 1000 + KEEP_DAYS * 86400)}
        lines = {"B": pack_lines(delivery.lines)}
        count = {"N": str(len(delivery.lines))}
        on_time_key = {"pk": {"S": ON_TIME_PK}, "sk": {"S": delivery.on_time_sort_key}}
        if now <= delivery.newest_ms + ON_TIME_MS:
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={**on_time_key, "c": lines, "n": count, "expires_at": expires},
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    return "duplicate"
                raise
            if now_ms is None and time.time() * 1000 - now > WRITE_BOUND_MS:
                # The rollup may already have read past this item: the one case where a click can be lost.
                logger.error("On-time delivery written too late", extra={"delivery_id": delivery.delivery_id})
            return "on_time"
        late_key = {"pk": {"S": LATE_PK}, "sk": {"S": f"{now:013d}#{delivery.delivery_id}"}}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {**on_time_key, "late": {"BOOL": True}, "expires_at": expires},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {**late_key, "c": lines, "n": count, "expires_at": expires},
                        }
                    },
                ]
            )
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return "duplicate"
            raise
        return "late"

    def claim_stream_record(self, delivery_id: str, position: str, now_ms: int | None = None) -> bool:
        """The kinesis path: whether the record at `position` (shard and sequence number) is the first to
        carry these log events. The same record again (a retried batch) is still theirs; another record
        with the same events (CloudWatch Logs putting them twice) is a duplicate, whichever batch it is in."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": f"CLKK#{delivery_id}"},
                    "sk": {"S": "K"},
                    "at": {"S": position},
                    "expires_at": {"N": str(now // 1000 + STREAM_CLAIM_DAYS * 86400)},
                },
                ConditionExpression="attribute_not_exists(pk) OR #at = :at",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":at": {"S": position}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # The rollup
    def state(self) -> RollupState:
        item = self._client.get_item(TableName=self._table, Key=STATE_KEY, ConsistentRead=True).get("Item")
        if not item:
            return RollupState()
        number = lambda name: int(item[name]["N"]) if name in item else 0  # noqa: E731
        return RollupState(
            run=number("run"),
            on_time_cursor=number("cursor"),
            late_cursor=number("late_cursor"),
            applying=item.get("status", {}).get("S") == "applying",
            on_time_end=number("end"),
            late_end=number("late_end"),
        )

    def plan(self, state: RollupState, now_ms: int) -> RollupState | None:
        """Take the next run and fix its range; None when another rollup took it first."""
        planned = RollupState(
            run=state.run + 1,
            on_time_cursor=state.on_time_cursor,
            late_cursor=state.late_cursor,
            applying=True,
            on_time_end=max(state.on_time_cursor, now_ms - ROLLUP_LAG_MS),
            late_end=max(state.late_cursor, now_ms - LATE_LAG_MS),
        )
        condition, values = "attribute_not_exists(pk)", {}
        if state.run:
            condition, values = "#run = :prev", {":prev": {"N": str(state.run)}}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=STATE_KEY,
                UpdateExpression="SET #run = :run, #status = :applying, #end = :end, late_end = :late_end, "
                "#cursor = :cursor, late_cursor = :late_cursor",
                ConditionExpression=condition,
                ExpressionAttributeNames={
                    "#run": "run",
                    "#status": "status",
                    "#end": "end",
                    "#cursor": "cursor",
                },
                ExpressionAttributeValues={
                    **values,
                    ":run": {"N": str(planned.run)},
                    ":applying": {"S": "applying"},
                    ":end": {"N": str(planned.on_time_end)},
                    ":late_end": {"N": str(planned.late_end)},
                    ":cursor": {"N": str(planned.on_time_cursor)},
                    ":late_cursor": {"N": str(planned.late_cursor)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return planned

    def finish(self, run: RollupState) -> bool:
        """Move the cursors to the end of a counted run; False when it was finished already."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=STATE_KEY,
                UpdateExpression="SET #status = :done, #cursor = :end, late_cursor = :late_end",
                ConditionExpression="#run = :run AND #status = :applying",
                ExpressionAttributeNames={"#run": "run", "#status": "status", "#cursor": "cursor"},
                ExpressionAttributeValues={
                    ":run": {"N": str(run.run)},
                    ":applying": {"S": "applying"},
                    ":done": {"S": "done"},
                    ":end": {"N": str(run.on_time_end)},
                    ":late_end": {"N": str(run.late_end)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def lines(self, run: RollupState) -> Iterator[str]:
        """The click lines of the deliveries in a run's range (markers of late deliveries hold none)."""
        yield from self._lines(ON_TIME_PK, run.on_time_cursor, run.on_time_end)
        yield from self._lines(LATE_PK, run.late_cursor, run.late_end)

    def _lines(self, pk: str, after_ms: int, up_to_ms: int) -> Iterator[str]:
        if up_to_ms <= after_ms:
            return
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues={
                ":pk": {"S": pk},
                ":lo": {"S": f"{after_ms + 1:013d}"},
                ":hi": {"S": f"{up_to_ms:013d}#~"},
            },
            ConsistentRead=True,
        ):
            for item in page.get("Items", []):
                if "c" in item:
                    yield from unpack_lines(bytes(item["c"]["B"]))
