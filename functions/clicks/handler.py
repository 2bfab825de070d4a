"""The click aggregator: the redirect's click lines become counters.

Three kinds of invocation reach it:
- a CloudWatch Logs subscription delivery (`awslogs`, the default capture path): the delivery is recorded
  once (starling.links.delivery_buffer) and counted by the next rollup;
- the rollup's schedule (an EventBridge `Scheduled Event`): every delivery of the last minute is counted
  together (starling.links.rollup);
- a batch from the Kinesis click stream (the `kinesis` capture path, the option).

On the stream path, Powertools' batch processor reads each stream record; a record that cannot be read is
reported as a partial failure, and only the records before the first failure are counted, so the stream's
retry from that record resumes exactly where counting stopped. Counting itself is exactly once: see
starling.links.aggregation.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from starling.links.aggregation import StreamClick, aggregate, clicks_in_log_record, countable_clicks
from starling.links.counters import DynamoClickCounterRepository
from starling.links.deliveries import is_subscription_event, read_delivery, stream_record_identity
from starling.links.delivery_buffer import DynamoDeliveryBuffer
from starling.links.rollup import roll_up
from starling.shared.observability import logger, metrics

WRITERS = 16  # DynamoDB writes of a batch in flight at once

processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
_repo = DynamoClickCounterRepository(
    boto3.client("dynamodb", config=Config(max_pool_connections=WRITERS, retries={"mode": "standard"}))
)
_buffer = DynamoDeliveryBuffer(boto3.client("dynamodb", config=Config(retries={"mode": "standard"})))
_writers = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="counter-writer")


def read_record(record: KinesisStreamRecord) -> tuple[list[StreamClick], int]:
    """A record that cannot be read fails alone (Powertools reports it); the stream retries from it."""
    shard_id = record.event_id.split(":", 1)[0]
    data = record.kinesis.data_as_bytes()
    clicks, malformed = clicks_in_log_record(data, shard_id, record.kinesis.sequence_number)
    identity = stream_record_identity(data) if clicks else None
    if identity and not _buffer.claim_stream_record(identity, record.event_id):
        metrics.add_metric(name="ClickDeliveryDuplicate", unit="Count", value=1)
        return [], malformed  # the same log events came in an earlier record: counted there
    return clicks, malformed


def record_delivery(event: dict[str, Any]) -> dict[str, Any]:
    """Keep one subscription delivery for the rollup. An unreadable payload raises: Lambda retries it, then
    puts it in the failure queue with the payload, where it can be looked at and replayed."""
    delivery = read_delivery(event)
    outcome = "empty" if delivery is None or not delivery.lines else _buffer.record(delivery)
    if delivery is not None and delivery.malformed:
        logger.error("Malformed click lines skipped", extra={"count": delivery.malformed})
        metrics.add_metric(name="ClickMalformed", unit="Count", value=delivery.malformed)
    metrics.add_metric(name="ClickDeliveryRecorded", unit="Count", value=1)
    if outcome == "duplicate":
        metrics.add_metric(name="ClickDeliveryDuplicate", unit="Count", value=1)
    return {"delivery": outcome, "clicks": len(delivery.lines) if delivery else 0}


def run_rollup() -> dict[str, Any]:
    outcome = roll_up(_buffer, _repo, int(time.time() * 1000), parallel=_writers.map)
    batch = outcome.batch
    if batch is not None:
        metrics.add_metric(name="ClickCaptured", unit="Count", value=batch.clicks)
        metrics.add_metric(name="BotClickRecorded", unit="Count", value=batch.bots)
        metrics.add_metric(name="ClickBurstFlagged", unit="Count", value=batch.flagged)
        logger.info("Clicks rolled up", extra={"run": outcome.run, **batch.__dict__})
    if outcome.malformed:
        metrics.add_metric(name="ClickMalformed", unit="Count", value=outcome.malformed)
    return {"run": outcome.run, "clicks": batch.clicks if batch else 0}


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    if is_subscription_event(event):
        return record_delivery(event)
    if event.get("detail-type") == "Scheduled Event":
        return run_rollup()
    return count_stream_batch(event)


def count_stream_batch(event: dict[str, Any]) -> Any:
    with processor(records=event["Records"], handler=read_record):
        results = processor.process()
    clicks, malformed = countable_clicks(
        (result for status, result, _ in results if status == "success"),
        (r.kinesis.sequence_number for r in processor.fail_messages if isinstance(r, KinesisStreamRecord)),
    )
    outcome = aggregate(_repo, clicks, parallel=_writers.map)
    if malformed:
        logger.error("Malformed click lines skipped", extra={"count": malformed})
    metrics.add_metric(name="ClickCaptured", unit="Count", value=outcome.clicks)
    metrics.add_metric(name="BotClickRecorded", unit="Count", value=outcome.bots)
    metrics.add_metric(name="ClickBurstFlagged", unit="Count", value=outcome.flagged)
    metrics.add_metric(name="ClickMalformed", unit="Count", value=malformed)
    logger.info("Clicks counted", extra=outcome.__dict__)
    return processor.response()
