"""The local Stripe-compatible server, through the real `stripe` SDK and the Stripe provider: the shapes
of Stripe's own fixtures, its idempotency rules, and every way an account can be told to fail."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe

from infra.local import environ
from infra.local.cloud import LocalCloud
from starling.payouts.provider import (
    PermanentPaymentError,
    TransientPaymentError,
    idempotency_key,
    transfer_group,
)
from starling.payouts.stripe_provider import StripeConnectProvider

FIXTURES = json.loads((Path(__file__).parent / "stripe_fixtures.json").read_text())
API_KEY = "sk_test_local_starling"


@pytest.fixture()
def stripe_url(cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch) -> str:
    # A hanging request is held 3 s, well past the provider's 1 s timeout below.
    monkeypatch.setattr(cloud.stripe, "hang_seconds", 3.0)
    return cloud.stripe_url


@pytest.fixture()
def client(stripe_url: str) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, base_addresses={"api": stripe_url}, max_network_retries=0)


@pytest.fixture()
def provider(stripe_url: str) -> StripeConnectProvider:
    return StripeConnectProvider(API_KEY, stripe_url, timeout=1.0)


def new_statement() -> str:
    """A statement id of its own: the server's keys outlive a test, as Stripe's outlive a request."""
    return f"st_{uuid.uuid4().hex[:12]}"


def account(client: stripe.StripeClient) -> str:
    created = client.v1.accounts.create({"type": "express", "country": "FR", "email": "maya@example.com"})
    return str(created.id)


def set_mode(stripe_url: str, account_id: str, mode: str, times: int | None = None) -> None:
    body: dict[str, Any] = {"mode": mode} if times is None else {"mode": mode, "times": times}
    answer = requests.post(f"{stripe_url}/_control/accounts/{account_id}/mode", json=body, timeout=10)
    assert answer.status_code == 200, answer.text


def transfers_to(client: stripe.StripeClient, account_id: str) -> list[Any]:
    return list(client.v1.transfers.list({"destination": account_id, "limit": 100}).auto_paging_iter())


def test_objects_have_the_keys_of_stripes_own_fixtures(client: stripe.StripeClient) -> None:
    acct = client.v1.accounts.create({"type": "express", "country": "US"})
    transfer = client.v1.transfers.create(
        {"amount": 1100, "currency": "usd", "destination": acct.id, "transfer_group": "g1"}
    )
    balance = client.v1.balance.retrieve()
    assert set(transfer.to_dict()) == set(FIXTURES["transfer"])
    assert set(balance.to_dict()) == set(FIXTURES["balance"])
    assert set(balance.to_dict()["available"][0]) == set(FIXTURES["balance"]["available"][0])
    assert set(acct.to_dict()) <= set(FIXTURES["account"]) | {"type"}
    assert {"id", "object", "capabilities", "charges_enabled", "payouts_enabled", "country"} <= set(
        acct.to_dict()
    )
    assert transfer.object == "transfer" and transfer.id.startswith("tr_") and transfer.amount == 1100
    assert client.v1.accounts.retrieve(acct.id).capabilities["transfers"] == "active"


def test_the_same_key_and_parameters_replay_the_first_transfer(
    provider: StripeConnectProvider, client: stripe.StripeClient
) -> None:
    sid1 = new_statement()
    # Given a connected account, and a statement paid once
    acct = account(client)
    first = provider.pay(sid1, acct, 2500, "EUR", idempotency_key(sid1), transfer_group(sid1))
    # When it is paid again with the same key
    again = provider.pay(sid1, acct, 2500, "EUR", idempotency_key(sid1), transfer_group(sid1))
    # Then Stripe's answer is the first one, replayed, and one transfer exists
    assert again.reference == first.reference and again.replayed and not first.replayed
    assert (first.amount, first.currency, first.destination) == (2500, "EUR", acct)
    assert [t.id for t in transfers_to(client, acct)] == [first.reference]


def test_the_same_key_with_other_parameters_is_stripes_idempotency_error(
    provider: StripeConnectProvider, client: stripe.StripeClient
) -> None:
    sid2 = new_statement()
    acct = account(client)
    provider.pay(sid2, acct, 2500, "USD", idempotency_key(sid2), transfer_group(sid2))
    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.transfers.create(
            {"amount": 2600, "currency": "usd", "destination": acct, "transfer_group": transfer_group(sid2),
             "metadata": {"statement_id": sid2}},
            {"idempotency_key": idempotency_key(sid2)},
        )  # fmt: skip
    with pytest.raises(PermanentPaymentError) as refused:
        provider.pay(sid2, acct, 2600, "USD", idempotency_key(sid2), transfer_group(sid2))
    assert refused.value.reason == "idempotency_error"
    assert len(transfers_to(client, acct)) == 1


@pytest.mark.parametrize(
    ("mode", "reason", "words"),
    [
        ("inactive", "insufficient_capabilities_for_transfer", "capabilities"),
        ("insufficient_funds", "balance_insufficient", "insufficient available funds"),
    ],
)
def test_an_account_told_to_fail_refuses_permanently_with_stripes_reason(
    provider: StripeConnectProvider, client: stripe.StripeClient, stripe_url: str, mode: str, reason: str,
    words: str,
) -> None:  # fmt: skip
    sid3 = new_statement()
    acct = account(client)
    set_mode(stripe_url, acct, mode)
    with pytest.raises(PermanentPaymentError) as refused:
        provider.pay(sid3, acct, 900, "USD", idempotency_key(sid3), transfer_group(sid3))
    assert refused.value.reason == reason and words in refused.value.message
    assert transfers_to(client, acct) == []
    # The refusal was saved under its key: the same key answers the same until a new attempt's key
    set_mode(stripe_url, acct, "ok")
    with pytest.raises(PermanentPaymentError):
        provider.pay(sid3, acct, 900, "USD", idempotency_key(sid3), transfer_group(sid3))
    paid = provider.pay(sid3, acct, 900, "USD", idempotency_key(sid3, 2), transfer_group(sid3))
    assert [t.id for t in transfers_to(client, acct)] == [paid.reference]


def test_an_inactive_account_shows_its_transfers_capability_inactive(
    client: stripe.StripeClient, stripe_url: str
) -> None:
    acct = account(client)
    set_mode(stripe_url, acct, "inactive")
    assert client.v1.accounts.retrieve(acct).capabilities["transfers"] == "inactive"


@pytest.mark.parametrize(("mode", "reason"), [("timeout", "network"), ("server_error", "http_500"),
                                              ("rate_limited", "rate_limit")])  # fmt: skip
def test_a_transient_failure_moves_no_money_and_the_same_key_then_pays_once(
    provider: StripeConnectProvider, client: stripe.StripeClient, stripe_url: str, mode: str, reason: str
) -> None:
    sid4 = new_statement()
    # Given an account whose next transfer request fails before it runs
    acct = account(client)
    set_mode(stripe_url, acct, mode, times=1)
    # When the statement is paid, and retried with the same key
    with pytest.raises(TransientPaymentError) as failed:
        provider.pay(sid4, acct, 700, "USD", idempotency_key(sid4), transfer_group(sid4))
    assert failed.value.reason == reason
    assert transfers_to(client, acct) == []
    paid = provider.pay(sid4, acct, 700, "USD", idempotency_key(sid4), transfer_group(sid4))
    # Then the retry paid, once
    assert not paid.replayed
    assert [t.id for t in transfers_to(client, acct)] == [paid.reference]


def test_succeed_then_timeout_moves_the_money_and_the_retry_replays_it(
    provider: StripeConnectProvider, client: stripe.StripeClient, stripe_url: str
) -> None:
    sid5 = new_statement()
    # Given an account whose next transfer succeeds but whose answer is lost
    acct = account(client)
    set_mode(stripe_url, acct, "succeed_then_timeout", times=1)
    with pytest.raises(TransientPaymentError):
        provider.pay(sid5, acct, 1300, "USD", idempotency_key(sid5), transfer_group(sid5))
    # Then the money moved; the retry with the same key replays that transfer rather than paying again
    [moved] = transfers_to(client, acct)
    again = provider.pay(sid5, acct, 1300, "USD", idempotency_key(sid5), transfer_group(sid5))
    assert again.reference == moved.id and again.replayed
    assert len(transfers_to(client, acct)) == 1


def test_after_24_hours_a_key_protects_nothing_and_the_transfer_group_finds_the_payment(
    provider: StripeConnectProvider, client: stripe.StripeClient, stripe_url: str
) -> None:
    sid6 = new_statement()
    # Given a statement paid but its answer lost, and a day passing (the server forgets its keys)
    acct = account(client)
    set_mode(stripe_url, acct, "succeed_then_timeout", times=1)
    with pytest.raises(TransientPaymentError):
        provider.pay(sid6, acct, 1500, "USD", idempotency_key(sid6), transfer_group(sid6))
    assert requests.post(f"{stripe_url}/_control/idempotency/expire", timeout=10).status_code == 200
    # When the run reconciles by the statement's transfer group
    found = provider.find_by_transfer_group(transfer_group(sid6))
    # Then it finds the one payment, and knows not to pay again
    assert [(p.amount, p.destination, p.statement_id) for p in found] == [(1500, acct, sid6)]
    assert provider.find_by_transfer_group(transfer_group(new_statement())) == []
    # (paying with the old key now would pay twice: that is why the run reconciles first)
    provider.pay(sid6, acct, 1500, "USD", idempotency_key(sid6), transfer_group(sid6))
    assert len(provider.find_by_transfer_group(transfer_group(sid6))) == 2


def test_listing_by_transfer_group_pages_through_every_transfer(
    client: stripe.StripeClient, provider: StripeConnectProvider
) -> None:
    sid7 = new_statement()
    acct = account(client)
    for n in range(5):
        provider.pay(f"{sid7}_{n}", acct, 100 + n, "USD", idempotency_key(f"{sid7}_{n}"), sid7)
    page = client.v1.transfers.list({"transfer_group": sid7, "limit": 2})
    assert len(page.data) == 2 and page.has_more
    assert sorted(t.amount for t in page.auto_paging_iter()) == [100, 101, 102, 103, 104]


def test_a_request_without_an_api_key_or_to_an_unknown_account_is_refused(stripe_url: str) -> None:
    sid8 = new_statement()
    with pytest.raises(PermanentPaymentError) as refused:
        StripeConnectProvider("", stripe_url).pay(
            sid8, "acct_x", 100, "USD", idempotency_key(sid8), transfer_group(sid8)
        )
    anonymous = requests.post(f"{stripe_url}/v1/transfers", data={"amount": 100}, timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["type"] == "invalid_request_error"
    with pytest.raises(PermanentPaymentError) as unknown:
        StripeConnectProvider(API_KEY, stripe_url).pay(
            sid8, "acct_unknown", 100, "USD", idempotency_key(sid8, 2), transfer_group(sid8)
        )
    assert unknown.value.reason == "resource_missing"
    assert refused.value.reason


def test_the_control_route_refuses_an_unknown_mode(stripe_url: str) -> None:
    answer = requests.post(
        f"{stripe_url}/_control/accounts/acct_1/mode", json={"mode": "explode"}, timeout=10
    )
    assert answer.status_code == 400 and "mode is one of" in answer.json()["error"]["message"]


def test_the_deployed_provider_reads_its_key_from_secrets_manager_and_pays_the_local_server(
    cloud: LocalCloud, client: stripe.StripeClient
) -> None:
    # Given the stack's Stripe secret holding a key, and a function environment that names it
    secret_id = cloud.physical_id("PaymentProvidersStripeSecret", "AWS::SecretsManager::Secret")
    cloud.client("secretsmanager").put_secret_value(
        SecretId=secret_id, SecretString='{"api_key": "sk_test_x1"}'
    )
    variables = {
        **cloud.function_environment("ApiApiFunction"),
        "STRIPE_SECRET_ID": secret_id,
        "STRIPE_API_BASE": cloud.stripe_url,
    }
    acct, sid = account(client), new_statement()
    # When the provider is made from that environment and pays
    with environ.install().invocation(variables):
        paid = StripeConnectProvider.from_settings().pay(sid, acct, 4200, "USD", idempotency_key(sid), sid)
    # Then the transfer is on the server
    assert [t.id for t in transfers_to(client, acct)] == [paid.reference]
