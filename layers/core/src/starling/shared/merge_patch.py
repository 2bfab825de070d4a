"""JSON Merge Patch (RFC 7396): how every PATCH changes a nested setting.

An object in the patch merges into the target key by key; `null` removes a key; anything else (a string,
a number, a list) replaces the target whole. Lists are values, not collections to merge: to add a domain to
`allowed_domains`, send the whole new list.
"""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """The target with the patch applied, per RFC 7396 section 2; neither argument is changed."""
    if not isinstance(patch, dict):
        return patch
    merged: dict[str, Any] = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def merge_fields(current: dict[str, Any], changes: dict[str, Any], nested: frozenset[str]) -> dict[str, Any]:
    """A PATCH body's `changes` with each field in `nested` (an object setting) merged into its `current`
    value, so that `{"utm": {"utm_campaign": "x"}}` changes one key and keeps the rest. Top-level fields
    are left as sent: null for them means "clear" and each capability's rules decide whether it may."""
    return {
        name: merge_patch(current.get(name) or {}, value) if name in nested and value is not None else value
        for name, value in changes.items()
    }
