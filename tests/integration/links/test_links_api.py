"""Links through the local cloud: the brand API, the redirect on /{slug}, and clicks counted by the
aggregator from the redirect's log lines through the Kinesis click stream."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support import ApiClient

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Instagram 300.0.0.0"
ANDROID = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Chrome/116.0 Mobile Safari/537.36 musical_ly_2023"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
SLACK = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


def _partner(api: ApiClient, key: str) -> str:
    handle = f"maker{uuid.uuid4().hex[:8]}"
    answer = api.call("POST", "/v1/partners", key, {"creator": {"handle": handle, "platform": "instagram"}})
    assert answer.status == 201, answer.body
    return str(answer.body["partner_id"])


def _link(api: ApiClient, key: str, **fields: Any) -> dict[str, Any]:
    body = {"partner_id": fields.pop("partner_id", None) or _partner(api, key)}
    body.setdefault("destination_url", "https://shop.example.com/serum")
    body.update(fields)
    answer = api.call("POST", "/v1/links", key, body)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def _figures(api: ApiClient, key: str, slug: str, clicks: int, wait: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + wait
    while True:
        body = api.call("GET", f"/v1/links/{slug}", key).body
        if body["clicks"] + body["bot_clicks"] >= clicks or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.2)


def test_a_link_redirects_with_utm_parameters_and_a_click_id(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a link with a chosen slug
    slug = f"maya-{uuid.uuid4().hex[:6]}"
    created = _link(api, brand["api_key"], slug=slug.upper(), utm={"utm_campaign": "spring"})
    assert created["slug"] == slug
    assert created["short_url"].endswith(f"/{slug}")
    assert created["qr_svg_url"].endswith(f"/v1/links/{slug}/qr.svg")
    # When a shopper opens it
    answer = api.call("GET", f"/{slug}", headers={"User-Agent": DESKTOP})
    # Then they are sent on with the brand's and the link's UTM parameters and a click id
    assert answer.status == 302
    location = urlsplit(answer.headers["Location"])
    assert (location.netloc, location.path) == ("shop.example.com", "/serum")
    query = parse_qs(location.query)
    assert query["utm_source"] == ["starling"] and query["utm_campaign"] == ["spring"]
    assert query["stclid"][0].startswith("1.")


def test_phones_go_to_their_platform_destination(api: ApiClient, brand: dict[str, str]) -> None:
    link = _link(
        api,
        brand["api_key"],
        ios_url="https://example.com/app/ios",
        android_url="https://example.com/app/android",
    )
    where = {
        agent: urlsplit(
            api.call("GET", f"/{link['slug']}", headers={"User-Agent": agent}).headers["Location"]
        ).path
        for agent in (IPHONE, ANDROID, DESKTOP)
    }
    assert where == {IPHONE: "/app/ios", ANDROID: "/app/android", DESKTOP: "/serum"}


def test_an_unknown_slug_gets_a_friendly_404_page(api: ApiClient) -> None:
    answer = api.call("GET", f"/nothing-{uuid.uuid4().hex[:8]}")
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/html") and "Link not found" in answer.text


def test_a_disabled_link_goes_to_the_brand_fallback_within_seconds(
    api: ApiClient, brand: dict[str, str]
) -> None:
    link = _link(api, brand["api_key"])
    assert api.call("GET", f"/{link['slug']}").status == 302
    patched = api.call("PATCH", f"/v1/links/{link['slug']}", brand["api_key"], {"disabled": True})
    assert patched.status == 200 and patched.body["disabled"] is True
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        location = api.call("GET", f"/{link['slug']}").headers["Location"]
        if location == "https://shop.example.com/":
            break
        time.sleep(0.5)
    assert location == "https://shop.example.com/"


def test_head_answers_without_counting_and_clicks_are_counted(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a link opened by two people, one of them twice, plus a link-preview bot and a HEAD
    link = _link(api, brand["api_key"])
    slug = link["slug"]
    head = api.call("HEAD", f"/{slug}", headers={"User-Agent": IPHONE})
    assert head.status == 302 and "stclid" not in head.headers["Location"]
    for agent in (IPHONE, IPHONE, ANDROID, SLACK):
        assert api.call("GET", f"/{slug}", headers={"User-Agent": agent}).status == 302
    # Then the link shows 3 clicks, 2 unique, 1 bot
    figures = _figures(api, brand["api_key"], slug, 4)
    assert (figures["clicks"], figures["unique_clicks"], figures["bot_clicks"]) == (3, 2, 1)
    # And the reports agree, by link, partner and day
    for group in ("link", "partner", "day"):
        report = api.call("GET", f"/v1/reports?group_by={group}", brand["api_key"])
        assert report.status == 200
        assert report.body["totals"]["clicks"] == 3 and report.body["totals"]["bot_clicks"] == 1, group
    csv_report = api.call(
        "GET", "/v1/reports?group_by=link", brand["api_key"], headers={"Accept": "text/csv"}
    )
    assert csv_report.headers["Content-Type"].startswith("text/csv")
    assert csv_report.text.splitlines()[1].startswith(f"{slug},https://shop.example.com/serum,3,2,1,0")


def test_the_qr_code_is_an_svg_of_the_short_url(api: ApiClient, brand: dict[str, str]) -> None:
    link = _link(api, brand["api_key"])
    answer = api.call("GET", f"/v1/links/{link['slug']}/qr.svg", brand["api_key"])
    assert answer.status == 200 and answer.headers["Content-Type"] == "image/svg+xml"
    assert answer.text.lstrip().startswith("<svg")


def test_links_to_a_product_list_by_partner_and_follow_brand_utm_changes(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    product = api.call(
        "POST", "/v1/products", key, {"name": "Serum", "url": "https://shop.example.com/p/serum"}
    )
    partner = _partner(api, key)
    link = _link(api, key, partner_id=partner, destination_url=None, product_id=product.body["product_id"])
    assert link["destination_url"] == "https://shop.example.com/p/serum"
    listed = api.call("GET", f"/v1/links?partner_id={partner}", key).body
    assert [item["slug"] for item in listed["items"]] == [link["slug"]]
    api.call("PATCH", "/v1/brand", key, {"utm_defaults": {"utm_source": "creators"}})
    time.sleep(5.5)  # the redirect's cache lives five seconds
    location = api.call("GET", f"/{link['slug']}").headers["Location"]
    assert parse_qs(urlsplit(location).query)["utm_source"] == ["creators"]


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"destination_url": "https://evil.com/x"}, 422, "destination_url"),
        ({"destination_url": "javascript:alert(1)"}, 422, "destination_url"),
        ({"destination_url": "data:text/html,hi"}, 422, "destination_url"),
        ({"slug": "apply"}, 422, "slug"),
        ({"slug": "x" * 60}, 422, "slug"),
        ({"slug": "m\u0430ya"}, 422, "slug"),
        ({"slug": "bad slug"}, 422, "slug"),
        ({"utm": {"utm_nope": "x"}}, 422, "utm"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, 422, "expires_at"),
        ({"partner_id": "ptn_nobody"}, 422, "partner_id"),
        ({"product_id": "prd_nothing"}, 422, "destination_url"),
    ],
)
def test_bad_links_are_refused_with_the_field_at_fault(
    api: ApiClient, brand: dict[str, str], fields: dict[str, Any], status: int, field: str
) -> None:
    body = {"partner_id": _partner(api, brand["api_key"]), "destination_url": "https://shop.example.com/x"}
    body.update(fields)
    answer = api.call("POST", "/v1/links", brand["api_key"], body)
    assert answer.status == status, answer.body
    assert field in str(answer.body["error"]["details"]) or field in answer.body["error"]["message"]


def test_an_off_domain_destination_names_the_allowed_domains(api: ApiClient, brand: dict[str, str]) -> None:
    body = {"partner_id": _partner(api, brand["api_key"]), "destination_url": "https://evil.com/"}
    answer = api.call("POST", "/v1/links", brand["api_key"], body)
    assert answer.body["error"]["details"]["allowed_domains"] == ["example.com", "shop.example.com"]


def test_a_taken_slug_is_a_conflict_across_brands(api: ApiClient, brand: dict[str, str], cloud: Any) -> None:
    from tests.integration.conftest import new_brand

    slug = f"taken-{uuid.uuid4().hex[:6]}"
    _link(api, brand["api_key"], slug=slug)
    other = new_brand(cloud)
    body = {
        "partner_id": _partner(api, other["api_key"]),
        "destination_url": "https://shop.example.com/",
        "slug": slug,
    }
    assert api.call("POST", "/v1/links", other["api_key"], body).status == 409
    # And the other brand cannot see the first brand's link
    assert api.call("GET", f"/v1/links/{slug}", other["api_key"]).status == 404
    assert api.call("PATCH", f"/v1/links/{slug}", other["api_key"], {"disabled": True}).status == 404


def test_link_routes_refuse_bad_keys_roles_and_bodies(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    viewer = api.call("POST", "/v1/api-keys", key, {"name": "v", "role": "viewer"}).body["key"]
    body = {"partner_id": _partner(api, key), "destination_url": "https://shop.example.com/"}
    assert api.call("POST", "/v1/links", "stk_live_" + "x" * 24, body).status == 401
    assert api.call("POST", "/v1/links", viewer, body).status == 403
    assert api.call("GET", "/v1/links", viewer).status == 200
    assert (
        api.call(
            "POST", "/v1/links", key, raw="{not json", headers={"Content-Type": "application/json"}
        ).status
        == 400
    )
    assert api.call("POST", "/v1/links", key, {**body, "surprise": 1}).status == 422
    assert api.call("GET", "/v1/links/nothing-here", key).status == 404
    assert api.call("GET", "/v1/links/nothing-here/qr.svg", key).status == 404
    assert api.call("PATCH", "/v1/links/nothing-here", key, {"disabled": True}).status == 404
    assert api.call("GET", "/v1/reports?group_by=planet", key).status == 422
    assert api.call("GET", "/v1/reports?from=2026-02-01&to=2026-01-01", key).status == 422
    assert api.call("GET", "/v1/reports?from=yesterday", key).status == 422


def test_a_json_array_is_not_taken_for_an_object(api: ApiClient, brand: dict[str, str]) -> None:
    body = [{"partner_id": _partner(api, brand["api_key"]), "destination_url": "https://shop.example.com/"}]
    answer = api.call("POST", "/v1/links", brand["api_key"], body)
    assert answer.status == 422
    assert answer.body["error"]["message"] == "The body must be a JSON object."
    assert (
        api.call(
            "POST", "/v1/products", brand["api_key"], [{"name": "x", "url": "https://example.com/"}]
        ).status
        == 422
    )
