"""The ledger's rules without AWS (the in-memory store): what it refuses, what a repeat does, and, over
random sequences of accruals, payouts and reversals (hypothesis), that its invariants always hold."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starling.payouts.ledger import (
    PLATFORM_SHARDS,
    Ledger,
    NotCovered,
    Posting,
    TxnConflict,
    TxnKind,
    TxnMeta,
    Unbalanced,
    accrual_postings,
    brand_expense_account,
    check_invariants,
    partner_account,
    payout_postings,
    reversal_postings,
    shard_for,
)
from tests.fakes.payouts import InMemoryLedgerStore

BRAND = "b_1"
ACCRUAL = TxnMeta(TxnKind.ACCRUAL, BRAND)
PAYOUT = TxnMeta(TxnKind.PAYOUT, BRAND)
REVERSAL = TxnMeta(TxnKind.REVERSAL, BRAND)


def ledger() -> Ledger:
    return Ledger(InMemoryLedgerStore(), sleep=lambda _: None)


def test_an_accrual_credits_the_partner_against_the_brands_expense() -> None:
    # Given a ledger
    book = ledger()
    # When a commission of $12.00 accrues
    book.post("commission#c1#accrue", accrual_postings(BRAND, "p1", 1200, "USD"), ACCRUAL)
    # Then the partner is owed it, the expense shows it, and every invariant holds
    assert book.balance(partner_account(BRAND, "p1"), "USD") == 1200
    assert book.balance(brand_expense_account(BRAND), "USD") == -1200
    assert [e.amount for e in book.entries(partner_account(BRAND, "p1"))] == [1200]
    assert check_invariants(book) == []


@pytest.mark.parametrize(
    "postings",
    [
        [
            Posting(partner_account(BRAND, "p1"), 100, "USD"),
            Posting(brand_expense_account(BRAND), -99, "USD"),
        ],
        [
            Posting(partner_account(BRAND, "p1"), 100, "USD"),
            Posting(brand_expense_account(BRAND), -100, "EUR"),
        ],
        [Posting(partner_account(BRAND, "p1"), 100, "USD")],
        [Posting(partner_account(BRAND, "p1"), 0, "USD"), Posting(brand_expense_account(BRAND), 0, "USD")],
        [
            Posting(partner_account("b_2", "p1"), 100, "USD"),
            Posting(brand_expense_account(BRAND), -100, "USD"),
        ],
        [Posting("savings", 100, "USD"), Posting(brand_expense_account(BRAND), -100, "USD")],
        [
            Posting(partner_account(BRAND, "p1"), 100, "ZZZ"),
            Posting(brand_expense_account(BRAND), -100, "ZZZ"),
        ],
    ],
    ids=["short", "two-currencies", "one-posting", "zero", "other-brand", "unknown-account", "bad-currency"],
)
def test_a_transaction_that_is_not_balanced_double_entry_is_refused_and_nothing_is_written(
    postings: list[Posting],
) -> None:
    book = ledger()
    with pytest.raises(Unbalanced):
        book.post("commission#c1#accrue", postings, ACCRUAL)
    assert book.snapshot().txns == {} and book.snapshot().entries == []


def test_the_same_transaction_again_is_a_no_op_that_returns_the_first() -> None:
    book = ledger()
    first = book.post("commission#c1#accrue", accrual_postings(BRAND, "p1", 1200, "USD"), ACCRUAL)
    again = book.post(
        "commission#c1#accrue", list(reversed(accrual_postings(BRAND, "p1", 1200, "USD"))), ACCRUAL
    )
    assert again == first
    assert book.balance(partner_account(BRAND, "p1"), "USD") == 1200
    assert len(book.snapshot().entries) == 2


def test_the_same_transaction_id_with_other_postings_is_refused() -> None:
    book = ledger()
    book.post("commission#c1#accrue", accrual_postings(BRAND, "p1", 1200, "USD"), ACCRUAL)
    with pytest.raises(TxnConflict, match="other postings"):
        book.post("commission#c1#accrue", accrual_postings(BRAND, "p1", 1300, "USD"), ACCRUAL)
    with pytest.raises(TxnConflict):
        book.post("commission#c1#accrue", reversal_postings(BRAND, "p1", 1200, "USD"), ACCRUAL)
    assert book.balance(partner_account(BRAND, "p1"), "USD") == 1200


def test_a_payout_must_be_covered_but_a_reversal_may_take_the_partner_below_zero() -> None:
    book = ledger()
    book.post("commission#c1#accrue", accrual_postings(BRAND, "p1", 1000, "USD"), ACCRUAL)
    with pytest.raises(NotCovered):
        book.post("statement#s1#pay", payout_postings(BRAND, "p1", "stripe", 1001, "USD"), PAYOUT)
    book.post("statement#s1#pay", payout_postings(BRAND, "p1", "stripe", 1000, "USD"), PAYOUT)
    book.post("commission#c1#reverse", reversal_postings(BRAND, "p1", 400, "USD"), REVERSAL)
    assert book.balance(partner_account(BRAND, "p1"), "USD") == -400
    with pytest.raises(NotCovered):
        book.post("statement#s2#pay", payout_postings(BRAND, "p1", "stripe", 1, "USD"), PAYOUT)
    assert check_invariants(book) == []


def test_platform_accounts_spread_over_shards_and_their_balance_is_the_sum() -> None:
    book = ledger()
    for n in range(60):
        book.post(f"commission#c{n}#accrue", accrual_postings(BRAND, f"p{n}", 100, "USD"), ACCRUAL)
    used = {shard_for(brand_expense_account(BRAND), f"commission#c{n}#accrue") for n in range(60)}
    assert len(used) == PLATFORM_SHARDS
    assert book.balance(brand_expense_account(BRAND), "USD") == -6000
    assert len(book.entries(brand_expense_account(BRAND))) == 60


def test_the_checker_sees_an_edited_entry_and_a_balance_that_drifted() -> None:
    # Given a ledger whose store someone tampered with (which IAM forbids on AWS)
    book = ledger()
    store = book._store
    assert isinstance(store, InMemoryLedgerStore)
    book.post("commission#c1#accrue", accrual_postings(BRAND, "p1", 1200, "USD"), ACCRUAL)
    before = book.snapshot()
    key = next(k for k in store.entries_by_key if k[0] == partner_account(BRAND, "p1"))
    entry = store.entries_by_key[key]
    store.entries_by_key[key] = type(entry)(**{**vars(entry), "amount": 1})
    store.balances[(partner_account(BRAND, "p1"), "0", "USD")] += 5
    # Then the checker names each fault
    wrong = check_invariants(book, before)
    assert any("entries differ" in w for w in wrong)
    assert any("was edited" in w for w in wrong)
    assert any("balance of" in w for w in wrong)
    assert any("sum to 5" in w for w in wrong)


operations = st.lists(
    st.tuples(
        st.sampled_from(["accrue", "pay", "reverse", "repeat", "conflict"]),
        st.integers(min_value=0, max_value=3),  # partner
        st.integers(min_value=1, max_value=50_000),
        st.sampled_from(["USD", "EUR"]),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_any_sequence_of_accruals_payouts_and_reversals_keeps_the_ledger_balanced(ops: list) -> None:  # type: ignore[type-arg]
    book = ledger()
    owed: dict[tuple[str, str], int] = defaultdict(int)  # an independent count of what each partner is owed
    posted: list[tuple[str, list[Posting], TxnMeta]] = []
    before = book.snapshot()
    for n, (op, p, amount, currency) in enumerate(ops):
        partner = f"p{p}"
        txn_id = f"event#{n}#{op}"
        if op == "accrue":
            postings, meta = accrual_postings(BRAND, partner, amount, currency), ACCRUAL
            owed[(partner, currency)] += amount
        elif op == "reverse":
            postings, meta = reversal_postings(BRAND, partner, amount, currency), REVERSAL
            owed[(partner, currency)] -= amount
        elif op == "pay":
            postings, meta = payout_postings(BRAND, partner, "stripe", amount, currency), PAYOUT
            if owed[(partner, currency)] < amount:
                with pytest.raises(NotCovered):
                    book.post(txn_id, postings, meta)
                continue
            owed[(partner, currency)] -= amount
        elif not posted:
            continue
        elif op == "repeat":
            first = book.post(*posted[amount % len(posted)])
            assert first.txn_id == posted[amount % len(posted)][0]
            continue
        else:
            txn_id, postings, meta = posted[amount % len(posted)]
            changed = [Posting(q.account, q.amount * 2, q.currency) for q in postings]
            with pytest.raises(TxnConflict):
                book.post(txn_id, changed, meta)
            continue
        book.post(txn_id, postings, meta)
        posted.append((txn_id, postings, meta))
        assert check_invariants(book, before) == []
        before = book.snapshot()
    for (partner, currency), amount in owed.items():
        assert book.balance(partner_account(BRAND, partner), currency) == amount
    assert check_invariants(book, before) == []
