"""Fraud holds: self-referral by email or own domain, disposable addresses, a customer of two partners."""

from __future__ import annotations

from starling.conversions.fraud import customer_hash, email_hash, hold_for


def test_the_partners_own_address_in_another_case_or_with_a_tag_is_a_self_referral() -> None:
    hold = hold_for(" Maya+shop@Studio-Maya.com ", "maya@studio-maya.com", None)
    assert hold is not None and hold.reason == "self_referral"


def test_an_address_on_the_partners_own_domain_is_a_self_referral() -> None:
    hold = hold_for("sister@studio-maya.com", "maya@studio-maya.com", None)
    assert hold is not None and hold.reason == "self_referral"
    assert "studio-maya.com" in hold.detail


def test_sharing_a_webmail_domain_says_nothing() -> None:
    assert hold_for("shopper@gmail.com", "maya@gmail.com", None) is None


def test_a_disposable_address_is_held() -> None:
    hold = hold_for("someone@mailinator.com", "maya@gmail.com", None)
    assert hold is not None and hold.reason == "disposable_email"


def test_a_customer_already_credited_to_another_partner_is_held() -> None:
    hold = hold_for("shopper@gmail.com", "maya@gmail.com", "ptn_other")
    assert hold is not None and (hold.reason, hold.detail) == (
        "duplicate_customer", "The same customer was credited to ptn_other within the window.",
    )  # fmt: skip


def test_self_referral_comes_first_and_an_ordinary_order_is_not_held() -> None:
    assert hold_for("maya@mailinator.com", "maya@mailinator.com", "ptn_other").reason == "self_referral"  # type: ignore[union-attr]
    assert hold_for("shopper@example.org", None, None) is None
    assert hold_for(None, "maya@gmail.com", None) is None


def test_a_customer_is_kept_as_a_hash_of_the_email_else_of_the_shops_reference() -> None:
    assert customer_hash("Shopper+x@Example.org", "c-1") == email_hash("shopper@example.org")
    assert customer_hash(None, "c-1") == customer_hash(None, " c-1 ") != customer_hash(None, "c-2")
    assert customer_hash(None, None) is None
    assert "shopper" not in email_hash("shopper@example.org")
