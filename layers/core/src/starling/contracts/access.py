"""Partner portal access: single-use magic links and signed session cookies.

A magic link carries a random secret (`token_urlsafe(32)`); only its SHA-256 is kept, with the partner it
signs in, where it leads (`next`, always a /portal path) and until when it works (15 minutes). Using it is
one conditional write (`used_at` absent, `valid_until` ahead), so a link opens one session at most.

A session is a cookie whose value is `<payload>.<signature>`: the payload says which brand's partner it is and
until when, the signature is HMAC-SHA256 under the portal's secret (Secrets Manager). Nothing is stored per
session: rotating the secret signs every partner out. The cookie is HttpOnly, Secure and SameSite=Lax, so a
cross-site form post arrives without it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from urllib.parse import quote, urlsplit

MAGIC_LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=7)
SESSION_COOKIE = "starling_portal"
PORTAL_HOME = "/portal"
_SAFE_NEXT = re.compile(r"^/portal(/[A-Za-z0-9._~\-/]*)?(\?[A-Za-z0-9._~\-=&%]*)?$")


class LinkState(StrEnum):
    """What a magic link's secret turned out to be when used."""

    OPENED = "opened"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class MagicLink:
    """A magic link as stored: never its secret, only the secret's hash."""

    token_hash: str
    brand_id: str
    partner_id: str
    next_path: str
    created_at: datetime
    valid_until: datetime
    used_at: datetime | None = None


@dataclass(frozen=True)
class PortalAccount:
    """A partnership a partner can sign in to: found from the partner's email (its hash), by brand."""

    brand_id: str
    partner_id: str
    brand_name: str


@dataclass(frozen=True)
class Session:
    brand_id: str
    partner_id: str
    expires_at: int  # epoch seconds


class MagicLinkStore(Protocol):
    def save(self, link: MagicLink) -> None: ...
    def use(self, token_hash: str, at: datetime) -> tuple[LinkState, MagicLink | None]:
        """Mark the link used if it is unused and valid at `at`; what it was, and the link when known."""
        ...


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_email(email: str) -> str:
    """The key partners' accounts are found by: the address, trimmed and lower-cased, hashed."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def safe_next(path: str | None) -> str:
    """Where a sign-in may lead: a path within /portal, else the portal's home (no open redirect)."""
    if not path or len(path) > 300 or not _SAFE_NEXT.match(path) or "//" in path or "/../" in path + "/":
        return PORTAL_HOME
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return PORTAL_HOME
    return path


def new_magic_link(
    brand_id: str, partner_id: str, next_path: str | None, now: datetime
) -> tuple[MagicLink, str]:
    """A link to store and its secret to send (once, by email)."""
    secret = secrets.token_urlsafe(32)
    link = MagicLink(
        token_hash=hash_secret(secret),
        brand_id=brand_id,
        partner_id=partner_id,
        next_path=safe_next(next_path),
        created_at=now,
        valid_until=now + MAGIC_LINK_LIFETIME,
    )
    return link, secret


def magic_link_url(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/portal/auth?token={quote(secret)}"


def link_state(link: MagicLink | None, now: datetime) -> LinkState:
    """What using `link` at `now` would find (the store decides for real, atomically)."""
    if link is None:
        return LinkState.UNKNOWN
    if link.used_at is not None:
        return LinkState.USED
    if link.valid_until <= now:
        return LinkState.EXPIRED
    return LinkState.OPENED


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_session(session: Session, key: bytes) -> str:
    payload = _b64(
        json.dumps({"b": session.brand_id, "p": session.partner_id, "e": session.expires_at}).encode()
    )
    signature = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def read_session(value: str | None, key: bytes, now: datetime) -> Session | None:
    """The session in a cookie's value, or None when it is missing, forged, malformed or expired."""
    if not value or value.count(".") != 1 or len(value) > 1000:
        return None
    payload, signature = value.split(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        fields = json.loads(_unb64(payload))
        session = Session(str(fields["b"]), str(fields["p"]), int(fields["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires_at > int(now.timestamp()) else None


def new_session(link: MagicLink, now: datetime) -> Session:
    return Session(link.brand_id, link.partner_id, int((now + SESSION_LIFETIME).timestamp()))


def cookie_value(cookies: list[str] | None, header: str | None = None) -> str | None:
    """The session cookie's value among a request's cookies (payload 2.0 `cookies`, or a Cookie header)."""
    pairs = list(cookies or [])
    if header:
        pairs.extend(header.split(";"))
    for pair in pairs:
        name, _, value = pair.strip().partition("=")
        if name == SESSION_COOKIE:
            return value
    return None
