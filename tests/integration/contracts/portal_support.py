"""Helpers of the portal and onboarding tests: a partner approved over HTTP, their emails, and a phone's
browser session in the portal."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

from infra.local.cloud import LocalCloud
from infra.local.gateway import sent_emails
from tests.integration.conftest import apply
from tests.support import Answer, ApiClient

MAGIC_LINK = re.compile(r"(https?://\S+/portal/auth\?token=[A-Za-z0-9_\-%]+)")


def wait_for(probe: Callable[[], Any], timeout: float = 60.0, what: str = "the condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def emails_to(cloud: LocalCloud, address: str) -> list[dict[str, Any]]:
    return [m for m in sent_emails(cloud.settings.region) if address in m["to"]]


def magic_links(cloud: LocalCloud, address: str) -> list[str]:
    return [found for m in emails_to(cloud, address) for found in MAGIC_LINK.findall(str(m["body"]))]


def applied_partner(api: ApiClient, brand: dict[str, str], name: str = "Maya Lopez") -> dict[str, str]:
    """A creator who applied on the brand's form (so the brand has their email): partner_id, email, handle."""
    suffix = uuid.uuid4().hex[:8]
    form = {"name": name, "email": f"maya.{suffix}@gmail.com", "platform_1": "instagram",
            "handle_1": f"maya.{suffix}", "followers_1": "12400", "niches": "beauty", "country": "US",
            "pitch": "Skincare routines.", "accept_terms": "on"}  # fmt: skip
    assert apply(api, brand["slug"], form).status == 200
    partners = api.call("GET", "/v1/partners?stage=applied", brand["api_key"]).body["items"]
    [partner] = [p for p in partners if p["handle"] == form["handle_1"]]
    return {"partner_id": partner["partner_id"], "email": form["email"], "handle": form["handle_1"]}


def approve(api: ApiClient, cloud: LocalCloud, brand: dict[str, str], partner: dict[str, str]) -> str:
    """Move the partner to approved and wait for the onboarding invitation; its magic link."""
    moved = api.call(
        "POST", f"/v1/partners/{partner['partner_id']}/stage", brand["api_key"], {"stage": "approved"}
    )
    assert moved.status == 200, moved.text
    return str(wait_for(lambda: magic_links(cloud, partner["email"]), what="the invitation")[-1])


def onboarding(api: ApiClient, brand: dict[str, str], partner_id: str) -> dict[str, Any]:
    answer = api.call("GET", f"/v1/partners/{partner_id}/onboarding", brand["api_key"])
    return answer.body if answer.status == 200 else {}


def done_steps(api: ApiClient, brand: dict[str, str], partner_id: str) -> set[str]:
    return {s["step"] for s in onboarding(api, brand, partner_id).get("steps", []) if s["done"]}


class Phone:
    """A partner's phone browser in the portal: it keeps the session cookie as a browser would (the cookie is
    Secure, which a cookie jar does not send over http; the local stack has no TLS)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookie: str | None = None
        self.set_cookie: str = ""

    def go(self, method: str, path_or_url: str, form: dict[str, str] | None = None) -> Answer:
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        headers = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"}
        if self.cookie:
            headers["Cookie"] = f"starling_portal={self.cookie}"
        response = requests.request(
            method, url, data=form, headers=headers, timeout=60, allow_redirects=False
        )
        set_cookie = response.headers.get("Set-Cookie", "")
        if set_cookie.startswith("starling_portal="):
            self.set_cookie = set_cookie
            value = set_cookie.split(";")[0].split("=", 1)[1]
            self.cookie = value or None
        return Answer(response.status_code, None, dict(response.headers), response.text, response.content)

    def sign_in(self, magic_link: str) -> Answer:
        """Open the email's link, then tap Sign in."""
        opened = self.go("GET", magic_link)
        assert opened.status == 200 and 'action="/portal/auth"' in opened.text, opened.text
        token = urlsplit(magic_link).query.split("token=", 1)[1]
        return self.go("POST", "/portal/auth", {"token": requests.utils.unquote(token)})
