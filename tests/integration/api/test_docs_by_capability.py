"""The docs page groups operations by capability, in a newcomer's order, with a request example on every
write (GET /openapi.json, and GET /docs, Powertools' Swagger UI)."""

from __future__ import annotations

import re
from typing import Any

from tests.support import ApiClient

ORDER = [
    "Identity", "Discovery", "Recruiting", "Catalog", "Links", "Contracts", "Conversions", "Costs",
    "Deliverables", "Reports", "Payouts",
]  # fmt: skip
# The capability each /v1 path belongs to, by its first segment.
BY_SEGMENT = {
    "me": "Identity", "brand": "Identity", "api-keys": "Identity", "audit-log": "Identity",
    "creators": "Discovery",
    "partners": "Recruiting", "pipeline": "Recruiting", "email-templates": "Recruiting",
    "products": "Catalog", "campaigns": "Catalog",
    "links": "Links",
    "reports": "Reports",
    "contracts": "Contracts", "contract-templates": "Contracts", "contract-amendments": "Contracts",
    "conversions": "Conversions", "commissions": "Conversions", "conversion-secrets": "Conversions",
    "accruals": "Costs", "deliverables": "Deliverables", "program-settings": "Deliverables",
    "payout-runs": "Payouts",
}  # fmt: skip
# Paths under another capability's resource that belong to their own, by their last segment.
BY_LAST_SEGMENT = {
    "contracts": "Contracts", "gifts": "Costs", "spend": "Costs", "statements": "Payouts",
    "click-quality": "Reports",
}  # fmt: skip
WRITES = ("post", "put", "patch")


def _spec(api: ApiClient) -> dict[str, Any]:
    answer = api.call("GET", "/openapi.json")
    assert answer.status == 200
    return dict(answer.body)


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return dict(spec["components"]["schemas"][ref.rsplit("/", 1)[1]]) if ref else schema


def test_the_document_lists_the_capability_tags_in_order(api: ApiClient) -> None:
    # When a client reads the document, Then its top-level tags are the capabilities, in order, described
    tags = _spec(api)["tags"]
    assert [t["name"] for t in tags] == ORDER
    assert all(t.get("description") for t in tags)


def test_every_brand_operation_carries_its_capability_s_tag(api: ApiClient) -> None:
    spec = _spec(api)
    seen = set()
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        segments = path.split("/")
        expected = BY_LAST_SEGMENT.get(segments[-1]) or BY_SEGMENT[segments[2]]
        for method, operation in operations.items():
            assert operation.get("tags") == [expected], (method, path, operation.get("tags"))
            seen.add(expected)
    assert seen == set(ORDER)


def test_every_write_shows_a_request_example(api: ApiClient) -> None:
    spec = _spec(api)
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if method not in WRITES or not path.startswith("/v1/") or body is None:
                continue
            for media in body["content"].values():
                schema = _schema(spec, media.get("schema", {}))
                if not (media.get("example") or media.get("examples") or schema.get("examples")):
                    missing.append((method, path))
    assert missing == []


def test_the_docs_page_is_swagger_ui_with_the_same_groups(api: ApiClient) -> None:
    # When a person opens /docs, Then it is Swagger UI, and the document it shows has the groups in order
    page = api.call("GET", "/docs")
    assert page.status == 200 and "swagger-ui" in page.text
    found = [re.search(rf'"name":\s*"{name}",\s*"description"', page.text) for name in ORDER]
    assert all(found), "the page embeds the document with its tags"
    positions = [match.start() for match in found if match]
    assert positions == sorted(positions)
