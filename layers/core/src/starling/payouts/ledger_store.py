"""The ledger in DynamoDB: two tables, so that the ledger itself is put-only.

- The ledger table holds the transaction items (pk `TXN#<txn id>`, sk `TXN`) and the entries (pk
  `ACCT#<account>#<shard>`, sk `<txn id>#<index>`). It is only ever written by `PutItem` under
  `attribute_not_exists(pk)`, inside the transaction's one `TransactWriteItems`; no role may update or
  delete in it (infra/constructs/payouts/ledger.py, asserted by tests/infra/payouts).
- The balances table holds one item per account, currency and shard (pk `<account>#<shard>`, sk
  `<currency>`), moved by `ADD` in the same `TransactWriteItems`. A payout's debit carries the condition
  `balance >= :taken`.

It speaks to DynamoDB with boto3's client, not PynamoDB: the transaction's items and conditions read here
exactly as DynamoDB gets them, and the table names are properties of the store (PynamoDB fixes one table
per model class at import).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from starling.payouts.environment import PayoutsEnvironment
from starling.payouts.ledger import (
    Contended,
    Entry,
    LedgerSnapshot,
    LedgerTxn,
    NotCovered,
    Posting,
    TxnExists,
    TxnKind,
    TxnMeta,
)
from starling.shared.settings import get_settings


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("dynamodb", region_name=get_settings().region)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _txn_item(txn: LedgerTxn) -> dict[str, Any]:
    return {
        "pk": _s(f"TXN#{txn.txn_id}"),
        "sk": _s("TXN"),
        "txn_id": _s(txn.txn_id),
        "kind": _s(txn.meta.kind.value),
        "brand_id": _s(txn.meta.brand_id),
        "memo": _s(txn.meta.memo),
        "posted_at": _s(txn.posted_at.isoformat()),
        "postings": {
            "L": [
                {"M": {"account": _s(p.account), "amount": _n(p.amount), "currency": _s(p.currency)}}
                for p in txn.postings
            ]
        },
    }


def _txn(item: dict[str, Any]) -> LedgerTxn:
    postings = tuple(
        Posting(p["M"]["account"]["S"], int(p["M"]["amount"]["N"]), p["M"]["currency"]["S"])
        for p in item["postings"]["L"]
    )
    meta = TxnMeta(TxnKind(item["kind"]["S"]), item["brand_id"]["S"], item["memo"]["S"])
    return LedgerTxn(item["txn_id"]["S"], postings, meta, datetime.fromisoformat(item["posted_at"]["S"]))


def _entry_item(e: Entry, shard: str) -> dict[str, Any]:
    return {
        "pk": _s(f"ACCT#{e.account}#{shard}"),
        "sk": _s(f"{e.txn_id}#{e.index:03d}"),
        "account": _s(e.account),
        "txn_id": _s(e.txn_id),
        "index": _n(e.index),
        "amount": _n(e.amount),
        "currency": _s(e.currency),
        "kind": _s(e.kind.value),
        "posted_at": _s(e.posted_at.isoformat()),
    }


def _entry(item: dict[str, Any]) -> Entry:
    return Entry(
        item["account"]["S"], item["txn_id"]["S"], int(item["index"]["N"]), int(item["amount"]["N"]),
        item["currency"]["S"], TxnKind(item["kind"]["S"]), datetime.fromisoformat(item["posted_at"]["S"]),
    )  # fmt: skip


class DynamoLedgerStore:
    """The `LedgerStore` port (starling.payouts.ledger) on the ledger and ledger-balances tables (by
    default those of LEDGER_TABLE_NAME and LEDGER_BALANCES_TABLE_NAME)."""

    def __init__(
        self, ledger_table: str | None = None, balances_table: str | None = None, client: Any = None
    ) -> None:
        if ledger_table is None or balances_table is None:
            env = PayoutsEnvironment.read().require("ledger_table", "ledger_balances_table")
            ledger_table, balances_table = env.ledger_table, env.ledger_balances_table
        self.ledger_table = ledger_table
        self.balances_table = balances_table
        self._client = client or _client()

    def write(self, txn: LedgerTxn) -> None:
        shards = {c.account: c.shard for c in txn.balance_changes()}
        new = "attribute_not_exists(pk)"
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": self.ledger_table, "Item": _txn_item(txn), "ConditionExpression": new}}
        ]
        items += [
            {
                "Put": {
                    "TableName": self.ledger_table,
                    "Item": _entry_item(e, shards[e.account]),
                    "ConditionExpression": new,
                }
            }
            for e in txn.entries()
        ]
        changes = txn.balance_changes()
        for c in changes:
            update: dict[str, Any] = {
                "TableName": self.balances_table,
                "Key": {"pk": _s(f"{c.account}#{c.shard}"), "sk": _s(c.currency)},
                "UpdateExpression": "ADD balance :delta SET account = :account, currency = :currency",
                "ExpressionAttributeValues": {
                    ":delta": _n(c.delta),
                    ":account": _s(c.account),
                    ":currency": _s(c.currency),
                },
            }
            if c.covered:
                update["ConditionExpression"] = "balance >= :taken"
                update["ExpressionAttributeValues"][":taken"] = _n(-c.delta)
            items.append({"Update": update})
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise TxnExists(txn.txn_id) from exc
            if "TransactionConflict" in reasons:
                raise Contended(txn.txn_id) from exc
            first_balance = 1 + len(txn.postings)
            short = [
                c.account
                for c, r in zip(changes, reasons[first_balance:], strict=True)
                if r == "ConditionalCheckFailed"
            ]
            if short:
                raise NotCovered(
                    "The partner's balance does not cover this payout.", {"accounts": short}
                ) from exc
            raise

    def txn(self, txn_id: str) -> LedgerTxn | None:
        found = self._client.get_item(
            TableName=self.ledger_table,
            Key={"pk": _s(f"TXN#{txn_id}"), "sk": _s("TXN")},
            ConsistentRead=True,
        )
        return _txn(found["Item"]) if "Item" in found else None

    def balance(self, account: str, currency: str, shards: Sequence[str]) -> int:
        keys = [{"pk": _s(f"{account}#{shard}"), "sk": _s(currency)} for shard in shards]
        total = 0
        while keys:
            request = {self.balances_table: {"Keys": keys, "ConsistentRead": True}}
            answer = self._client.batch_get_item(RequestItems=request)
            total += sum(int(i["balance"]["N"]) for i in answer["Responses"].get(self.balances_table, []))
            keys = answer.get("UnprocessedKeys", {}).get(self.balances_table, {}).get("Keys", [])
        return total

    def entries(self, account: str, shards: Sequence[str]) -> list[Entry]:
        found: list[Entry] = []
        for shard in shards:
            pages = self._pages(
                "query",
                TableName=self.ledger_table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _s(f"ACCT#{account}#{shard}")},
                ConsistentRead=True,
            )
            found.extend(_entry(i) for i in pages)
        return found

    def snapshot(self) -> LedgerSnapshot:
        snap = LedgerSnapshot()
        for item in self._pages("scan", TableName=self.ledger_table, ConsistentRead=True):
            if item["sk"]["S"] == "TXN":
                txn = _txn(item)
                snap.txns[txn.txn_id] = txn
            else:
                snap.entries.append(_entry(item))
        for item in self._pages("scan", TableName=self.balances_table, ConsistentRead=True):
            key = (item["account"]["S"], item["currency"]["S"])
            snap.balances[key] = snap.balances.get(key, 0) + int(item["balance"]["N"])
        return snap

    def _pages(self, operation: str, **request: Any) -> Iterator[dict[str, Any]]:
        for page in self._client.get_paginator(operation).paginate(**request):
            yield from page["Items"]
