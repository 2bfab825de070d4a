"""The click secret: one random root in Secrets Manager from which the click-id signing key and the daily
visitor salt are derived. Lean on purpose (the redirect loads it): boto3's low-level client only."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from starling.links.clicks import ClickIdSigner, derive_key

REFRESH_SECONDS = 3600


@dataclass(frozen=True)
class ClickKeys:
    click_ids: ClickIdSigner
    visitor_salt: bytes


def keys_from_secret(secret_string: str) -> ClickKeys:
    """The secret is JSON `{"key": "<random>"}` (CDK generates it) or the bare random string."""
    try:
        parsed = json.loads(secret_string)
        root = parsed["key"] if isinstance(parsed, dict) else secret_string
    except ValueError:
        root = secret_string
    root_bytes = str(root).encode()
    return ClickKeys(ClickIdSigner(derive_key(root_bytes, "click-id")), derive_key(root_bytes, "visitor"))


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
