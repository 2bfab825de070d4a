"""Idempotency records in their own table, expiring by TTL after a day."""

from __future__ import annotations

import time

from pynamodb.exceptions import DoesNotExist, PutError

from starling.api.idempotency_records import RETENTION_SECONDS, IdempotencyRecord, StoredResponse
from starling.api.items import IdempotencyItem


class DynamoIdempotencyRepository:
    def begin(self, record_id: str, request_hash: str) -> IdempotencyRecord | None:
        now = int(time.time())
        item = IdempotencyItem(
            id=record_id, request_hash=request_hash, status="in_progress", expires_at=now + RETENTION_SECONDS
        )
        try:
            # An expired record that TTL has not swept yet counts as absent.
            item.save(condition=IdempotencyItem.id.does_not_exist() | (IdempotencyItem.expires_at < now))
            return None
        except PutError:
            pass
        try:
            earlier = IdempotencyItem.get(record_id, consistent_read=True)
        except DoesNotExist:
            return self.begin(record_id, request_hash)
        stored = None
        if earlier.status == "done" and earlier.response_status is not None:
            stored = StoredResponse(status=int(earlier.response_status), body=earlier.response_body or "")
        return IdempotencyRecord(request_hash=earlier.request_hash, response=stored)

    def finish(self, record_id: str, response: StoredResponse) -> None:
        IdempotencyItem(id=record_id).update(
            actions=[
                IdempotencyItem.status.set("done"),
                IdempotencyItem.response_status.set(response.status),
                IdempotencyItem.response_body.set(response.body),
            ]
        )

    def forget(self, record_id: str) -> None:
        IdempotencyItem(id=record_id).delete()
