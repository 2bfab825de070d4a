"""The creator import job: S3 tells its queue that an uploaded CSV landed, and this function imports it.

One message is one S3 event; Powertools' batch processor reports a failed message alone, so the queue
gives it back after its visibility timeout and the job resumes after the last chunk it saved
(starling.discovery.uploads); after the queue's retries it goes to the dead-letter queue, an alarm.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.discovery import uploads
from starling.discovery.repository import DynamoCreatorRepository, DynamoImportJobs, import_of_upload_key
from starling.shared.observability import logger, metrics

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    for s3_record in json.loads(record.body).get("Records", []):  # an s3:TestEvent has none
        key = unquote_plus(s3_record["s3"]["object"]["key"])
        found = import_of_upload_key(key)
        if found is None:
            logger.warning("Not an import upload", extra={"key": key})
            continue
        job = uploads.import_upload(DynamoImportJobs(), DynamoCreatorRepository(), *found)
        logger.info(
            "Import ran", extra={"import_id": job.import_id, "status": job.status, "rows": job.rows_done}
        )
        metrics.add_metric(name="CreatorImportRan", unit="Count", value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
