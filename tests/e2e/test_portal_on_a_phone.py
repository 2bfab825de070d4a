"""The creator's side of onboarding on a phone (390x844, headless Chromium driven by Playwright) against
the local stack: from the invitation's magic link through profile, payout method, tax form and the
contract, to an active partner with links, QR codes and a product page. Each step's screenshot is saved
under docs/screenshots/portal/ for people to look at."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from infra.cli import read_outbox
from tests.e2e.conftest import REPO, needs_chromium, starling_cli
from tests.e2e.test_public_pages import (
    NARROW,
    PHONE,
    scrolls_sideways,
    unlabelled_controls,
)
from tests.support import ApiClient

SCREENSHOTS = REPO / "docs" / "screenshots" / "portal"
IMAGES = "https://img.example.com/"
AVATAR_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192" viewBox="0 0 192 192">'
    '<rect width="192" height="192" fill="#f4c7b8"/><circle cx="96" cy="76" r="36" fill="#8a4b38"/>'
    '<ellipse cx="96" cy="170" rx="62" ry="48" fill="#8a4b38"/></svg>'
)
PRODUCT_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="144" height="144" viewBox="0 0 144 144">'
    '<rect width="144" height="144" fill="#e8f0ea"/><rect x="52" y="28" width="40" height="90" rx="10" '
    'fill="#2f6f4f"/><rect x="60" y="16" width="24" height="16" fill="#1d3f2d"/></svg>'
)

pytestmark = needs_chromium


def _wait_for(probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.25)
    raise AssertionError("timed out")


@pytest.fixture()
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route(
        re.compile(re.escape(IMAGES) + ".*"),
        lambda route: route.fulfill(
            status=200,
            content_type="image/svg+xml",
            body=AVATAR_SVG if "maya" in route.request.url else PRODUCT_SVG,
        ),
    )
    try:
        yield page
    finally:
        context.close()


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert not scrolls_sideways(page), name
    assert unlabelled_controls(page) == [], name
    return path


def _mail(stack: dict[str, Any], to: str, pattern: str) -> str:
    def found() -> str | None:
        for message in reversed(read_outbox(stack["api_url"])):
            if to in message["to"] and (match := re.search(pattern, str(message["body"]))):
                return match.group(0)
        return None

    return str(_wait_for(found))


def _program(stack: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A brand with two products and a contract template, and a creator who applied on its form."""
    suffix = uuid.uuid4().hex[:6]
    brand = starling_cli(
        stack, "brand", "create", "Juniper Skincare", "--slug", f"juniper-{suffix}",
        "--allowed-domain", "shop.example.com",
    )  # fmt: skip
    api, key = ApiClient(stack["api_url"]), brand["owner_key"]
    for name, slug, price in (("Glow Serum", "serum", 2900), ("Night Cream", "cream", 3400)):
        product = {
            "name": name,
            "url": f"https://shop.example.com/{slug}",
            "image_url": f"{IMAGES}{slug}.svg",
        }
        product["price"] = {"amount": price, "currency": "USD"}
        assert api.call("POST", "/v1/products", key, product).status == 201
    template = {"name": "Creator agreement", "default_terms": {"currency": "USD", "cpa_percent": "12"},
                "body_markdown": "# Creator agreement\n\n{{brand_name}} and {{partner_name}} agree, "
                "from {{start_date}}, on these terms:\n\n{{terms_summary}}\n"}  # fmt: skip
    assert api.call("POST", "/v1/contract-templates", key, template).status == 201, "template"
    email = f"maya.{suffix}@gmail.com"
    form = {"name": "Maya Lopez", "email": email, "platform_1": "instagram", "handle_1": f"maya.{suffix}",
            "followers_1": "12400", "niches": "beauty", "country": "US", "pitch": "Skincare.",
            "accept_terms": "on"}  # fmt: skip
    applied = requests.post(f"{stack['api_url']}/apply/{brand['slug']}", data=urlencode(form), timeout=30,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert applied.status_code == 200
    [partner] = api.call("GET", "/v1/partners?stage=applied", key).body["items"]
    return brand, {"partner_id": partner["partner_id"], "email": email, "key": key}


def test_a_creator_goes_from_the_magic_link_to_active_on_a_phone(phone: Any, stack: dict[str, Any]) -> None:
    brand, maya = _program(stack)
    api = ApiClient(stack["api_url"])
    # Given the brand approves Maya, and the invitation's magic link reaches her phone
    moved = api.call("POST", f"/v1/partners/{maya['partner_id']}/stage", maya["key"], {"stage": "approved"})
    assert moved.status == 200
    link = _mail(stack, maya["email"], r"https?://\S+/portal/auth\?token=\S+")
    # When she opens it and taps Sign in
    phone.goto(link)
    shot(phone, "01-sign-in")
    phone.get_by_role("button", name="Sign in").click()
    assert phone.url.endswith("/portal")
    shot(phone, "02-home")
    # And completes her profile, payout method and tax form
    phone.get_by_role("link", name="Continue: your profile").click()
    phone.get_by_label("Your name, as shoppers see it").fill("Maya Lopez")
    phone.get_by_label("About you").fill("Skincare that fits a busy morning.")
    phone.get_by_label("Your photo (a link)").fill(f"{IMAGES}maya.svg")
    shot(phone, "03-profile")
    phone.get_by_role("button", name="Save and continue").click()
    phone.get_by_label("Stripe (Connect account)").check()
    phone.get_by_label("Your PayPal email, or Stripe account id").fill("acct_1Nv0FGQ9RKHgCVdK")
    shot(phone, "04-payout")
    phone.get_by_role("button", name="Save and continue").click()
    phone.get_by_label("Legal name").fill("Maya Lopez")
    phone.get_by_label("Tax classification").select_option("individual")
    phone.get_by_label("SSN or EIN").fill("123-45-6789")
    phone.get_by_label("Address").fill("1 Main St, Austin TX 78701")
    phone.get_by_label(re.compile("I certify")).check()
    shot(phone, "05-tax-form")
    phone.get_by_role("button", name="Save and continue").click()
    assert phone.url.endswith("/portal")
    # Then the contract comes by email; she reads it and signs it with her typed name
    contract_path = _mail(stack, maya["email"], r"/portal/contracts/ctr_\w+")
    phone.goto(stack["api_url"] + contract_path)
    shot(phone, "06-contract")
    phone.get_by_label(re.compile("Consent to sign electronically")).check()
    phone.get_by_label("Type your full name").fill("Maya Lopez")
    phone.get_by_role("button", name="Sign the contract").click()
    assert phone.locator(".badge.ok").count() == 1  # signed (then active from its start date)
    shot(phone, "07-contract-signed")
    # And she is active, with her links, their QR codes, and her product page
    partner_path = f"/v1/partners/{maya['partner_id']}"
    _wait_for(lambda: api.call("GET", f"{partner_path}/onboarding", maya["key"]).body["status"] == "active")
    assert api.call("GET", partner_path, maya["key"]).body["stage"] == "active"
    phone.goto(stack["api_url"] + "/portal")
    assert "an active partner" in phone.content()
    shot(phone, "08-home-active")
    phone.get_by_role("link", name="Links", exact=True).click()
    assert phone.locator(".qr svg").count() == 2
    shot(phone, "09-links-and-qr-codes")
    page_url = phone.locator("a.url").first.get_attribute("href")
    phone.goto(page_url)
    assert "Glow Serum" in phone.content() and "Juniper Skincare" in phone.content()
    shot(phone, "10-product-page")
    # And the brand sees each step with its time
    steps = api.call("GET", f"{partner_path}/onboarding", maya["key"]).body
    assert steps["status"] == "active" and steps["tax"]["tax_id"] == "•••••6789"
    del brand


def test_a_used_link_and_the_sign_in_page_fit_a_360_px_phone(phone: Any, stack: dict[str, Any]) -> None:
    phone.set_viewport_size(NARROW)
    phone.goto(stack["api_url"] + "/portal/auth?token=" + "x" * 43)
    assert "Email me a new link" in phone.content()
    phone.set_viewport_size(PHONE)
    shot(phone, "00-link-no-longer-works")
    phone.get_by_role("link", name="Email me a new link").click()
    phone.get_by_label("Your email").fill("maya@example.com")
    shot(phone, "00-sign-in-by-email")
    phone.get_by_role("button", name="Email me a sign-in link").click()
    assert "Check your email" in phone.content()
