"""DynamoDB transactions on moto, made as atomic as DynamoDB's.

DynamoDB applies a transaction as one step: no other write lands between its conditions' checks and its
writes. moto checks and then writes in plain Python on the server's request threads, so two transactions at
the same moment can both pass a condition (two orders under one cap, one order recorded twice). The local
cloud runs each `TransactWriteItems` under one lock. Single-item writes are left as moto runs them: locking
them too made the click aggregator's many parallel counter updates several times slower on a loaded
machine. The cost: transactions on the local cloud are serialised (reads and other writes are not).

A Query on the table itself reads one partition on DynamoDB, whatever the table's size. moto 5.2.1 gathers
and sorts every item of the table for each one, so on a stack holding a million creators each Query took
seconds and `make dev`'s click rollup timed out. The local cloud hands moto's query the queried partition
alone (the items under that hash key, in range-key order: what moto's filter would have kept). Queries of
an index are left as moto runs them.

moto 5.2.1 also backs up, before each transaction, a deep copy of every table the transaction touches,
once per item of it: an order's transaction of ten items on a table of 50,000 items copied half a million
items, and an integration worker grew past 13 GB and was killed. The local cloud backs up only the items
the transaction names (it runs under the lock above, so nothing else writes meanwhile) and puts them back
when moto refuses the transaction; moto's own table copy is skipped.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

import moto.dynamodb.models as moto_dynamodb
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

WRITES = ("transact_write_items",)
_lock = threading.RLock()
_MARK = "__starling_atomic__"
_PARTITION_MARK = "__starling_partition__"
_INDEX_NAME_AT = 6  # Table.query's positional arguments after the hash key: ..., projection, index_name
_queried = threading.local()  # the table and hash key a base-table query on this thread reads


_in_transaction = threading.local()  # set while this thread runs a transaction: moto's table copy is skipped


class _TableCopyInTransaction:
    """Stands for the `copy` module inside moto's DynamoDB models: a table is not copied while a transaction
    runs (its touched items are backed up instead); everything else is copied as before."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table) and getattr(_in_transaction, "active", False):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_Slot = tuple[Table, DynamoType, DynamoType | None]


def _slots(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[_Slot]:
    """The table, hash key and range key of each item the transaction names."""
    slots = []
    for entry in transact_items:
        for op in entry.values():
            table = backend.tables.get(op.get("TableName", ""))
            key = op.get("Item") or op.get("Key")
            if table is None or not key or table.hash_key_attr not in key:
                continue
            range_key = key.get(table.range_key_attr) if table.range_key_attr else None
            slots.append(
                (table, DynamoType(key[table.hash_key_attr]), DynamoType(range_key) if range_key else None)
            )
    return slots


def _stored(slot: _Slot) -> Any:
    table, hash_key, range_key = slot
    partition = table.items.get(hash_key)
    if range_key is None or partition is None:
        return partition
    return partition.get(range_key)


def _restore(slot: _Slot, item: Any) -> None:
    table, hash_key, range_key = slot
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    partition = table.items.get(hash_key)
    if item is None:
        if partition is not None:
            partition.pop(range_key, None)
            if not partition:
                table.items.pop(hash_key, None)
        return
    table.items[hash_key][range_key] = item


def _atomic(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def atomic(self: DynamoDBBackend, transact_items: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        with _lock:
            slots = _slots(self, transact_items)
            backup = [(slot, copy.deepcopy(_stored(slot))) for slot in slots]
            _in_transaction.active = True
            try:
                return write(self, transact_items, *args, **kwargs)
            except Exception:
                for slot, item in reversed(backup):
                    _restore(slot, item)
                raise
            finally:
                _in_transaction.active = False

    setattr(atomic, _MARK, True)
    return atomic


def _partition_query(query: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(query)
    def partition_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[_INDEX_NAME_AT] if len(args) > _INDEX_NAME_AT else kwargs.get("index_name")
        if index_name or hash_key is None:
            return query(self, hash_key, *args, **kwargs)
        _queried.partition = (self, hash_key)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _queried.partition = None

    setattr(partition_query, _PARTITION_MARK, True)
    return partition_query


def _partition_items(all_items: Callable[[Table], list[Any]]) -> Callable[[Table], list[Any]]:
    @functools.wraps(all_items)
    def partition_items(self: Table) -> list[Any]:
        queried = getattr(_queried, "partition", None)
        if queried is None or queried[0] is not self:
            return all_items(self)
        stored = self.items.get(queried[1])
        if stored is None:
            return []
        if self.range_key_attr:
            return sorted(stored.values(), key=lambda item: item.range_key)
        return [stored]

    setattr(partition_items, _PARTITION_MARK, True)
    return partition_items


def install() -> None:
    """Make moto's DynamoDB transactions atomic and its base-table queries read one partition (once per
    process)."""
    for name in WRITES:
        write = getattr(DynamoDBBackend, name)
        if not getattr(write, _MARK, False):
            setattr(DynamoDBBackend, name, _atomic(write))
    if not isinstance(moto_dynamodb.copy, _TableCopyInTransaction):  # type: ignore[attr-defined]
        moto_dynamodb.copy = _TableCopyInTransaction()  # type: ignore[attr-defined,assignment]
    if not getattr(Table.query, _PARTITION_MARK, False):
        Table.query = _partition_query(Table.query)  # type: ignore[method-assign]
        Table.all_items = _partition_items(Table.all_items)  # type: ignore[method-assign,assignment]
