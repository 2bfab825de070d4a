"""The ledger's store on the local cloud: the deployed ledger and balances tables, on moto."""

from __future__ import annotations

import uuid

import pytest

from infra.local.cloud import LocalCloud
from starling.payouts.ledger import Ledger
from starling.payouts.ledger_store import DynamoLedgerStore


def dynamo_store(cloud: LocalCloud) -> DynamoLedgerStore:
    """A store with its own client, as each Lambda execution environment has."""
    return DynamoLedgerStore(
        ledger_table=cloud.physical_id("LedgerLedgerTable", "AWS::DynamoDB::Table"),
        balances_table=cloud.physical_id("LedgerBalancesTable", "AWS::DynamoDB::Table"),
        client=cloud.client("dynamodb"),
    )


@pytest.fixture()
def brand_id() -> str:
    """A brand of its own per test: accounts carry it, so tests never share a balance."""
    return f"b_{uuid.uuid4().hex[:12]}"


@pytest.fixture()
def dynamo_ledger(cloud: LocalCloud) -> Ledger:
    return Ledger(dynamo_store(cloud))
