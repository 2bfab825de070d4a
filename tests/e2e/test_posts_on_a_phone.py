"""A partner submits a post on a phone (390x844, headless Chromium) and sees each check with its result;
the brand approves it and the partner sees the fee. Screenshots go to docs/screenshots/portal/."""

from __future__ import annotations

from typing import Any

from tests.e2e import test_portal_on_a_phone as portal
from tests.e2e.conftest import needs_chromium
from tests.support import ApiClient

phone = portal.phone  # the same phone, a fixture
_mail, _program, shot = portal._mail, portal._program, portal.shot
pytestmark = needs_chromium


def test_a_partner_submits_a_post_and_sees_its_checks_and_then_its_fee(
    phone: Any, stack: dict[str, Any]
) -> None:
    # Given Maya, invited by the brand, with the coupon MAYA10 and $50 a post in her terms
    _, maya = _program(stack)
    api, key, partner_path = ApiClient(stack["api_url"]), maya["key"], f"/v1/partners/{maya['partner_id']}"
    assert api.call("POST", f"{partner_path}/stage", key, {"stage": "approved"}).status == 200
    assert api.call("PATCH", partner_path, key, {"coupon_codes": ["MAYA10"]}).status == 200
    terms = {"terms": {"currency": "USD", "per_post": {"amount": 5000, "posts": 2}},
             "signed_elsewhere": {"signed_on": "2026-01-01", "document_sha256": "ab" * 32}}  # fmt: skip
    assert api.call("POST", f"{partner_path}/contracts", key, terms).status == 201
    phone.goto(_mail(stack, maya["email"], r"https?://\S+/portal/auth\?token=\S+"))
    phone.get_by_role("button", name="Sign in").click()
    # When she opens Posts and submits one without a disclosure, and one with it
    phone.get_by_role("link", name="Posts", exact=True).click()
    phone.get_by_label("Link to the post").fill("https://www.instagram.com/p/C1a2b3/")
    phone.get_by_label("Platform").select_option("instagram")
    phone.get_by_label("Caption, as posted").fill("My morning routine ☀️ code MAYA10")
    phone.get_by_role("button", name="Submit for review").click()
    phone.get_by_label("Link to the post").fill("https://www.tiktok.com/@maya/video/7301")
    phone.get_by_label("Platform").select_option("tiktok")
    phone.get_by_label("Caption, as posted").fill("Night routine #ad, code MAYA10 for 10% off")
    shot(phone, "11-submit-a-post")
    phone.get_by_role("button", name="Submit for review").click()
    # Then each post shows its three checks, passed or failed
    assert phone.locator(".checks li").count() == 6
    assert phone.locator(".checks li.fail").count() == 1
    assert "no paid-partnership disclosure" in phone.content()
    shot(phone, "12-posts-checked")
    # When the brand approves the one that passed
    waiting = api.call("GET", "/v1/deliverables?status=submitted", key).body["items"]
    passed = next(d for d in waiting if d["passed"])
    approved = api.call("POST", f"/v1/deliverables/{passed['deliverable_id']}/approve", key, {})
    assert approved.status == 200 and approved.body["fee"]["amount"] == 5000
    # Then she sees it approved, with what it earned
    phone.reload()
    assert phone.locator(".badge.ok").count() == 1
    assert "Earned" in phone.content() and "$50.00" in phone.content()
    shot(phone, "13-post-approved")
