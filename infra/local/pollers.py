"""SQS event source mappings that behave like Lambda's.

moto's own mapping invokes the function inline, one message at a time, when a message is sent, and
ignores `batchItemFailures`. Lambda instead polls: it gathers up to BatchSize messages (waiting at most
MaximumBatchingWindowInSeconds), invokes the function once with the batch, deletes what succeeded (all of
it, or all but the reported `batchItemFailures`), and leaves the rest to reappear after the queue's
visibility timeout, until the queue's redrive policy moves them to the dead-letter queue.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

from infra.local.template import ACCOUNT_ID

_RECEIVE_LIMIT = 10  # SQS returns at most 10 messages per receive


@dataclass(frozen=True)
class SqsMapping:
    queue_arn: str
    function_name: str
    batch_size: int
    batching_window_seconds: float
    report_batch_item_failures: bool

    @property
    def queue_name(self) -> str:
        return self.queue_arn.rsplit(":", 1)[1]


def detach_moto_push(region: str, queue_name: str) -> None:
    """Stop moto from invoking the function inline on send; the poller delivers instead."""
    account = ACCOUNT_ID if ACCOUNT_ID in sqs_backends else DEFAULT_ACCOUNT_ID
    sqs_backends[account][region].queues[queue_name].lambda_event_source_mappings.clear()


def _record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class SqsPoller:
    def __init__(
        self, mapping: SqsMapping, sqs: Any, lambda_client: Any, region: str, time_scale: float
    ) -> None:
        self.mapping = mapping
        self._sqs = sqs
        self._lambda = lambda_client
        self._region = region
        self._time_scale = time_scale
        self._queue_url = sqs.get_queue_url(QueueName=mapping.queue_name)["QueueUrl"]
        visibility = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["VisibilityTimeout"])
        self._retry_after = int(int(visibility["Attributes"]["VisibilityTimeout"]) * time_scale)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"sqs-poller-{mapping.queue_name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _gather(self) -> list[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.mapping.batching_window_seconds * self._time_scale
        while len(batch) < self.mapping.batch_size and not self._stop.is_set():
            received = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=min(_RECEIVE_LIMIT, self.mapping.batch_size - len(batch)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            batch.extend(received)
            if not received:
                if batch and time.monotonic() >= deadline:
                    break
                if not batch:
                    return batch
                time.sleep(0.01)
        return batch

    def poll_once(self) -> int:
        """Deliver one batch; the number of messages it held."""
        batch = self._gather()
        if not batch:
            return 0
        event = {"Records": [_record(m, self.mapping.queue_arn, self._region) for m in batch]}
        result = self._lambda.invoke(
            FunctionName=self.mapping.function_name, Payload=json.dumps(event).encode()
        )
        answer = json.loads(result["Payload"].read() or b"null")
        if result.get("FunctionError"):
            failed = {m["MessageId"] for m in batch}
        elif self.mapping.report_batch_item_failures and isinstance(answer, dict):
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures") or []}
        else:
            failed = set()
        done = [m for m in batch if m["MessageId"] not in failed]
        for start in range(0, len(done), _RECEIVE_LIMIT):
            chunk = done[start : start + _RECEIVE_LIMIT]
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        for message in batch:
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self._retry_after,
                )
        return len(batch)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delivered = self.poll_once()
            except Exception:  # the poller must outlive any one bad batch, as Lambda's does
                delivered = 0
                time.sleep(0.5)
            if not delivered:
                self._stop.wait(0.05)
