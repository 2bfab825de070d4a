"""The redirect handler on its own, with in-memory stand-ins for its table read and its secret: what a
shopper gets when things go wrong, and that a click never depends on anything but a log line."""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import Any

import pytest

from starling.links.click_secret import keys_from_secret
from starling.links.redirects import RedirectEntry

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Instagram 300.0.0.0"
ENTRY = RedirectEntry(
    slug="maya", brand_id="brd_1", partner_id="ptn_1", campaign_id=None,
    url="https://shop.example.com/serum?utm_source=starling", ios_url="https://shop.example.com/ios",
    android_url=None, fallback_url="https://shop.example.com/", disabled=False, expires_epoch=None,
)  # fmt: skip


class Store:
    def __init__(self, entries: dict[str, RedirectEntry]) -> None:
        self.entries = entries
        self.reads = 0

    def find(self, slug: str, now_epoch: float | None = None) -> RedirectEntry | None:
        self.reads += 1
        return self.entries.get(slug)


class Secret:
    def __init__(self, available: bool) -> None:
        self.available = available

    def keys(self) -> Any:
        if not self.available:
            raise ConnectionError("Secrets Manager is unreachable")
        return keys_from_secret('{"key": "k"}')


@pytest.fixture()
def redirect(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    for name, value in {
        "TABLE_NAME": "core",
        "CLICK_SECRET_ID": "click-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "unit",
        "AWS_SECRET_ACCESS_KEY": "unit",
    }.items():
        monkeypatch.setenv(name, value)
    module = importlib.import_module("functions.redirect.handler")
    monkeypatch.setattr(module, "_store", Store({"maya": ENTRY}))
    monkeypatch.setattr(module, "_secret", Secret(available=True))
    monkeypatch.setattr(module, "_cache", {})
    return module


def _event(slug: str, method: str = "GET", agent: str = IPHONE) -> dict[str, Any]:
    return {
        "pathParameters": {"slug": slug},
        "headers": {"user-agent": agent},
        "requestContext": {"http": {"method": method, "sourceIp": "203.0.113.9"}},
    }


def _click_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if '"type":"click"' in line]


def test_a_click_is_one_log_line_and_a_signed_click_id(redirect: ModuleType, capsys: Any) -> None:
    answer = redirect.lambda_handler(_event("MAYA"), None)
    assert answer["statusCode"] == 302
    assert answer["headers"]["Location"].startswith("https://shop.example.com/ios?stclid=1.")
    (line,) = _click_lines(capsys.readouterr().out)
    assert (line["s"], line["p"], line["d"]) == ("maya", "ptn_1", "ios")
    assert "203.0.113.9" not in json.dumps(line)


def test_an_unreachable_secret_still_redirects_and_still_records_the_click(
    redirect: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(redirect, "_secret", Secret(available=False))
    answer = redirect.lambda_handler(_event("maya"), None)
    assert answer["statusCode"] == 302
    assert answer["headers"]["Location"] == "https://shop.example.com/ios"
    output = capsys.readouterr().out
    assert "click secret unavailable" in output
    (line,) = _click_lines(output)
    assert line["v"] == "" and line["s"] == "maya"  # counted, never as a unique visitor


def test_head_answers_without_a_click(redirect: ModuleType, capsys: Any) -> None:
    answer = redirect.lambda_handler(_event("maya", method="HEAD"), None)
    assert answer["statusCode"] == 302 and "stclid" not in answer["headers"]["Location"]
    assert _click_lines(capsys.readouterr().out) == []


def test_unknown_and_oversized_slugs_get_the_404_page(redirect: ModuleType, capsys: Any) -> None:
    assert redirect.lambda_handler(_event("nobody"), None)["statusCode"] == 404
    assert redirect.lambda_handler(_event("x" * 65), None)["statusCode"] == 404
    assert redirect._store.reads == 1  # the oversized slug is refused without a read
    assert _click_lines(capsys.readouterr().out) == []


def test_an_unknown_link_offers_the_deployments_home_page_in_under_2_kb(
    redirect: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a deployment whose home_url is the brand's shop
    monkeypatch.setattr(redirect, "_NOT_FOUND", redirect._not_found_page("https://www.shop.example.com/"))
    # When a shopper opens a slug that does not exist
    answer = redirect.lambda_handler(_event("nobody"), None)
    # Then a small 404 page says so and links to the home page
    assert answer["statusCode"] == 404 and answer["headers"]["Content-Type"].startswith("text/html")
    assert (
        '<a class="action" href="https://www.shop.example.com/">Go to shop.example.com</a>' in answer["body"]
    )
    assert len(answer["body"].encode()) < 2048


def test_without_a_home_url_the_unknown_link_page_only_says_to_check_the_address(
    redirect: ModuleType,
) -> None:
    page = redirect._not_found_page("")
    assert page["statusCode"] == 404 and "Check the address" in page["body"] and "<a " not in page["body"]


def test_an_expired_link_without_a_fallback_gets_a_410_page(
    redirect: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    expired = RedirectEntry(**{**ENTRY.__dict__, "fallback_url": None, "expires_epoch": 1})
    monkeypatch.setattr(redirect, "_store", Store({"maya": expired}))
    answer = redirect.lambda_handler(_event("maya"), None)
    assert answer["statusCode"] == 410 and "no longer active" in answer["body"]


def test_a_disabled_link_takes_effect_once_the_cache_entry_expires(
    redirect: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(redirect.time, "time", lambda: clock[0])
    assert redirect.lambda_handler(_event("maya"), None)["headers"]["Location"].startswith("https://shop.")
    redirect._store.entries["maya"] = RedirectEntry(**{**ENTRY.__dict__, "disabled": True})
    clock[0] += redirect.CACHE_TTL_SECONDS - 1
    assert "stclid" in redirect.lambda_handler(_event("maya"), None)["headers"]["Location"]
    assert redirect._store.reads == 1
    clock[0] += 2
    assert redirect.lambda_handler(_event("maya"), None)["headers"]["Location"] == "https://shop.example.com/"
    assert redirect._store.reads == 2
