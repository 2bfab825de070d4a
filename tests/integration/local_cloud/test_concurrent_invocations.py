"""Many clients at once through the local cloud's HTTP API. On Lambda one execution environment serves one
invocation at a time, so a handler's module state (the API's resolver and its current event) is never shared
by two requests; the local cloud, which runs every handler in one process, has to keep that promise."""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.support import ApiClient

CLIENTS = 8
# `make test` sends 60 each (a third failed without the per-function lock); `make fuzz` sends 500 each.
REQUESTS_PER_CLIENT = int(os.environ.get("CONCURRENT_REQUESTS", "60"))
HEALTH_EVERY = 20  # a client also checks /health (the same function, no authorizer) this often
REDIRECT_EVERY = 50  # and follows a link (the redirect function, and its click line shipped) this often


def _link_slug(api: ApiClient, key: str) -> str:
    creator = {"handle": f"busy{uuid.uuid4().hex[:10]}", "platform": "instagram"}
    partner = api.call("POST", "/v1/partners", key, {"creator": creator})
    assert partner.status == 201, partner.text
    body = {"partner_id": partner.body["partner_id"], "destination_url": "https://shop.example.com/"}
    link = api.call("POST", "/v1/links", key, body)
    assert link.status == 201, link.text
    return str(link.body["slug"])


def _client(base_url: str, brand: dict[str, str], slug: str) -> Counter[str]:
    """One client on its own connection: what each answer was, by kind ("ok" or what went wrong)."""
    api = ApiClient(base_url)
    outcomes: Counter[str] = Counter()
    for i in range(1, REQUESTS_PER_CLIENT + 1):
        me = api.call("GET", "/v1/me", brand["api_key"])
        if me.status != 200:
            outcomes[f"/v1/me {me.status}"] += 1
        elif me.body["brand"]["brand_id"] != brand["brand_id"]:
            outcomes["/v1/me answered with another brand"] += 1
        else:
            outcomes["ok"] += 1
        if i % HEALTH_EVERY == 0:
            health = api.call("GET", "/health")
            outcomes["ok" if health.status == 200 else f"/health {health.status}"] += 1
        if i % REDIRECT_EVERY == 0:
            redirect = api.call("GET", f"/{slug}")
            outcomes["ok" if redirect.status == 302 else f"/{{slug}} {redirect.status}"] += 1
    return outcomes


def test_eight_concurrent_clients_get_no_errors(cloud: LocalCloud, brand: dict[str, str]) -> None:
    # Given two brands, each with a link, and eight clients, half of them on each brand
    brands = [brand, new_brand(cloud)]
    setup = ApiClient(cloud.api_url)
    slugs = [_link_slug(setup, b["api_key"]) for b in brands]
    # When they all call GET /v1/me at once, with /health and a redirect mixed in
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        runs = [pool.submit(_client, cloud.api_url, brands[n % 2], slugs[n % 2]) for n in range(CLIENTS)]
        outcomes = sum((run.result() for run in runs), Counter[str]())
    seconds = time.monotonic() - started
    # Then every answer is right: no 500s, and no request sees another one's brand
    me_calls = CLIENTS * REQUESTS_PER_CLIENT
    extra_calls = CLIENTS * (REQUESTS_PER_CLIENT // HEALTH_EVERY + REQUESTS_PER_CLIENT // REDIRECT_EVERY)
    errors = {kind: count for kind, count in outcomes.items() if kind != "ok"}
    assert outcomes["ok"] == me_calls + extra_calls, f"{errors} in {seconds:.1f} s"
