"""One PynamoDB connection per process for transactions: creating one builds a botocore client, which
costs tens of milliseconds, too much to pay per request."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pynamodb.connection import Connection

from starling.shared.settings import get_settings


@lru_cache(maxsize=1)
def transaction_connection() -> Connection:
    return Connection(region=get_settings().region)


def items_between(client: Any, table: str, pk: str, low: str, high: str) -> Iterator[dict[str, Any]]:
    """Every item of partition `pk` whose sort key lies between `low` and `high` (inclusive), in key order,
    page after page (low-level attribute values: {"S": ...})."""
    paginator = client.get_paginator("query")
    for page in paginator.paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={":pk": {"S": pk}, ":lo": {"S": low}, ":hi": {"S": high}},
    ):
        yield from page.get("Items", [])
