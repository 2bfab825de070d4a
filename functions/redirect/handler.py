"""The vanity-link redirect, `GET /{slug}` and `HEAD /{slug}`: the path with the most traffic.

A cache hit costs no I/O at all: the slug's entry is kept in memory for a few seconds (so a disabled link
stops within seconds), a miss costs one GetItem (two for a renamed link's old slug, which forwards to the
new one for 30 days and counts its clicks there), and the click is captured by writing one line to standard
output, which Lambda ships to CloudWatch Logs after the answer; a subscription filter feeds those lines to
the click stream and the aggregator. Nothing about a click can slow or fail the redirect.

Imports are kept to boto3 and the standard library on purpose: `make bench` compares this module's cold
start with a bare boto3 floor.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from functions.page_shell import message_page
from starling.links.click_secret import ClickKeys, ClickSecret
from starling.links.clicks import (
    Click,
    click_line,
    device_of,
    source_hash,
    visitor_hash,
)
from starling.links.redirect_store import RedirectStore
from starling.links.redirects import RedirectEntry

CACHE_TTL_SECONDS = 5.0
CACHE_MAX_ENTRIES = 20_000
MAX_SLUG_CHARS = 64

# Read once, at import, from this function's own environment.
_TABLE_NAME = os.environ["TABLE_NAME"]
_CLICK_SECRET_ID = os.environ["CLICK_SECRET_ID"]
# Where a shopper with a mistyped or unknown link can go instead (infra/config.py `home_url`); may be empty.
_HOME_URL = os.environ.get("HOME_URL", "")
_client_config = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"})
_store = RedirectStore(boto3.client("dynamodb", config=_client_config), _TABLE_NAME)
_secret = ClickSecret(boto3.client("secretsmanager", config=_client_config), _CLICK_SECRET_ID)
_cache: dict[str, tuple[float, RedirectEntry | None]] = {}


def _page(status: int, title: str, text: str, action: tuple[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex",
        },
        "body": message_page(title, text, action),
    }


def _not_found_page(home_url: str) -> dict[str, Any]:
    """The 404 page of an unknown slug: what happened, and where to go instead when the deployment says."""
    if not home_url:
        return _page(404, "Link not found", "This link does not exist. Check the address and try again.")
    site = urlsplit(home_url).hostname or home_url
    return _page(
        404,
        "Link not found",
        "This link does not exist, or it was mistyped. Check the address, or carry on from the home page.",
        (f"Go to {site.removeprefix('www.')}", home_url),
    )


_NOT_FOUND = _not_found_page(_HOME_URL)


def _redirect(location: str) -> dict[str, Any]:
    return {
        "statusCode": 302,
        "headers": {"Location": location, "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"},
        "body": "",
    }


def _lookup(slug: str, now: float) -> RedirectEntry | None:
    cached = _cache.get(slug)
    if cached is not None and cached[0] > now:
        return cached[1]
    entry = _store.find(slug, now)
    if len(_cache) >= CACHE_MAX_ENTRIES:
        _cache.clear()
    _cache[slug] = (now + CACHE_TTL_SECONDS, entry)
    return entry


def _click_keys() -> ClickKeys | None:
    try:
        return _secret.keys()
    except Exception as exc:  # the secret being unreachable must never stop a shopper
        sys.stdout.write(f'{{"level":"ERROR","message":"click secret unavailable: {type(exc).__name__}"}}\n')
        return None


_days: dict[int, str] = {}


def _day(now: float) -> str:
    """The UTC day as YYYYMMDD, formatted once a day."""
    number = int(now // 86400)
    if number not in _days:
        _days.clear()
        _days[number] = time.strftime("%Y%m%d", time.gmtime(now))
    return _days[number]


def _with_click_id(url: str, stclid: str) -> str:
    base, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}stclid={stclid}{hash_mark}{fragment}"


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    http = event["requestContext"]["http"]
    slug = ((event.get("pathParameters") or {}).get("slug") or "").lower()
    if not slug or len(slug) > MAX_SLUG_CHARS:
        return _NOT_FOUND
    now = time.time()
    entry = _lookup(slug, now)
    if entry is None:
        return _NOT_FOUND
    if not entry.usable(now):
        if entry.fallback_url:
            return _redirect(entry.fallback_url)
        return _page(410, "Link no longer active", "This link has expired or been turned off.")
    user_agent = (event.get("headers") or {}).get("user-agent", "")
    device = device_of(user_agent)
    destination = entry.destination_for(device)
    if http["method"] == "HEAD":
        return _redirect(destination)
    keys = _click_keys()
    at_ms = int(now * 1000)
    ip = http.get("sourceIp", "")
    if keys is None:  # still a click, counted without a click id and not as unique
        response = _redirect(destination)
        click_id, visitor, source = f"u{at_ms:x}{id(event):x}", "", ""
    else:
        stclid, claims = keys.click_ids.issue(
            entry.brand_id, entry.slug, entry.partner_id, entry.campaign_id, at_ms
        )
        response = _redirect(_with_click_id(destination, stclid))
        day = _day(now)
        click_id, visitor, source = (
            claims.click_id,
            visitor_hash(keys.visitor_salt, day, ip, user_agent),
            source_hash(keys.visitor_salt, day, ip),
        )
    click = Click(
        click_id, at_ms, entry.brand_id, entry.slug, entry.partner_id, entry.campaign_id, visitor, source,
        user_agent, device,
    )  # fmt: skip
    sys.stdout.write(click_line(click) + "\n")
    return response
