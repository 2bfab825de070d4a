"""DynamoDB on moto, made as atomic as DynamoDB is.

DynamoDB applies a conditional write, an update or a transaction as one step: no other write to the same
item lands between the condition's check and the write. moto checks and then writes in plain Python on the
server's request threads, so two requests at the same moment can both pass a condition (two orders under
one cap, one order recorded twice). The local cloud runs each of those backend writes under one lock.
The cost: writes to the local cloud's tables are serialised (reads are not), which is far from a bottleneck
on one laptop.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
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
    """Make moto's DynamoDB writes atomic (once per process)."""
    for name in WRITES:
        write = getattr(DynamoDBBackend, name)
        if not getattr(write, _MARK, False):
            setattr(DynamoDBBackend, name, _atomic(write))
