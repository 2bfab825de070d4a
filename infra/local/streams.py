"""Kinesis event source mappings that behave like Lambda's.

moto's own mapping invokes the function inline with each record as it is put, one record at a time, and
ignores the mapping's settings. Lambda instead reads every shard in order, with one batch in flight per
shard: it gathers up to BatchSize records (waiting at most MaximumBatchingWindowInSeconds), invokes the
function once with the batch, and checkpoints after it. A function error retries the same batch from its
first record. With ReportBatchItemFailures the lowest reported sequence number becomes the checkpoint: the
records before it are done, and the retry starts at it. After MaximumRetryAttempts retries from the same
checkpoint (-1: for ever), a description of the batch goes to the on-failure destination and the shard moves
past the batch. BisectBatchOnFunctionError splits a batch that failed in two, which is not counted as a retry.
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.kinesis.models import kinesis_backends

from infra.local.template import ACCOUNT_ID

_READ_LIMIT = 10_000  # GetRecords returns at most 10,000 records
_POLL_SECONDS = 1.0  # Lambda reads each shard about once a second (scaled, but never faster than _MIN_POLL)
_MIN_POLL_SECONDS = 0.05
_SHARD_REFRESH_SECONDS = 1.0  # how often the poller looks for shards a reshard added
_MAX_BACKOFF_SECONDS = 30.0  # retries of a failing batch back off 1 s, 2 s, 4 s ... up to this (scaled)


@dataclass(frozen=True)
class KinesisMapping:
    stream_arn: str
    function_name: str
    batch_size: int = 100
    batching_window_seconds: float = 0.0
    starting_position: str = "TRIM_HORIZON"
    starting_position_timestamp: float | None = None
    report_batch_item_failures: bool = False
    maximum_retry_attempts: int = -1  # -1: retry until the record expires
    bisect_batch_on_function_error: bool = False
    on_failure_destination: str | None = None

    @property
    def stream_name(self) -> str:
        return self.stream_arn.split("/", 1)[1]

    @classmethod
    def from_properties(cls, props: dict[str, Any], function_name: str) -> KinesisMapping:
        """The mapping an `AWS::Lambda::EventSourceMapping` on a stream describes, with Lambda's defaults."""
        timestamp = props.get("StartingPositionTimestamp")
        return cls(
            stream_arn=props["EventSourceArn"],
            function_name=function_name,
            batch_size=int(props.get("BatchSize", 100)),
            batching_window_seconds=float(props.get("MaximumBatchingWindowInSeconds", 0)),
            starting_position=props.get("StartingPosition", "TRIM_HORIZON"),
            starting_position_timestamp=None if timestamp is None else float(timestamp),
            report_batch_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
            bisect_batch_on_function_error=bool(props.get("BisectBatchOnFunctionError", False)),
            on_failure_destination=props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            or None,
        )


def detach_moto_stream_push(region: str, stream_name: str) -> None:
    """Stop moto from invoking the function inline on each put; the poller delivers instead."""
    account = ACCOUNT_ID if ACCOUNT_ID in kinesis_backends else DEFAULT_ACCOUNT_ID
    kinesis_backends[account][region].streams[stream_name].lambda_event_source_mappings.clear()


def _timestamp(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _iso(value: Any) -> str:
    moment = datetime.fromtimestamp(_timestamp(value), tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def kinesis_event_record(
    record: dict[str, Any], shard_id: str, stream_arn: str, region: str, role_arn: str
) -> dict[str, Any]:
    """One record of the event Lambda sends, from a GetRecords record (boto3's shape: Data is bytes)."""
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record["PartitionKey"],
            "sequenceNumber": record["SequenceNumber"],
            "data": base64.b64encode(record["Data"]).decode("ascii"),
            "approximateArrivalTimestamp": _timestamp(record["ApproximateArrivalTimestamp"]),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{record['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


def retry_from(
    sequence_numbers: Sequence[str], answer: Any, function_error: bool, report_batch_item_failures: bool
) -> int | None:
    """Where Lambda's checkpoint lands after one invocation: None when the whole batch succeeded, else the
    index in the batch of the first record to deliver again.

    A function error retries the whole batch. With ReportBatchItemFailures, a missing, null or empty
    `batchItemFailures` is a success, the lowest reported sequence number is the checkpoint, and an
    identifier that is empty or not in the batch fails the whole batch.
    """
    if function_error:
        return 0
    if not report_batch_item_failures or not isinstance(answer, dict):
        return None
    failures = answer.get("batchItemFailures")
    if not failures:
        return None
    if not isinstance(failures, list):
        return 0
    positions = {sequence_number: i for i, sequence_number in enumerate(sequence_numbers)}
    found = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in positions:
            return 0
        found.append(positions[identifier])
    return min(found)


def on_failure_record(
    batch: Sequence[dict[str, Any]],
    shard_id: str,
    stream_arn: str,
    function_arn: str,
    invocations: int,
    function_error: str | None,
    now: datetime,
) -> dict[str, Any]:
    """What Lambda sends the on-failure destination when it gives up on a batch: where it is, not its data."""
    response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response_context["functionError"] = function_error
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invocations,
        },
        "responseContext": response_context,
        "version": "1.0",
        "timestamp": _iso(now),
        "KinesisBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": batch[0]["SequenceNumber"],
            "endSequenceNumber": batch[-1]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(batch[0]["ApproximateArrivalTimestamp"]),
            "approximateArrivalOfLastRecord": _iso(batch[-1]["ApproximateArrivalTimestamp"]),
            "batchSize": len(batch),
            "streamArn": stream_arn,
        },
    }


@dataclass
class ShardCursor:
    """Lambda's place in one shard: the records read but not yet done (the first is the checkpoint), how many
    invocations in a row failed at the checkpoint, and the sizes a bisected batch is still to go out in."""

    shard_id: str
    iterator_type: str
    parent_id: str | None = None
    iterator: str | None = None
    closed: bool = False  # the shard was resharded: it takes no more records
    ended: bool = False  # every record of a closed shard has been read
    pending: list[dict[str, Any]] = field(default_factory=list)
    read_at: float = 0.0  # when the oldest pending record was read: the batching window starts then
    failures: int = 0
    sizes: list[int] = field(default_factory=list)
    retry_at: float = 0.0

    @property
    def retrying(self) -> bool:
        return bool(self.failures or self.sizes)

    def next_batch(self, batch_size: int) -> list[dict[str, Any]]:
        return self.pending[: self.sizes[0] if self.sizes else batch_size]

    def settle(
        self, size: int, start: int | None, function_error: bool, mapping: KinesisMapping
    ) -> list[Any]:
        """Apply the outcome of invoking the function with the first `size` pending records, `start` being
        `retry_from`'s answer. Returns the records given up on when the retries are exhausted, else []."""
        if start is None:
            del self.pending[:size]
            self.failures = 0
            if self.sizes:
                self.sizes.pop(0)
            return []
        if start > 0:  # the records before the lowest reported failure are done: the checkpoint moves
            del self.pending[:start]
            self.failures = 0
        failing = size - start
        if mapping.bisect_batch_on_function_error:
            if function_error and failing > 1:
                half = failing // 2
                self.sizes[:1] = [half, failing - half]
                return []
            self.sizes[:1] = [failing]  # bisected at the reported record: only the rest is retried
        self.failures += 1
        if 0 <= mapping.maximum_retry_attempts < self.failures:
            given_up = self.pending[:failing]
            del self.pending[:failing]
            self.failures = 0
            if self.sizes:
                self.sizes.pop(0)
            return given_up
        return []


class KinesisPoller:
    """One mapping's poller: a thread that reads every shard of the stream and invokes the function."""

    def __init__(
        self, mapping: KinesisMapping, client: Callable[[str], Any], region: str, time_scale: float
    ) -> None:
        self.mapping = mapping
        self._kinesis = client("kinesis")
        self._lambda = client("lambda")
        self._region = region
        self._time_scale = time_scale
        configuration = self._lambda.get_function_configuration(FunctionName=mapping.function_name)
        self._function_arn: str = configuration["FunctionArn"]
        self._role_arn: str = configuration.get("Role", "")
        self._send = self._on_failure_sender(client)
        self._shards: dict[str, ShardCursor] = {}
        self._finished: set[str] = set()
        self._listed_at = -math.inf
        self._outbox: list[dict[str, Any]] = []
        self.last_error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"kinesis-poller-{mapping.stream_name}", daemon=True
        )

    def _on_failure_sender(self, client: Callable[[str], Any]) -> Callable[[str], None]:
        destination = self.mapping.on_failure_destination
        if not destination:
            return lambda _body: None
        service = destination.split(":")[2]
        if service == "sqs":
            sqs = client("sqs")
            queue_url = sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[1])["QueueUrl"]
            return lambda body: sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        if service == "sns":
            sns = client("sns")
            return lambda body: sns.publish(TopicArn=destination, Message=body)
        raise ValueError(f"the local cloud cannot send a stream's failures to {destination}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _discover_shards(self) -> None:
        now = time.monotonic()
        if now - self._listed_at < _SHARD_REFRESH_SECONDS:
            return
        first_listing = self._listed_at == -math.inf
        shards: list[dict[str, Any]] = []
        args: dict[str, Any] = {"StreamName": self.mapping.stream_name}
        while True:
            page = self._kinesis.list_shards(**args)
            shards.extend(page.get("Shards", []))
            if not page.get("NextToken"):
                break
            args = {"NextToken": page["NextToken"]}
        self._listed_at = now
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id in self._finished:
                continue
            cursor = self._shards.get(shard_id)
            if cursor is None:
                # A shard that a reshard adds later is read from its start.
                start = self.mapping.starting_position if first_listing else "TRIM_HORIZON"
                cursor = self._shards[shard_id] = ShardCursor(shard_id, start, shard.get("ParentShardId"))
            cursor.closed = "EndingSequenceNumber" in shard.get("SequenceNumberRange", {})

    def _read(self, cursor: ShardCursor) -> None:
        if cursor.ended:
            return
        if cursor.iterator is None:
            args: dict[str, Any] = {
                "StreamName": self.mapping.stream_name,
                "ShardId": cursor.shard_id,
                "ShardIteratorType": cursor.iterator_type,
            }
            if cursor.iterator_type == "AT_TIMESTAMP":
                args["Timestamp"] = self.mapping.starting_position_timestamp
            cursor.iterator = self._kinesis.get_shard_iterator(**args)["ShardIterator"]
        wanted = self.mapping.batch_size - len(cursor.pending)
        if wanted <= 0:
            return
        page = self._kinesis.get_records(ShardIterator=cursor.iterator, Limit=min(_READ_LIMIT, wanted))
        records = page.get("Records", [])
        if records and not cursor.pending:
            cursor.read_at = time.monotonic()
        cursor.pending.extend(records)
        cursor.iterator = page.get("NextShardIterator")
        cursor.ended = cursor.iterator is None or (cursor.closed and not records)

    def _due_at(self, cursor: ShardCursor) -> float:
        """When the cursor's next batch is to go out (inf: nothing to deliver)."""
        if not cursor.pending:
            return math.inf
        if cursor.retrying or len(cursor.pending) >= self.mapping.batch_size:
            return cursor.retry_at
        return max(cursor.retry_at, cursor.read_at + self.mapping.batching_window_seconds * self._time_scale)

    def _deliver(self, cursor: ShardCursor) -> int:
        batch = cursor.next_batch(self.mapping.batch_size)
        event = {
            "Records": [
                kinesis_event_record(
                    r, cursor.shard_id, self.mapping.stream_arn, self._region, self._role_arn
                )
                for r in batch
            ]
        }
        result = self._lambda.invoke(
            FunctionName=self.mapping.function_name, Payload=json.dumps(event).encode()
        )
        try:
            answer = json.loads(result["Payload"].read() or b"null")
        except ValueError:
            answer = None
        function_error = result.get("FunctionError")
        start = retry_from(
            [r["SequenceNumber"] for r in batch],
            answer,
            bool(function_error),
            self.mapping.report_batch_item_failures,
        )
        invocations = cursor.failures + 1 if not start else 1  # the invocations from this checkpoint
        given_up = cursor.settle(len(batch), start, bool(function_error), self.mapping)
        if given_up:
            self._outbox.append(
                on_failure_record(
                    given_up,
                    cursor.shard_id,
                    self.mapping.stream_arn,
                    self._function_arn,
                    invocations,
                    function_error,
                    datetime.now(UTC),
                )
            )
            self._flush_outbox()
        elif cursor.failures:
            backoff = min(2.0 ** (cursor.failures - 1), _MAX_BACKOFF_SECONDS)
            cursor.retry_at = time.monotonic() + backoff * self._time_scale
        return len(batch)

    def _flush_outbox(self) -> None:
        while self._outbox:
            self._send(json.dumps(self._outbox[0]))
            self._outbox.pop(0)

    def poll_once(self) -> int:
        """Read every shard once and deliver each batch that is due; the number of records delivered."""
        self._flush_outbox()
        self._discover_shards()
        delivered = 0
        for cursor in list(self._shards.values()):
            if self._stop.is_set():
                break
            if cursor.parent_id in self._shards:
                continue  # Lambda finishes a parent shard before it reads its children
            try:
                self._read(cursor)
                if time.monotonic() >= self._due_at(cursor):
                    delivered += self._deliver(cursor)
            except Exception as error:  # one shard's trouble must not hold up the others
                self.last_error = error
                continue
            if cursor.ended and not cursor.pending:
                del self._shards[cursor.shard_id]
                self._finished.add(cursor.shard_id)
        return delivered

    def _idle_seconds(self) -> float:
        wait = max(_MIN_POLL_SECONDS, _POLL_SECONDS * self._time_scale)
        due = min((self._due_at(c) for c in self._shards.values()), default=math.inf)
        return min(wait, max(0.002, due - time.monotonic()))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delivered = self.poll_once()
            except Exception as error:  # the poller must outlive any one bad read, as Lambda's does
                self.last_error = error
                delivered = 0
                self._stop.wait(0.1)
            if not delivered:
                self._stop.wait(self._idle_seconds())
