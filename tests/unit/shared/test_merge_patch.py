"""JSON Merge Patch against the examples of RFC 7396, appendix A."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from starling.shared.merge_patch import merge_fields, merge_patch

RFC_7396_EXAMPLES: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), RFC_7396_EXAMPLES)
def test_merge_patch_gives_each_result_of_rfc_7396_appendix_a(target: Any, patch: Any, expected: Any) -> None:
    # Given a target and a patch from the RFC; When the patch is applied; Then the RFC's result comes out
    assert merge_patch(target, patch) == expected


def test_merge_patch_leaves_its_arguments_unchanged() -> None:
    # Given a nested target and patch
    target = {"a": {"b": "c", "d": "e"}}
    patch = {"a": {"b": None}}
    before = (copy.deepcopy(target), copy.deepcopy(patch))
    # When it is applied
    merge_patch(target, patch)
    # Then neither was mutated
    assert (target, patch) == before


def test_merge_fields_merges_only_the_nested_settings() -> None:
    # Given a brand whose UTM defaults hold two keys, and a list setting
    current = {"utm_defaults": {"utm_source": "starling", "utm_medium": "influencer"}, "domains": ["a.com"]}
    # When a PATCH sets one UTM key, replaces the list and clears a top-level field
    changes = {
        "utm_defaults": {"utm_campaign": "x", "utm_source": None},
        "domains": ["b.com"],
        "fallback": None,
    }
    merged = merge_fields(current, changes, frozenset({"utm_defaults"}))
    # Then the map merges (null removes a key), the list is replaced whole, and the null stays a null
    assert merged == {
        "utm_defaults": {"utm_medium": "influencer", "utm_campaign": "x"},
        "domains": ["b.com"],
        "fallback": None,
    }


def test_merge_fields_treats_a_missing_current_map_as_empty() -> None:
    # Given no current value; When a map is patched in; Then its nulls are dropped
    assert merge_fields({}, {"utm": {"a": "1", "b": None}}, frozenset({"utm"})) == {"utm": {"a": "1"}}
