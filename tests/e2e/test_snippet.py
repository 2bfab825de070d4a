"""The shop snippet in a real browser (Debian's Chromium, driven by Playwright): a shopper lands on the
brand's shop from a partner's link with `?stclid=...`, and the page includes /t/snippet.js. The shop is
played by the test (`page.route`, on https so the cookie's Secure flag is exercised); the snippet is the
local stack's answer, passed through at the shop's address as a CDN in front of Starling would serve it
(Chromium will not run an https page's script from the loopback's plain http)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.e2e.conftest import needs_chromium
from tests.support import ApiClient

pytestmark = needs_chromium
SHOP = "https://shop.example.com"  # one of the demo brand's allowed domains
DAY = 86400


def real_click_id(api: ApiClient, key: str) -> str:
    """The stclid the redirect appends when a shopper follows a partner's link."""
    suffix = uuid.uuid4().hex[:8]
    creator = {"handle": f"ana.{suffix}", "platform": "instagram", "followers": 9000}
    partner = api.call("POST", "/v1/partners", key, {"creator": creator}).body["partner_id"]
    link = api.call("POST", "/v1/links", key, {"partner_id": partner, "destination_url": f"{SHOP}/cake"})
    assert link.status == 201, link.text
    redirect = api.call(
        "GET", f"/{link.body['slug']}", headers={"User-Agent": "Mozilla/5.0 (iPhone) Instagram"}
    )
    return str(parse_qs(urlsplit(redirect.headers["Location"]).query)["stclid"][0])


def shop_page(snippet_url: str, shopify: bool, days: int | None = None) -> str:
    shopify_object = (
        '<script>window.Shopify = {shop: "shop-example.myshopify.com"};</script>' if shopify else ""
    )
    days_attribute = f' data-days="{days}"' if days else ""
    return (
        f"<!doctype html><html><head>{shopify_object}"
        f'<script src="{snippet_url}"{days_attribute}></script></head>'
        '<body><form action="/checkout" method="post"><input type="hidden" name="stclid">'
        "<button>Pay</button></form></body></html>"
    )


@pytest.fixture()
def shop(browser: Any, stack: dict[str, Any]) -> Iterator[tuple[Any, list[dict[str, Any]], dict[str, bool]]]:
    """A page in a fresh context, on a shop the test serves: every page is the shop page, and each POST to
    /cart/update.js is kept (its JSON body)."""
    context = browser.new_context()
    page = context.new_page()
    cart_updates: list[dict[str, Any]] = []
    options = {"shopify": True}

    def serve(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).path == "/t/snippet.js":
            served = requests.get(f"{stack['api_url']}/t/snippet.js", timeout=30)
            route.fulfill(status=served.status_code, headers=dict(served.headers), body=served.content)
            return
        if urlsplit(url).path == "/cart/update.js":
            cart_updates.append(json.loads(route.request.post_data or "{}"))
            route.fulfill(status=200, content_type="application/json", body='{"attributes": {}}')
            return
        days = parse_qs(urlsplit(url).query).get("days", [None])[0]
        body = shop_page(f"{SHOP}/t/snippet.js", options["shopify"], int(days) if days else None)
        route.fulfill(status=200, content_type="text/html", body=body)

    page.route(f"{SHOP}/**", serve)
    try:
        yield page, cart_updates, options
    finally:
        context.close()


def stclid_cookie(page: Any) -> dict[str, Any]:
    [cookie] = [c for c in page.context.cookies(SHOP) if c["name"] == "stclid"]
    return dict(cookie)


def test_on_shopify_the_click_is_kept_in_a_cookie_and_the_carts_attributes(
    shop: tuple[Any, list[dict[str, Any]], dict[str, bool]], api: ApiClient, stack: dict[str, Any]
) -> None:
    page, cart_updates, _ = shop
    stclid = real_click_id(api, stack["api_key"])
    # When the shopper lands on the shop from the partner's link
    page.goto(f"{SHOP}/products/cake?stclid={stclid}&utm_source=starling")
    page.wait_for_function("window.starling !== undefined")
    page.wait_for_function("() => document.querySelector('input[name=stclid]').value !== ''")
    # Then the click is in a first-party, Secure, SameSite=Lax cookie for the 30-day window
    cookie = stclid_cookie(page)
    assert cookie["value"] == stclid
    assert (cookie["secure"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/")
    assert abs(cookie["expires"] - (time.time() + 30 * DAY)) < DAY
    # And it went into the cart's attributes once, for the order's note_attributes
    page.wait_for_function("() => sessionStorage.getItem('stclid_cart') !== null")
    assert cart_updates == [{"attributes": {"stclid": stclid}}]
    # And a later page without the parameter still knows it, without posting the cart again
    page.goto(f"{SHOP}/checkout")
    page.wait_for_function("window.starling !== undefined")
    assert page.evaluate("window.starling.clickId()") == stclid
    assert page.input_value("input[name=stclid]") == stclid
    assert len(cart_updates) == 1


def test_on_a_plain_checkout_the_form_carries_the_click_for_the_tags_window(
    shop: tuple[Any, list[dict[str, Any]], dict[str, bool]], api: ApiClient, stack: dict[str, Any]
) -> None:
    page, cart_updates, options = shop
    options["shopify"] = False
    stclid = real_click_id(api, stack["api_key"])
    page.goto(f"{SHOP}/landing?days=7&stclid={stclid}")
    page.wait_for_function("window.starling !== undefined")
    assert page.evaluate("window.starling.clickId()") == stclid
    assert page.input_value("input[name=stclid]") == stclid
    assert abs(stclid_cookie(page)["expires"] - (time.time() + 7 * DAY)) < DAY
    assert cart_updates == []


def test_a_page_without_a_click_sets_nothing(
    shop: tuple[Any, list[dict[str, Any]], dict[str, bool]],
) -> None:
    page, cart_updates, _ = shop
    page.goto(f"{SHOP}/products/cake?stclid=%20bad%20value")
    page.wait_for_function("window.starling !== undefined")
    assert page.evaluate("window.starling.clickId()") is None
    assert [c for c in page.context.cookies(SHOP) if c["name"] == "stclid"] == []
    assert page.input_value("input[name=stclid]") == ""
    assert cart_updates == []
