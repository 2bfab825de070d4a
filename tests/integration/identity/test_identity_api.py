"""The identity routes through the local cloud's HTTP API: authorizer, roles, tenancy, bad input."""

from __future__ import annotations

import pytest

from tests.integration.conftest import new_brand
from tests.support import Answer, ApiClient


def _new_key(api: ApiClient, owner_key: str, role: str, name: str = "k") -> str:
    answer = api.call("POST", "/v1/api-keys", owner_key, {"name": name, "role": role})
    assert answer.status == 201, answer.text
    return str(answer.body["key"])


def _assert_error(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status, answer.text
    assert answer.body["error"]["code"] == code
    assert answer.body["error"]["message"]


def test_me_answers_with_the_brand_and_the_role_of_the_key(api: ApiClient, brand: dict[str, str]) -> None:
    answer = api.call("GET", "/v1/me", brand["api_key"])
    assert answer.status == 200
    assert answer.body["brand"]["brand_id"] == brand["brand_id"]
    assert answer.body["role"] == "owner"


@pytest.mark.parametrize("role", ["owner", "manager", "finance", "viewer"])
def test_an_owner_creates_a_key_for_each_role_and_it_works_once_shown(
    api: ApiClient, brand: dict[str, str], role: str
) -> None:
    created = api.call("POST", "/v1/api-keys", brand["api_key"], {"name": f"{role} key", "role": role})
    assert created.status == 201
    assert created.body["key"].startswith("stk_live_") and len(created.body["key"]) == 33
    me = api.call("GET", "/v1/me", created.body["key"])
    assert me.body["role"] == role
    listed = api.call("GET", "/v1/api-keys", brand["api_key"])
    shown = [k for k in listed.body["items"] if k["key_id"] == created.body["key_id"]]
    assert shown and "key" not in shown[0] and shown[0]["display"].endswith(created.body["key"][-4:])


def test_a_missing_key_gets_401(api: ApiClient) -> None:
    assert api.call("GET", "/v1/me").status == 401


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer stk_live_tooShort",
        "Bearer stk_live_" + "A" * 24,
        "Bearer",
    ],
)
def test_a_malformed_or_unknown_key_gets_401_with_a_json_error(api: ApiClient, authorization: str) -> None:
    answer = api.call("GET", "/v1/me", headers={"Authorization": authorization})
    _assert_error(answer, 401, "unauthorized")


def test_a_revoked_key_is_refused_at_once_even_while_the_authorizer_answer_is_cached(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a manager key that has been used, so the authorizer's answer is cached for 300 s
    created = api.call("POST", "/v1/api-keys", brand["api_key"], {"name": "temp", "role": "manager"})
    assert api.call("GET", "/v1/me", created.body["key"]).status == 200
    # When the owner revokes it
    revoked = api.call("DELETE", f"/v1/api-keys/{created.body['key_id']}", brand["api_key"])
    assert revoked.status == 200 and revoked.body["revoked_at"]
    # Then the very next call with it is refused
    _assert_error(api.call("GET", "/v1/me", created.body["key"]), 401, "unauthorized")


def test_a_key_cannot_revoke_itself(api: ApiClient, brand: dict[str, str]) -> None:
    me = api.call("GET", "/v1/me", brand["api_key"])
    _assert_error(api.call("DELETE", f"/v1/api-keys/{me.body['key_id']}", brand["api_key"]), 409, "conflict")


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("viewer", "POST", "/v1/api-keys", {"name": "x", "role": "viewer"}),
        ("manager", "POST", "/v1/api-keys", {"name": "x", "role": "viewer"}),
        ("finance", "GET", "/v1/api-keys", None),
        ("viewer", "GET", "/v1/api-keys", None),
        ("manager", "PATCH", "/v1/brand", {"name": "Renamed"}),
        ("finance", "PATCH", "/v1/brand", {"name": "Renamed"}),
        ("viewer", "PATCH", "/v1/brand", {"name": "Renamed"}),
        ("manager", "DELETE", "/v1/api-keys/key_whatever", None),
    ],
)
def test_a_role_without_the_right_gets_403(
    api: ApiClient, brand: dict[str, str], role: str, method: str, path: str, body: object
) -> None:
    key = _new_key(api, brand["api_key"], role)
    _assert_error(api.call(method, path, key, body), 403, "forbidden")


def test_every_role_reads_the_brand(api: ApiClient, brand: dict[str, str]) -> None:
    for role in ("manager", "finance", "viewer"):
        key = _new_key(api, brand["api_key"], role)
        assert api.call("GET", "/v1/brand", key).body["brand_id"] == brand["brand_id"]


def test_a_key_of_one_brand_never_reaches_another_brand(
    api: ApiClient, brand: dict[str, str], cloud: object
) -> None:
    other = new_brand(cloud)  # type: ignore[arg-type]
    victim_key_id = api.call("GET", "/v1/me", brand["api_key"]).body["key_id"]
    # Revoking, listing and reading from brand B never touch brand A
    _assert_error(api.call("DELETE", f"/v1/api-keys/{victim_key_id}", other["api_key"]), 404, "not_found")
    listed = api.call("GET", "/v1/api-keys", other["api_key"]).body["items"]
    assert victim_key_id not in {k["key_id"] for k in listed}
    assert api.call("GET", "/v1/brand", other["api_key"]).body["brand_id"] == other["brand_id"]
    assert api.call("GET", "/v1/me", brand["api_key"]).status == 200


def test_patching_the_brand_changes_what_is_read_back(api: ApiClient, brand: dict[str, str]) -> None:
    changes = {
        "name": "Acme Outdoors",
        "allowed_domains": ["Shop.Acme.test", "acme.test"],
        "fallback_url": "https://acme.test/",
        "logo_url": "https://cdn.acme.test/logo.png",
        "terms_url": "https://acme.test/partner-terms",
        "utm_defaults": {"utm_source": "creators"},
        "tier_thresholds": {"nano": 0, "micro": 5000, "mid": 50000, "macro": 250000, "mega": 1000000},
    }
    answer = api.call("PATCH", "/v1/brand", brand["api_key"], changes)
    assert answer.status == 200, answer.text
    read = api.call("GET", "/v1/brand", brand["api_key"]).body
    assert read["name"] == "Acme Outdoors"
    assert read["allowed_domains"] == ["shop.acme.test", "acme.test"]
    assert read["tier_thresholds"]["micro"] == 5000
    assert (read["logo_url"], read["terms_url"]) == (changes["logo_url"], changes["terms_url"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"fallback_url": "javascript:alert(1)"}, "fallback_url"),
        ({"logo_url": "http://acme.test/logo.png"}, "logo_url"),
        ({"terms_url": "not a url"}, "terms_url"),
        ({"tier_thresholds": {"nano": 0, "micro": 10, "mid": 5, "macro": 50, "mega": 60}}, "tier_thresholds"),
        ({"utm_defaults": {"utm_evil": "x"}}, "utm_defaults"),
        ({"slug": "v1"}, "slug"),
        ({"slug": "Bad Slug!"}, "slug"),
        ({"colour": "red"}, "colour"),
        ({"name": ""}, "name"),
        ({"locale": "xx_YY"}, "locale"),
        ({"locale": None}, "locale"),
    ],
)
def test_a_bad_brand_change_gets_422_naming_the_field_and_changes_nothing(
    api: ApiClient, brand: dict[str, str], changes: dict[str, object], field: str
) -> None:
    before = api.call("GET", "/v1/brand", brand["api_key"]).body
    answer = api.call("PATCH", "/v1/brand", brand["api_key"], changes)
    assert answer.status == 422, answer.text
    assert field in answer.text
    assert api.call("GET", "/v1/brand", brand["api_key"]).body == before


def test_a_brand_shows_amounts_in_en_us_until_the_owner_sets_its_locale(
    api: ApiClient, brand: dict[str, str]
) -> None:
    assert api.call("GET", "/v1/brand", brand["api_key"]).body["locale"] == "en_US"
    answer = api.call("PATCH", "/v1/brand", brand["api_key"], {"locale": "de_DE"})
    assert answer.status == 200, answer.text
    assert answer.body["locale"] == "de_DE"
    assert api.call("GET", "/v1/me", brand["api_key"]).body["brand"]["locale"] == "de_DE"


def test_a_slug_taken_by_another_brand_gets_409(api: ApiClient, brand: dict[str, str], cloud: object) -> None:
    other = new_brand(cloud)  # type: ignore[arg-type]
    taken = api.call("GET", "/v1/brand", other["api_key"]).body["slug"]
    _assert_error(api.call("PATCH", "/v1/brand", brand["api_key"], {"slug": taken}), 409, "conflict")


def test_a_body_that_is_not_json_gets_400(api: ApiClient, brand: dict[str, str]) -> None:
    answer = api.call(
        "POST",
        "/v1/api-keys",
        brand["api_key"],
        raw='{"name": "x", ',
        headers={"Content-Type": "application/json"},
    )
    _assert_error(answer, 400, "bad_json")


@pytest.mark.parametrize(
    "body", [{}, {"name": "x"}, {"name": "x", "role": "boss"}, {"name": "", "role": "viewer"}, [1, 2], "text"]
)
def test_a_body_that_fails_validation_gets_422_with_the_fields(
    api: ApiClient, brand: dict[str, str], body: object
) -> None:
    answer = api.call("POST", "/v1/api-keys", brand["api_key"], body)
    _assert_error(answer, 422, "invalid")
    assert answer.body["error"]["details"]


def test_unknown_routes_get_404(api: ApiClient, brand: dict[str, str]) -> None:
    _assert_error(api.call("GET", "/v1/nothing-here", brand["api_key"]), 404, "not_found")
    assert api.call("GET", "/no/such/page").status == 404
    assert api.call("GET", "/v1/nothing-here").status == 401


def test_lists_are_paged_with_an_opaque_cursor(api: ApiClient, brand: dict[str, str]) -> None:
    for n in range(3):
        _new_key(api, brand["api_key"], "viewer", f"v{n}")
    seen: list[str] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", "/v1/api-keys" + query, brand["api_key"]).body
        seen += [k["key_id"] for k in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 4


def test_a_cursor_from_another_brand_or_made_up_is_refused(
    api: ApiClient, brand: dict[str, str], cloud: object
) -> None:
    other = new_brand(cloud)  # type: ignore[arg-type]
    _new_key(api, other["api_key"], "viewer")
    foreign = api.call("GET", "/v1/api-keys?limit=1", other["api_key"]).body["next_cursor"]
    _assert_error(api.call("GET", f"/v1/api-keys?cursor={foreign}", brand["api_key"]), 422, "invalid")
    _assert_error(api.call("GET", "/v1/api-keys?cursor=%%%", brand["api_key"]), 422, "invalid")
    _assert_error(api.call("GET", "/v1/api-keys?limit=0", brand["api_key"]), 422, "invalid")


def test_a_write_repeated_with_the_same_idempotency_key_happens_once(
    api: ApiClient, brand: dict[str, str]
) -> None:
    headers = {"Idempotency-Key": "create-viewer-1"}
    body = {"name": "once", "role": "viewer"}
    first = api.call("POST", "/v1/api-keys", brand["api_key"], body, headers=headers)
    again = api.call("POST", "/v1/api-keys", brand["api_key"], body, headers=headers)
    assert first.status == again.status == 201
    # The same key record; the secret itself was shown once and is not kept for replays
    assert again.body == {**first.body, "key": None, "key_notice": again.body["key_notice"]}
    assert again.headers.get("Idempotent-Replayed") == "true"
    names = [k["name"] for k in api.call("GET", "/v1/api-keys", brand["api_key"]).body["items"]]
    assert names.count("once") == 1


def test_an_idempotency_key_reused_for_another_request_gets_422(
    api: ApiClient, brand: dict[str, str]
) -> None:
    headers = {"Idempotency-Key": "reused"}
    api.call("POST", "/v1/api-keys", brand["api_key"], {"name": "a", "role": "viewer"}, headers=headers)
    answer = api.call(
        "POST", "/v1/api-keys", brand["api_key"], {"name": "b", "role": "viewer"}, headers=headers
    )
    _assert_error(answer, 422, "idempotency_key_reused")


def test_the_api_describes_itself(api: ApiClient) -> None:
    spec = api.call("GET", "/openapi.json")
    assert spec.status == 200
    assert {"/v1/me", "/v1/brand", "/v1/api-keys", "/v1/api-keys/{key_id}"} <= set(spec.body["paths"])
    assert api.call("GET", "/docs").status == 200
    assert api.call("GET", "/health").body == {"status": "ok"}


GARBAGE_BODIES = [
    "",
    "null",
    "{",
    "[]",
    '{"name": null, "role": null}',
    "\x00\xff",
    '{"name": "' + "x" * 100000 + '"}',
]


@pytest.mark.parametrize("raw", GARBAGE_BODIES)
@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/api-keys"), ("PATCH", "/v1/brand")])
def test_no_input_yields_a_5xx(
    api: ApiClient, brand: dict[str, str], raw: str, method: str, path: str
) -> None:
    answer = api.call(
        method,
        path,
        brand["api_key"],
        raw=raw.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= answer.status < 500, answer.text


def test_patching_the_brand_merges_its_utm_defaults_and_replaces_its_domains_whole(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a brand with two UTM defaults and two allowed domains
    key = brand["api_key"]
    setup = {
        "utm_defaults": {"utm_source": "starling", "utm_medium": "influencer"},
        "allowed_domains": ["a.test", "b.test"],
    }
    assert api.call("PATCH", "/v1/brand", key, setup).status == 200
    # When a JSON Merge Patch sets one UTM key, removes another with null, and sends one domain
    changes = {"utm_defaults": {"utm_campaign": "spring", "utm_source": None}, "allowed_domains": ["c.test"]}
    answer = api.call("PATCH", "/v1/brand", key, changes)
    # Then the map merged key by key and the list was replaced whole (RFC 7396)
    assert answer.status == 200, answer.text
    assert answer.body["utm_defaults"] == {"utm_medium": "influencer", "utm_campaign": "spring"}
    assert answer.body["allowed_domains"] == ["c.test"]


def test_one_tier_threshold_changes_alone_and_removing_a_tier_gets_422(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given the default thresholds; When one tier's threshold is patched
    answer = api.call("PATCH", "/v1/brand", brand["api_key"], {"tier_thresholds": {"micro": 20000}})
    # Then the others stay
    assert answer.status == 200, answer.text
    assert answer.body["tier_thresholds"]["micro"] == 20000
    assert answer.body["tier_thresholds"]["mega"] == 1000000
    # And null for a tier (removing it) is refused, since every tier needs a threshold
    refused = api.call("PATCH", "/v1/brand", brand["api_key"], {"tier_thresholds": {"mid": None}})
    assert refused.status == 422, refused.text
    assert "tier_thresholds" in refused.text
