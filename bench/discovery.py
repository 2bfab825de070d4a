"""Discovery at scale: importing 10,000-row CSVs through the HTTP API of the local stack until the brand has
100,000 creators, then the latency of first result pages, cold (first search after the import) and warm.

Run with `uv run python -m bench.discovery` (not part of `make bench`: it takes several minutes). It starts
its own local cloud on free ports, in this process, like the integration tests.
"""

from __future__ import annotations

import random
import socket
import statistics
import time
from pathlib import Path
from typing import Any

import requests

from infra.local.cloud import LocalCloud, LocalCloudSettings
from infra.local.seed import seed_demo_brand

TEMPLATE = Path(__file__).resolve().parents[1] / "cdk.out" / "Starling.template.json"
NICHES = ["beauty", "skincare", "fitness", "travel", "food", "gaming", "fashion", "tech", "parenting", "pets"]
COUNTRIES = ["US", "DE", "GB", "FR", "ES", "IT", "NL", "BR", "IN", "CA"]
QUERIES = [
    "?limit=25",
    "?tier=micro&niche=beauty&sort=engagement&limit=25",
    "?q=creator123&limit=25",
    "?country=DE&min_followers=20000&max_followers=80000&sort=followers&limit=25",
    "?platform=tiktok&min_engagement=0.05&sort=fit&limit=25",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _csv(start: int, count: int, rng: random.Random) -> str:
    lines = ["handle,platform,followers,avg likes,avg comments,avg views,niches,country,language,email"]
    for i in range(start, start + count):
        followers = int(rng.lognormvariate(9.5, 1.3)) + 100
        lines.append(
            f"creator{i},{rng.choice(['instagram', 'tiktok', 'youtube'])},{followers},"
            f"{int(followers * rng.uniform(0.005, 0.08))},{rng.randint(0, 200)},"
            f"{int(followers * rng.uniform(0.1, 2))},"
            f"{';'.join(rng.sample(NICHES, 2))},{rng.choice(COUNTRIES)},en,creator{i}@mail.com"
        )
    return "\n".join(lines)


def run(total: int = 100_000, batch: int = 10_000) -> dict[str, Any]:
    cloud = LocalCloud(
        LocalCloudSettings(template_path=TEMPLATE, moto_port=_free_port(), api_port=_free_port())
    ).start()
    try:
        brand = seed_demo_brand(cloud)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {brand['api_key']}"
        rng = random.Random(42)
        import_seconds = []
        for start in range(0, total, batch):
            body = _csv(start, batch, rng)
            began = time.perf_counter()
            answer = session.post(
                f"{cloud.api_url}/v1/creators/import",
                data=body.encode(),
                headers={"Content-Type": "text/csv"},
            )
            import_seconds.append(time.perf_counter() - began)
            assert answer.status_code == 200 and answer.json()["imported"] == batch, answer.text[:300]
        cold_began = time.perf_counter()
        first = session.get(f"{cloud.api_url}/v1/creators{QUERIES[0]}")
        cold = time.perf_counter() - cold_began
        assert first.status_code == 200
        warm: dict[str, float] = {}
        for query in QUERIES:
            samples = []
            for _ in range(7):
                began = time.perf_counter()
                answer = session.get(f"{cloud.api_url}/v1/creators{query}")
                samples.append(time.perf_counter() - began)
                assert answer.status_code == 200, answer.text[:300]
            warm[query] = statistics.median(samples)
        return {
            "creators": total,
            "import_10k_median_s": statistics.median(import_seconds),
            "import_10k_max_s": max(import_seconds),
            "first_search_after_import_ms": cold * 1000,
            "warm_first_page_ms": {q: v * 1000 for q, v in warm.items()},
        }
    finally:
        cloud.stop()


def table(result: dict[str, Any]) -> str:
    rows = [
        "| figure | value | target |",
        "| --- | --- | --- |",
        f"| import of a 10,000-row CSV over HTTP (median of {result['creators'] // 10_000}) | "
        f"{result['import_10k_median_s']:.1f} s (max {result['import_10k_max_s']:.1f} s) | one request, "
        "under the API's 29 s |",
        f"| first search page right after the import ({result['creators']:,} creators, cold index) | "
        f"{result['first_search_after_import_ms']:.0f} ms | report |",
    ]
    rows += [
        f"| first page, warm, `{q}` | {ms:.0f} ms | under 300 ms |"
        for q, ms in result["warm_first_page_ms"].items()
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(run()))
