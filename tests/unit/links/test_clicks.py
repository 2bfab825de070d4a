"""Clicks: signed click ids, salted visitor hashes, the click line, and who is a bot."""

from __future__ import annotations

import pytest

from starling.links.click_quality import burst_flags, is_bot
from starling.links.clicks import (
    BadClickId,
    Click,
    ClickIdSigner,
    click_line,
    device_of,
    parse_click_line,
    source_hash,
    visitor_hash,
)

INSTAGRAM_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Instagram 300.0.0.0 (iPhone14,5; iOS 17_0; en_US)"
)
TIKTOK_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile "
    "Safari/537.36 musical_ly_2023 BytedanceWebview/d8a21c6"
)
FACEBOOK_IN_APP = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 [FBAN/FBIOS;FBAV/430.0]"
)
SNAPCHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Snapchat/12.50.0.32"
PINTEREST_APP = "Mozilla/5.0 (Linux; Android 12; SM-G991B) Mobile Safari/537.36 [Pinterest/Android]"
IMESSAGE_PREVIEW = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 "
    "Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0"
)


def test_a_click_id_carries_link_partner_and_time_and_verifies() -> None:
    signer = ClickIdSigner(b"k" * 32)
    stclid, issued = signer.issue("brd_1", "maya", "ptn_1", "spring", 1_790_000_000_123)
    claims = signer.verify(stclid)
    assert claims == issued
    assert (claims.slug, claims.partner_id, claims.campaign_id, claims.at_ms) == (
        "maya", "ptn_1", "spring", 1_790_000_000_123,
    )  # fmt: skip
    assert len(stclid) < 160 and stclid.isascii()


def test_an_altered_or_foreign_click_id_is_refused() -> None:
    signer = ClickIdSigner(b"k" * 32)
    stclid, _ = signer.issue("brd_1", "maya", "ptn_1", None, 1)
    version, body, signature = stclid.split(".")
    for bad in (f"{version}.{body}x.{signature}", "garbage", f"2.{body}.{signature}"):
        with pytest.raises(BadClickId):
            signer.verify(bad)
    with pytest.raises(BadClickId):
        ClickIdSigner(b"other" * 8).verify(stclid)


def test_click_ids_are_unique_per_click() -> None:
    signer = ClickIdSigner(b"k" * 32)
    ids = {signer.issue("b", "s", "p", None, 1)[1].click_id for _ in range(1000)}
    assert len(ids) == 1000


def test_visitor_hashes_are_stable_within_a_day_and_never_contain_the_ip() -> None:
    salt = b"s" * 32
    first = visitor_hash(salt, "20261123", "203.0.113.9", INSTAGRAM_IPHONE)
    assert first == visitor_hash(salt, "20261123", "203.0.113.9", INSTAGRAM_IPHONE)
    assert first != visitor_hash(salt, "20261124", "203.0.113.9", INSTAGRAM_IPHONE)
    assert first != visitor_hash(salt, "20261123", "203.0.113.9", TIKTOK_ANDROID)
    assert first != visitor_hash(b"t" * 32, "20261123", "203.0.113.9", INSTAGRAM_IPHONE)
    assert "203" not in first and len(first) == 11
    assert source_hash(salt, "20261123", "203.0.113.9") != first


def test_phones_get_their_platform() -> None:
    assert device_of(INSTAGRAM_IPHONE) == "ios"
    assert device_of(TIKTOK_ANDROID) == "android"
    assert device_of("Mozilla/5.0 (Windows NT 10.0; Win64; x64)") == "other"


def test_a_click_line_round_trips_and_other_lines_are_not_clicks() -> None:
    click = Click("n1", 5, "brd_1", "maya", "ptn_1", None, "v", "s", INSTAGRAM_IPHONE, "ios")
    assert parse_click_line(click_line(click)) == click
    assert parse_click_line('{"level":"INFO","message":"hello"}') is None
    assert parse_click_line("START RequestId: 1") is None
    with pytest.raises(ValueError):
        parse_click_line('{"type":"click","id":"x"}')


@pytest.mark.parametrize(
    "agent", [INSTAGRAM_IPHONE, TIKTOK_ANDROID, FACEBOOK_IN_APP, SNAPCHAT, PINTEREST_APP]
)
def test_in_app_browsers_are_people(agent: str) -> None:
    assert not is_bot(agent)


@pytest.mark.parametrize(
    "agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0 A",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        IMESSAGE_PREVIEW,
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "",
    ],
)
def test_link_preview_bots_and_crawlers_are_bots(agent: str) -> None:
    assert is_bot(agent)


def test_a_burst_from_one_source_is_flagged_past_the_limit() -> None:
    clicks = [("maya", "src1", 1000 + i) for i in range(25)] + [("maya", "src2", 1000)]
    flags = burst_flags(clicks, per_minute=20)
    assert flags[:20] == [False] * 20
    assert flags[20:25] == [True] * 5
    assert flags[25] is False
    # The next minute starts afresh
    assert burst_flags([("maya", "src1", 60_000 * k) for k in range(3)], per_minute=1) == [False] * 3
