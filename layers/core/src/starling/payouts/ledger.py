"""The ledger: double-entry and append-only, so it never lies about who is owed what.

Every money movement (an accrual, a payout, a reversal, a carry) is one ledger transaction whose id comes
from the business event (`commission#<id>#accrue`), with postings that sum to zero in each currency. A
transaction is written all at once or not at all (`LedgerStore.write`): the transaction item and one entry
per posting, each put only if new, and the balance of each account it touches moved by its postings.

- The same id posted again with the same postings is a no-op that returns the first transaction, so a
  retried step never counts twice; with other postings it is refused (`TxnConflict`).
- A partner account may go negative (a refund after payout); a payout must be covered: the partner's
  balance before it is at least what it takes (`NotCovered`), checked by the write's own condition.
- Platform-wide accounts (a brand's expense, a provider's clearing account) take a posting from nearly every
  transaction, so their entries and balances are spread over `PLATFORM_SHARDS` partitions chosen by the
  transaction id: no single item takes every write. A balance is the sum of its shards.

Sign convention: a partner account's balance is what the brand owes the partner. An accrual credits the
partner (+) against the brand's expense (-); a payout debits the partner (-) against the provider's
clearing account (+); a reversal debits the partner against the expense.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from starling.shared.clock import now
from starling.shared.errors import Conflict, Invalid, StarlingError
from starling.shared.money import is_currency

PLATFORM_SHARDS = 10
# One transaction writes 1 + 2 x postings items at most; DynamoDB takes 100 per TransactWriteItems.
MAX_POSTINGS = 40
_ACCOUNT_RE = re.compile(r"^(partner|brand|provider):[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]{1,64}){1,3}$")
_TXN_ID_RE = re.compile(r"^[A-Za-z0-9_#:.-]{1,200}$")


# Accounts
def partner_account(brand_id: str, partner_id: str) -> str:
    """What the brand owes the partner (positive) or the partner owes back (negative)."""
    return f"partner:{brand_id}:{partner_id}"


def brand_expense_account(brand_id: str) -> str:
    """The brand's partner-program expense: the other side of every accrual and reversal."""
    return f"brand:{brand_id}:expense"


def provider_clearing_account(brand_id: str, provider: str) -> str:
    """Money on its way out through a payment provider (`stripe`, `export`): the other side of a payout."""
    return f"provider:{brand_id}:{provider}:clearing"


def is_partner_account(account: str) -> bool:
    return account.startswith("partner:")


def account_brand(account: str) -> str:
    return account.split(":")[1]


def account_shards(account: str) -> list[str]:
    """The partitions an account's entries and balance live in: one for a partner, PLATFORM_SHARDS else."""
    return ["0"] if is_partner_account(account) else [str(n) for n in range(PLATFORM_SHARDS)]


def shard_for(account: str, txn_id: str) -> str:
    """The shard a transaction writes an account in: fixed by the transaction id, so a retry lands alike."""
    if is_partner_account(account):
        return "0"
    digest = hashlib.sha256(txn_id.encode()).digest()
    return str(int.from_bytes(digest[:4], "big") % PLATFORM_SHARDS)


def accrual_postings(brand_id: str, partner_id: str, amount: int, currency: str) -> list[Posting]:
    """The partner earned `amount`: the brand owes it, as an expense."""
    return [
        Posting(partner_account(brand_id, partner_id), amount, currency),
        Posting(brand_expense_account(brand_id), -amount, currency),
    ]


def reversal_postings(brand_id: str, partner_id: str, amount: int, currency: str) -> list[Posting]:
    """A refund takes back `amount` the partner earned (their balance may go negative)."""
    return [
        Posting(partner_account(brand_id, partner_id), -amount, currency),
        Posting(brand_expense_account(brand_id), amount, currency),
    ]


def payout_postings(
    brand_id: str, partner_id: str, provider: str, amount: int, currency: str
) -> list[Posting]:
    """`amount` paid to the partner through `provider` (post it with TxnKind.PAYOUT: it must be covered)."""
    return [
        Posting(partner_account(brand_id, partner_id), -amount, currency),
        Posting(provider_clearing_account(brand_id, provider), amount, currency),
    ]


# What a transaction is
class TxnKind(StrEnum):
    ACCRUAL = "accrual"
    PAYOUT = "payout"
    REVERSAL = "reversal"
    CARRY = "carry"


@dataclass(frozen=True)
class Posting:
    account: str
    amount: int  # signed, in the currency's minor units
    currency: str


@dataclass(frozen=True)
class TxnMeta:
    kind: TxnKind
    brand_id: str
    memo: str = ""


@dataclass(frozen=True)
class LedgerTxn:
    txn_id: str
    postings: tuple[Posting, ...]
    meta: TxnMeta
    posted_at: datetime

    def same_as(self, other: LedgerTxn) -> bool:
        """The same movement: the same postings (in any order), kind and brand."""
        return (
            sorted(self.postings, key=_posting_key) == sorted(other.postings, key=_posting_key)
            and self.meta.kind == other.meta.kind
            and self.meta.brand_id == other.meta.brand_id
        )

    def entries(self) -> list[Entry]:
        return [
            Entry(p.account, self.txn_id, i, p.amount, p.currency, self.meta.kind, self.posted_at)
            for i, p in enumerate(self.postings)
        ]

    def balance_changes(self) -> list[BalanceChange]:
        """One change per account, currency and shard; a payout's debits of partners must be covered."""
        deltas: dict[tuple[str, str, str], int] = defaultdict(int)
        for p in self.postings:
            deltas[(p.account, p.currency, shard_for(p.account, self.txn_id))] += p.amount
        return [
            BalanceChange(
                account,
                currency,
                shard,
                delta,
                covered=self.meta.kind is TxnKind.PAYOUT and is_partner_account(account) and delta < 0,
            )
            for (account, currency, shard), delta in sorted(deltas.items())
        ]


def _posting_key(p: Posting) -> tuple[str, str, int]:
    return (p.account, p.currency, p.amount)


@dataclass(frozen=True)
class Entry:
    """One posting as written: never edited; a mistake is undone by a new, reversing transaction."""

    account: str
    txn_id: str
    index: int
    amount: int
    currency: str
    kind: TxnKind
    posted_at: datetime


@dataclass(frozen=True)
class BalanceChange:
    account: str
    currency: str
    shard: str
    delta: int
    covered: bool  # the balance before must be at least -delta


@dataclass
class LedgerSnapshot:
    """Everything the ledger holds, for the invariants checker."""

    txns: dict[str, LedgerTxn] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    # (account, currency) -> the sum of its balance shards
    balances: dict[tuple[str, str], int] = field(default_factory=dict)


# Errors
class Unbalanced(Invalid):
    """The postings do not sum to zero in each currency (or are otherwise not a transaction)."""


class TxnConflict(Conflict):
    """The transaction id is taken by other postings."""

    code = "ledger_txn_conflict"


class NotCovered(Conflict):
    """A payout takes more than the partner's balance."""

    code = "insufficient_balance"


class TxnExists(StarlingError):
    """The store already holds a transaction with this id (the ledger then compares the two)."""


class Contended(StarlingError):
    """Another write to the same items won the race; the same write again may succeed."""


# The port
class LedgerStore(Protocol):
    def write(self, txn: LedgerTxn) -> None:
        """All or nothing: the transaction item and its entries, each only if new, and its balance
        changes (each `covered` one only if the balance covers it). Raises TxnExists, NotCovered or
        Contended."""
        ...

    def txn(self, txn_id: str) -> LedgerTxn | None: ...

    def balance(self, account: str, currency: str, shards: Sequence[str]) -> int:
        """The sum of the account's balance in these shards (0 where none was written)."""
        ...

    def entries(self, account: str, shards: Sequence[str]) -> list[Entry]: ...

    def snapshot(self) -> LedgerSnapshot: ...


def prepare(txn_id: str, postings: Iterable[Posting], meta: TxnMeta, posted_at: datetime) -> LedgerTxn:
    """A valid transaction, or Unbalanced saying what is wrong."""
    postings = tuple(postings)
    if not isinstance(txn_id, str) or not _TXN_ID_RE.match(txn_id):
        raise Unbalanced("A ledger transaction id is 1-200 letters, digits and _#:.-", {"txn_id": txn_id})
    if not 2 <= len(postings) <= MAX_POSTINGS:
        raise Unbalanced(f"A ledger transaction has 2 to {MAX_POSTINGS} postings.", {"txn_id": txn_id})
    sums: dict[str, int] = defaultdict(int)
    for p in postings:
        if not isinstance(p.account, str) or not _ACCOUNT_RE.match(p.account):
            raise Unbalanced("A posting's account is partner:, brand: or provider:<brand>:...", p.account)
        if account_brand(p.account) != meta.brand_id:
            raise Unbalanced("Every posting's account belongs to the transaction's brand.", p.account)
        if isinstance(p.amount, bool) or not isinstance(p.amount, int) or p.amount == 0:
            raise Unbalanced("A posting's amount is a nonzero integer of minor units.", p.account)
        if not is_currency(p.currency):
            raise Unbalanced("A posting's currency is an ISO 4217 code in use.", p.currency)
        sums[p.currency] += p.amount
    unbalanced = {currency: total for currency, total in sums.items() if total != 0}
    if unbalanced:
        raise Unbalanced(f"Ledger transaction {txn_id} does not sum to zero per currency.", unbalanced)
    return LedgerTxn(txn_id, postings, meta, posted_at)


class Ledger:
    """Post transactions, read balances and entries. The only writer of the ledger's tables."""

    RETRIES = 6

    def __init__(
        self,
        store: LedgerStore,
        clock: Callable[[], datetime] = now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._clock = clock
        self._sleep = sleep

    def post(self, txn_id: str, postings: Sequence[Posting], meta: TxnMeta) -> LedgerTxn:
        """Record the transaction once: the first one's record when this id was posted before with the
        same postings; TxnConflict when with others; NotCovered when a payout exceeds a balance."""
        txn = prepare(txn_id, postings, meta, self._clock())
        for attempt in range(self.RETRIES):
            try:
                self._store.write(txn)
                return txn
            except TxnExists:
                first = self._store.txn(txn_id)
                if first is None:  # pragma: no cover - a transaction item is never deleted
                    raise
                if not first.same_as(txn):
                    raise TxnConflict(
                        f"Ledger transaction {txn_id} was posted before with other postings.",
                        {"txn_id": txn_id},
                    ) from None
                return first
            except Contended:
                if attempt == self.RETRIES - 1:
                    raise
                self._sleep(0.02 * 2**attempt * (1 + random.random()))  # noqa: S311 - jitter, not a secret
        raise AssertionError("unreachable")  # pragma: no cover

    def balance(self, account: str, currency: str) -> int:
        return self._store.balance(account, currency, account_shards(account))

    def entries(self, account: str) -> list[Entry]:
        """The account's entries, oldest first."""
        found = self._store.entries(account, account_shards(account))
        return sorted(found, key=lambda e: (e.posted_at, e.txn_id, e.index))

    def snapshot(self) -> LedgerSnapshot:
        return self._store.snapshot()


def check_invariants(ledger: Ledger, before: LedgerSnapshot | None = None) -> list[str]:
    """What is wrong with the ledger (nothing: []). `before`, an earlier snapshot, checks that nothing
    posted then has changed or gone since."""
    snap = ledger.snapshot()
    wrong: list[str] = []
    by_txn: dict[str, list[Entry]] = defaultdict(list)
    for e in snap.entries:
        by_txn[e.txn_id].append(e)
    for txn_id, txn in snap.txns.items():
        sums: dict[str, int] = defaultdict(int)
        for p in txn.postings:
            sums[p.currency] += p.amount
        if any(sums.values()):
            wrong.append(f"{txn_id} does not sum to zero: {dict(sums)}")
        written = sorted(by_txn.pop(txn_id, []), key=lambda e: e.index)
        if written != txn.entries():
            wrong.append(f"{txn_id}: its entries differ from its postings")
    wrong.extend(f"entries of {t} belong to no transaction" for t in by_txn)
    summed: dict[tuple[str, str], int] = defaultdict(int)
    for e in snap.entries:
        summed[(e.account, e.currency)] += e.amount
    for key in sorted(set(summed) | set(snap.balances)):
        if summed.get(key, 0) != snap.balances.get(key, 0):
            wrong.append(f"balance of {key} is {snap.balances.get(key, 0)}, its entries sum to {summed[key]}")
    totals: dict[str, int] = defaultdict(int)
    for (_, currency), amount in snap.balances.items():
        totals[currency] += amount
    wrong.extend(f"balances in {c} sum to {t}, not 0" for c, t in totals.items() if t)
    if before is not None:
        now_entries = set(snap.entries)
        wrong.extend(f"{t} changed or vanished" for t, x in before.txns.items() if snap.txns.get(t) != x)
        wrong.extend(f"entry {e.txn_id}/{e.index} was edited" for e in before.entries if e not in now_entries)
    return wrong
