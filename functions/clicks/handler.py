"""The click aggregator: batches from the click stream (fed by the redirect's log lines) become counters.

Powertools' batch processor reads each stream record; a record that cannot be read is reported as a
partial failure, and only the records before the first failure are counted, so the stream's retry from
that record resumes exactly where counting stopped. Counting itself is exactly once: see
starling.links.aggregation.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from starling.links.aggregation import StreamClick, aggregate, clicks_in_log_record, countable_clicks
from starling.links.counters import DynamoClickCounterRepository
from starling.shared.observability import logger, metrics

WRITERS = 16  # DynamoDB writes of a batch in flight at once

processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
_repo = DynamoClickCounterRepository(
    boto3.client("dynamodb", config=Config(max_pool_connections=WRITERS, retries={"mode": "standard"}))
)
_writers = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="counter-writer")


def read_record(record: KinesisStreamRecord) -> tuple[list[StreamClick], int]:
    """A record that cannot be read fails alone (Powertools reports it); the stream retries from it."""
    shard_id = record.event_id.split(":", 1)[0]
    return clicks_in_log_record(record.kinesis.data_as_bytes(), shard_id, record.kinesis.sequence_number)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
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
