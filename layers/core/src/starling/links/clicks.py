"""Clicks on vanity links: the signed click id, the visitor's salted hash, and the click line.

This module is on the redirect's hot path, so it imports only the standard library.

- The click id (`stclid`) is signed and stateless: it carries the brand, link, partner, campaign, time and a
  nonce, so a conversion that quotes it is attributed without any per-click record being written.
- A visitor is a salted hash of IP and user agent, and a source a salted hash of the IP alone; the salt
  changes every day, so hashes of different days cannot be joined. Raw IPs are never written anywhere.
- A click leaves the redirect as one JSON line on standard output (`{"type": "click", ...}`); Lambda ships
  it to CloudWatch Logs, whose subscription filter feeds the click stream the aggregator reads.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import json
import secrets
from dataclasses import dataclass

CLICK_ID_VERSION = "1"
CLICK_LINE_TYPE = "click"
_SIGNATURE_BYTES = 12
MAX_USER_AGENT = 512


_nonce_counter = itertools.count()
_nonce_prefixes: dict[int, bytes] = {}


def _next_nonce() -> str:
    """72 bits unique per click: a random 48-bit prefix per process and a 24-bit counter under it (a fresh
    prefix each time the counter wraps; `next` on a count is atomic). Uniqueness is all a nonce needs; the
    signature makes the id unforgeable, and a system call for random bytes on every click costs more."""
    value = next(_nonce_counter)
    prefix = _nonce_prefixes.get(value >> 24)
    if prefix is None:
        prefix = _nonce_prefixes.setdefault(value >> 24, secrets.token_bytes(6))
    return _b64(prefix + (value & 0xFFFFFF).to_bytes(3, "big"))


class BadClickId(ValueError):
    """A click id that was not issued by this deployment, or was altered."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_key(root: bytes, purpose: str) -> bytes:
    """One secret, several independent keys: HMAC of the purpose under the root secret."""
    return hmac.digest(root, purpose.encode(), "sha256")


@dataclass(frozen=True)
class ClickClaims:
    brand_id: str
    slug: str
    partner_id: str
    campaign_id: str | None
    at_ms: int
    nonce: str

    @property
    def click_id(self) -> str:
        """Unique per click: the nonce (see _next_nonce)."""
        return self.nonce


class ClickIdSigner:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def issue(
        self, brand_id: str, slug: str, partner_id: str, campaign_id: str | None, at_ms: int
    ) -> tuple[str, ClickClaims]:
        claims = ClickClaims(brand_id, slug, partner_id, campaign_id, at_ms, _next_nonce())
        payload = "|".join((brand_id, slug, partner_id, campaign_id or "", format(at_ms, "x"), claims.nonce))
        body = _b64(payload.encode())
        return f"{CLICK_ID_VERSION}.{body}.{self._sign(body)}", claims

    def verify(self, stclid: str) -> ClickClaims:
        parts = stclid.split(".")
        if len(parts) != 3 or parts[0] != CLICK_ID_VERSION or len(stclid) > 400:
            raise BadClickId("not a Starling click id")
        body, signature = parts[1], parts[2]
        if not hmac.compare_digest(self._sign(body), signature):
            raise BadClickId("the click id's signature does not match")
        try:
            brand_id, slug, partner_id, campaign_id, at_hex, nonce = _unb64(body).decode().split("|")
            at_ms = int(at_hex, 16)
        except ValueError as exc:
            raise BadClickId("the click id is malformed") from exc
        return ClickClaims(brand_id, slug, partner_id, campaign_id or None, at_ms, nonce)

    def _sign(self, body: str) -> str:
        digest = hmac.digest(self._key, f"{CLICK_ID_VERSION}.{body}".encode(), "sha256")
        return _b64(digest[:_SIGNATURE_BYTES])


def visitor_hash(salt: bytes, day: str, ip: str, user_agent: str) -> str:
    """The same person (IP and user agent) on the same UTC day gives the same 64-bit hash."""
    return _b64(hmac.digest(salt, f"{day}|{ip}|{user_agent}".encode(), "sha256")[:8])


def source_hash(salt: bytes, day: str, ip: str) -> str:
    """One network source (the IP alone) on one day, for spotting bursts."""
    return _b64(hmac.digest(salt, f"{day}|src|{ip}".encode(), "sha256")[:8])


def device_of(user_agent: str) -> str:
    """ios, android or other: which of a link's destinations a phone gets."""
    if "iPhone" in user_agent or "iPad" in user_agent or "iPod" in user_agent:
        return "ios"
    if "Android" in user_agent:
        return "android"
    return "other"


@dataclass(frozen=True)
class Click:
    """One accepted click as the aggregator reads it."""

    click_id: str
    at_ms: int
    brand_id: str
    slug: str
    partner_id: str
    campaign_id: str | None
    visitor: str
    source: str
    user_agent: str
    device: str


_encode = json.JSONEncoder(separators=(",", ":")).encode


def click_line(click: Click) -> str:
    """The one line the redirect writes for a click."""
    return _encode(
        {
            "type": CLICK_LINE_TYPE,
            "id": click.click_id,
            "at": click.at_ms,
            "b": click.brand_id,
            "s": click.slug,
            "p": click.partner_id,
            "g": click.campaign_id,
            "v": click.visitor,
            "src": click.source,
            "ua": click.user_agent[:MAX_USER_AGENT],
            "d": click.device,
        }
    )


def parse_click_line(message: str) -> Click | None:
    """The click in a log line, or None when the line is not a click (other log output). A line that says
    it is a click but is malformed raises ValueError."""
    start = message.find("{")
    if start < 0 or '"type":"click"' not in message:
        return None
    try:
        data = json.loads(message[start:])
        if data.get("type") != CLICK_LINE_TYPE:
            return None
        return Click(
            click_id=str(data["id"]),
            at_ms=int(data["at"]),
            brand_id=str(data["b"]),
            slug=str(data["s"]),
            partner_id=str(data["p"]),
            campaign_id=str(data["g"]) if data.get("g") else None,
            visitor=str(data["v"]),
            source=str(data["src"]),
            user_agent=str(data.get("ua") or ""),
            device=str(data.get("d") or "other"),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed click line: {message[:200]}") from exc
