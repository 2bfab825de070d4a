"""The click secret: the stack's one random root in Secrets Manager, from which the click-id signing key, the
daily visitor salt and the portal's session key are derived, each under its own label (HMAC, so knowing
one derived key tells nothing of another). Lean on purpose (the redirect loads it): boto3's low-level
client only."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from starling.links.clicks import ClickIdSigner, derive_key

REFRESH_SECONDS = 3600
# The labels the keys are derived under: one per use, never reused for another.
CLICK_ID_LABEL, VISITOR_LABEL, PORTAL_SESSION_LABEL = "click-id", "visitor", "portal-session"


@dataclass(frozen=True)
class ClickKeys:
    click_ids: ClickIdSigner
    visitor_salt: bytes


def _root(secret_string: str) -> bytes:
    """The secret is JSON `{"key": "<random>"}` (CDK generates it) or the bare random string."""
    try:
        parsed = json.loads(secret_string)
        root = parsed["key"] if isinstance(parsed, dict) else secret_string
    except ValueError:
        root = secret_string
    return str(root).encode()


def keys_from_secret(secret_string: str) -> ClickKeys:
    root = _root(secret_string)
    return ClickKeys(ClickIdSigner(derive_key(root, CLICK_ID_LABEL)), derive_key(root, VISITOR_LABEL))


def portal_session_key(secret_string: str) -> bytes:
    """The key partner portal sessions are signed with (HMAC-SHA256), derived from the same root."""
    return derive_key(_root(secret_string), PORTAL_SESSION_LABEL)


class ClickSecret:
    """Loaded on first use and kept for an hour, so a rotated secret is picked up without a deploy."""

    def __init__(self, client: Any, secret_id: str) -> None:
        self._client = client
        self._secret_id = secret_id
        self._keys: ClickKeys | None = None
        self._loaded_at = 0.0

    def keys(self) -> ClickKeys:
        now = time.monotonic()
        if self._keys is None or now - self._loaded_at > REFRESH_SECONDS:
            value = self._client.get_secret_value(SecretId=self._secret_id)["SecretString"]
            self._keys = keys_from_secret(value)
            self._loaded_at = now
        return self._keys
