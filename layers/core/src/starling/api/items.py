"""PynamoDB items of api."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

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
