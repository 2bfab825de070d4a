"""The shop endpoints' own cost, in process, side by side: verifying a Starling-Signature (one secret, and
two during a rotation's grace), verifying Shopify's HMAC, and reading a Shopify order, each per second of
CPU; and what their modules add to the API function's cold start (imported in a fresh interpreter after
the rest of the API, medians of 5).

    uv run --frozen python -m bench.shop_orders
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from starling.conversions.shopify import order_fields
from starling.conversions.signatures import (
    shopify_hmac,
    signature_header,
    verify_shopify_hmac,
    verify_signature,
)
from tests.fixtures import shopify

ROUNDS = 5
CALLS = 20_000
NOW = datetime.now(UTC)
SECRET, OLD = "stsig_" + "n" * 43, "stsig_" + "o" * 43
ORDER = shopify.order(820982911946154508, total="398.00", codes=("MAYA10",), cart_stclid="1.eyJiIjoiYnJk")
BODY = json.dumps(ORDER).encode()


def per_second(call: Callable[[], object]) -> float:
    rates = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(CALLS):
            call()
        rates.append(CALLS / (time.process_time() - start))
    return statistics.median(rates)


_IMPORT = """
import time, os
os.environ.setdefault("TABLE_NAME", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
start = time.perf_counter()
import functions.api.routes.conversions, functions.api.routes.identity, functions.api.routes.links
import functions.api.routes.partners, functions.api.routes.reports
rest = time.perf_counter()
import functions.api.routes.shops, functions.api.routes.snippet
shops = time.perf_counter()
print(rest - start, shops - rest)
"""


def import_costs() -> tuple[float, float]:
    runs = []
    for _ in range(ROUNDS):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT], capture_output=True, text=True, check=True
        ).stdout
        rest, shops = (float(x) for x in out.split())
        runs.append((rest, shops))
    return statistics.median(r for r, _ in runs), statistics.median(s for _, s in runs)


def main() -> None:
    t = int(NOW.timestamp())
    one = signature_header(SECRET, t, BODY)
    digest = shopify_hmac("shop-secret-0123456789", BODY)
    starling_one = per_second(lambda: verify_signature(one, BODY, [SECRET], NOW))
    starling_two = per_second(lambda: verify_signature(one, BODY, [OLD, SECRET], NOW))
    shopify_one = per_second(lambda: verify_shopify_hmac(digest, BODY, ["shop-secret-0123456789"]))
    mapping = per_second(lambda: order_fields(ORDER))
    rows = [
        ("Starling-Signature verified, one live secret", starling_one),
        ("Starling-Signature verified, two live secrets (grace)", starling_two),
        ("X-Shopify-Hmac-Sha256 verified", shopify_one),
        ("Shopify orders/create read as an order (parsed body in)", mapping),
    ]
    print(f"body: {len(BODY):,} bytes (a Shopify order as the fixtures shape it)")
    for figure, rate in rows:
        print(f"{figure:<58} {rate:>12,.0f} /s   {1e6 / rate:8.1f} µs each")
    rest, shops = import_costs()
    print(f"API routers imported (cold, in a fresh interpreter): {rest * 1000:,.0f} ms; "
          f"the shop routes after them: {shops * 1000:,.1f} ms ({shops / rest:.1%})")  # fmt: skip


if __name__ == "__main__":
    main()
