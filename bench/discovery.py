"""Discovery at scale on the local stack: a brand with N creators, then the latency of first result pages.

    uv run python -m bench.discovery --creators 100000
    uv run python -m bench.discovery --creators 1000000

It starts its own local cloud on free ports, in this process, like the integration tests (not part of
`make bench`: it takes minutes). The brand's creators arrive in two ways:

- all but the last 10,000 go straight into the brand's search index, through the same
  `SearchSegments.append` an import ends with (in imports of 100,000 rows, so segments merge as they do
  in use), without their DynamoDB items: moto writes about 1,000 items a second, so a million would take
  a quarter of an hour and gigabytes of its memory, and search never reads those items;
- the last 10,000 arrive as one CSV through `POST /v1/creators/import`, the whole path.

Then the figures: the import's time; the first page right after it (the API function reads only the
segment the import wrote, or the one it merged into); the first page in a fresh execution environment
(the whole index read from S3 and built: a cold start's share); warm first pages of five searches
(median of 7); and the memory the index takes in the API function (tracemalloc's peak over the cold
load, and what stays).
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from infra.local import environ
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
HTTP_IMPORT = 10_000
DIRECT_BATCH = 100_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fields(i: int, rng: random.Random) -> dict[str, Any]:
    followers = int(rng.lognormvariate(9.5, 1.3)) + 100
    return {
        "handle": f"creator{i}",
        "platform": rng.choice(["instagram", "tiktok", "youtube"]),
        "followers": followers,
        "avg_likes": int(followers * rng.uniform(0.005, 0.08)),
        "avg_comments": rng.randint(0, 200),
        "avg_views": int(followers * rng.uniform(0.1, 2)),
        "niches": rng.sample(NICHES, 2),
        "country": rng.choice(COUNTRIES),
    }


def _csv(start: int, count: int, rng: random.Random) -> str:
    lines = ["handle,platform,followers,avg likes,avg comments,avg views,niches,country,language,email"]
    for i in range(start, start + count):
        f = _fields(i, rng)
        lines.append(
            f"{f['handle']},{f['platform']},{f['followers']},{f['avg_likes']},{f['avg_comments']},"
            f"{f['avg_views']},{';'.join(f['niches'])},{f['country']},en,{f['handle']}@mail.com"
        )
    return "\n".join(lines)


def _index_directly(cloud: LocalCloud, brand_id: str, count: int, rng: random.Random) -> float:
    """`count` creators into the brand's search index as imports of DIRECT_BATCH rows would leave it."""
    with environ.install().invocation(cloud.function_environment("ApiApiFunction")):
        from starling.discovery.columns import SearchColumns
        from starling.discovery.model import Creator, Platform, SearchRow, brand_owner
        from starling.discovery.repository import DynamoCreatorRepository, owner_pk
        from starling.discovery.service import creator_id_for

        segments = DynamoCreatorRepository()._segments
        pk, now, seconds = owner_pk(brand_owner(brand_id)), datetime.now(UTC), 0.0
        for start in range(0, count, DIRECT_BATCH):
            rows = []
            for i in range(start, min(count, start + DIRECT_BATCH)):
                f = _fields(i, rng)
                platform = Platform(f.pop("platform"))
                creator = Creator(
                    creator_id=creator_id_for(platform.value, f["handle"]), platform=platform,
                    created_at=now, updated_at=now, language="en", **{**f, "niches": tuple(f["niches"])},
                )  # fmt: skip
                rows.append(SearchRow.of(creator))
            began = time.perf_counter()
            segments.append(pk, SearchColumns.of(rows), added=len(rows))
            seconds += time.perf_counter() - began
        return seconds


def _get(session: requests.Session, url: str) -> float:
    began = time.perf_counter()
    answer = session.get(url)
    took = time.perf_counter() - began
    assert answer.status_code == 200, answer.text[:300]
    return took


def run(total: int) -> dict[str, Any]:
    cloud = LocalCloud(
        LocalCloudSettings(template_path=TEMPLATE, moto_port=_free_port(), api_port=_free_port())
    ).start()
    try:
        brand = seed_demo_brand(cloud)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {brand['api_key']}"
        rng = random.Random(42)
        direct = max(0, total - HTTP_IMPORT)
        direct_seconds = _index_directly(cloud, brand["brand_id"], direct, rng)
        url = f"{cloud.api_url}/v1/creators"
        _get(session, url + QUERIES[0])  # the function holds the index of the first `direct` creators
        began = time.perf_counter()
        answer = session.post(
            f"{cloud.api_url}/v1/creators/import",
            data=_csv(direct, total - direct, rng).encode(),
            headers={"Content-Type": "text/csv"},
        )
        import_seconds = time.perf_counter() - began
        assert answer.status_code == 200 and answer.json()["imported"] == total - direct, answer.text[:300]
        after_import = _get(session, url + QUERIES[0])

        from functions.api.routes import creators as route  # the API function's module, as loaded

        route._index_cache = type(route._index_cache)()  # a fresh execution environment's empty cache
        fresh = _get(session, url + QUERIES[0])
        warm = {query: statistics.median(_get(session, url + query) for _ in range(7)) for query in QUERIES}

        route._index_cache = type(route._index_cache)()
        tracemalloc.start()
        _get(session, url + QUERIES[0])
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "creators": total,
            "direct_index_seconds": direct_seconds,
            "import_seconds": import_seconds,
            "import_rows": total - direct,
            "after_import_ms": after_import * 1000,
            "fresh_ms": fresh * 1000,
            "warm_ms": {q: v * 1000 for q, v in warm.items()},
            "index_kept_mb": kept / 2**20,
            "index_peak_mb": peak / 2**20,
        }
    finally:
        cloud.stop()


def table(result: dict[str, Any]) -> str:
    n = f"{result['creators']:,}"
    rows = [
        f"| figure ({n} creators) | value | target |",
        "| --- | --- | --- |",
        f"| import of a {result['import_rows']:,}-row CSV over HTTP into the brand's {n} | "
        f"{result['import_seconds']:.1f} s | under the API's 29 s |",
        f"| first page right after that import (the new segment read) | {result['after_import_ms']:.0f} ms | "
        "report |",
        f"| first page in a fresh execution environment (whole index read from S3 and built) | "
        f"{result['fresh_ms']:.0f} ms | under 3 s |",
    ]
    rows += [
        f"| first page, warm, `{q}` | {ms:.0f} ms | under 300 ms |" for q, ms in result["warm_ms"].items()
    ]
    rows += [
        f"| the index in the API function's memory: kept / peak while loading | "
        f"{result['index_kept_mb']:.0f} MB / {result['index_peak_mb']:.0f} MB | report |",
        f"| the other {result['creators'] - result['import_rows']:,} creators into the search index "
        f"(segments appended and merged: S3, manifest) | {result['direct_index_seconds']:.1f} s | report |",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--creators", type=int, default=100_000)
    print(table(run(parser.parse_args().creators)))
