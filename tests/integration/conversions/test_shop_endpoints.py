"""The shop endpoints on the local cloud over HTTP: orders and refunds signed with the brand's secret
(`/t/conversions/{brand_slug}`), Shopify's webhooks (`/t/shopify/{brand_slug}`), and the owner's routes
that make and rotate their secrets. Whatever fails verification writes nothing."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from starling.conversions.signatures import signature_header
from starling.shared import clock
from tests.fixtures import shopify
from tests.integration.conftest import new_brand
from tests.integration.conversions.conftest import TERMS, ago, click_id, key_with_role, order, partner
from tests.support import Answer, ApiClient


def slug_of(api: ApiClient, key: str) -> str:
    return str(api.call("GET", "/v1/brand", key).body["slug"])


def signing_secret(api: ApiClient, key: str) -> str:
    answer = api.call("POST", "/v1/conversion-secrets/signing", key)
    assert answer.status == 201, answer.text
    return str(answer.body["secret"])


def signed(
    api: ApiClient,
    path: str,
    secret: str,
    body: dict[str, Any] | bytes,
    at: int | None = None,
    header: str | None = None,
) -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = header if header is not None else signature_header(secret, at or int(time.time()), raw)
    return api.call(
        "POST", path, raw=raw, headers={"Starling-Signature": sent, "Content-Type": "application/json"}
    )


def nothing_recorded(api: ApiClient, key: str, order_id: str) -> bool:
    return api.call("GET", f"/v1/conversions/{order_id}", key).status == 404


# --- the signed endpoint ------------------------------------------------------------------------------------


def test_a_signed_order_is_recorded_once_and_attributed(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a partner with a coupon, and the brand's signing secret
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["SIGNED"])
    secret = signing_secret(api, key)
    path = f"/t/conversions/{slug_of(api, key)}"
    body = order(coupon_code="SIGNED", amount=12000)
    # When the shop posts the order signed, twice
    first = signed(api, path, secret, body)
    again = signed(api, path, secret, body)
    # Then it is recorded once, attributed by the coupon, with its commission
    assert first.status == 201, first.text
    assert (first.body["attribution"]["method"], first.body["commission"]["amount"]) == ("coupon", 1200)
    assert again.status == 200 and again.body == first.body
    assert api.call("GET", f"/v1/conversions/{body['order_id']}", key).body == first.body
    # And the secret is never shown again
    state = api.call("GET", "/v1/conversion-secrets", key).body
    assert state["signing"]["set_at"] and "secret" not in json.dumps(state)
    assert state["shopify"] is None


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("no header", 400, "signature_missing"),
        ("malformed header", 400, "signature_malformed"),
        ("another secret", 401, "signature_mismatch"),
        ("body changed", 401, "signature_mismatch"),
        ("ten minutes old", 401, "signature_expired"),
        ("ten minutes ahead", 401, "signature_expired"),
    ],
)
def test_a_bad_missing_or_stale_signature_is_refused_and_writes_nothing(
    api: ApiClient, brand: dict[str, str], case: str, status: int, code: str
) -> None:
    key = brand["api_key"]
    secret = signing_secret(api, key)
    path = f"/t/conversions/{slug_of(api, key)}"
    body = order()
    raw = json.dumps(body).encode()
    now = int(time.time())
    header = {
        "no header": "",
        "malformed header": f"t={now},v1=zz",
        "another secret": signature_header("stsig_" + "x" * 43, now, raw),
        "body changed": signature_header(secret, now, raw.replace(b"12000", b"12001")),
        "ten minutes old": signature_header(secret, now - 600, raw),
        "ten minutes ahead": signature_header(secret, now + 600, raw),
    }[case]
    answer = api.call(
        "POST",
        path,
        raw=raw,
        headers={"Content-Type": "application/json", **({"Starling-Signature": header} if header else {})},
    )
    assert answer.status == status, answer.text
    assert answer.body["error"]["code"] == code
    assert nothing_recorded(api, key, body["order_id"])


def test_an_unknown_brand_or_one_without_a_secret_is_refused(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    raw = json.dumps(order()).encode()
    header = signature_header("stsig_" + "a" * 43, int(time.time()), raw)
    unknown = api.call(
        "POST", "/t/conversions/no-such-brand-here", raw=raw, headers={"Starling-Signature": header}
    )
    assert unknown.status == 404 and unknown.body["error"]["code"] == "not_found"
    junk = api.call("POST", f"/t/conversions/{'x' * 3000}", raw=raw, headers={"Starling-Signature": header})
    assert junk.status == 404, junk.text
    no_secret = api.call(
        "POST", f"/t/conversions/{slug_of(api, key)}", raw=raw, headers={"Starling-Signature": header}
    )
    assert no_secret.status == 401 and no_secret.body["error"]["code"] == "no_secret"


def test_a_signed_body_that_is_not_an_order_is_refused(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    secret = signing_secret(api, key)
    path = f"/t/conversions/{slug_of(api, key)}"
    not_json = signed(api, path, secret, b"{order_id: 1")
    assert (not_json.status, not_json.body["error"]["code"]) == (400, "bad_json")
    not_object = signed(api, path, secret, b"[1, 2]")
    assert not_object.status == 422
    for wrong in (
        {"order_id": "x", "amount": 0, "currency": "USD"},
        {"order_id": "x", "amount": 1.5, "currency": "USD"},
        {"order_id": "x", "amount": 100, "currency": "ABC"},
        {"order_id": "x", "amount": 100},
    ):
        answer = signed(api, path, secret, wrong)
        assert answer.status == 422, (wrong, answer.text)
        assert answer.body["error"]["code"] == "invalid"
    future = signed(
        api, path, secret, order(order_id="fut", occurred_at=(clock.now() + timedelta(days=2)).isoformat())
    )
    assert future.status == 422, future.text
    assert nothing_recorded(api, key, "x") and nothing_recorded(api, key, "fut")


def test_after_a_rotation_both_secrets_work_until_the_next(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a secret the shop signs with, then a rotation
    key = brand["api_key"]
    path = f"/t/conversions/{slug_of(api, key)}"
    old = signing_secret(api, key)
    rotated = api.call("POST", "/v1/conversion-secrets/signing", key)
    new = rotated.body["secret"]
    # Then both sign for the grace period, which the answer states
    assert new != old and rotated.body["previous_valid_until"] is not None
    assert signed(api, path, old, order()).status == 201
    assert signed(api, path, new, order()).status == 201
    # And a header carrying both signatures (the shop mid-switch) passes
    body = json.dumps(order()).encode()
    now = int(time.time())
    both = f"{signature_header(old, now, body)},v1={signature_header(new, now, body).split('v1=')[1]}"
    assert api.call("POST", path, raw=body, headers={"Starling-Signature": both}).status == 201
    # When it is rotated again, the oldest no longer signs
    newest = signing_secret(api, key)
    assert signed(api, path, old, order()).status == 401
    assert signed(api, path, new, order()).status == 201
    assert signed(api, path, newest, order()).status == 201


def test_a_replayed_rotation_does_not_show_or_keep_the_secret(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    headers = {"Idempotency-Key": f"rotate-{uuid.uuid4().hex}"}
    first = api.call("POST", "/v1/conversion-secrets/signing", key, headers=headers)
    replay = api.call("POST", "/v1/conversion-secrets/signing", key, headers=headers)
    assert first.status == replay.status == 201
    assert first.body["secret"].startswith("stsig_")
    assert replay.body["secret"] is None and "shown once" in replay.body["secret_notice"]
    assert replay.body["set_at"] == first.body["set_at"]


def test_only_the_owner_sees_or_changes_the_secrets(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    for role in ("manager", "finance", "viewer"):
        other = key_with_role(api, key, role)
        assert api.call("POST", "/v1/conversion-secrets/signing", other).status == 403
        assert api.call("POST", "/v1/conversion-secrets/shopify", other, {"secret": "s" * 32}).status == 403
        assert api.call("GET", "/v1/conversion-secrets", other).status == 403
    assert api.call("GET", "/v1/conversion-secrets", key).body["signing"] is None


def test_a_second_brands_secret_does_not_sign_for_the_first(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given two brands, each with its secret
    first = brand["api_key"]
    second = new_brand(cloud)["api_key"]
    signing_secret(api, first)
    theirs = signing_secret(api, second)
    body = order()
    # When brand B's secret signs an order sent to brand A's address
    answer = signed(api, f"/t/conversions/{slug_of(api, first)}", theirs, body)
    # Then it is refused, and neither brand has the order
    assert answer.status == 401
    assert nothing_recorded(api, first, body["order_id"]) and nothing_recorded(api, second, body["order_id"])


def test_a_signed_refund_counts_once_and_never_above_what_remains(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["SIGNEDREF"])
    secret = signing_secret(api, key)
    slug = slug_of(api, key)
    placed = signed(api, f"/t/conversions/{slug}", secret, order(amount=12000, coupon_code="SIGNEDREF")).body
    path = f"/t/conversions/{slug}/refunds"
    refund = {"order_id": placed["order_id"], "refund_id": "r-1", "amount": 6000}
    first = signed(api, path, secret, refund)
    again = signed(api, path, secret, refund)
    assert first.status == 200, first.text
    assert again.body == first.body
    assert (first.body["refunded"], first.body["commission"]["earned"]) == (6000, 600)
    above = signed(api, path, secret, {**refund, "refund_id": "r-2", "amount": 6001})
    assert above.status == 422, above.text
    unknown = signed(api, path, secret, {**refund, "order_id": "never-placed"})
    assert unknown.status == 404
    forged = signed(api, path, "stsig_" + "b" * 43, {**refund, "refund_id": "r-3", "amount": 1})
    assert forged.status == 401
    assert api.call("GET", f"/v1/conversions/{placed['order_id']}", key).body["refunded"] == 6000


# --- Shopify ------------------------------------------------------------------------------------------------


def shopify_secret(api: ApiClient, key: str) -> str:
    secret = uuid.uuid4().hex
    answer = api.call("POST", "/v1/conversion-secrets/shopify", key, {"secret": secret})
    assert answer.status == 200, answer.text
    return secret


def deliver(api: ApiClient, slug: str, topic: str, payload: dict[str, Any], secret: str) -> Answer:
    body, headers = shopify.delivery(topic, payload, secret)
    return api.call("POST", f"/t/shopify/{slug}", raw=body, headers=headers)


def order_number() -> int:
    return int(uuid.uuid4().int % 10**18)


def deliver_order(api: ApiClient, slug: str, secret: str, **fields: Any) -> Answer:
    """Shopify's orders/create of a new order placed five minutes ago, with `fields` (shopify.order's)."""
    fields = {"order_id": order_number(), "created_at": ago(minutes=5), **fields}
    return deliver(api, slug, "orders/create", shopify.order(**fields), secret)


def test_a_shopify_order_is_attributed_by_the_carts_click_and_recorded_once(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a partner whose link a shopper followed, and the brand's Shopify secret
    key = brand["api_key"]
    maya = partner(api, key, TERMS)
    stclid, slug_link = click_id(api, key, maya["partner_id"])
    secret = shopify_secret(api, key)
    slug = slug_of(api, key)
    number = order_number()
    payload = shopify.order(number, total="120.00", created_at=ago(minutes=5), cart_stclid=stclid)
    # When Shopify delivers orders/create, and retries it
    first = deliver(api, slug, "orders/create", payload, secret)
    retry = deliver(api, slug, "orders/create", payload, secret)
    # Then it is recorded once: $120.00 as 12000 cents, by the click, with a 10% commission
    assert first.status == 201, first.text
    assert first.body["outcome"] == "recorded"
    conversion = first.body["conversion"]
    assert (conversion["order_id"], conversion["amount"], conversion["currency"]) == (
        str(number),
        12000,
        "USD",
    )
    assert conversion["attribution"]["method"] == "click"
    assert conversion["attribution"]["link_slug"] == slug_link
    assert conversion["commission"]["amount"] == 1200
    assert (retry.status, retry.body["outcome"]) == (200, "duplicate")
    listed = api.call("GET", f"/v1/commissions?partner_id={maya['partner_id']}", key).body["items"]
    assert [c["order_id"] for c in listed] == [str(number)]


def test_a_shopify_order_falls_back_to_the_landing_sites_click_then_the_discount_code(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    maya = partner(api, key, TERMS, coupon_codes=["MAYA10"])
    stclid, _ = click_id(api, key, maya["partner_id"])
    secret = shopify_secret(api, key)
    slug = slug_of(api, key)
    landing = deliver_order(api, slug, secret, landing_stclid=stclid)
    assert landing.body["conversion"]["attribution"]["method"] == "click", landing.text
    coupon = deliver_order(api, slug, secret, codes=("maya10",))
    assert coupon.body["conversion"]["attribution"]["method"] == "coupon", coupon.text


def test_a_shopify_order_in_yen_keeps_whole_yen(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    slug = slug_of(api, key)
    secret = shopify_secret(api, key)
    yen = deliver_order(api, slug, secret, total="4500", currency="JPY")
    assert yen.status == 201, yen.text
    assert (yen.body["conversion"]["amount"], yen.body["conversion"]["currency"]) == (4500, "JPY")
    cents = deliver_order(api, slug, secret, total="4500.50", currency="JPY")
    assert cents.status == 422, cents.text


def test_a_shopify_webhook_with_a_wrong_hmac_writes_nothing(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    slug = slug_of(api, key)
    shopify_secret(api, key)
    number = order_number()
    payload = shopify.order(number, created_at=ago(minutes=5))
    wrong = deliver(api, slug, "orders/create", payload, "not-the-shops-secret")
    assert (wrong.status, wrong.body["error"]["code"]) == (401, "signature_mismatch")
    body, headers = shopify.delivery("orders/create", payload, "whatever")
    for bad in (
        {**headers, "X-Shopify-Hmac-Sha256": "not base64!"},
        {k: v for k, v in headers.items() if "Hmac" not in k},
    ):
        assert api.call("POST", f"/t/shopify/{slug}", raw=body, headers=bad).status == 400
    assert deliver(api, "no-such-brand-here", "orders/create", payload, "whatever").status == 404
    assert nothing_recorded(api, key, str(number))


def test_shopify_refunds_sum_their_successful_refund_transactions_once(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a $120 order recorded from Shopify with a coupon
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["SHOPREF"])
    secret = shopify_secret(api, key)
    slug = slug_of(api, key)
    number = order_number()
    deliver_order(api, slug, secret, order_id=number, codes=("SHOPREF",))
    # When Shopify sends a refund of $40 in two transactions (plus a failed one and a sale), twice
    refund = shopify.refund(number, 5001, "30.00", "10.00")
    first = deliver(api, slug, "refunds/create", refund, secret)
    retry = deliver(api, slug, "refunds/create", refund, secret)
    # Then $40.00 is refunded once, and a third of the commission reversed
    assert first.status == 201, first.text
    assert (first.body["outcome"], first.body["conversion"]["refunded"]) == ("recorded", 4000)
    assert first.body["conversion"]["commission"]["reversed"] == -400
    assert (retry.status, retry.body["outcome"], retry.body["conversion"]["refunded"]) == (
        200,
        "duplicate",
        4000,
    )
    # And a refund above what remains is refused
    above = deliver(api, slug, "refunds/create", shopify.refund(number, 5002, "80.01"), secret)
    assert above.status == 422, above.text
    assert api.call("GET", f"/v1/conversions/{number}", key).body["refunded"] == 4000


def test_shopify_webhooks_starling_cannot_use_are_answered_without_a_write(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    secret = shopify_secret(api, key)
    slug = slug_of(api, key)
    unknown_order = deliver(api, slug, "refunds/create", shopify.refund(order_number(), 7, "5.00"), secret)
    assert (unknown_order.status, unknown_order.body["outcome"]) == (200, "ignored")
    free = deliver_order(api, slug, secret, total="0.00")
    assert (free.status, free.body["outcome"]) == (200, "ignored")
    topic = deliver(api, slug, "orders/updated", shopify.order(order_number()), secret)
    assert topic.status == 422, topic.text
    broken = shopify.order(order_number(), created_at=ago(minutes=5))
    broken["total_price"] = broken["current_total_price"] = 120.0  # a number, not Shopify's string
    assert deliver(api, slug, "orders/create", broken, secret).status == 422
    assert api.call("GET", "/v1/commissions", key).body["items"] == []


def test_the_shopify_secret_rotates_with_a_grace_period(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    slug = slug_of(api, key)
    old = shopify_secret(api, key)
    new = shopify_secret(api, key)
    for secret in (old, new):
        answer = deliver_order(api, slug, secret)
        assert answer.status == 201, answer.text
    too_short = api.call("POST", "/v1/conversion-secrets/shopify", key, {"secret": "short"})
    assert too_short.status == 422


# --- the snippet --------------------------------------------------------------------------------------------


def test_the_snippet_is_served_small_cacheable_and_as_javascript(api: ApiClient) -> None:
    answer = api.call("GET", "/t/snippet.js")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/javascript")
    assert "public, max-age=86400" in answer.headers["Cache-Control"]
    assert len(answer.content) < 2048
    assert "/cart/update.js" in answer.text
