"""Cursors and event normalisation."""

from __future__ import annotations

import pytest

from starling.api.events import treat_body_as_json
from starling.shared.errors import Invalid
from starling.shared.paging import clamp_limit, decode_cursor, encode_cursor


def test_a_cursor_round_trips_for_its_own_list() -> None:
    key = {"pk": {"S": "BRAND#b1"}, "sk": {"S": "KEY#k1"}}
    cursor = encode_cursor(key)
    assert cursor is not None and "BRAND" not in cursor
    assert decode_cursor(cursor, "BRAND#b1") == key


def test_no_last_key_means_no_cursor() -> None:
    assert encode_cursor(None) is None and decode_cursor(None, "x") is None


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "e30", "WzFd"])
def test_a_made_up_cursor_is_invalid(cursor: str) -> None:
    with pytest.raises(Invalid):
        decode_cursor(cursor, "BRAND#b1")


def test_a_cursor_of_another_brand_is_invalid() -> None:
    cursor = encode_cursor({"pk": {"S": "BRAND#other"}, "sk": {"S": "KEY#k"}})
    with pytest.raises(Invalid):
        decode_cursor(cursor, "BRAND#mine")


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_limits_outside_1_to_100_are_invalid(limit: int) -> None:
    with pytest.raises(Invalid):
        clamp_limit(limit)


def test_a_v1_body_without_a_json_content_type_is_read_as_json() -> None:
    event = {
        "rawPath": "/v1/api-keys",
        "body": "{}",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    }
    assert treat_body_as_json(event)["headers"]["content-type"] == "application/json"
    csv = {"rawPath": "/v1/creators/import", "body": "a,b", "headers": {"content-type": "text/csv"}}
    assert treat_body_as_json(csv)["headers"]["content-type"] == "text/csv"
    public = {
        "rawPath": "/apply/x",
        "body": "a=b",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    }
    assert treat_body_as_json(public) is public
