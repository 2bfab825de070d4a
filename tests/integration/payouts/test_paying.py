"""Paying a run's approved statements on the local cloud: the real monthly-payout state machine, the real
`stripe` SDK and the local Stripe-compatible server told to fail the way Stripe does. After each, the
ledger balances and what Stripe transferred is what the ledger paid out."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from infra.local.cloud import LocalCloud
from starling.payouts.ledger import Ledger, check_invariants, partner_account, provider_clearing_account
from tests.integration.contracts.portal_support import emails_to
from tests.integration.conversions.conftest import key_with_role
from tests.integration.payouts.conftest import (
    earning_partner,
    finished,
    give_payout_method,
    run,
    start,
    stripe_account,
    stripe_paid,
    until,
)
from tests.support import ApiClient


def _mode(cloud: LocalCloud, account: str, mode: str, times: int | None = None) -> None:
    body: dict[str, Any] = {"mode": mode, **({"times": times} if times else {})}
    answer = requests.post(f"{cloud.stripe_url}/_control/accounts/{account}/mode", json=body, timeout=10)
    assert answer.status_code == 200, answer.text


def _transfers_to(cloud: LocalCloud, account: str) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{cloud.stripe_url}/v1/transfers", params={"destination": account}, auth=("sk_test_local", ""),
        timeout=10,
    )  # fmt: skip
    return list(answer.json()["data"])


def _statement(found: dict[str, Any], partner_id: str) -> dict[str, Any]:
    [statement] = [s for s in found["statements"] if s["partner_id"] == partner_id]
    return statement


def test_a_transfer_whose_answer_was_lost_is_found_and_paid_once_and_a_refusal_fails_its_statement(
    api: ApiClient, brand: dict, cloud: LocalCloud, dynamo_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two partners who earned last month: Stripe moves Ana's money but the answer never comes back
    # (the SDK times out after 30 s); Ben's account cannot take transfers
    monkeypatch.setattr(cloud.stripe, "hang_seconds", 40.0)
    key, brand_id = brand["api_key"], brand["brand_id"]
    ana, ben = earning_partner(api, key), earning_partner(api, key, amount=20000)
    ana_acct, ben_acct = stripe_account(cloud), stripe_account(cloud)
    give_payout_method(cloud, brand_id, ana["partner_id"], "stripe", ana_acct)
    give_payout_method(cloud, brand_id, ben["partner_id"], "stripe", ben_acct)
    _mode(cloud, ana_acct, "succeed_then_timeout", times=1)
    _mode(cloud, ben_acct, "inactive")
    before = stripe_paid(cloud)["transferred"].get("usd", 0)
    finance = key_with_role(api, key, "finance")

    # When finance approves the month
    started = start(api, finance)
    until(api, finance, started["run_id"], "awaiting_approval")
    assert api.call("POST", f"/v1/payout-runs/{started['run_id']}/approve", finance).status == 200

    # Then Ana is paid once: the retry found the transfer by its group instead of paying again
    assert finished(cloud, started["execution_name"], timeout=180)["status"] == "SUCCEEDED"
    done = run(api, finance, started["run_id"])
    assert done["status"] == "completed_with_failures"
    paid = _statement(done, ana["partner_id"])
    assert paid["status"] == "paid"
    [transfer] = _transfers_to(cloud, ana_acct)
    assert (transfer["id"], transfer["amount"]) == (paid["reference"], 1200)
    # And Ben's statement failed with Stripe's reason; nothing moved and he is still owed his 2,000
    refused = _statement(done, ben["partner_id"])
    assert (refused["status"], refused["reason"]) == ("failed", "insufficient_capabilities_for_transfer")
    assert _transfers_to(cloud, ben_acct) == []
    assert dynamo_ledger.balance(partner_account(brand_id, ben["partner_id"]), "USD") == 2000
    assert dynamo_ledger.balance(partner_account(brand_id, ana["partner_id"]), "USD") == 0
    # And Ana got her statement by email; Ben got none
    [mail] = emails_to(cloud, ana["email"])
    assert "Your payout for" in str(mail["subject"]) and paid["reference"] in str(mail["body"])
    assert emails_to(cloud, ben["email"]) == []
    # And the ledger balances, and what Stripe transferred is what the ledger paid out
    assert check_invariants(dynamo_ledger) == []
    assert stripe_paid(cloud)["transferred"]["usd"] - before == 1200
    assert dynamo_ledger.balance(provider_clearing_account(brand_id, "stripe"), "USD") == 1200
