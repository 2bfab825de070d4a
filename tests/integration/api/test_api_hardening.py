"""What an attacker or a careless client tries against the brand API: replays across keys, bodies that are
not JSON, nulls, deep nesting, junk keys with bad bodies, hidden characters, and what the OpenAPI
document promises."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.support import Answer, ApiClient

OWNER_KEY_BODY = {"name": "second owner", "role": "owner"}


def _key(api: ApiClient, owner: str, role: str) -> str:
    created = api.call("POST", "/v1/api-keys", owner, {"name": f"{role} key", "role": role})
    assert created.status == 201, created.text
    return str(created.body["key"])


def _error(answer: Answer, status: int, code: str | None = None) -> dict:
    assert answer.status == status, answer.text
    error = answer.body["error"]
    assert error["message"]
    if code:
        assert error["code"] == code, error
    return dict(error)


# 1. Idempotent replay is scoped to the key and comes after the role check


def test_a_viewer_replaying_an_owners_key_creation_gets_403_and_no_key(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given an owner who created an owner key under an Idempotency-Key
    owner, viewer = brand["api_key"], _key(api, brand["api_key"], "viewer")
    headers = {"Idempotency-Key": "add-owner-key"}
    first = api.call("POST", "/v1/api-keys", owner, OWNER_KEY_BODY, headers=headers)
    assert first.status == 201 and first.body["key"].startswith("stk_live_")
    # When a viewer sends the same Idempotency-Key and body
    replay = api.call("POST", "/v1/api-keys", viewer, OWNER_KEY_BODY, headers=headers)
    # Then it is refused for its role, with nothing of the owner's answer in it
    _error(replay, 403, "forbidden")
    assert "Idempotent-Replayed" not in replay.headers
    assert "stk_live_" not in replay.text


def test_another_owner_key_reusing_an_idempotency_key_makes_a_new_request(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a product created by one owner key under an Idempotency-Key
    other_owner = _key(api, brand["api_key"], "owner")
    headers = {"Idempotency-Key": f"prd-{uuid.uuid4().hex}"}
    body = {"name": "Serum", "url": "https://example.com/serum"}
    first = api.call("POST", "/v1/products", brand["api_key"], body, headers=headers)
    assert first.status == 201, first.text
    # When another key sends the same key and body
    second = api.call("POST", "/v1/products", other_owner, body, headers=headers)
    # Then it is a new request: a second product, not told the key was used
    assert second.status == 201 and "Idempotent-Replayed" not in second.headers
    assert second.body["product_id"] != first.body["product_id"]
    # And the first key still gets its own answer replayed
    again = api.call("POST", "/v1/products", brand["api_key"], body, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.body["product_id"] == first.body["product_id"]


def test_a_replayed_key_creation_does_not_show_the_key_again(api: ApiClient, brand: dict[str, str]) -> None:
    # Given an owner key created under an Idempotency-Key
    headers = {"Idempotency-Key": f"key-{uuid.uuid4().hex}"}
    first = api.call("POST", "/v1/api-keys", brand["api_key"], OWNER_KEY_BODY, headers=headers)
    # When the same owner key sends it again
    replay = api.call("POST", "/v1/api-keys", brand["api_key"], OWNER_KEY_BODY, headers=headers)
    # Then the answer is the same key record, but the secret is not kept to be shown again
    assert replay.status == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.body["key_id"] == first.body["key_id"]
    assert replay.body["key"] is None and "revoke" in replay.body["key_notice"]
    assert first.body["key"] not in replay.text


def test_no_idempotency_record_holds_a_secret(api: ApiClient, brand: dict[str, str], cloud: object) -> None:
    # Given a key created under an Idempotency-Key
    headers = {"Idempotency-Key": f"key-{uuid.uuid4().hex}"}
    created = api.call("POST", "/v1/api-keys", brand["api_key"], OWNER_KEY_BODY, headers=headers)
    # Then no record of the idempotency table holds the raw key
    dynamodb = cloud.client("dynamodb")  # type: ignore[attr-defined]
    tables = [t for t in dynamodb.list_tables()["TableNames"] if "dempotency" in t]
    assert tables
    for table in tables:
        for item in dynamodb.scan(TableName=table)["Items"]:
            assert created.body["key"] not in json.dumps(item)


def test_a_refused_write_is_not_kept_so_a_corrected_retry_goes_through(
    api: ApiClient, brand: dict[str, str]
) -> None:
    headers = {"Idempotency-Key": f"prd-{uuid.uuid4().hex}"}
    bad = api.call("POST", "/v1/products", brand["api_key"], {"name": "X", "url": "ftp://x"}, headers=headers)
    assert bad.status == 422
    body = {"name": "Serum", "url": "https://example.com/serum"}
    good = api.call("POST", "/v1/products", brand["api_key"], body, headers=headers)
    # The refused request was not kept, so the corrected one is not "a different request" under the key
    assert good.status == 201, good.text


# 2. Inputs that used to answer 500


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("text/plain", '{"name": "x", "url": "https://example.com/x"}'),
        (
            "multipart/form-data; boundary=xyz",
            '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--xyz--',
        ),
        ("application/xml", "<product><name>x</name></product>"),
    ],
)
def test_a_write_in_another_format_than_json_gets_415(
    api: ApiClient, brand: dict[str, str], content_type: str, raw: str
) -> None:
    answer = api.call(
        "POST", "/v1/products", brand["api_key"], raw=raw, headers={"Content-Type": content_type}
    )
    error = _error(answer, 415, "unsupported_media_type")
    assert "application/json" in error["details"]["accepted"]


@pytest.mark.parametrize("route", ["/v1/brand", "/v1/partners/ptn_x"])
def test_a_415_is_the_same_on_every_json_write(api: ApiClient, brand: dict[str, str], route: str) -> None:
    answer = api.call("PATCH", route, brand["api_key"], raw="name=x", headers={"Content-Type": "text/plain"})
    _error(answer, 415, "unsupported_media_type")


def test_a_body_without_a_content_type_is_still_read_as_json(api: ApiClient, brand: dict[str, str]) -> None:
    raw = json.dumps({"name": "Serum", "url": "https://example.com/serum"})
    answer = api.call("POST", "/v1/products", brand["api_key"], raw=raw, headers={"Content-Type": ""})
    assert answer.status == 201, answer.text


def test_the_creators_import_still_takes_csv(api: ApiClient, brand: dict[str, str]) -> None:
    csv = "platform,handle,followers\ninstagram,csv.maker,1200\n"
    answer = api.call(
        "POST", "/v1/creators/import", brand["api_key"], raw=csv, headers={"Content-Type": "text/csv"}
    )
    assert answer.status == 200 and answer.body["imported"] + answer.body["updated"] == 1


@pytest.mark.parametrize("field", ["name", "slug", "allowed_domains", "tier_thresholds"])
def test_null_for_a_brand_field_that_cannot_be_cleared_gets_422_and_changes_nothing(
    api: ApiClient, brand: dict[str, str], field: str
) -> None:
    before = api.call("GET", "/v1/brand", brand["api_key"]).body
    answer = api.call("PATCH", "/v1/brand", brand["api_key"], {field: None})
    error = _error(answer, 422, "invalid")
    assert field in json.dumps(error["details"])
    assert api.call("GET", "/v1/brand", brand["api_key"]).body == before


@pytest.mark.parametrize("method", ["POST", "PATCH", "GET"])
def test_json_nested_100000_levels_deep_gets_400(api: ApiClient, brand: dict[str, str], method: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    answer = api.call(
        method,
        "/v1/brand" if method != "POST" else "/v1/products",
        brand["api_key"],
        raw=deep,
        headers={"Content-Type": "application/json"},
    )
    if method == "GET":
        assert answer.status == 200  # a GET's body is not read
    else:
        _error(answer, 400, "too_deep")


def test_a_junk_key_gets_401_before_the_body_is_read(api: ApiClient) -> None:
    for body in ({"name": None}, {"nonsense": 1}):
        answer = api.call("PATCH", "/v1/brand", "stk_live_" + "A" * 24, body)
        _error(answer, 401, "unauthorized")
    no_key = api.call(
        "POST", "/v1/api-keys", None, raw="[" * 50_000, headers={"Content-Type": "application/json"}
    )
    assert no_key.status == 401  # API Gateway answers a request with no key at all, as documented


def test_a_role_without_the_right_gets_403_before_its_body_is_validated(
    api: ApiClient, brand: dict[str, str]
) -> None:
    viewer = _key(api, brand["api_key"], "viewer")
    _error(api.call("PATCH", "/v1/brand", viewer, {"name": None, "junk": True}), 403, "forbidden")


# 3. One text policy


@pytest.mark.parametrize(
    ("method", "route", "body", "field"),
    [
        ("PATCH", "/v1/brand", {"name": "Acme\u202egpj.exe"}, "name"),
        ("PATCH", "/v1/brand", {"name": "Acme\x00"}, "name"),
        ("POST", "/v1/api-keys", {"name": "ci\x00key", "role": "viewer"}, "name"),
        ("PUT", "/v1/email-templates/outreach", {"subject": "Hi\u202e", "text_body": "Hello"}, "subject"),
        ("POST", "/v1/products", {"name": "Ser\u2066um", "url": "https://example.com/s"}, "name"),
    ],
)
def test_control_and_bidi_override_characters_are_refused_naming_field_and_character(
    api: ApiClient, brand: dict[str, str], method: str, route: str, body: dict, field: str
) -> None:
    error = _error(api.call(method, route, brand["api_key"], body), 422, "invalid")
    problem = json.dumps(error["details"])
    assert field in problem and "U+" in problem


def test_partner_notes_keep_their_lines_but_refuse_hidden_characters(
    api: ApiClient, brand: dict[str, str]
) -> None:
    created = api.call(
        "POST",
        "/v1/partners",
        brand["api_key"],
        {"creator": {"handle": "notes.maker", "platform": "instagram"}},
    )
    assert created.status == 201, created.text
    route = f"/v1/partners/{created.body['partner_id']}"
    ok = api.call("PATCH", route, brand["api_key"], {"notes": "line one\nline two"})
    assert ok.status == 200 and ok.body["notes"] == "line one\nline two"
    error = _error(api.call("PATCH", route, brand["api_key"], {"notes": "x\u202ey"}), 422, "invalid")
    assert "U+202E" in json.dumps(error["details"])


# 6. The OpenAPI document tells the truth


def test_the_openapi_document_lists_every_status_with_the_error_envelope(api: ApiClient) -> None:
    spec = api.call("GET", "/openapi.json").body
    assert "Error" in spec["components"]["schemas"]
    create = spec["paths"]["/v1/products"]["post"]["responses"]
    assert set(create) >= {"201", "400", "401", "403", "409", "415", "422", "429"}
    assert create["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "404" in spec["paths"]["/v1/products/{product_id}"]["get"]["responses"]
    body = spec["paths"]["/v1/creators/import"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/csv"} <= set(body)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/v1/"):
                assert {"401", "422"} <= set(operation["responses"]), (method, path)
