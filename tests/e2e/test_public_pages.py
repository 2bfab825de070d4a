"""The public pages as a creator and a shopper see them on a phone: headless Chromium (Debian's `chromium`,
driven by Playwright) against the local stack. Each test saves a 390x844 screenshot under
.starling/screenshots/ for a person to look at."""

from __future__ import annotations

import base64
import importlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from tests.e2e.conftest import REPO, needs_chromium, starling_cli
from tests.support import ApiClient

SCREENSHOTS = REPO / ".starling" / "screenshots"
PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15, in CSS pixels
NARROW = {"width": 360, "height": 740}  # the narrowest phones in common use
LOGO_URL = "https://cdn.juniper.example/logo.svg"
TERMS_URL = "https://juniper.example/partner-terms"
# A logo served by the test in place of the brand's CDN, which this machine cannot reach.
LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
    '<circle cx="48" cy="48" r="46" fill="#2f6f4f"/><text x="48" y="64" text-anchor="middle" '
    'font-family="Georgia,serif" font-size="48" fill="#fff">J</text></svg>'
)

pytestmark = needs_chromium


@pytest.fixture()
def phone(browser: Any) -> Iterator[Any]:
    """A page in a fresh context the size of a phone, that serves the brand's logo."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route(LOGO_URL, lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=LOGO_SVG))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def brand(stack: dict[str, Any]) -> dict[str, Any]:
    """A brand with a logo and partner terms, as its owner would set them up."""
    suffix = uuid.uuid4().hex[:6]
    created = starling_cli(
        stack, "brand", "create", "Juniper Skincare", "--slug", f"juniper-{suffix}",
        "--allowed-domain", "shop.example.com",
    )  # fmt: skip
    api = ApiClient(stack["api_url"])
    settings = {"logo_url": LOGO_URL, "terms_url": TERMS_URL}
    assert api.call("PATCH", "/v1/brand", created["owner_key"], settings).status == 200
    return created


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def unlabelled_controls(page: Any) -> list[str]:
    """The ids (or names) of inputs, selects and text areas that no label names."""
    return list(
        page.evaluate(
            """[...document.querySelectorAll('input, select, textarea')]
               .filter(c => c.type !== 'hidden' && c.labels.length === 0)
               .map(c => c.id || c.name)"""
        )
    )


def test_a_creator_applies_from_a_phone_with_the_keyboard(
    phone: Any, brand: dict[str, Any], stack: dict[str, Any]
) -> None:
    # Given the brand's application form on a phone
    answer = phone.goto(f"{stack['api_url']}/apply/{brand['slug']}")
    assert answer.status == 200
    # Then it shows the brand's name and logo, links its terms, and says what is kept and why
    assert phone.locator(".brand span").inner_text() == "Juniper Skincare"
    assert phone.evaluate("document.querySelector('.brand img').naturalWidth") > 0
    assert phone.get_by_role("link", name="partner program terms").get_attribute("href") == TERMS_URL
    assert "review your application" in phone.locator(".privacy").inner_text()
    # And every input has a label
    assert unlabelled_controls(phone) == []
    screenshot(phone, "application-form")

    # When the creator fills it in, with a country by name, and presses Enter in a field
    phone.get_by_label("Your name").fill("Ana Souza")
    phone.get_by_label("Email").fill(f"ana.{uuid.uuid4().hex[:6]}@gmail.com")
    phone.locator("#platform_1").select_option("instagram")
    phone.locator("#handle_1").fill(f"ana.{uuid.uuid4().hex[:6]}")
    phone.locator("#followers_1").fill("12.5k")
    phone.get_by_label("Country").fill("Brazil")
    phone.get_by_label("I accept the partner program terms").check()
    phone.get_by_label("Your name").press("Enter")

    # Then they land on the thank-you page
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "Thank you, Ana Souza!"
    assert not scrolls_sideways(phone)
    screenshot(phone, "application-thank-you")


def test_the_application_form_fits_a_360_px_phone(
    browser: Any, brand: dict[str, Any], stack: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=NARROW, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{stack['api_url']}/apply/{brand['slug']}")
        assert not scrolls_sideways(page)
        # And with every error shown at once, it still fits
        page.get_by_role("button", name="Send my application").click()
        page.wait_for_load_state()
        assert page.locator(".summary").is_visible()
        assert not scrolls_sideways(page)
    finally:
        context.close()


def test_an_unknown_link_shows_a_small_page_that_fits_a_phone(phone: Any, stack: dict[str, Any]) -> None:
    # When a shopper opens a vanity link that does not exist
    answer = phone.goto(f"{stack['api_url']}/no-such-link-{uuid.uuid4().hex[:6]}")
    # Then a page of under 2 KB says so, and fits the screen
    assert answer.status == 404
    assert len(answer.body()) < 2048
    assert phone.locator("h1").inner_text() == "Link not found"
    assert "Check the address" in phone.locator("main").inner_text()
    phone.set_viewport_size(NARROW)
    assert not scrolls_sideways(phone)
    phone.set_viewport_size(PHONE)
    # And when the deployment sets a home URL, the page offers it
    home = _deployed_home_url()
    if home:
        assert phone.get_by_role("link").get_attribute("href") == home
    screenshot(phone, "unknown-link")


def _deployed_home_url() -> str:
    """The redirect's HOME_URL in the synthesized template the local stack runs."""
    template = json.loads((REPO / "cdk.out" / "Starling.template.json").read_text())
    (redirect,) = [
        r for lid, r in template["Resources"].items()
        if lid.startswith("LinksRedirectFunction") and r["Type"] == "AWS::Lambda::Function"
    ]  # fmt: skip
    return str(redirect["Properties"]["Environment"]["Variables"].get("HOME_URL", ""))


def test_an_unknown_link_offers_the_deployments_home_page(
    phone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the redirect of a deployment whose home_url is the brand's site
    for name, value in {
        "TABLE_NAME": "core",
        "CLICK_SECRET_ID": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    redirect = importlib.import_module("functions.redirect.handler")
    answer = redirect._not_found_page("https://www.juniper.example/")
    # When a shopper's phone shows its page for an unknown link
    phone.set_content(answer["body"])
    # Then a button-sized link leads on, reachable with the keyboard, and the page fits 360 px
    link = phone.get_by_role("link", name="Go to juniper.example")
    assert link.get_attribute("href") == "https://www.juniper.example/"
    assert link.bounding_box()["height"] >= 44
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Go to juniper.example"
    phone.set_viewport_size(NARROW)
    assert not scrolls_sideways(phone)
    phone.set_viewport_size(PHONE)
    screenshot(phone, "unknown-link-with-home")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _decode(image: np.ndarray) -> str:
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return str(decoded)


def test_the_qr_codes_scan_on_a_dark_story(phone: Any, brand: dict[str, Any], stack: dict[str, Any]) -> None:
    # Given a link for a creator of the brand
    api, key = ApiClient(stack["api_url"]), brand["owner_key"]
    partner = api.call(
        "POST", "/v1/partners", key, {"creator": {"handle": "ana.qr", "platform": "instagram"}}
    )
    link = api.call(
        "POST", "/v1/links", key,
        {"partner_id": partner.body["partner_id"], "destination_url": "https://shop.example.com/serum"},
    ).body  # fmt: skip
    png = api.call("GET", f"/v1/links/{link['slug']}/qr.png", key).content
    svg = api.call("GET", f"/v1/links/{link['slug']}/qr.svg?caption=1", key).text

    # When Chromium shows the PNG and the captioned SVG on a near-black background, as in a story
    shown = (
        "<!DOCTYPE html><meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<body style='margin:0;background:#111;display:flex;flex-direction:column;align-items:center;"
        "gap:24px;padding:24px 0'>"
        f"<img id='png' style='width:300px' src='data:image/png;base64,{_b64(png)}'>"
        f"<img id='svg' style='width:300px' src='data:image/svg+xml;base64,{_b64(svg.encode())}'>"
        "</body>"
    )
    phone.set_content(shown)
    screenshot(phone, "qr-codes-on-dark")

    # Then each scans, from the rendered screen, to the short URL
    for element in ("#png", "#svg"):
        shot = phone.locator(element).screenshot()
        assert (
            _decode(cv2.imdecode(np.frombuffer(shot, dtype=np.uint8), cv2.IMREAD_GRAYSCALE))
            == link["short_url"]
        )
    # And the caption under the SVG carries the short URL as text
    assert f">{link['short_url'].split('://', 1)[1]}</text>" in svg
