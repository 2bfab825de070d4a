"""POST /v1/conversions on the local cloud: attribution by click id and coupon, the commission of the terms
in force, its status, and every refusal with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.integration.conversions.conftest import TERMS, ago, click_id, order, partner, record, signed_click
from tests.support import ApiClient


def test_an_order_with_a_partners_click_id_earns_the_contracts_commission(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a partner on 10% whose link a shopper followed
    key = brand["api_key"]
    maya = partner(api, key, TERMS)
    stclid, slug = click_id(api, key, maya["partner_id"])
    # When the shop records the shopper's order with the click id
    answer = record(api, key, order(amount=12000, click_id=stclid))
    # Then it is attributed to her by the click and earns 10%, pending for the contract's 30 days
    assert answer["attribution"]["method"] == "click"
    assert answer["attribution"]["partner_id"] == maya["partner_id"]
    assert answer["attribution"]["link_slug"] == slug
    commission = answer["commission"]
    assert (commission["amount"], commission["status"], commission["currency"]) == (1200, "pending", "USD")
    assert commission["parts"] == [
        {"rule": "cpa_percent", "basis": 12000, "rate": "10", "amount": 1200, "tier_from": None}
    ]


def test_an_order_with_a_coupon_code_in_any_case_is_the_coupon_holders(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a partner holding the coupon MAYA10
    key = brand["api_key"]
    maya = partner(api, key, {**TERMS, "cpa_fixed": 500}, coupon_codes=["MAYA10"])
    # When an order comes with the code in lower case and no click
    answer = record(api, key, order(amount=10000, coupon_code="maya10"))
    # Then it is hers by coupon, at 10% plus the fixed $5
    assert answer["attribution"]["method"] == "coupon"
    assert answer["attribution"]["partner_id"] == maya["partner_id"]
    assert answer["commission"]["amount"] == 1500


def test_a_coupon_code_is_unique_per_brand(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a partner holding SPRING
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["SPRING"])
    other = partner(api, key, TERMS)
    # When another partner is given "spring"
    answer = api.call("PATCH", f"/v1/partners/{other['partner_id']}", key, {"coupon_codes": ["spring"]})
    # Then it is refused as a conflict, and the second partner keeps no code
    assert answer.status == 409, answer.text
    assert api.call("GET", f"/v1/partners/{other['partner_id']}", key).body["coupon_codes"] == []


def test_a_click_id_with_a_broken_signature_is_never_trusted(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a real click id with its signature altered
    key = brand["api_key"]
    maya = partner(api, key, TERMS)
    stclid, _ = click_id(api, key, maya["partner_id"])
    forged = stclid[:-2] + ("AA" if not stclid.endswith("AA") else "BB")
    # When an order quotes it
    answer = record(api, key, order(click_id=forged))
    # Then the order is recorded unattributed, with the reason, and earns nothing
    assert answer["attribution"]["method"] == "none"
    assert "signature" in answer["attribution"]["note"]
    assert answer["commission"] is None


def test_the_click_wins_within_its_window_and_the_coupon_after_it(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given a partner on a 1-day window whose link was clicked, and another partner's coupon
    key = brand["api_key"]
    clicker = partner(api, key, {**TERMS, "attribution_window_days": 1})
    holder = partner(api, key, TERMS, coupon_codes=["LATE5"])
    stclid, slug = click_id(api, key, clicker["partner_id"])
    # When an order minutes after the click quotes both, the click wins over the coupon
    fresh = record(api, key, order(click_id=stclid, coupon_code="LATE5"))
    assert (fresh["attribution"]["method"], fresh["attribution"]["partner_id"]) == (
        "click",
        clicker["partner_id"],
    )
    # When an order quotes a click made two days before it, the coupon wins
    old = signed_click(
        cloud, brand["brand_id"], slug, clicker["partner_id"], datetime.now(UTC) - timedelta(days=2)
    )
    late = record(api, key, order(click_id=old, coupon_code="LATE5"))
    assert (late["attribution"]["method"], late["attribution"]["partner_id"]) == (
        "coupon",
        holder["partner_id"],
    )
    # And without the coupon it is unattributed, saying why
    alone = record(api, key, order(click_id=old))
    assert alone["attribution"]["method"] == "none"
    assert "1-day window" in alone["attribution"]["note"]


def test_another_brands_click_id_does_not_attribute(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    maya = partner(api, key, TERMS)
    stclid, _ = click_id(api, key, maya["partner_id"])
    other = new_brand(cloud)["api_key"]
    answer = record(api, other, order(click_id=stclid))
    assert answer["attribution"]["method"] == "none"
    assert "another brand" in answer["attribution"]["note"]


def test_an_order_without_click_or_coupon_is_recorded_unattributed(
    api: ApiClient, brand: dict[str, str]
) -> None:
    answer = record(api, brand["api_key"], order())
    assert answer["attribution"] == {
        "method": "none", "partner_id": None, "campaign_id": None, "link_slug": None, "click_id": None,
        "clicked_at": None, "coupon_code": None, "note": None,
    }  # fmt: skip
    assert answer["commission"] is None


def test_bad_orders_get_a_clear_4xx_and_nothing_is_written(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a partner paid in USD with a 30-day window
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["BAD1"])
    cases = {
        "zero amount": (order(amount=0), 422),
        "negative amount": (order(amount=-5), 422),
        "amount as a float": (order(amount=12.5), 422),
        "unknown currency": (order(currency="XXQ"), 422),
        "currency other than the contract's": (order(currency="EUR", coupon_code="BAD1"), 422),
        "in the future": (order(occurred_at=ago(hours=-2)), 422),
        "older than the window": (order(occurred_at=ago(days=31), coupon_code="BAD1"), 422),
        "unknown field": (order(discount=5), 422),
        "missing order id": ({"amount": 100, "currency": "USD"}, 422),
    }
    for name, (body, status) in cases.items():
        # When the shop sends it
        answer = api.call("POST", "/v1/conversions", key, body)
        # Then it is refused with the error envelope
        assert answer.status == status, f"{name}: {answer.text}"
        assert answer.body["error"]["code"], name
        # And nothing was recorded under its order id
        if "order_id" in body:
            assert api.call("GET", f"/v1/conversions/{body['order_id']}", key).status == 404, name
    # And the refused orders can be sent again, corrected, under the same ids
    fixed = order(order_id="o-fixed-later")
    assert api.call("POST", "/v1/conversions", key, {**fixed, "amount": 0}).status == 422
    assert record(api, key, fixed)["amount"] == 12000


def test_body_that_is_not_json_is_refused(api: ApiClient, brand: dict[str, str]) -> None:
    answer = api.call(
        "POST", "/v1/conversions", brand["api_key"], raw="order=1", headers={"Content-Type": "text/plain"}
    )
    assert answer.status == 415, answer.text


def test_the_terms_in_force_at_the_orders_time_rule(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given a partner with no contract
    key = brand["api_key"]
    nobody = partner(api, key, None, coupon_codes=["NOTERMS"])
    # When an order comes with her coupon
    answer = record(api, key, order(coupon_code="NOTERMS"))
    # Then it is hers, but without terms in force it earns no commission
    assert answer["attribution"]["partner_id"] == nobody["partner_id"]
    assert answer["commission"] is None


def test_dates_at_the_ends_of_the_calendar_and_unknown_ids_are_clear_answers(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["EDGE"])
    for moment in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"):
        answer = api.call("POST", "/v1/conversions", key, order(occurred_at=moment, coupon_code="EDGE"))
        assert answer.status == 422, answer.text
    long_id = "com_" + "x" * 1500
    assert api.call("POST", f"/v1/commissions/{long_id}/release", key, {}).status == 404
    assert api.call("GET", "/v1/conversions/unknown-order", key).status == 404
