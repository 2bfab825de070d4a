"""DynamoDB transactions on moto, made as atomic as DynamoDB's.

DynamoDB applies a transaction as one step: no other write lands between its conditions' checks and its
writes. moto checks and then writes in plain Python on the server's request threads, so two transactions at
the same moment can both pass a condition (two orders under one cap, one order recorded twice). The local
cloud runs each `TransactWriteItems` under one lock. Single-item writes are left as moto runs them: locking
them too made the click aggregator's many parallel counter updates several times slower on a loaded
machine. The cost: transactions on the local cloud are serialised (reads and other writes are not).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

WRITES = ("transact_write_items",)
_lock = threading.RLock()
_MARK = "__starling_atomic__"


def _atomic(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def atomic(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return write(self, *args, **kwargs)

    setattr(atomic, _MARK, True)
    return atomic


def install() -> None:
    """Make moto's DynamoDB transactions atomic (once per process)."""
    for name in WRITES:
        write = getattr(DynamoDBBackend, name)
        if not getattr(write, _MARK, False):
            setattr(DynamoDBBackend, name, _atomic(write))
