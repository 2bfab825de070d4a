"""Payouts on the local cloud: the deployed ledger and balances tables on moto; partners with contracts
recorded as signed elsewhere, orders of last month recorded over HTTP, and the real monthly-payout state
machine."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import stripe

from infra.local.cloud import LocalCloud
from starling.payouts.ledger import Ledger
from starling.payouts.ledger_store import DynamoLedgerStore
from starling.shared.keys import brand_pk
from tests.integration.contracts.conftest import wait_for
from tests.integration.conversions.conftest import iso, partner, record
from tests.support import ApiClient

TERMS = {"currency": "USD", "cpa_percent": "10", "lock_days": 0, "attribution_window_days": 90}


def last_month() -> str:
    first = datetime.now(UTC).date().replace(day=1)
    previous = first - timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def mid_last_month() -> str:
    year, month = (int(x) for x in last_month().split("-"))
    return iso(datetime(year, month, 10, 12, 0, tzinfo=UTC))


def earning_partner(api: ApiClient, key: str, amount: int = 12000, **terms: Any) -> dict[str, Any]:
    """A partner whose coupon brought one order of `amount` last month (10% commission, no lock)."""
    code = f"C{uuid.uuid4().hex[:8].upper()}"
    found = partner(api, key, {**TERMS, **terms}, coupon_codes=[code], signed_on="2026-01-01")
    body = {"order_id": f"o-{uuid.uuid4().hex[:12]}", "amount": amount, "currency": "USD",
            "coupon_code": code, "occurred_at": mid_last_month()}  # fmt: skip
    record(api, key, body)
    return found


def start(api: ApiClient, key: str, period: str | None = None, status: int = 201) -> dict[str, Any]:
    answer = api.call("POST", "/v1/payout-runs", key, {"period": period or last_month()})
    assert answer.status == status, answer.text
    return dict(answer.body)


def run(api: ApiClient, key: str, run_id: str) -> dict[str, Any]:
    answer = api.call("GET", f"/v1/payout-runs/{run_id}", key)
    assert answer.status == 200, answer.text
    return dict(answer.body)


def until(api: ApiClient, key: str, run_id: str, *statuses: str, timeout: float = 60) -> dict[str, Any]:
    return dict(wait_for(lambda: (r := run(api, key, run_id))["status"] in statuses and r, timeout))


def state_machine_arn(cloud: LocalCloud) -> str:
    return cloud.physical_id("PayoutsMonthlyPayout", "AWS::StepFunctions::StateMachine")


def execution(cloud: LocalCloud, name: str) -> dict[str, Any]:
    arn = state_machine_arn(cloud).replace(":stateMachine:", ":execution:") + f":{name}"
    return dict(cloud.client("stepfunctions").describe_execution(executionArn=arn))


def finished(cloud: LocalCloud, name: str, timeout: float = 60) -> dict[str, Any]:
    return dict(wait_for(lambda: (e := execution(cloud, name))["status"] != "RUNNING" and e, timeout))


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


def stripe_account(cloud: LocalCloud) -> str:
    """A connected account on the local Stripe-compatible server, through the real SDK."""
    client = stripe.StripeClient(
        "sk_test_local", base_addresses={"api": cloud.stripe_url}, max_network_retries=0
    )
    created = client.v1.accounts.create({"type": "express", "country": "FR", "email": "maya@example.com"})
    return str(created.id)


def give_payout_method(cloud: LocalCloud, brand_id: str, partner_id: str, kind: str, reference: str) -> None:
    """What the partner's payout step in onboarding stores (the onboarding item's `payout`)."""
    cloud.client("dynamodb").put_item(
        TableName=cloud.physical_id("DataCoreTable", "AWS::DynamoDB::Table"),
        Item={"pk": {"S": brand_pk(brand_id)}, "sk": {"S": f"ONBOARDING#{partner_id}"},
              "partner_id": {"S": partner_id}, "status": {"S": "active"},
              "payout": {"S": json.dumps({"kind": kind, "reference": reference})}},
    )  # fmt: skip


def stripe_paid(cloud: LocalCloud) -> dict[str, Any]:
    """What the local Stripe server has transferred, in all (`transfers`, `transferred` per currency)."""
    return dict(requests.get(f"{cloud.stripe_url}/_control/summary", timeout=10).json())
