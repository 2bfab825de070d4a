"""The product catalogue through the brand API: create, read, page, change, and every refusal."""

from __future__ import annotations

import base64
import json

import pytest

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.support import Answer, ApiClient

SERUM = {
    "name": "Glow Serum",
    "url": "https://shop.example.com/serum",
    "image_url": "https://cdn.example.net/serum.jpg",
    "price": {"amount": 2499, "currency": "USD"},
    "sku": "GS-30",
}


def _create(api: ApiClient, key: str, **fields: object) -> dict:
    answer = api.call("POST", "/v1/products", key, {**SERUM, **fields})
    assert answer.status == 201, answer.text
    return dict(answer.body)


def _key(api: ApiClient, owner_key: str, role: str) -> str:
    answer = api.call("POST", "/v1/api-keys", owner_key, {"name": role, "role": role})
    assert answer.status == 201, answer.text
    return str(answer.body["key"])


def _assert_error(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status, answer.text
    assert answer.body["error"]["code"] == code


def _fields_at_fault(answer: Answer) -> set[str]:
    details = answer.body["error"]["details"]
    if isinstance(details, list):
        return {d["field"] for d in details}
    return set(details)


def test_an_owner_adds_a_product_and_reads_it_back(api: ApiClient, brand: dict) -> None:
    # Given the demo brand (allowed: shop.example.com, example.com)
    # When the owner adds a product
    created = _create(api, brand["api_key"])
    # Then it is 201 with a prd_ id, its fields and its times
    assert created["product_id"].startswith("prd_") and len(created["product_id"]) == 20
    assert {k: created[k] for k in SERUM} == SERUM
    assert created["created_at"] == created["updated_at"]
    # And it reads back by id and in the list
    got = api.call("GET", f"/v1/products/{created['product_id']}", brand["api_key"])
    assert got.status == 200 and got.body == created
    listed = api.call("GET", "/v1/products", brand["api_key"]).body
    assert listed == {"items": [created], "next_cursor": None}


def test_a_product_needs_only_a_name_and_a_url(api: ApiClient, brand: dict) -> None:
    answer = api.call(
        "POST", "/v1/products", brand["api_key"], {"name": "Mug", "url": "https://example.com/mug"}
    )
    assert answer.status == 201, answer.text
    assert (answer.body["image_url"], answer.body["price"], answer.body["sku"]) == (None, None, None)


def test_a_manager_may_add_products(api: ApiClient, brand: dict) -> None:
    manager = _key(api, brand["api_key"], "manager")
    assert api.call("POST", "/v1/products", manager, SERUM).status == 201


@pytest.mark.parametrize("role", ["viewer", "finance"])
def test_viewer_and_finance_read_products_but_cannot_change_them(
    api: ApiClient, brand: dict, role: str
) -> None:
    # Given a product and a key of a read-only role for products
    product = _create(api, brand["api_key"])
    key = _key(api, brand["api_key"], role)
    # When it reads, Then it sees the product
    assert api.call("GET", "/v1/products", key).body["items"] == [product]
    assert api.call("GET", f"/v1/products/{product['product_id']}", key).status == 200
    # When it writes, Then it is refused and nothing changes
    _assert_error(api.call("POST", "/v1/products", key, SERUM), 403, "forbidden")
    patch = api.call("PATCH", f"/v1/products/{product['product_id']}", key, {"name": "Mine"})
    _assert_error(patch, 403, "forbidden")
    assert api.call("GET", "/v1/products", brand["api_key"]).body["items"] == [product]


def test_products_without_a_key_get_401(api: ApiClient) -> None:
    # API Gateway refuses a request without the Authorization header before any function runs
    assert api.call("GET", "/v1/products").status == 401
    assert api.call("POST", "/v1/products", None, SERUM).status == 401


@pytest.mark.parametrize("authorization", ["stk_live_" + "x" * 24, "not-a-key"])
def test_products_with_an_unknown_or_malformed_key_get_401(api: ApiClient, authorization: str) -> None:
    _assert_error(api.call("GET", "/v1/products", authorization), 401, "unauthorized")
    _assert_error(api.call("POST", "/v1/products", authorization, SERUM), 401, "unauthorized")


def test_an_unknown_product_id_is_404(api: ApiClient, brand: dict) -> None:
    for product_id in ("prd_0000000000000000", "nothing", "x" * 1500):
        _assert_error(api.call("GET", f"/v1/products/{product_id}", brand["api_key"]), 404, "not_found")
    patch = api.call("PATCH", "/v1/products/prd_0000000000000000", brand["api_key"], {"name": "x"})
    _assert_error(patch, 404, "not_found")


def test_another_brand_gets_404_for_a_product_and_cannot_change_it(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given brand A's product and brand B's owner key
    product = _create(api, brand["api_key"])
    other = new_brand(cloud)["api_key"]
    path = f"/v1/products/{product['product_id']}"
    # When B reads or changes it, Then 404, and B's list is empty
    _assert_error(api.call("GET", path, other), 404, "not_found")
    _assert_error(api.call("PATCH", path, other, {"name": "Stolen"}), 404, "not_found")
    assert api.call("GET", "/v1/products", other).body["items"] == []
    # And A's product is unchanged
    assert api.call("GET", path, brand["api_key"]).body == product


def test_a_url_off_the_brand_s_allowed_domains_is_422_naming_them(api: ApiClient, brand: dict) -> None:
    answer = api.call("POST", "/v1/products", brand["api_key"], {**SERUM, "url": "https://evil.test/serum"})
    _assert_error(answer, 422, "invalid")
    assert "example.com, shop.example.com" in answer.body["error"]["message"]
    assert answer.body["error"]["details"]["allowed_domains"] == ["example.com", "shop.example.com"]
    assert api.call("GET", "/v1/products", brand["api_key"]).body["items"] == []


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("url", "javascript:alert(document.cookie)"),
        ("url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
        ("url", "JavaScript:alert(1)//shop.example.com"),
        ("image_url", "javascript:alert(1)"),
        ("image_url", "data:image/svg+xml,<svg onload=alert(1)>"),
    ],
)
def test_javascript_and_data_urls_are_422(api: ApiClient, brand: dict, field: str, url: str) -> None:
    answer = api.call("POST", "/v1/products", brand["api_key"], {**SERUM, field: url})
    _assert_error(answer, 422, "invalid")
    assert field in answer.body["error"]["details"]


@pytest.mark.parametrize(
    ("price", "field"),
    [
        ({"amount": 24.99, "currency": "USD"}, "price.amount"),
        ({"amount": 2499.0, "currency": "USD"}, "price.amount"),
        ({"amount": "2499", "currency": "USD"}, "price.amount"),
        ({"amount": -1, "currency": "USD"}, "price.amount"),
        ({"amount": 10_000_000_001, "currency": "USD"}, "price.amount"),
        ({"amount": 2499, "currency": "usd"}, "price.currency"),
        ({"amount": 2499, "currency": "DOLLARS"}, "price.currency"),
        ({"amount": 2499, "currency": "U$D"}, "price.currency"),
        ({"amount": 2499}, "price.currency"),
        ({"amount": 2499, "currency": "ABC"}, "price.currency"),
        ({"amount": 2499, "currency": "XXX"}, "price.currency"),
        ({"amount": 2499, "currency": "XTS"}, "price.currency"),
        ({"amount": 2499, "currency": "DEM"}, "price.currency"),
    ],
)
def test_a_price_that_is_not_whole_minor_units_in_an_iso_currency_is_422(
    api: ApiClient, brand: dict, price: dict, field: str
) -> None:
    answer = api.call("POST", "/v1/products", brand["api_key"], {**SERUM, "price": price})
    _assert_error(answer, 422, "invalid")
    assert field in _fields_at_fault(answer)
    assert api.call("GET", "/v1/products", brand["api_key"]).body["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {**SERUM, "colour": "red"},
        {**SERUM, "price": {"amount": 1, "currency": "USD", "tax": 0}},
        {"url": "https://shop.example.com/x"},
        {"name": "No url"},
        {**SERUM, "name": ""},
        "Glow Serum",
        [],
    ],
)
def test_unknown_or_missing_fields_are_422(api: ApiClient, brand: dict, body: object) -> None:
    answer = api.call("POST", "/v1/products", brand["api_key"], body)
    _assert_error(answer, 422, "invalid")
    assert answer.body["error"]["details"]


def test_a_body_that_is_not_json_is_400(api: ApiClient, brand: dict) -> None:
    answer = api.call(
        "POST",
        "/v1/products",
        brand["api_key"],
        raw='{"name": "x", ',
        headers={"Content-Type": "application/json"},
    )
    _assert_error(answer, 400, "bad_json")


def test_products_are_paged_newest_first_with_an_opaque_cursor(api: ApiClient, brand: dict) -> None:
    # Given five products
    made = [_create(api, brand["api_key"], name=f"Product {n}")["product_id"] for n in range(5)]
    # When listed two at a time, following next_cursor
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", "/v1/products" + query, brand["api_key"])
        assert page.status == 200, page.text
        assert len(page.body["items"]) <= 2
        seen += [p["product_id"] for p in page.body["items"]]
        cursor = page.body["next_cursor"]
        pages += 1
        if not cursor:
            break
    # Then every product comes once, newest first
    assert seen == list(reversed(made)) and pages >= 3


def test_a_cursor_from_another_brand_another_list_or_made_up_is_422(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    other = new_brand(cloud)["api_key"]
    for _ in range(2):
        _create(api, other)
    foreign = api.call("GET", "/v1/products?limit=1", other).body["next_cursor"]
    assert foreign
    forged = base64.urlsafe_b64encode(
        json.dumps({"pk": {"S": f"BRAND#{brand['brand_id']}"}, "sk": {"N": "1"}}).encode()
    ).decode()
    for cursor in (foreign, forged, "%%%", "bm90IGpzb24"):
        answer = api.call("GET", f"/v1/products?cursor={cursor}", brand["api_key"])
        _assert_error(answer, 422, "invalid")
    _assert_error(api.call("GET", "/v1/products?limit=0", brand["api_key"]), 422, "invalid")
    _assert_error(api.call("GET", "/v1/products?limit=101", brand["api_key"]), 422, "invalid")


@pytest.mark.parametrize("currency", ["USD", "JPY", "KWD"])
def test_a_price_in_any_currency_in_use_is_kept_in_its_own_minor_units(
    api: ApiClient, brand: dict, currency: str
) -> None:
    # Given 2499 minor units: $24.99, ¥2,499 or KWD 2.499, When the product is added and read back
    product = _create(api, brand["api_key"], price={"amount": 2499, "currency": currency})
    read = api.call("GET", f"/v1/products/{product['product_id']}", brand["api_key"]).body
    # Then the API keeps the integer and the currency as sent
    assert product["price"] == read["price"] == {"amount": 2499, "currency": currency}


def test_patch_changes_only_the_fields_sent(api: ApiClient, brand: dict) -> None:
    product = _create(api, brand["api_key"])
    path = f"/v1/products/{product['product_id']}"
    answer = api.call(
        "PATCH",
        path,
        brand["api_key"],
        {"name": "Glow Serum 50ml", "price": {"amount": 3999, "currency": "EUR"}},
    )
    assert answer.status == 200, answer.text
    assert answer.body["name"] == "Glow Serum 50ml" and answer.body["price"] == {
        "amount": 3999,
        "currency": "EUR",
    }
    assert (answer.body["url"], answer.body["image_url"], answer.body["sku"]) == (
        SERUM["url"],
        SERUM["image_url"],
        SERUM["sku"],
    )
    assert answer.body["updated_at"] > product["updated_at"]
    assert api.call("GET", path, brand["api_key"]).body == answer.body


def test_patch_with_null_clears_image_url_and_the_product_reads_without_it(
    api: ApiClient, brand: dict
) -> None:
    # Given a product with an image
    product = _create(api, brand["api_key"])
    path = f"/v1/products/{product['product_id']}"
    # When PATCH sends image_url: null
    answer = api.call("PATCH", path, brand["api_key"], {"image_url": None})
    # Then the image is gone, the rest stays
    assert answer.status == 200 and answer.body["image_url"] is None
    assert answer.body["price"] == SERUM["price"] and answer.body["sku"] == SERUM["sku"]
    assert api.call("GET", path, brand["api_key"]).body["image_url"] is None
    # And price and sku clear the same way, while name and url cannot be cleared
    cleared = api.call("PATCH", path, brand["api_key"], {"price": None, "sku": None}).body
    assert (cleared["price"], cleared["sku"]) == (None, None)
    _assert_error(api.call("PATCH", path, brand["api_key"], {"url": None}), 422, "invalid")
    _assert_error(api.call("PATCH", path, brand["api_key"], {"name": None}), 422, "invalid")


def test_patch_refuses_what_post_refuses(api: ApiClient, brand: dict) -> None:
    product = _create(api, brand["api_key"])
    path = f"/v1/products/{product['product_id']}"
    for body in (
        {"url": "https://evil.test/x"},
        {"url": "javascript:alert(1)"},
        {"price": {"amount": 9.5, "currency": "USD"}},
        {"price": {"amount": 950, "currency": "eur"}},
        {"stock": 3},
    ):
        _assert_error(api.call("PATCH", path, brand["api_key"], body), 422, "invalid")
    assert api.call("GET", path, brand["api_key"]).body == product


def test_a_post_repeated_with_the_same_idempotency_key_adds_one_product(api: ApiClient, brand: dict) -> None:
    # Given a POST with an Idempotency-Key
    headers = {"Idempotency-Key": "add-serum-1"}
    first = api.call("POST", "/v1/products", brand["api_key"], SERUM, headers=headers)
    # When it is sent again
    again = api.call("POST", "/v1/products", brand["api_key"], SERUM, headers=headers)
    # Then the first answer comes back, marked as a replay, and there is one product
    assert first.status == again.status == 201
    assert again.body == first.body and again.headers.get("Idempotent-Replayed") == "true"
    assert [p["product_id"] for p in api.call("GET", "/v1/products", brand["api_key"]).body["items"]] == [
        first.body["product_id"]
    ]
    # And the same key with another body is refused
    other = api.call("POST", "/v1/products", brand["api_key"], {**SERUM, "name": "Other"}, headers=headers)
    _assert_error(other, 422, "idempotency_key_reused")


def test_the_products_routes_are_in_the_openapi_document(api: ApiClient) -> None:
    paths = api.call("GET", "/openapi.json").body["paths"]
    assert {"/v1/products", "/v1/products/{product_id}"} <= set(paths)
    assert {"post", "get"} <= set(paths["/v1/products"]) and {"get", "patch"} <= set(
        paths["/v1/products/{product_id}"]
    )


def test_patch_merges_the_price_so_the_amount_alone_changes(api: ApiClient, brand: dict) -> None:
    # Given a product priced in EUR
    product = _create(api, brand["api_key"], price={"amount": 1999, "currency": "EUR"})
    path = f"/v1/products/{product['product_id']}"
    # When only the amount is sent (JSON Merge Patch)
    answer = api.call("PATCH", path, brand["api_key"], {"price": {"amount": 2499}})
    # Then the currency stays
    assert answer.status == 200, answer.text
    assert answer.body["price"] == {"amount": 2499, "currency": "EUR"}
    # And null for the currency inside the price is refused
    _assert_error(api.call("PATCH", path, brand["api_key"], {"price": {"currency": None}}), 422, "invalid")


def test_an_amount_alone_for_a_product_without_a_price_is_422(api: ApiClient, brand: dict) -> None:
    # Given a product without a price; When only an amount is sent; Then 422 names the currency
    product = _create(api, brand["api_key"], price=None)
    answer = api.call(
        "PATCH", f"/v1/products/{product['product_id']}", brand["api_key"], {"price": {"amount": 5}}
    )
    _assert_error(answer, 422, "invalid")
    assert "price.currency" in _fields_at_fault(answer)


def test_deleting_a_product_removes_it_and_its_links_keep_redirecting(api: ApiClient, brand: dict) -> None:
    # Given a product and a partner's link made to it
    key = brand["api_key"]
    product = _create(api, key)
    partner = api.call(
        "POST", "/v1/partners", key, {"creator": {"handle": "delmaker", "platform": "instagram"}}
    )
    assert partner.status == 201, partner.text
    link = api.call(
        "POST",
        "/v1/links",
        key,
        {"partner_id": partner.body["partner_id"], "product_id": product["product_id"]},
    )
    assert link.status == 201, link.text
    # When the product is deleted
    answer = api.call("DELETE", f"/v1/products/{product['product_id']}", key)
    # Then the answer says so, the product is gone from reads and the list
    assert answer.status == 200, answer.text
    assert answer.body == {"product_id": product["product_id"], "deleted": True}
    _assert_error(api.call("GET", f"/v1/products/{product['product_id']}", key), 404, "not_found")
    assert api.call("GET", "/v1/products", key).body["items"] == []
    # And the link still sends shoppers to the product's page
    redirect = api.call("GET", f"/{link.body['slug']}")
    assert redirect.status == 302
    assert redirect.headers["Location"].startswith(product["url"])


def test_deleting_an_unknown_or_another_brands_product_is_404(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given brand A's product
    product = _create(api, brand["api_key"])
    other = new_brand(cloud)["api_key"]
    # When B deletes it, or A deletes an id that is not there; Then 404
    _assert_error(api.call("DELETE", f"/v1/products/{product['product_id']}", other), 404, "not_found")
    for product_id in ("prd_0000000000000000", "nothing"):
        _assert_error(api.call("DELETE", f"/v1/products/{product_id}", brand["api_key"]), 404, "not_found")
    # And A's product is still there
    assert api.call("GET", f"/v1/products/{product['product_id']}", brand["api_key"]).status == 200
