"""The `LedgerStore` port's contract, run against the in-memory fake and the DynamoDB store on moto alike:
what a ledger transaction writes, what it refuses, and that a refused one writes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from starling.payouts.ledger import (
    Ledger,
    NotCovered,
    TxnConflict,
    TxnKind,
    TxnMeta,
    accrual_postings,
    brand_expense_account,
    check_invariants,
    partner_account,
    payout_postings,
    provider_clearing_account,
    reversal_postings,
)
from tests.fakes.payouts import InMemoryLedgerStore
from tests.integration.contract_backends import BACKENDS
from tests.integration.payouts.conftest import dynamo_store


@pytest.fixture(params=BACKENDS)
def ledger(request: pytest.FixtureRequest) -> Iterator[Ledger]:
    if request.param == "in_memory":
        yield Ledger(InMemoryLedgerStore())
    else:
        yield Ledger(dynamo_store(request.getfixturevalue("cloud")))


def test_a_month_of_accruals_a_payout_and_a_refund_after_it(ledger: Ledger, brand_id: str) -> None:
    accrual, payout, reversal = (
        TxnMeta(k, brand_id) for k in (TxnKind.ACCRUAL, TxnKind.PAYOUT, TxnKind.REVERSAL)
    )
    maya, expense = partner_account(brand_id, "p_maya"), brand_expense_account(brand_id)
    before = ledger.snapshot()
    # Given two commissions accrued, in two currencies
    ledger.post(f"commission#{brand_id}1#accrue", accrual_postings(brand_id, "p_maya", 1200, "USD"), accrual)
    ledger.post(f"commission#{brand_id}2#accrue", accrual_postings(brand_id, "p_maya", 900, "EUR"), accrual)
    # When the USD is paid, then a refund reverses part of it
    ledger.post(
        f"statement#{brand_id}#pay", payout_postings(brand_id, "p_maya", "stripe", 1200, "USD"), payout
    )
    ledger.post(
        f"commission#{brand_id}1#reverse", reversal_postings(brand_id, "p_maya", 300, "USD"), reversal
    )
    # Then the partner owes 3.00 USD and is owed 9.00 EUR, and the other accounts mirror it
    assert ledger.balance(maya, "USD") == -300
    assert ledger.balance(maya, "EUR") == 900
    assert ledger.balance(expense, "USD") == -900
    assert ledger.balance(provider_clearing_account(brand_id, "stripe"), "USD") == 1200
    assert [(e.amount, e.kind) for e in ledger.entries(maya) if e.currency == "USD"] == [
        (1200, TxnKind.ACCRUAL), (-1200, TxnKind.PAYOUT), (-300, TxnKind.REVERSAL),
    ]  # fmt: skip
    assert len(ledger.entries(expense)) == 3
    assert check_invariants(ledger, before) == []


def test_a_refused_transaction_writes_nothing(ledger: Ledger, brand_id: str) -> None:
    accrual, payout = TxnMeta(TxnKind.ACCRUAL, brand_id), TxnMeta(TxnKind.PAYOUT, brand_id)
    maya = partner_account(brand_id, "p_maya")
    first = ledger.post(
        f"commission#{brand_id}#accrue", accrual_postings(brand_id, "p_maya", 500, "USD"), accrual
    )
    # When a payout exceeds the balance, and the accrual's id comes back with another amount
    with pytest.raises(NotCovered):
        ledger.post(
            f"statement#{brand_id}#pay", payout_postings(brand_id, "p_maya", "stripe", 501, "USD"), payout
        )
    with pytest.raises(TxnConflict):
        ledger.post(
            f"commission#{brand_id}#accrue", accrual_postings(brand_id, "p_maya", 600, "USD"), accrual
        )
    # Then neither left a trace, and the accrual's id still answers with the first
    assert ledger.balance(maya, "USD") == 500
    assert [e.txn_id for e in ledger.entries(maya)] == [first.txn_id]
    assert f"statement#{brand_id}#pay" not in ledger.snapshot().txns
    assert ledger.post(first.txn_id, list(first.postings), accrual) == first
