"""Reports through the brand API: narrowed to a partner, a campaign or a link, and naming what ids stand
for (partners' handles and names, links' destinations), in JSON and CSV."""

from __future__ import annotations

import csv
import io
import time
import uuid
from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.support import ApiClient

DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def _partner(api: ApiClient, key: str, handle: str, name: str) -> str:
    creator = {"handle": f"{handle}{uuid.uuid4().hex[:4]}", "platform": "instagram", "display_name": name}
    answer = api.call("POST", "/v1/partners", key, {"creator": creator})
    assert answer.status == 201, answer.text
    return str(answer.body["partner_id"])


def _link(api: ApiClient, key: str, partner_id: str, path: str, **extra: Any) -> str:
    body = {"partner_id": partner_id, "destination_url": f"https://shop.example.com/{path}", **extra}
    answer = api.call("POST", "/v1/links", key, body)
    assert answer.status == 201, answer.text
    return str(answer.body["slug"])


def _click(api: ApiClient, slug: str, times: int) -> None:
    for _ in range(times):
        assert api.call("GET", f"/{slug}", headers={"User-Agent": DESKTOP}).status == 302


def _report(api: ApiClient, key: str, query: str) -> dict[str, Any]:
    answer = api.call("GET", "/v1/reports" + query, key)
    assert answer.status == 200, answer.text
    return dict(answer.body)


@pytest.fixture
def program(api: ApiClient, brand: dict[str, str]) -> dict[str, str]:
    """Maya with a serum link in the spring campaign (2 clicks) and a cream link (1 click); Leo with a
    spring link (3 clicks); all counted."""
    key = brand["api_key"]
    maya, leo = _partner(api, key, "maya", "Maya López"), _partner(api, key, "leo", "Leo Dubois")
    spring = api.call("POST", "/v1/campaigns", key, {"name": "Spring", "starts_on": "2026-03-01"}).body
    serum = _link(api, key, maya, "serum", campaign_id=spring["campaign_id"])
    cream = _link(api, key, maya, "cream")
    lifts = _link(api, key, leo, "lifts", campaign_id=spring["campaign_id"])
    _click(api, serum, 2)
    _click(api, cream, 1)
    _click(api, lifts, 3)
    deadline = time.monotonic() + 30
    while _report(api, key, "?group_by=link")["totals"]["clicks"] < 6 and time.monotonic() < deadline:
        time.sleep(0.2)
    return {"key": key, "maya": maya, "leo": leo, "serum": serum, "cream": cream, "lifts": lifts,
            "spring": spring["campaign_id"]}  # fmt: skip


def test_a_report_narrows_to_a_partner_a_campaign_or_a_link(api: ApiClient, program: dict[str, str]) -> None:
    key = program["key"]
    # When the brand narrows the report by partner, by campaign, by link, and by partner and campaign
    by_partner = _report(api, key, f"?group_by=link&partner_id={program['maya']}")
    by_campaign = _report(api, key, f"?group_by=partner&campaign_id={program['spring']}")
    by_link = _report(api, key, f"?group_by=day&link={program['lifts']}")
    both = _report(api, key, f"?group_by=link&partner_id={program['maya']}&campaign_id={program['spring']}")
    # Then each counts only what it names
    assert {r["key"]: r["clicks"] for r in by_partner["rows"]} == {program["serum"]: 2, program["cream"]: 1}
    assert {r["key"]: r["clicks"] for r in by_campaign["rows"]} == {program["maya"]: 2, program["leo"]: 3}
    assert by_link["totals"]["clicks"] == 3
    assert [r["key"] for r in both["rows"]] == [program["serum"]]


def test_rows_name_partners_and_destinations_beside_their_ids_in_json_and_csv(
    api: ApiClient, program: dict[str, str]
) -> None:
    key = program["key"]
    # When the brand reads its report by partner and by link
    partners = {r["key"]: r for r in _report(api, key, "?group_by=partner")["rows"]}
    links = {r["key"]: r for r in _report(api, key, "?group_by=link")["rows"]}
    as_csv = api.call("GET", "/v1/reports?group_by=link", key, headers={"Accept": "text/csv"}).text
    # Then each partner's handle and name stand beside its id, and each link's destination beside its slug
    maya = partners[program["maya"]]
    assert maya["partner_handle"].startswith("maya") and maya["partner_name"] == "Maya López"
    serum = links[program["serum"]]
    assert serum["destination_url"] == "https://shop.example.com/serum"
    assert (serum["partner_id"], serum["partner_name"], serum["campaign_id"]) == (
        program["maya"], "Maya López", program["spring"],
    )  # fmt: skip
    rows = {row["link"]: row for row in csv.DictReader(io.StringIO(as_csv))}
    assert list(rows[program["serum"]])[:3] == ["link", "destination_url", "clicks"]
    assert rows[program["serum"]]["partner_name"] == "Maya López"
    assert rows[program["lifts"]]["destination_url"] == "https://shop.example.com/lifts"


def test_a_filter_naming_another_brand_s_ids_finds_nothing(
    api: ApiClient, program: dict[str, str], cloud: LocalCloud
) -> None:
    # Given another brand, When it asks for this brand's partner, campaign and link
    other = new_brand(cloud)["api_key"]
    for query in (
        f"?group_by=link&partner_id={program['maya']}",
        f"?group_by=partner&campaign_id={program['spring']}",
        f"?group_by=day&link={program['serum']}",
    ):
        # Then its report is empty: no figure and no name of the other brand
        report = _report(api, other, query)
        assert report["rows"] == [] and report["totals"]["clicks"] == 0, query


@pytest.mark.parametrize(
    "query",
    [
        "?partner_id=cre_123",
        "?partner_id=ptn_a%20b",
        "?campaign_id=spring%20sale",
        "?link=a",
        "?link=Zo%C3%AB",
        "?partner_id=" + "ptn_" + "a" * 80,
    ],
)
def test_a_filter_that_cannot_be_an_id_gets_422(api: ApiClient, brand: dict[str, str], query: str) -> None:
    answer = api.call("GET", "/v1/reports" + query, brand["api_key"])
    assert answer.status == 422, answer.text
