"""Fraud holds: an attributed order whose commission a manager should look at before it is paid. Pure rules.

A held commission is `on_hold` with the reason; it is priced and counts towards the partner's month like
any other (so a release needs no re-pricing), and a manager releases or rejects it. The rules, first match:
1. `self_referral`: the customer's email is the partner's (compared as a hash, with case, surrounding
   spaces and a `+tag` ignored), or on the partner's own email domain (webmail domains such as gmail.com
   excepted: they say nothing about who is who);
2. `disposable_email`: the customer's address is a throwaway inbox (the `disposable-email-domains` list);
3. `duplicate_customer`: another partner was credited with the same customer (email hash or the shop's
   customer reference) within the attribution window;
4. `conversion_rate`: an order attributed by click, from a partner whose conversion rate over the last
   30 days (orders by click / people's clicks, this order included) is more than CVR_TIER_MULTIPLE times
   their tier's (the brand's other partners of the same tier; the brand's other partners when the tier
   has no figures), once they have CVR_MIN_CONVERSIONS such orders (`rate_hold`).
Customer emails are never stored: only their hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from disposable_email_domains import blocklist as _disposable

DISPOSABLE_DOMAINS: frozenset[str] = frozenset(_disposable)
WEBMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "yahoo.co.uk", "hotmail.com", "hotmail.fr",
        "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
        "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com", "yandex.com", "yandex.ru",
        "orange.fr", "free.fr", "laposte.net", "qq.com", "163.com", "zoho.com", "fastmail.com",
    }
)  # fmt: skip


CVR_TIER_MULTIPLE = 3  # a partner converting more than 3 times as well as their tier is held
CVR_MIN_CONVERSIONS = 5  # and only from their 5th order by click in the window: a few lucky orders are not
CVR_MIN_BASELINE_CLICKS = 200  # nor against a tier with too few clicks to say what is normal
RATE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Hold:
    reason: str  # self_referral | disposable_email | duplicate_customer | conversion_rate
    detail: str


@dataclass(frozen=True)
class Rates:
    """Clicks and orders by click over the window: the partner's, and their baseline's (their tier's other
    partners, or the brand's other partners)."""

    tier: str
    clicks: int
    conversions: int
    baseline_clicks: int
    baseline_conversions: int
    baseline: str  # "tier" or "brand"


def rate_reason(rates: Rates, conversions: int) -> str | None:
    """Why `conversions` orders by click from the partner's clicks are far above their baseline's rate; None
    when they are not, or when too little is known (a young program, a partner's first few orders)."""
    if rates.baseline_clicks < CVR_MIN_BASELINE_CLICKS or rates.baseline_conversions == 0:
        return None
    if conversions < CVR_MIN_CONVERSIONS:
        return None
    baseline = Decimal(rates.baseline_conversions) / rates.baseline_clicks
    rate = Decimal(conversions) / max(rates.clicks, 1)
    if rate <= CVR_TIER_MULTIPLE * baseline:
        return None
    whose = f"the {rates.tier} tier's" if rates.baseline == "tier" else "the brand's other partners'"
    return (
        f"The partner converts {rate:.2%} of clicks over the period, more than {CVR_TIER_MULTIPLE} times "
        f"{whose} {baseline:.2%}."
    )


def rate_hold(rates: Rates | None) -> Hold | None:
    """The `conversion_rate` hold for one more order by click (the rates are over RATE_WINDOW_DAYS)."""
    reason = rate_reason(rates, rates.conversions + 1) if rates is not None else None
    return Hold("conversion_rate", reason) if reason else None


def normalized_email(email: str) -> str:
    local, _, domain = email.strip().lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def email_hash(email: str) -> str:
    return hashlib.sha256(f"email:{normalized_email(email)}".encode()).hexdigest()


def customer_hash(customer_email: str | None, customer_ref: str | None) -> str | None:
    """Who the customer is, as stored: the email's hash, else the shop's own customer reference's."""
    if customer_email:
        return email_hash(customer_email)
    if customer_ref:
        return hashlib.sha256(f"ref:{customer_ref.strip()}".encode()).hexdigest()
    return None


def hold_for(
    customer_email: str | None,
    partner_email: str | None,
    other_partner: str | None,
    rates: Rates | None = None,
) -> Hold | None:
    """The hold an attributed order gets, if any. `other_partner` is another partner credited with the same
    customer within the window; `rates` are the partner's and their baseline's for an order by click."""
    if customer_email and partner_email:
        if email_hash(customer_email) == email_hash(partner_email):
            return Hold("self_referral", "The customer's email is the partner's own.")
        domain = email_domain(customer_email)
        if domain == email_domain(partner_email) and domain not in WEBMAIL_DOMAINS:
            return Hold("self_referral", f"The customer's email is on the partner's own domain ({domain}).")
    if customer_email and email_domain(customer_email) in DISPOSABLE_DOMAINS:
        return Hold(
            "disposable_email", f"The customer used a disposable address ({email_domain(customer_email)})."
        )
    if other_partner:
        return Hold(
            "duplicate_customer", f"The same customer was credited to {other_partner} within the window."
        )
    return rate_hold(rates)
