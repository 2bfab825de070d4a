"""The redirect's own costs: a warm redirect (cache hit) against a bare handler that answers a fixed 302, and
the cold start (import and initialisation) against a floor of Python plus boto3 plus the two clients.

Both warm contenders go through the same harness, which plays the Lambda runtime's part: the API Gateway
payload 2.0 event arrives as a JSON string, is decoded, handed to the handler, and the answer is encoded.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import string
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from bench.local import CLICK_SECRET_ID, FAKE_AWS_ENV, REGION, create_core_table
from starling.links.clicks import Click, ClickIdSigner, click_line, derive_key, source_hash, visitor_hash
from starling.links.redirect_store import item_from_entry
from starling.links.redirects import RedirectEntry

ROOT = Path(__file__).resolve().parents[1]
SLUG = "glow-sarah"
INSTAGRAM_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Instagram 334.0.4.32.98 (iPhone15,3; iOS 17_5_1; en_US; en-US; scale=3.00; 1290x2796; "
    "606276534)"
)
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def api_event(slug: str = SLUG) -> dict[str, Any]:
    """What API Gateway (HTTP API, payload 2.0) hands the redirect for a tap in Instagram's in-app browser."""
    return {
        "version": "2.0",
        "routeKey": "GET /{slug}",
        "rawPath": f"/{slug}",
        "rawQueryString": "",
        "headers": {
            "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "accept-encoding": "gzip, deflate, br",
            "accept-language": "en-GB,en;q=0.9",
            "content-length": "0",
            "host": "go.starling.example",
            "priority": "u=0, i",
            "sec-fetch-dest": "document",
            "sec-fetch-mode": "navigate",
            "sec-fetch-site": "none",
            "upgrade-insecure-requests": "1",
            "user-agent": INSTAGRAM_IPHONE,
            "x-amzn-trace-id": "Root=1-6741a3f2-4c1d5e6f7a8b9c0d1e2f3a4b",
            "x-forwarded-for": "86.143.27.201",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "k3x9q2w7ab",
            "domainName": "go.starling.example",
            "domainPrefix": "go",
            "http": {
                "method": "GET",
                "path": f"/{slug}",
                "protocol": "HTTP/1.1",
                "sourceIp": "86.143.27.201",
                "userAgent": INSTAGRAM_IPHONE,
            },
            "requestId": "Bq7xJg2sIAMEVkQ=",
            "routeKey": "GET /{slug}",
            "stage": "$default",
            "time": "23/Nov/2026:01:04:37 +0000",
            "timeEpoch": 1795395877000,
        },
        "pathParameters": {"slug": slug},
        "isBase64Encoded": False,
    }


def redirect_entry(slug: str = SLUG) -> RedirectEntry:
    utm = "utm_source=instagram&utm_medium=creator&utm_campaign=summer-glow&utm_content=sarah"
    return RedirectEntry(
        slug=slug,
        brand_id="01JBRANDGLOW00000000000000",
        partner_id="01JPARTNERSARAH00000000000",
        campaign_id="01JCAMPAIGNSUMMER000000000",
        url=f"https://shop.glow.example/products/vitamin-c-serum?{utm}",
        ios_url=None,
        android_url=None,
        fallback_url=None,
        disabled=False,
        expires_epoch=None,
    )


_FIXED_DESTINATION = redirect_entry().url


def bare_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The floor: a handler that answers a fixed 302 (the same headers as the redirect's, the link's
    destination without a click id) and does nothing else."""
    return {
        "statusCode": 302,
        "headers": {
            "Location": _FIXED_DESTINATION,
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex",
        },
        "body": "",
    }


@dataclass
class _Context:
    function_name: str = "starling-redirect"
    memory_limit_in_mb: int = 256
    aws_request_id: str = "0b9d7c1e-0000-4000-8000-000000000000"


def _run(handler: Handler, event_json: str, context: Any, calls: int) -> float:
    """Seconds for `calls` invocations as the runtime makes them: decode, handle, encode."""
    loads, dumps = json.loads, json.dumps
    began = time.perf_counter()
    for _ in range(calls):
        dumps(handler(loads(event_json), context))
    return time.perf_counter() - began


@dataclass
class WarmResult:
    real_us: float
    bare_us: float
    rounds: int
    calls_per_round: int
    misses_timed: int
    click_line_bytes: int
    breakdown_us: dict[str, float]

    ratio: float  # the median of each round's ratio, so that drift in machine speed cancels out


def warm_redirect(rounds: int = 41, calls: int = 2000, seed: int = 7) -> WarmResult:
    """Microseconds per redirect on a cache hit, interleaved with the bare handler, medians of `rounds`."""
    rng = random.Random(seed)
    root = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(64))
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_core_table(dynamodb)
        dynamodb.put_item(TableName=os.environ["TABLE_NAME"], Item=item_from_entry(redirect_entry()))
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name=CLICK_SECRET_ID, SecretString=json.dumps({"key": root})
        )
        import functions.redirect.handler as redirect

        reads = {"get_item": 0}

        def count_read(**_: Any) -> None:
            reads["get_item"] += 1

        redirect._store._client.meta.events.register("before-call.dynamodb.GetItem", count_read)
        event_json = json.dumps(api_event())
        context = _Context()
        with open(os.devnull, "w") as sink, redirect_stdout(sink):
            first = redirect.lambda_handler(
                json.loads(event_json), context
            )  # loads the secret, fills the cache
            assert first["statusCode"] == 302 and "stclid=" in first["headers"]["Location"], first
            _run(bare_handler, event_json, context, calls)
            real: list[float] = []
            bare: list[float] = []
            misses = 0
            for index in range(rounds):
                # The cache keeps an entry for 5 s; refill it (untimed) so every timed call is a hit.
                redirect._cache.clear()
                redirect.lambda_handler(json.loads(event_json), context)
                before = reads["get_item"]
                for name in ("real", "bare") if index % 2 == 0 else ("bare", "real"):
                    if name == "real":
                        real.append(_run(redirect.lambda_handler, event_json, context, calls) / calls)
                    else:
                        bare.append(_run(bare_handler, event_json, context, calls) / calls)
                misses += reads["get_item"] - before
        line = _sample_click_line(root)
        return WarmResult(
            real_us=statistics.median(real) * 1e6,
            bare_us=statistics.median(bare) * 1e6,
            ratio=statistics.median(r / b for r, b in zip(real, bare, strict=True)),
            rounds=rounds,
            calls_per_round=calls,
            misses_timed=misses,
            click_line_bytes=len(line.encode()) + 1,
            breakdown_us=_breakdown(root, event_json),
        )


def _sample_click_line(root: str) -> str:
    """A click line as the redirect writes it for the benchmark's event."""
    entry = redirect_entry()
    signer = ClickIdSigner(derive_key(root.encode(), "click-id"))
    salt = derive_key(root.encode(), "visitor")
    at_ms = 1795395877000
    _, claims = signer.issue(entry.brand_id, entry.slug, entry.partner_id, entry.campaign_id, at_ms)
    click = Click(
        claims.click_id, at_ms, entry.brand_id, entry.slug, entry.partner_id, entry.campaign_id,
        visitor_hash(salt, "20261123", "86.143.27.201", INSTAGRAM_IPHONE),
        source_hash(salt, "20261123", "86.143.27.201"), INSTAGRAM_IPHONE, "ios",
    )  # fmt: skip
    return click_line(click)


def _breakdown(root: str, event_json: str) -> dict[str, float]:
    """Where a warm redirect's time goes: the main steps timed on their own (microseconds per call)."""
    entry = redirect_entry()
    signer = ClickIdSigner(derive_key(root.encode(), "click-id"))
    salt = derive_key(root.encode(), "visitor")
    at_ms = 1795395877000
    _, claims = signer.issue(entry.brand_id, entry.slug, entry.partner_id, entry.campaign_id, at_ms)
    fields = (
        claims.click_id, at_ms, entry.brand_id, entry.slug, entry.partner_id, entry.campaign_id,
        "AbCdEfGhIjK", "LmNoPqRsTuV", INSTAGRAM_IPHONE, "ios",
    )  # fmt: skip
    click = Click(*fields)
    line = click_line(click) + "\n"
    response = {"statusCode": 302, "headers": {"Location": entry.url}, "body": ""}
    steps: dict[str, Callable[[], Any]] = {
        "decode the event (json.loads)": lambda: json.loads(event_json),
        "sign the click id": lambda: signer.issue(
            entry.brand_id, entry.slug, entry.partner_id, entry.campaign_id, at_ms
        ),
        "visitor and source hashes": lambda: (
            visitor_hash(salt, "20261123", "86.143.27.201", INSTAGRAM_IPHONE),
            source_hash(salt, "20261123", "86.143.27.201"),
        ),
        "build the Click (frozen dataclass, 10 fields)": lambda: Click(*fields),
        "click line (json.dumps)": lambda: click_line(click),
        "UTC day (time.strftime)": lambda: time.strftime("%Y%m%d", time.gmtime(time.time())),
        "encode the answer (json.dumps)": lambda: json.dumps(response),
    }
    result = {}
    with open(os.devnull, "w") as sink:
        steps["write the line to stdout"] = lambda: sink.write(line)
        for name, step in steps.items():
            number = 20_000
            result[name] = statistics.median(timeit.repeat(step, number=number, repeat=5)) / number * 1e6
    return result


# Cold start: a fresh interpreter each time, timing only the import (and so the module's initialisation).
_CLIENT_CONFIG = 'Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"})'
HANDLER_IMPORT = (
    "import time\nt = time.perf_counter()\nimport functions.redirect.handler\n"
    "print(time.perf_counter() - t)\n"
)
BOTO3_FLOOR = (
    "import time\nt = time.perf_counter()\nimport boto3\nfrom botocore.config import Config\n"
    f"config = {_CLIENT_CONFIG}\n"
    'boto3.client("dynamodb", config=config)\nboto3.client("secretsmanager", config=config)\n'
    "print(time.perf_counter() - t)\n"
)


@dataclass
class ColdResult:
    handler_ms: float
    floor_ms: float
    runs: int

    @property
    def ratio(self) -> float:
        return self.handler_ms / self.floor_ms


def _import_seconds(code: str) -> float:
    env = {**os.environ, **FAKE_AWS_ENV, "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def cold_start(runs: int = 15) -> ColdResult:
    """Medians of `runs` fresh interpreters each, interleaved, after one untimed run of each."""
    _import_seconds(HANDLER_IMPORT)
    _import_seconds(BOTO3_FLOOR)
    handler: list[float] = []
    floor: list[float] = []
    for index in range(runs):
        for name in ("handler", "floor") if index % 2 == 0 else ("floor", "handler"):
            if name == "handler":
                handler.append(_import_seconds(HANDLER_IMPORT))
            else:
                floor.append(_import_seconds(BOTO3_FLOOR))
    return ColdResult(statistics.median(handler) * 1000, statistics.median(floor) * 1000, runs)
