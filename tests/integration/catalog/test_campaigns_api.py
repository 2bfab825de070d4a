"""Campaigns through the brand API: dates, budget, default terms and status moves; links name them."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.support import ApiClient

SPRING: dict[str, Any] = {
    "name": "Spring glow", "starts_on": "2027-03-01", "ends_on": "2027-05-31",
    "budget": {"amount": 5000000, "currency": "USD"},
    "default_terms": {"currency": "USD", "cpa_percent": "12", "tiers": [{"from": 0, "cpa_percent": "12"},
                      {"from": 500000, "cpa_percent": "15"}], "lock_days": 30},
}  # fmt: skip


def _campaign(api: ApiClient, key: str, **fields: Any) -> dict[str, Any]:
    answer = api.call("POST", "/v1/campaigns", key, {**SPRING, **fields})
    assert answer.status == 201, answer.text
    return dict(answer.body)


def test_a_campaign_is_created_listed_read_and_moved_through_its_statuses(
    api: ApiClient, brand: dict
) -> None:
    key = brand["api_key"]
    created = _campaign(api, key)
    assert created["status"] == "draft" and created["budget"] == SPRING["budget"]
    assert created["default_terms"]["tiers"][1] == {"from": 500000, "cpa_percent": "15"}
    cid = created["campaign_id"]

    assert api.call("GET", f"/v1/campaigns/{cid}", key).body == created
    assert [c["campaign_id"] for c in api.call("GET", "/v1/campaigns", key).body["items"]] == [cid]

    active = api.call(
        "PATCH", f"/v1/campaigns/{cid}", key, {"status": "active", "budget": {"amount": 6000000}}
    )
    assert active.status == 200, active.text
    assert active.body["status"] == "active" and active.body["budget"] == {
        "amount": 6000000,
        "currency": "USD",
    }
    back = api.call("PATCH", f"/v1/campaigns/{cid}", key, {"status": "draft"})
    assert back.status == 409 and back.body["error"]["details"]["allowed"] == ["ended"]
    ended = api.call("PATCH", f"/v1/campaigns/{cid}", key, {"status": "ended", "ends_on": None})
    assert ended.body["status"] == "ended" and ended.body["ends_on"] is None
    assert api.call("PATCH", f"/v1/campaigns/{cid}", key, {"status": "active"}).status == 409


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_on": "2027-01-01"}, "ends_on"),
        ({"budget": {"amount": 100, "currency": "EUR"}}, "budget.currency"),
        ({"budget": {"amount": 10.5, "currency": "USD"}}, "budget.amount"),
        ({"default_terms": {"currency": "USD", "cpa_percent": "120"}}, "default_terms.cpa_percent"),
        (
            {
                "default_terms": {
                    "currency": "USD",
                    "tiers": [{"from": 9, "cpa_percent": "1"}, {"from": 1, "cpa_percent": "2"}],
                }
            },
            "default_terms",
        ),
        ({"status": "ended"}, "status"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_campaigns_are_refused_with_the_field_and_nothing_is_added(
    api: ApiClient, brand: dict, fields: dict[str, Any], field: str
) -> None:
    key = brand["api_key"]
    answer = api.call("POST", "/v1/campaigns", key, {**SPRING, **fields})
    assert answer.status == 422, answer.text
    assert field.split(".")[0] in answer.text
    assert api.call("GET", "/v1/campaigns", key).body["items"] == []


def test_a_link_s_campaign_must_be_one_of_the_brand_s(api: ApiClient, brand: dict, cloud: LocalCloud) -> None:
    key = brand["api_key"]
    creator = {"handle": "maya.c", "platform": "instagram", "followers": 9000, "email": "maya.c@gmail.com"}
    partner = api.call("POST", "/v1/partners", key, {"creator": creator}).body
    mine = _campaign(api, key)["campaign_id"]
    theirs = _campaign(api, new_brand(cloud)["api_key"])["campaign_id"]
    link = {"partner_id": partner["partner_id"], "destination_url": "https://shop.example.com/serum"}

    for unknown in ("spring", theirs):
        refused = api.call("POST", "/v1/links", key, {**link, "campaign_id": unknown})
        assert refused.status == 422 and refused.body["error"]["details"]["campaign_id"] == unknown
    created = api.call("POST", "/v1/links", key, {**link, "campaign_id": mine})
    assert created.status == 201 and created.body["campaign_id"] == mine
    moved = api.call("PATCH", f"/v1/links/{created.body['slug']}", key, {"campaign_id": theirs})
    assert moved.status == 422


def test_another_brand_gets_404_and_a_viewer_gets_403(api: ApiClient, brand: dict, cloud: LocalCloud) -> None:
    cid = _campaign(api, brand["api_key"])["campaign_id"]
    other = new_brand(cloud)["api_key"]
    assert api.call("GET", f"/v1/campaigns/{cid}", other).status == 404
    assert api.call("PATCH", f"/v1/campaigns/{cid}", other, {"name": "x"}).status == 404
    viewer = api.call("POST", "/v1/api-keys", brand["api_key"], {"name": "v", "role": "viewer"}).body["key"]
    assert api.call("GET", f"/v1/campaigns/{cid}", viewer).status == 200
    assert api.call("POST", "/v1/campaigns", viewer, SPRING).status == 403
    assert api.call("PATCH", f"/v1/campaigns/{cid}", viewer, {"name": "x"}).status == 403
