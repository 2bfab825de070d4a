"""The ledger, in process: transactions posted per second to the in-memory store and to the DynamoDB store
on moto (each one TransactWriteItems of 5 items), side by side; how the writes of a month spread over items
(the hottest item's share, platform accounts sharded vs what one balance item would take); and the
invariants checker's time over the whole ledger. CPU time (`time.process_time`) with the wall clock beside.

    uv run --frozen python -m bench.ledger   # prints the figures, leaves the docs alone
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

from bench.local import use_fake_aws_env

use_fake_aws_env()

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from starling.payouts.ledger import (  # noqa: E402
    Ledger,
    LedgerTxn,
    TxnKind,
    TxnMeta,
    accrual_postings,
    check_invariants,
    prepare,
    shard_for,
)
from starling.payouts.ledger_store import DynamoLedgerStore  # noqa: E402
from tests.fakes.payouts import InMemoryLedgerStore  # noqa: E402

BRAND = "b_bench"
PARTNERS, ACCRUALS = 2_000, 10  # 20,000 accruals for the spread (the shares do not depend on the count)
POSTS = 300  # transactions timed per store
MONTH_START = datetime(2026, 12, 1, tzinfo=UTC)


def _create(client: object, name: str) -> None:
    client.create_table(  # type: ignore[attr-defined]
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
    )  # fmt: skip


def _post_all(ledger: Ledger, count: int) -> tuple[float, float]:
    meta = TxnMeta(TxnKind.ACCRUAL, BRAND)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(count):
        ledger.post(
            f"commission#c{n}#accrue", accrual_postings(BRAND, f"p{n % PARTNERS}", 100 + n, "USD"), meta
        )
    return count / (time.process_time() - cpu), count / (time.perf_counter() - wall)


def _hottest_share(sharded: bool) -> float:
    """The share of a month's item writes that its most written item takes."""
    writes: Counter[str] = Counter()
    meta = TxnMeta(TxnKind.ACCRUAL, BRAND)
    for n in range(PARTNERS * ACCRUALS):
        postings = accrual_postings(BRAND, f"p{n % PARTNERS}", 1, "USD")
        txn: LedgerTxn = prepare(f"commission#c{n}#accrue", postings, meta, MONTH_START)
        for change in txn.balance_changes():
            shard = change.shard if sharded else "0"
            writes[f"{change.account}#{shard}"] += 1
    return max(writes.values()) / sum(writes.values())


def main() -> None:
    memory = Ledger(InMemoryLedgerStore())
    memory_cpu, memory_wall = _post_all(memory, POSTS)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create(client, "ledger")
        _create(client, "balances")
        dynamo = Ledger(DynamoLedgerStore("ledger", "balances", client))
        dynamo_cpu, dynamo_wall = _post_all(dynamo, POSTS)
        started = time.perf_counter()
        assert check_invariants(dynamo) == []
        check_seconds = time.perf_counter() - started
    shard_spread = {shard_for("brand:b_bench:expense", f"commission#c{n}#accrue") for n in range(1000)}
    rows = [
        ("posts/s, in-memory store (CPU; wall)", f"{memory_cpu:,.0f}; {memory_wall:,.0f}"),
        ("posts/s, DynamoDB store on moto in process (CPU; wall)", f"{dynamo_cpu:,.0f}; {dynamo_wall:,.0f}"),
        ("moto / in-memory (wall)", f"{dynamo_wall / memory_wall:.3f}"),
        (f"check_invariants over {POSTS:,} txns on moto, seconds", f"{check_seconds:.2f}"),
        ("shards used by the expense account over 1,000 txns", str(len(shard_spread))),
    ]
    print(f"{'figure':58} {'measured':>22}")
    for figure, measured in rows:
        print(f"{figure:58} {measured:>22}")
    for sharded in (False, True):
        label = f"hottest balance item's share of a month's writes, {'sharded' if sharded else 'one item'}"
        print(f"{label:58} {_hottest_share(sharded):>22.3f}")


if __name__ == "__main__":
    main()
