"""A brand makes a link for a creator, a shopper taps it on a phone, and the brand sees the click: the local
stack as `make dev` runs it, over HTTP."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np

from tests.support import ApiClient

TIKTOK_ANDROID = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Chrome/116.0 Mobile Safari/537.36 musical_ly_2023"


def _qr_image(svg: str) -> np.ndarray:
    """Draw segno's SVG path (horizontal runs of dark modules, in module units) as an image to scan."""
    scale = int(re.search(r"scale\((\d+)\)", svg).group(1))  # type: ignore[union-attr]
    size = int(re.search(r'width="(\d+)"', svg).group(1)) // scale  # type: ignore[union-attr]
    modules = np.zeros((size, size), dtype=np.uint8)
    x = y = 0.0
    for command, a, b in re.findall(
        r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    ):  # type: ignore[union-attr]
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            modules[int(y), int(x) : int(x + float(a))] = 1
            x += float(a)
    return np.kron(np.where(modules == 1, 0, 255).astype(np.uint8), np.ones((scale, scale), dtype=np.uint8))


def test_a_shopper_taps_a_creator_link_and_the_brand_sees_the_click(
    api: ApiClient, stack: dict[str, Any]
) -> None:
    key = stack["api_key"]
    # Given a creator in the demo brand's pipeline and a link for them
    partner = api.call(
        "POST", "/v1/partners", key, {"creator": {"handle": "e2e.links", "platform": "tiktok"}}
    )
    assert partner.status == 201, partner.body
    partner_id = partner.body["partner_id"]
    link = api.call(
        "POST",
        "/v1/links",
        key,
        {
            "partner_id": partner_id,
            "destination_url": "https://shop.example.com/serum",
            "android_url": "https://shop.example.com/app",
        },
    )
    assert link.status == 201, link.body
    slug = link.body["slug"]
    assert link.body["short_url"] == f"{stack['api_url']}/{slug}"

    # When a shopper taps it in TikTok on Android
    tapped = api.call("GET", f"/{slug}", headers={"User-Agent": TIKTOK_ANDROID})

    # Then they land on the Android destination with UTM parameters and a click id
    assert tapped.status == 302
    location = urlsplit(tapped.headers["Location"])
    assert (location.netloc, location.path) == ("shop.example.com", "/app")
    assert parse_qs(location.query)["utm_source"] == ["starling"] and "stclid" in parse_qs(location.query)
    # And the click reaches the brand's figures through the click stream within seconds
    deadline = time.monotonic() + 150  # clicks reach the figures at the next rollup
    while (figures := api.call("GET", f"/v1/links/{slug}", key).body)[
        "clicks"
    ] < 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert (figures["clicks"], figures["unique_clicks"], figures["bot_clicks"]) == (1, 1, 0)
    # And the QR code scans to the short URL
    svg = api.call("GET", f"/v1/links/{slug}/qr.svg", key).text
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(_qr_image(svg))
    assert decoded == link.body["short_url"]
