"""Opaque cursors for paged lists: base64 of the last evaluated key, checked against the query's partition."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starling.shared.errors import Invalid

MAX_LIMIT = 100


def clamp_limit(limit: int | None, default: int = 25) -> int:
    if limit is None:
        return default
    if limit < 1 or limit > MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}.", {"limit": limit})
    return limit


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, partition_key: str) -> dict[str, Any] | None:
    """The start key a cursor stands for; a cursor from another list or brand is refused."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if key["pk"]["S"] != partition_key:
            raise ValueError("cursor of another list")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise Invalid("cursor is not one this list gave out.", {"cursor": cursor}) from exc
    return dict(key)
