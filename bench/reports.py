"""A money report for a brand with 1,000 partners and a year of daily figures, on the local stack.

    uv run --frozen python -m bench.reports               # about two minutes
    uv run --frozen python -m bench.reports --partners 200

It starts its own local cloud on free ports, in this process, like the integration tests. The brand's 1,000
partners are created over HTTP (`POST /v1/partners`, each with its follower count, so reports by tier
have tiers). Their figures go straight into the aggregates through the same writers the running system
uses: links' `DynamoClickCounterRepository.apply` (what the click aggregator calls) with a contribution
per partner per day of the year, and conversions' `DynamoFigureBook.book` with an order per partner per
day (a conversion, its revenue and commission) and a flat fee and a gift a month. Then the HTTP request is
timed: `GET /v1/reports` over the calendar year by partner, tier, campaign and day, and over a rolling 365
days by partner (whose first and last months are read day by day), median of 5 after one warm-up.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

from infra.local import environ
from infra.local.cloud import LocalCloud, LocalCloudSettings
from infra.local.seed import seed_demo_brand

TEMPLATE = Path(__file__).resolve().parents[1] / "cdk.out" / "Starling.template.json"
YEAR = 2025
TARGET_SECONDS = 1.0
CAMPAIGNS = ("cmp_spring", "cmp_summer", "cmp_fall", "cmp_winter")
QUERIES = {
    "by partner, calendar year": f"?group_by=partner&from={YEAR}-01-01&to={YEAR}-12-31",
    "by tier, calendar year": f"?group_by=tier&from={YEAR}-01-01&to={YEAR}-12-31",
    "by campaign, calendar year": f"?group_by=campaign&from={YEAR}-01-01&to={YEAR}-12-31",
    "by day, calendar year": f"?group_by=day&from={YEAR}-01-01&to={YEAR}-12-31",
    "by partner, 365 days from mid-month": f"?group_by=partner&from={YEAR}-01-15&to={YEAR + 1}-01-14",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _partners(cloud: LocalCloud, key: str, count: int) -> list[str]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    rng = random.Random(7)
    followers = [rng.choice((3_000, 40_000, 200_000, 700_000, 2_000_000)) for _ in range(count)]

    def create(i: int) -> str:
        creator = {"handle": f"creator{i:05d}", "platform": "instagram", "display_name": f"Creator {i}",
                   "followers": followers[i]}  # fmt: skip
        answer = session.post(f"{cloud.api_url}/v1/partners", json={"creator": creator})
        assert answer.status_code == 201, answer.text[:300]
        return str(answer.json()["partner_id"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(create, range(count)))


def _seed(cloud: LocalCloud, brand_id: str, partner_ids: list[str]) -> tuple[float, int]:
    """A year of daily figures per partner through the aggregates' own writers; (seconds, items written)."""
    with environ.install().invocation(cloud.function_environment("ApiApiFunction")):
        from starling.conversions.figures_repository import DynamoFigureBook
        from starling.conversions.model import MoneyEntry, plan_cells
        from starling.links.aggregation import checkpoint_of
        from starling.links.counters import DynamoClickCounterRepository
        from starling.links.model import Contribution, CounterKey, CounterUpdate

        counters, book = DynamoClickCounterRepository(), DynamoFigureBook()
        days = [
            date(YEAR, 1, 1) + timedelta(days=n)
            for n in range((date(YEAR + 1, 1, 1) - date(YEAR, 1, 1)).days)
        ]
        rng = random.Random(11)

        def one(i: int) -> int:
            partner_id, slug, campaign = partner_ids[i], f"bench{i:05d}", CAMPAIGNS[i % len(CAMPAIGNS)]
            labels = {"partner_id": partner_id, "campaign_id": campaign}
            by_week: dict[tuple[str, int], list[Contribution]] = {}
            entries = []
            for n, day in enumerate(days):
                people = rng.randint(20, 200)
                by_week.setdefault((day.strftime("%Y%m"), (day.day - 1) // 7), []).append(
                    Contribution(checkpoint_of(str(n + 1)), day.strftime("%Y%m%d") + "12", clicks=people,
                                 unique_clicks=people * 9 // 10, bot_clicks=people // 10,
                                 flagged_clicks=people // 50, in_app_clicks=people * 7 // 10)
                )  # fmt: skip
                amount = rng.randint(2_000, 20_000)
                entries.append(MoneyEntry(brand_id, day, partner_id, campaign, slug, "USD", "commission",
                                          amount // 10, 1, amount))  # fmt: skip
                if day.day == 1:
                    entries.append(
                        MoneyEntry(brand_id, day, partner_id, campaign, None, "USD", "flat", 20_000)
                    )
                    entries.append(
                        MoneyEntry(brand_id, day, partner_id, campaign, None, "USD", "gifting", 4_500)
                    )
            # A week a write, as a week of rollups would add up: moto's expression parser recurses once per
            # clause, and a month's 160 clauses in one update pass Python's recursion limit there.
            for (month, _), contributions in by_week.items():
                counters.apply("shardId-bench", CounterUpdate(CounterKey(brand_id, "link_month", slug, month),
                                                               contributions, labels))  # fmt: skip
            for start in range(0, len(entries), 9):
                book.book(entries[start : start + 9])
            return len({m for m, _ in by_week}) + len(plan_cells(entries))

        began = time.perf_counter()  # in this thread: the function's environment is the invocation's
        written = sum(one(i) for i in range(len(partner_ids)))
        return time.perf_counter() - began, written


def _timed(session: requests.Session, url: str) -> tuple[float, dict[str, Any]]:
    began = time.perf_counter()
    answer = session.get(url)
    took = time.perf_counter() - began
    assert answer.status_code == 200, answer.text[:300]
    return took, answer.json()


def run(partners: int) -> dict[str, Any]:
    cloud = LocalCloud(
        LocalCloudSettings(template_path=TEMPLATE, moto_port=_free_port(), api_port=_free_port())
    ).start()
    try:
        brand = seed_demo_brand(cloud)
        began = time.perf_counter()
        partner_ids = _partners(cloud, brand["api_key"], partners)
        partner_seconds = time.perf_counter() - began
        seed_seconds, items = _seed(cloud, brand["brand_id"], partner_ids)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {brand['api_key']}"
        timings: dict[str, float] = {}
        rows: dict[str, int] = {}
        for name, query in QUERIES.items():
            _, body = _timed(session, f"{cloud.api_url}/v1/reports{query}")  # warm-up
            rows[name] = len(body["rows"])
            timings[name] = statistics.median(
                _timed(session, f"{cloud.api_url}/v1/reports{query}")[0] for _ in range(5)
            )
        return {"partners": partners, "partner_seconds": partner_seconds, "seed_seconds": seed_seconds,
                "items": items, "timings": timings, "rows": rows}  # fmt: skip
    finally:
        cloud.stop()


def table(result: dict[str, Any]) -> str:
    n = f"{result['partners']:,}"
    lines = [
        f"| report, {n} partners, a year of daily figures (local stack, HTTP) | rows | median of 5 "
        "| target |",
        "| --- | --- | --- | --- |",
    ]
    for name, seconds in result["timings"].items():
        verdict = "PASS" if seconds < TARGET_SECONDS else "FAIL"
        lines.append(
            f"| {name} | {result['rows'][name]:,} | {seconds * 1000:.0f} ms | under 1 s: {verdict} |"
        )
    lines.append(
        f"| seeding: {n} partners over HTTP {result['partner_seconds']:.0f} s; {result['items']:,} aggregate "
        f"items through the writers {result['seed_seconds']:.0f} s | | | report |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--partners", type=int, default=1_000)
    print(table(run(parser.parse_args().partners)))
