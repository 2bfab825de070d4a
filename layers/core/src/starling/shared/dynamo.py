"""One PynamoDB connection per process for transactions: creating one builds a botocore client, which
costs tens of milliseconds, too much to pay per request."""

from __future__ import annotations

from functools import lru_cache

from pynamodb.connection import Connection

from starling.shared.settings import get_settings


@lru_cache(maxsize=1)
def transaction_connection() -> Connection:
    return Connection(region=get_settings().region)
