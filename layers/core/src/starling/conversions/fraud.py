"""Fraud holds: an attributed order whose commission a manager should look at before it is paid. Pure rules.

A held commission is `on_hold` with the reason; it is priced and counts towards the partner's month like
any other (so a release needs no re-pricing), and a manager releases or rejects it. The rules, first match:
1. `self_referral`: the customer's email is the partner's (compared as a hash, with case, surrounding
   spaces and a `+tag` ignored), or on the partner's own email domain (webmail domains such as gmail.com
   excepted: they say nothing about who is who);
2. `disposable_email`: the customer's address is a throwaway inbox (the `disposable-email-domains` list);
3. `duplicate_customer`: another partner was credited with the same customer (email hash or the shop's
   customer reference) within the attribution window.
Customer emails are never stored: only their hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Hold:
    reason: str  # self_referral | disposable_email | duplicate_customer
    detail: str


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


def hold_for(customer_email: str | None, partner_email: str | None, other_partner: str | None) -> Hold | None:
    """The hold an attributed order gets, if any. `other_partner` is another partner credited with the same
    customer within the window."""
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
    return None
