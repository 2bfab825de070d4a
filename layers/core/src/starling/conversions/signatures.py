"""How a shop proves that an order it sends is its own. Pure rules, no AWS.

Starling's own scheme (`POST /t/conversions/{brand_slug}`): the header
`Starling-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the brand's
signing secret. The time is part of what is signed, so a captured request cannot be replayed more than
TOLERANCE later (and the order id records once anyway). During a rotation's grace period the header may
carry one `v1=` per secret; any one that matches a live secret is enough.

Shopify's scheme (`POST /t/shopify/{brand_slug}`): `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of
the raw body, keyed with the shop's webhook secret.

Every comparison is `hmac.compare_digest`, so the time an answer takes says nothing about how much of a
guess was right.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from starling.shared.errors import BadRequest, Unauthorized

TOLERANCE_SECONDS = 300  # a signature's time may be this far from ours, either way
SIGNING_SECRET_PREFIX = "stsig_"
_SIGNING_SECRET_RE = re.compile(r"^stsig_[A-Za-z0-9_-]{43}$")
_HEX_RE = re.compile(r"^[0-9a-f]{64}$")
_MAX_SIGNATURES = 4
SIGNATURE_HEADER = "Starling-Signature"
SHOPIFY_HMAC_HEADER = "X-Shopify-Hmac-Sha256"


def new_signing_secret() -> str:
    """A brand's signing secret: `stsig_` and 32 random bytes in URL-safe base64."""
    return SIGNING_SECRET_PREFIX + secrets.token_urlsafe(32)


def is_signing_secret(value: str) -> bool:
    return bool(_SIGNING_SECRET_RE.match(value))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>": what a shop puts after `v1=`."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def parse_signature_header(header: str | None) -> tuple[int, list[str]]:
    """The time and the `v1` signatures of a Starling-Signature header; BadRequest when it is missing or
    not of the form `t=<unix>,v1=<64 hex>` (other schemes' parts are ignored, as a later v2 would be)."""
    if not header:
        raise BadRequest(
            f"The {SIGNATURE_HEADER} header is missing.",
            {"header": SIGNATURE_HEADER, "expected": "t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body>"},
            code="signature_missing",
        )
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit() and len(value) <= 12 and timestamp is None:
            timestamp = int(value)
        elif name == "v1" and _HEX_RE.match(value.lower()):
            signatures.append(value.lower())
    if timestamp is None or not signatures or len(signatures) > _MAX_SIGNATURES:
        raise BadRequest(
            f"The {SIGNATURE_HEADER} header is malformed.",
            {"header": SIGNATURE_HEADER, "expected": "t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body>"},
            code="signature_malformed",
        )
    return timestamp, signatures


def verify_signature(header: str | None, body: bytes, live_secrets: Iterable[str], now: datetime) -> None:
    """Accept the request when its time is within TOLERANCE_SECONDS of `now` and one of its signatures is
    one of `live_secrets`' over its time and body; else BadRequest (header) or Unauthorized (signature)."""
    timestamp, signatures = parse_signature_header(header)
    if abs(now.timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise Unauthorized(
            f"The signature's time is more than {TOLERANCE_SECONDS} seconds from ours; sign the request "
            "again with the current time.",
            {"t": timestamp, "now": int(now.timestamp())},
            code="signature_expired",
        )
    expected = [sign(secret, timestamp, body) for secret in live_secrets]
    matched = False
    for candidate in expected:
        for given in signatures:
            matched |= hmac.compare_digest(candidate, given)  # no early exit: every pair is compared
    if not matched:
        raise Unauthorized(
            "The signature does not match the body with the brand's signing secret.",
            code="signature_mismatch",
        )


def shopify_hmac(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_shopify_hmac(header: str | None, body: bytes, live_secrets: Iterable[str]) -> None:
    """Accept a Shopify webhook whose X-Shopify-Hmac-Sha256 is the HMAC of its body with a live secret."""
    if not header:
        raise BadRequest(
            f"The {SHOPIFY_HMAC_HEADER} header is missing.",
            {"header": SHOPIFY_HMAC_HEADER},
            code="signature_missing",
        )
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        given = b""
    if len(given) != hashlib.sha256().digest_size:
        raise BadRequest(
            f"The {SHOPIFY_HMAC_HEADER} header is not a base64 HMAC-SHA256.",
            {"header": SHOPIFY_HMAC_HEADER},
            code="signature_malformed",
        )
    matched = False
    for secret in live_secrets:
        matched |= hmac.compare_digest(hmac.new(secret.encode(), body, hashlib.sha256).digest(), given)
    if not matched:
        raise Unauthorized(
            "The webhook's HMAC does not match its body with the brand's Shopify webhook secret.",
            code="signature_mismatch",
        )
