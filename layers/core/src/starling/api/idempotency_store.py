"""Where Idempotency-Key records live: their own table, one item per (brand, API key, Idempotency-Key),
expiring by TTL after a day. This implements the middleware's port, starling.api.idempotency's
IdempotencyRepository.

A record holds the request's fingerprint and, once the first request has finished, its answer with every
secret already removed by the middleware: nothing here is ever a secret at rest.
"""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.models import Model

from starling.api.idempotency import RETENTION_SECONDS, IdempotencyRecord, StoredResponse
from starling.shared.settings import get_settings

_settings = get_settings()


class IdempotencyItem(Model):
    class Meta:
        table_name = _settings.idempotency_table_name
        region = _settings.region

    id = UnicodeAttribute(hash_key=True)
    request_hash = UnicodeAttribute()
    status = UnicodeAttribute()  # in_progress | done
    response_status = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()  # the table's TTL attribute


def _record(item: IdempotencyItem) -> IdempotencyRecord:
    """The one mapping of an item to its record."""
    stored = None
    if item.status == "done" and item.response_status is not None:
        stored = StoredResponse(status=int(item.response_status), body=item.response_body or "")
    return IdempotencyRecord(request_hash=item.request_hash, response=stored)


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
            return _record(IdempotencyItem.get(record_id, consistent_read=True))
        except DoesNotExist:
            return self.begin(record_id, request_hash)

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
