"""Links through the local cloud: the brand API, the redirect on /{slug}, and clicks counted by the
aggregator from the redirect's log lines through the Kinesis click stream."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np
import pytest

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
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


def _figures(api: ApiClient, key: str, slug: str, clicks: int, wait: float = 150) -> dict[str, Any]:
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
    # And it is drawn on white, so it scans on a dark background, with no caption unless asked
    assert '<path fill="#fff" d="M0 0h' in answer.text and "<text" not in answer.text


def test_the_qr_code_can_carry_the_short_url_as_a_caption(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a link
    link = _link(api, brand["api_key"])
    # When the brand asks for its QR code with a caption
    answer = api.call("GET", f"/v1/links/{link['slug']}/qr.svg?caption=1", brand["api_key"])
    # Then the short URL, without its scheme, is written under the code
    assert answer.status == 200
    shown = link["short_url"].split("://", 1)[1]
    assert f">{shown}</text></svg>" in answer.text
    # And a caption value that is not a yes or no is refused
    refused = api.call("GET", f"/v1/links/{link['slug']}/qr.svg?caption=perhaps", brand["api_key"])
    assert refused.status == 422


def test_the_qr_code_is_offered_as_a_png_that_scans_to_the_short_url(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a link
    link = _link(api, brand["api_key"])
    # When the brand downloads its QR code as a PNG for a story
    answer = api.call("GET", f"/v1/links/{link['slug']}/qr.png", brand["api_key"])
    # Then it is a PNG that decodes to the short URL
    assert answer.status == 200 and answer.headers["Content-Type"] == "image/png"
    image = cv2.imdecode(np.frombuffer(answer.content, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert decoded == link["short_url"]
    # And its corners, the quiet zone, are white
    assert image[0, 0] == image[-1, -1] == 255


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
    assert api.call("GET", "/v1/links/nothing-here/qr.png", key).status == 404
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


def test_patching_a_links_utm_merges_key_by_key(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a link with its own campaign and medium
    key = brand["api_key"]
    link = _link(api, key, utm={"utm_campaign": "spring", "utm_medium": "story"})
    # When a merge patch sets the content and removes the medium with null
    answer = api.call(
        "PATCH", f"/v1/links/{link['slug']}", key, {"utm": {"utm_content": "reel", "utm_medium": None}}
    )
    # Then the campaign stays, the content is added, and the medium is the brand's again
    assert answer.status == 200, answer.text
    assert answer.body["utm"] == {"utm_campaign": "spring", "utm_content": "reel"}
    # And an empty value turns a brand default off on this link
    off = api.call("PATCH", f"/v1/links/{link['slug']}", key, {"utm": {"utm_source": ""}})
    assert off.status == 200, off.text
    assert "utm_source" not in off.body["effective_utm"]


def _location_within(api: ApiClient, slug: str, expected: str, seconds: float = 10) -> str:
    """The redirect's Location once it goes to `expected`, query aside (the redirect caches for seconds)."""
    deadline = time.monotonic() + seconds
    while True:
        location = api.call("GET", f"/{slug}").headers.get("Location", "")
        if location.split("?")[0] == expected or time.monotonic() > deadline:
            return location
        time.sleep(0.5)


def test_an_archived_link_goes_to_the_fallback_keeps_its_figures_and_leaves_the_list(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a link that was clicked, and another live one
    key = brand["api_key"]
    link = _link(api, key)
    live = _link(api, key)
    api.call("GET", f"/{link['slug']}", headers={"User-Agent": IPHONE})
    clicked = _figures(api, key, link["slug"], 1)
    # When it is archived
    answer = api.call("POST", f"/v1/links/{link['slug']}/archive", key)
    # Then it says when, keeps its figures, and its redirect goes to the brand's fallback
    assert answer.status == 200, answer.text
    assert answer.body["archived_at"] is not None
    assert answer.body["clicks"] == clicked["clicks"] >= 1
    assert _location_within(api, link["slug"], "https://shop.example.com/") == "https://shop.example.com/"
    # And the list leaves it out unless archived links are asked for
    listed = [item["slug"] for item in api.call("GET", "/v1/links", key).body["items"]]
    assert live["slug"] in listed and link["slug"] not in listed
    archived = [item["slug"] for item in api.call("GET", "/v1/links?archived=true", key).body["items"]]
    assert archived == [link["slug"]]
    # And archiving again keeps the first time
    again = api.call("POST", f"/v1/links/{link['slug']}/archive", key)
    assert again.status == 200 and again.body["archived_at"] == answer.body["archived_at"]


def test_an_unarchived_link_redirects_to_its_destination_again(api: ApiClient, brand: dict[str, str]) -> None:
    # Given an archived link
    key = brand["api_key"]
    link = _link(api, key)
    assert api.call("POST", f"/v1/links/{link['slug']}/archive", key).status == 200
    # When it is brought back
    answer = api.call("POST", f"/v1/links/{link['slug']}/unarchive", key)
    # Then it is live, listed, and redirects to its destination
    assert answer.status == 200, answer.text
    assert answer.body["archived_at"] is None
    assert link["slug"] in [i["slug"] for i in api.call("GET", "/v1/links", key).body["items"]]
    location = _location_within(api, link["slug"], "https://shop.example.com/serum")
    assert location.startswith("https://shop.example.com/serum")


def test_archiving_an_unknown_or_another_brands_link_is_404(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given brand A's link and brand B's key
    link = _link(api, brand["api_key"])
    other = new_brand(cloud)["api_key"]
    # When B archives it, or A archives a slug that is not there; Then 404, and A's link stays live
    for action in ("archive", "unarchive"):
        assert api.call("POST", f"/v1/links/{link['slug']}/{action}", other).status == 404
        assert api.call("POST", f"/v1/links/nothing-here/{action}", brand["api_key"]).status == 404
    assert api.call("GET", f"/v1/links/{link['slug']}", brand["api_key"]).body["archived_at"] is None
    # And a value other than true or false for archived is 422
    assert api.call("GET", "/v1/links?archived=maybe", brand["api_key"]).status == 422


def test_a_renamed_link_answers_on_its_new_slug_and_its_old_one_still_redirects(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a link that was clicked once
    key = brand["api_key"]
    link = _link(api, key)
    old = link["slug"]
    api.call("GET", f"/{old}", headers={"User-Agent": IPHONE})
    _figures(api, key, old, 1)
    # When its slug is renamed
    new = f"renamed-{uuid.uuid4().hex[:8]}"
    answer = api.call("PATCH", f"/v1/links/{old}", key, {"slug": new.upper()})
    # Then it answers under the new slug, remembers the old one, and keeps its figures
    assert answer.status == 200, answer.text
    assert answer.body["slug"] == new and answer.body["previous_slugs"] == [old]
    assert answer.body["short_url"].endswith(f"/{new}") and answer.body["clicks"] == 1
    assert api.call("GET", f"/v1/links/{old}", key).status == 404
    # And both slugs redirect to the destination, a click on the old one counting for the renamed link
    for slug in (new, old):
        location = api.call("GET", f"/{slug}", headers={"User-Agent": IPHONE}).headers["Location"]
        assert location.startswith("https://shop.example.com/serum")
    assert _figures(api, key, new, 3)["clicks"] == 3


def test_renaming_to_a_taken_reserved_or_null_slug_is_refused(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given a link, and another brand's link
    key = brand["api_key"]
    link = _link(api, key)
    other = new_brand(cloud)["api_key"]
    taken = _link(api, other)["slug"]
    path = f"/v1/links/{link['slug']}"
    # When it is renamed to the other's slug, a reserved one, or null; Then 409, 422, 422
    assert api.call("PATCH", path, key, {"slug": taken}).status == 409
    assert api.call("PATCH", path, key, {"slug": "v1"}).status == 422
    assert api.call("PATCH", path, key, {"slug": None}).status == 422
    # And another brand cannot rename it
    assert api.call("PATCH", path, other, {"slug": "stolen-slug"}).status == 404
    # And the link is unchanged
    assert api.call("GET", path, key).body["previous_slugs"] == []
