"""Money reports and click quality through the brand API on the local cloud: orders, a refund and clicks
reach the figures as they are recorded; every grouping adds up to the brand's totals; CSV has the same
rows; bad ranges and groupings are refused; another brand's partner is not found; a viewer can read."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.integration.conversions.conftest import TERMS, click_id, key_with_role, order, partner, record
from tests.support import ApiClient

GROUPS = ("partner", "campaign", "tier", "link", "day")
MONEY = ("conversions", "revenue", "commission", "cost", "fees", "gifting", "clicks", "unique_clicks")


def _report(api: ApiClient, key: str, query: str) -> dict[str, Any]:
    answer = api.call("GET", "/v1/reports" + query, key)
    assert answer.status == 200, answer.text
    return dict(answer.body)


@pytest.fixture
def program(api: ApiClient, brand: dict[str, str]) -> dict[str, Any]:
    """A micro partner (12,000 followers, 10% commission) with a spring link clicked once in Instagram's
    browser; an order by that click (120.00), one by coupon (50.00), and a refund of 20.00 of the first."""
    key = brand["api_key"]
    maya = partner(api, key, TERMS, coupon_codes=["MAYA10"])
    spring = api.call("POST", "/v1/campaigns", key, {"name": "Spring", "starts_on": "2026-03-01"}).body
    stclid, slug = click_id(api, key, maya["partner_id"], spring["campaign_id"])
    by_click = order(click_id=stclid)
    record(api, key, by_click)
    record(api, key, order(amount=5000, coupon_code="MAYA10"))
    refund = {"refund_id": "r-1", "amount": 2000}
    answer = api.call("POST", f"/v1/conversions/{by_click['order_id']}/refunds", key, refund)
    assert answer.status in (200, 201), answer.text
    deadline = time.monotonic() + 150  # the click reaches the counters at the next rollup
    while _report(api, key, "?group_by=partner")["totals"]["clicks"] < 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    return {"key": key, "brand_id": brand["brand_id"], "partner_id": maya["partner_id"], "slug": slug,
            "campaign_id": spring["campaign_id"]}  # fmt: skip


def test_orders_refunds_and_clicks_reach_every_grouping_and_add_up_to_the_brand(
    api: ApiClient, program: dict[str, Any]
) -> None:
    key = program["key"]
    # When the brand reads the same range by every grouping
    reports = {group: _report(api, key, f"?group_by={group}") for group in GROUPS}
    # Then the partner's row says what the orders brought and cost: 120 + 50 - 20, at 10%
    [row] = reports["partner"]["rows"]
    assert row["key"] == program["partner_id"] and reports["partner"]["currency"] == "USD"
    assert (row["conversions"], row["revenue"], row["commission"], row["cost"]) == (2, 15000, 1500, 1500)
    assert (row["roi"], row["clicks"], row["in_app_clicks"], row["cvr"]) == ("9.0000", 1, 1, "2.0000")
    assert row["epc"] == "1500.00"
    # And every grouping's rows add up to the same brand totals
    for group, report in reports.items():
        for name in MONEY:
            assert sum(r[name] for r in report["rows"]) == report["totals"][name], (group, name)
        assert report["totals"] == reports["partner"]["totals"], group
    # And the click's order sits on its link and campaign, the coupon's on the partner's coupon row
    links = {r["key"]: r["revenue"] for r in reports["link"]["rows"]}
    assert links == {program["slug"]: 10000, f"coupon:{program['partner_id']}": 5000}
    campaigns = {r["key"]: r["revenue"] for r in reports["campaign"]["rows"]}
    assert campaigns == {program["campaign_id"]: 10000, "-": 5000}
    # And by tier, the brand's mix of partners stands beside each tier's return
    tiers = {r["key"]: r for r in reports["tier"]["rows"]}
    assert list(tiers)[:5] == ["nano", "micro", "mid", "macro", "mega"]
    assert (tiers["micro"]["partners"], tiers["micro"]["partner_share"], tiers["micro"]["roi"]) == (
        1, "1.0000", "9.0000",
    )  # fmt: skip
    assert tiers["mega"]["partners"] == 0 and tiers["mega"]["roi"] is None


def test_csv_gives_the_same_rows_as_json(api: ApiClient, program: dict[str, Any]) -> None:
    key = program["key"]
    as_json = _report(api, key, "?group_by=link")
    answer = api.call("GET", "/v1/reports?group_by=link", key, headers={"Accept": "text/csv"})
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["link"] for r in rows] == [r["key"] for r in as_json["rows"]]
    for line, row in zip(rows, as_json["rows"], strict=True):
        for name in ("clicks", "conversions", "revenue", "commission", "cost", "roi", "epc", "cvr"):
            assert line[name] == ("" if row[name] is None else str(row[name])), name


def test_click_quality_explains_a_partners_clicks_and_a_viewer_can_read_it(
    api: ApiClient, program: dict[str, Any]
) -> None:
    viewer = key_with_role(api, program["key"], "viewer")
    answer = api.call("GET", f"/v1/partners/{program['partner_id']}/click-quality", viewer)
    assert answer.status == 200, answer.text
    quality = answer.body
    assert (quality["tier"], quality["people"], quality["bots"], quality["bursts"]) == ("micro", 1, 0, 0)
    assert (quality["in_app_share"], quality["unique_rate"], quality["conversions"]) == (
        "1.0000",
        "1.0000",
        1,
    )
    assert quality["verdict"] == "not_enough_data" and quality["reasons"]
    assert _report(api, viewer, "?group_by=tier")["totals"]["revenue"] == 15000


def test_another_brands_partner_has_no_click_quality(
    api: ApiClient, program: dict[str, Any], cloud: LocalCloud
) -> None:
    other = new_brand(cloud)["api_key"]
    for partner_id in (program["partner_id"], "ptn_unknown", "not-an-id"):
        answer = api.call("GET", f"/v1/partners/{partner_id}/click-quality", other)
        assert answer.status == 404, answer.text
        assert answer.body["error"]["code"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=2026-13-01", "from"),
        ("?from=yesterday", "from"),
        ("?from=2026-11-20&to=2026-11-01", "from"),
        ("?from=2024-01-01&to=2026-01-01", "from"),
        ("?group_by=week", "group_by"),
        ("?currency=XXQ", "currency"),
        ("?colour=blue", None),
    ],
)
def test_bad_ranges_groupings_and_parameters_are_refused(
    api: ApiClient, brand: dict[str, str], query: str, field: str | None
) -> None:
    for path in ("/v1/reports", "/v1/partners/ptn_x/click-quality"):
        if field in ("group_by", "currency") and "click-quality" in path:
            continue
        answer = api.call("GET", path + query, brand["api_key"])
        assert answer.status in (400, 422), (path, query, answer.text)
        assert answer.body["error"]["code"]
        if field:
            assert field in str(answer.body["error"]), answer.text


def test_a_day_range_reads_only_its_days(api: ApiClient, program: dict[str, Any]) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    later = _report(
        api, program["key"], f"?group_by=partner&from={tomorrow}&to={tomorrow + timedelta(days=3)}"
    )
    assert later["rows"] == [] and later["totals"]["revenue"] == 0 and later["totals"]["roi"] is None
