"""Shopify's webhooks read as orders and refunds: exact minor units, the click and the coupon found."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starling.conversions.shopify import minor_units, order_fields, refund_of
from starling.shared.errors import Invalid
from tests.fixtures import shopify


def test_an_order_maps_to_starlings_fields() -> None:
    payload = shopify.order(820982911946154508, total="398.00", codes=("MAYA10",), cart_stclid="1.abc")
    fields = order_fields(payload)
    assert fields == {
        "order_id": "820982911946154508", "amount": 39800, "currency": "USD", "click_id": "1.abc",
        "coupon_code": "MAYA10", "customer_email": "jon@example.com", "customer_ref": "115310627314723954",
        "occurred_at": datetime(2026, 11, 29, 15, 0, tzinfo=UTC),
    }  # fmt: skip


def test_the_carts_click_wins_over_the_landing_sites_which_is_the_fallback() -> None:
    both = shopify.order(1, cart_stclid="1.cart", landing_stclid="1.landing")
    assert order_fields(both)["click_id"] == "1.cart"
    assert order_fields(shopify.order(1, landing_stclid="1.landing"))["click_id"] == "1.landing"
    full_url = {**shopify.order(1), "landing_site": "https://cakes.example/?utm_source=x&stclid=1.full"}
    assert order_fields(full_url)["click_id"] == "1.full"
    assert "click_id" not in order_fields(shopify.order(1))


@pytest.mark.parametrize(
    ("price", "currency", "minor"),
    [("19.99", "USD", 1999), ("0.10", "USD", 10), ("4500", "JPY", 4500), ("1.234", "KWD", 1234),
     ("12", "EUR", 1200), ("0.00", "USD", 0)],
)  # fmt: skip
def test_prices_become_exact_minor_units_with_the_currencys_exponent(
    price: str, currency: str, minor: int
) -> None:
    assert minor_units(price, currency, "total_price") == minor


@pytest.mark.parametrize(
    "price",
    ["19.999", "-1.00", "NaN", "Infinity", "", "abc", 19.99, True, None, "1e999999999", "1e-9", "1_000",
     " 12.00", "+5", "9" * 20],
)  # fmt: skip
def test_a_price_that_is_not_exact_in_the_currency_is_refused(price: object) -> None:
    with pytest.raises(Invalid):
        minor_units(price, "USD", "total_price")


def test_an_order_without_id_currency_or_time_offset_is_refused() -> None:
    for broken in (
        {"id": None},
        {"currency": "XYZ"},
        {"created_at": "2026-11-29T10:00:00"},
        {"created_at": "soon"},
    ):
        with pytest.raises(Invalid):
            order_fields({**shopify.order(1), **broken})


def test_a_refund_sums_its_successful_refund_transactions_in_the_shops_money() -> None:
    refund = refund_of(shopify.refund(1001, 77, "30.00", "10.50"), "USD")
    assert (refund.order_id, refund.refund_id, refund.amount) == ("1001", "77", 4050)
    assert refund_of(shopify.refund(1001, 78), "USD").amount == 0


def test_a_refund_in_another_currency_than_the_order_is_refused() -> None:
    payload = shopify.refund(1001, 79, "10.00", currency="EUR")
    with pytest.raises(Invalid):
        refund_of(payload, "USD")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    ["id", "order_id", "currency", "total_price", "current_total_price", "created_at", "email", "customer",
     "discount_codes", "landing_site", "note_attributes", "attributes", "transactions", "amount_set"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(_FIELDS, _JSON, max_size=6))
def test_any_json_in_any_field_is_read_or_refused_with_invalid_never_a_crash(changes: dict[str, Any]) -> None:
    payloads = ({**shopify.order(1), **changes}, {**shopify.refund(1, 2, "1.00"), **changes})
    for read, payload in ((order_fields, payloads[0]), (lambda p: refund_of(p, "USD"), payloads[1])):
        with contextlib.suppress(Invalid):  # any other exception fails the test
            read(payload)
