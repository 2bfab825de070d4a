"""A viewer's key against every write the API documents: each is refused with 403, before its body is read
and before anything is replayed, and nothing changes."""

from __future__ import annotations

import re

from tests.support import ApiClient

WRITES = ("post", "put", "patch", "delete")


def test_a_viewer_key_is_refused_on_every_documented_write(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a viewer key of the brand, and every write operation of the API's own document
    viewer = api.call("POST", "/v1/api-keys", brand["api_key"], {"name": "viewer", "role": "viewer"}).body[
        "key"
    ]
    spec = api.call("GET", "/openapi.json").body
    writes = [
        (method.upper(), re.sub(r"\{[^}]+\}", "x1", path))
        for path, operations in spec["paths"].items()
        for method in operations
        if path.startswith("/v1/") and method in WRITES
    ]
    assert len(writes) >= 10
    conversions = {
        ("POST", "/v1/conversions"),
        ("POST", "/v1/conversions/x1/refunds"),
        ("POST", "/v1/commissions/x1/release"),
        ("POST", "/v1/commissions/x1/reject"),
    }
    assert conversions <= set(writes), "the conversions writes are documented, so refused below"
    before = api.call("GET", "/v1/brand", brand["api_key"]).body
    # When the viewer sends each, with an Idempotency-Key and a body that would otherwise be refused
    for method, path in writes:
        answer = api.call(method, path, viewer, {"junk": True}, headers={"Idempotency-Key": "viewer-try"})
        # Then each is refused for the role
        assert answer.status == 403, (method, path, answer.text)
        assert answer.body["error"]["code"] == "forbidden"
    assert api.call("GET", "/v1/brand", brand["api_key"]).body == before
