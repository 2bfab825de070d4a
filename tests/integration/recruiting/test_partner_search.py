"""Searching a brand's partners by handle or name (GET /v1/partners?q=)."""

from __future__ import annotations

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.support import ApiClient

PARTNERS = [
    {"handle": "zoe.glow", "platform": "instagram", "display_name": "Zoë Martin"},
    {"handle": "maya.makes", "platform": "instagram", "display_name": "Maya Lopez"},
    {"handle": "leo_lifts", "platform": "tiktok", "display_name": "Léo Dubois"},
]


def _add_all(api: ApiClient, key: str) -> None:
    for creator in PARTNERS:
        assert api.call("POST", "/v1/partners", key, {"creator": creator}).status == 201


def _found(api: ApiClient, key: str, query: str) -> list[str]:
    answer = api.call("GET", "/v1/partners" + query, key)
    assert answer.status == 200, answer.text
    return [p["handle"] for p in answer.body["items"]]


def test_partners_are_found_by_handle_or_name_whatever_the_case_and_accents(
    api: ApiClient, brand: dict
) -> None:
    # Given three partners
    key = brand["api_key"]
    _add_all(api, key)
    # When the brand searches by part of a handle, a name without its accent, or a name with one
    # Then it finds the partners whose handle or name starts with those words
    assert _found(api, key, "?q=MAYA") == ["maya.makes"]
    assert _found(api, key, "?q=zoe") == ["zoe.glow"]
    assert _found(api, key, "?q=L%C3%A9o") == ["leo_lifts"]
    assert _found(api, key, "?q=leo%20dub") == ["leo_lifts"]
    assert _found(api, key, "?q=lopez") == ["maya.makes"]
    assert _found(api, key, "?q=nobody") == []


def test_a_search_pages_by_handle_and_combines_with_stage(api: ApiClient, brand: dict) -> None:
    # Given three partners named Ana and one Maya
    key = brand["api_key"]
    for handle in ("ana.c", "ana.a", "ana.b", "maya"):
        creator = {"handle": handle, "platform": "instagram", "display_name": "Ana"}
        assert api.call("POST", "/v1/partners", key, {"creator": creator}).status == 201
    # When the brand searches "ana" two at a time
    first = api.call("GET", "/v1/partners?q=ana&limit=2", key).body
    rest = api.call("GET", f"/v1/partners?q=ana&limit=2&cursor={first['next_cursor']}", key).body
    # Then the pages follow each other by handle, and the last says there is no more
    assert [p["handle"] for p in first["items"] + rest["items"]] == ["ana.a", "ana.b", "ana.c", "maya"]
    assert rest["next_cursor"] is None
    # And the search combines with a stage
    partner_id = first["items"][0]["partner_id"]
    api.call("POST", f"/v1/partners/{partner_id}/stage", key, {"stage": "contacted"})
    assert _found(api, key, "?q=ana&stage=contacted") == ["ana.a"]
    assert _found(api, key, "?q=ana&stage=negotiating") == []


def test_another_brand_finds_none_of_them(api: ApiClient, brand: dict, cloud: LocalCloud) -> None:
    _add_all(api, brand["api_key"])
    assert _found(api, new_brand(cloud)["api_key"], "?q=maya") == []


def test_a_query_without_a_letter_or_digit_and_a_bad_cursor_are_422(api: ApiClient, brand: dict) -> None:
    key = brand["api_key"]
    for query in ("?q=", "?q=%21%21", "?q=" + "a" * 201, "?q=maya&cursor=nonsense"):
        answer = api.call("GET", "/v1/partners" + query, key)
        assert answer.status == 422, (query, answer.text)
