"""Shopify's `orders/create` and `refunds/create` webhooks, read as Starling's orders and refunds. Pure.

Shopify sends prices as decimal strings in the shop's currency ("398.00"); they become integer minor units
with the currency's own exponent (2 for USD, 0 for JPY, 3 for KWD), exactly: a price with more digits than
the currency has is refused, never rounded, and no float is ever made.

The click id: the cart attribute `stclid` (the snippet writes it from its cookie, so it is the last click
even when the shopper came back later through the shop's home page), else the `stclid` of the landing
site's query. The coupon: the first of `discount_codes`. The refund: the sum of its successful `refund`
transactions, in the shop's money when Shopify says so (`amount_set.shop_money`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starling.shared.errors import Invalid
from starling.shared.money import minor_unit_exponent, parse_currency

ORDERS_CREATE = "orders/create"
REFUNDS_CREATE = "refunds/create"
TOPICS = (ORDERS_CREATE, REFUNDS_CREATE)
CLICK_ATTRIBUTE = "stclid"
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")  # as POST /v1/conversions takes it
_PRICE_RE = re.compile(r"^[0-9]{1,15}(?:\.[0-9]{1,15})?$")  # Shopify's decimal strings: "19.99", "4500"


@dataclass(frozen=True)
class ShopifyRefund:
    order_id: str
    refund_id: str
    amount: int  # minor units of the order's currency; 0 when no money moved (a restock only)


def minor_units(value: Any, currency: str, field: str) -> int:
    """A Shopify price ("19.99") as minor units of `currency` (1999); Invalid naming `field` otherwise."""
    exponent = minor_unit_exponent(currency)
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _PRICE_RE.match(text):
        raise Invalid(f'{field} is a price like "19.99".', {field: "not a price"})
    scaled = Decimal(text).scaleb(exponent)
    if scaled != scaled.to_integral_value() or scaled > 10**12:
        raise Invalid(
            f"{field} has more decimals than {currency} has ({exponent}), or is too large.",
            {field: "not a price in the currency"},
        )
    return int(scaled)


def _id(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise Invalid(f"{field} is Shopify's id (a number).", {field: "missing"})
    return str(value)


def _text(value: Any, longest: int = 400) -> str | None:
    """A non-empty text of at most `longest` characters (longer is no click id, coupon or email)."""
    found = value.strip() if isinstance(value, str) else ""
    return found if 0 < len(found) <= longest else None


def _click_id(order: dict[str, Any]) -> str | None:
    for attributes in (order.get("note_attributes"), order.get("attributes")):
        if isinstance(attributes, list):
            for attribute in attributes:
                if isinstance(attribute, dict) and attribute.get("name") == CLICK_ATTRIBUTE:
                    found = _text(attribute.get("value"))
                    if found:
                        return found
        elif isinstance(attributes, dict) and _text(attributes.get(CLICK_ATTRIBUTE)):
            return _text(attributes.get(CLICK_ATTRIBUTE))
    landing = order.get("landing_site")
    if isinstance(landing, str):
        try:
            values = parse_qs(urlsplit(landing).query).get(CLICK_ATTRIBUTE)
        except ValueError:  # not a URL (urlsplit refuses a broken [IPv6] host)
            values = None
        if values:
            return _text(values[0])
    return None


def _coupon(order: dict[str, Any]) -> str | None:
    codes = order.get("discount_codes")
    if isinstance(codes, list):
        for code in codes:
            if isinstance(code, dict) and _text(code.get("code"), 40):
                return _text(code.get("code"), 40)
    return None


def _email(order: dict[str, Any]) -> str | None:
    customer = order.get("customer")
    candidates = [order.get("email"), order.get("contact_email")]
    if isinstance(customer, dict):
        candidates.append(customer.get("email"))
    for found in candidates:
        if isinstance(found, str) and len(found) <= 254 and _EMAIL_RE.match(found):
            return found
    return None


def order_fields(order: dict[str, Any]) -> dict[str, Any]:
    """The fields of Starling's order (POST /v1/conversions) from an `orders/create` payload; an order
    whose total is zero has amount 0 (the caller records nothing for it)."""
    currency = parse_currency(order.get("currency"), "currency")
    total = order.get("current_total_price", order.get("total_price"))
    field = "current_total_price" if "current_total_price" in order else "total_price"
    fields: dict[str, Any] = {
        "order_id": _id(order, "id"),
        "amount": minor_units(total, currency, field),
        "currency": currency,
        "click_id": _click_id(order),
        "coupon_code": _coupon(order),
        "customer_email": _email(order),
    }
    customer = order.get("customer")
    if isinstance(customer, dict) and customer.get("id") is not None:
        fields["customer_ref"] = str(customer["id"])
    created = order.get("created_at")
    if created is not None:
        try:
            fields["occurred_at"] = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError as exc:
            raise Invalid("created_at is an ISO 8601 time.", {"created_at": "not a time"}) from exc
        if fields["occurred_at"].tzinfo is None:
            raise Invalid("created_at has its UTC offset.", {"created_at": "no offset"})
    return {name: value for name, value in fields.items() if value is not None}


def _refunded(transaction: dict[str, Any], currency: str) -> int:
    amount_set = transaction.get("amount_set")
    shop_money = amount_set.get("shop_money") if isinstance(amount_set, dict) else None
    if isinstance(shop_money, dict) and shop_money.get("currency_code") == currency:
        return minor_units(shop_money.get("amount"), currency, "transactions.amount_set")
    if transaction.get("currency", currency) != currency:
        raise Invalid(
            f"A refund transaction is in {transaction.get('currency')}, the order in {currency}.",
            {"transactions.currency": f"expected {currency}"},
        )
    return minor_units(transaction.get("amount"), currency, "transactions.amount")


def order_id_of(refund: dict[str, Any]) -> str:
    return _id(refund, "order_id")


def refund_of(refund: dict[str, Any], currency: str) -> ShopifyRefund:
    """A `refunds/create` payload as a refund of the recorded order (in `currency`, the order's)."""
    transactions = refund.get("transactions")
    if not isinstance(transactions, list):
        raise Invalid("transactions is the refund's list of transactions.", {"transactions": "missing"})
    amount = sum(
        _refunded(t, currency)
        for t in transactions
        if isinstance(t, dict) and t.get("kind") == "refund" and t.get("status") == "success"
    )
    return ShopifyRefund(order_id=_id(refund, "order_id"), refund_id=_id(refund, "id"), amount=amount)
