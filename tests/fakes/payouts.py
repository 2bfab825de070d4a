"""In-memory ledger store: the same all-or-nothing write and conditions as DynamoLedgerStore, under a lock
(checked by tests/integration/payouts/test_ledger_store_contract.py)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from starling.payouts.ledger import Entry, LedgerSnapshot, LedgerTxn, NotCovered, TxnExists


class InMemoryLedgerStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.txns: dict[str, LedgerTxn] = {}
        self.entries_by_key: dict[tuple[str, str, str, int], Entry] = {}  # (account, shard, txn, index)
        self.balances: dict[tuple[str, str, str], int] = {}  # (account, shard, currency)

    def write(self, txn: LedgerTxn) -> None:
        changes = txn.balance_changes()
        shards = {c.account: c.shard for c in changes}
        with self._lock:
            if txn.txn_id in self.txns:
                raise TxnExists(txn.txn_id)
            short = [
                c.account
                for c in changes
                if c.covered and self.balances.get((c.account, c.shard, c.currency), 0) < -c.delta
            ]
            if short:
                raise NotCovered("The partner's balance does not cover this payout.", {"accounts": short})
            self.txns[txn.txn_id] = txn
            for e in txn.entries():
                self.entries_by_key[(e.account, shards[e.account], e.txn_id, e.index)] = e
            for c in changes:
                key = (c.account, c.shard, c.currency)
                self.balances[key] = self.balances.get(key, 0) + c.delta

    def txn(self, txn_id: str) -> LedgerTxn | None:
        return self.txns.get(txn_id)

    def balance(self, account: str, currency: str, shards: Sequence[str]) -> int:
        return sum(self.balances.get((account, shard, currency), 0) for shard in shards)

    def entries(self, account: str, shards: Sequence[str]) -> list[Entry]:
        return [e for (a, shard, _, _), e in self.entries_by_key.items() if a == account and shard in shards]

    def snapshot(self) -> LedgerSnapshot:
        snap = LedgerSnapshot(dict(self.txns), list(self.entries_by_key.values()))
        for (account, _, currency), amount in self.balances.items():
            snap.balances[(account, currency)] = snap.balances.get((account, currency), 0) + amount
        return snap
