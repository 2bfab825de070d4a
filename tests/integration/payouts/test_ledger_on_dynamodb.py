"""The ledger's one TransactWriteItems on moto: its conditions hold against writes at the same moment. Each
thread has its own store and client, as two Lambda execution environments would."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from infra.local.cloud import LocalCloud
from starling.payouts.ledger import (
    Ledger,
    LedgerTxn,
    NotCovered,
    TxnKind,
    TxnMeta,
    accrual_postings,
    check_invariants,
    partner_account,
    payout_postings,
)
from tests.integration.payouts.conftest import dynamo_store


def test_twenty_posts_of_one_transaction_at_once_record_it_once(cloud: LocalCloud, brand_id: str) -> None:
    # Given twenty workers holding the same accrual
    postings = accrual_postings(brand_id, "p_maya", 1500, "USD")
    meta = TxnMeta(TxnKind.ACCRUAL, brand_id)
    before = Ledger(dynamo_store(cloud)).snapshot()

    def post(_: int) -> LedgerTxn:
        return Ledger(dynamo_store(cloud)).post(f"commission#{brand_id}#accrue", postings, meta)

    # When they all post it at the same moment
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, range(20)))
    # Then every one got the same first record, and the money moved once
    assert len(set(answers)) == 1
    ledger = Ledger(dynamo_store(cloud))
    assert ledger.balance(partner_account(brand_id, "p_maya"), "USD") == 1500
    assert len(ledger.entries(partner_account(brand_id, "p_maya"))) == 1
    assert check_invariants(ledger, before) == []


def test_two_payouts_racing_for_one_balance_pay_it_once(cloud: LocalCloud, brand_id: str) -> None:
    # Given a partner owed $10.00, and ten statements at once each trying to pay the whole of it
    Ledger(dynamo_store(cloud)).post(
        f"commission#{brand_id}#accrue", accrual_postings(brand_id, "p_maya", 1000, "USD"),
        TxnMeta(TxnKind.ACCRUAL, brand_id),
    )  # fmt: skip

    def pay(n: int) -> str:
        try:
            Ledger(dynamo_store(cloud)).post(
                f"statement#{brand_id}{n}#pay", payout_postings(brand_id, "p_maya", "stripe", 1000, "USD"),
                TxnMeta(TxnKind.PAYOUT, brand_id),
            )  # fmt: skip
        except NotCovered:
            return "refused"
        return "paid"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = sorted(pool.map(pay, range(10)))
    # Then the balance's condition let exactly one through
    assert outcomes == ["paid"] + ["refused"] * 9
    assert Ledger(dynamo_store(cloud)).balance(partner_account(brand_id, "p_maya"), "USD") == 0


def test_an_entry_put_again_is_refused_by_its_condition(cloud: LocalCloud, brand_id: str) -> None:
    # Given a posted accrual
    store = dynamo_store(cloud)
    txn = Ledger(store).post(
        f"commission#{brand_id}#accrue", accrual_postings(brand_id, "p_maya", 700, "USD"),
        TxnMeta(TxnKind.ACCRUAL, brand_id),
    )  # fmt: skip
    # When a writer puts its partner entry again with another amount, as the ledger puts (only if new)
    key = {"pk": {"S": f"ACCT#{partner_account(brand_id, 'p_maya')}#0"}, "sk": {"S": f"{txn.txn_id}#000"}}
    item = cloud.client("dynamodb").get_item(TableName=store.ledger_table, Key=key)["Item"]
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        cloud.client("dynamodb").put_item(
            TableName=store.ledger_table, Item={**item, "amount": {"N": "1"}},
            ConditionExpression="attribute_not_exists(pk)",
        )  # fmt: skip
    # Then the entry is as posted
    assert [e.amount for e in Ledger(store).entries(partner_account(brand_id, "p_maya"))] == [700]
