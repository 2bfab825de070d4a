"""The click aggregator in process on moto: throughput, and DynamoDB write units per 1,000 clicks.

A seeded stream of clicks, as the redirect writes them, is cut into Kinesis batches built like Lambda's:
each record's data is the gzip of a CloudWatch Logs subscription envelope whose log events are click
lines. The clicks are spread over about 50 links (with a popularity skew), 50 partners and a few
campaigns, two hours of traffic; of the people's clicks 70% are new visitors and the rest come back
within the hour; about 5% are link-preview bots.

Write units are counted as DynamoDB bills them, on the client the aggregator uses: for each write,
ceil(max(item size before, item size after) / 1 KB), at least 1, a failed conditional write included;
an item that carries the gsi1 keys is written to the index as well (projection ALL).
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import random
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3
from moto import mock_aws

from bench.local import REGION, TABLE_NAME, FakeLambdaContext, create_core_table, silenced
from starling.links.clicks import Click, click_line, derive_key, device_of, source_hash, visitor_hash

BATCH_CLICKS = 1000
CLICKS_PER_RECORD = 20  # log events a subscription delivers in one Kinesis record (see the cost notes)
BATCHES = 11  # the first warms up (creates the items); the next ten are the steady state
START_MS = 1795273200000  # 2026-11-21 15:00 UTC
SPAN_MS = 2 * 3600 * 1000
NEW_VISITOR_SHARE = 0.70
BOT_SHARE = 0.05

PEOPLE_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Instagram 334.0.4.32.98 (iPhone15,3; iOS 17_5_1; en_US; en-US; scale=3.00; 1290x2796; "
    "606276534)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/22B83 Instagram 356.0.0.41.101 (iPhone16,2; iOS 18_1; en_GB; en-GB; scale=3.00; 1290x2796; "
    "651874338)",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Version/4.0 Chrome/130.0.6723.102 Mobile Safari/537.36 Instagram 356.0.0.41.101 Android (34/14; "
    "480dpi; 1080x2340; samsung; SM-S918B; dm3q; qcom; de_DE; 651874390)",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Version/4.0 Chrome/129.0.6668.100 Mobile Safari/537.36 musical_ly_2023609030 JsSdk/1.0 "
    "NetType/WIFI Channel/googleplay AppName/musical_ly app_version/36.9.3 ByteLocale/en ByteFullLocale/en",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
    "Safari/605.1.15",
]
PEOPLE_WEIGHTS = [30, 12, 18, 12, 10, 8, 6, 4]
BOT_AGENTS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0",
]


@dataclass(frozen=True)
class Link:
    brand_id: str
    slug: str
    partner_id: str
    campaign_id: str | None


def _ulid(rng: random.Random, prefix: str) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return prefix + "".join(rng.choice(alphabet) for _ in range(26 - len(prefix)))


def make_links(rng: random.Random) -> list[Link]:
    """50 links of two brands, one partner each, in five campaigns (one link in five in none)."""
    links = []
    for brand_index, (count, campaigns) in enumerate(((30, 3), (20, 2))):
        brand_id = _ulid(rng, f"01JB{brand_index}")
        campaign_ids = [_ulid(rng, "01JC") for _ in range(campaigns)]
        for i in range(count):
            campaign = campaign_ids[i % campaigns] if i % 5 else None
            links.append(Link(brand_id, f"b{brand_index}-creator{i:02d}", _ulid(rng, "01JP"), campaign))
    return links


def link_item(link: Link) -> dict[str, Any]:
    """The brand's link item as the links repository writes it (the aggregator only adds figures)."""
    created = "2026-10-02T09:14:27.512000+0000"
    item = {
        "pk": {"S": f"BRAND#{link.brand_id}"},
        "sk": {"S": f"LINK#{link.slug}"},
        "gsi1pk": {"S": f"BRAND#{link.brand_id}#PARTNER#{link.partner_id}"},
        "gsi1sk": {"S": f"2026-10-02T09:14:27.512000+00:00#{link.slug}"},
        "slug": {"S": link.slug},
        "brand_id": {"S": link.brand_id},
        "partner_id": {"S": link.partner_id},
        "destination_url": {"S": f"https://shop.example/products/serum-{link.slug[-2:]}"},
        "utm": {
            "S": json.dumps({"utm_source": "instagram", "utm_medium": "creator", "utm_content": link.slug})
        },
        "disabled": {"BOOL": False},
        "created_at": {"S": created},
        "updated_at": {"S": created},
    }
    if link.campaign_id:
        item["campaign_id"] = {"S": link.campaign_id}
    return item


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def click_lines(rng: random.Random, links: list[Link], total: int) -> list[tuple[int, str]]:
    """(at_ms, line) for `total` clicks over two hours, in time order."""
    salt = derive_key(b"bench-click-secret-root", "visitor")
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(links))]
    recent: list[tuple[int, Link, str, str]] = []  # people's clicks, to come back to within the hour
    oldest = 0
    lines = []
    for k in range(total):
        at_ms = START_MS + k * SPAN_MS // total
        while recent[oldest:] and recent[oldest][0] < at_ms - 3_600_000:
            oldest += 1
        if rng.random() < BOT_SHARE:
            link = rng.choices(links, weights)[0]
            ip, agent = f"69.171.{rng.randrange(224, 256)}.{rng.randrange(1, 255)}", rng.choice(BOT_AGENTS)
        elif recent[oldest:] and rng.random() > NEW_VISITOR_SHARE:
            _, link, ip, agent = recent[rng.randrange(oldest, len(recent))]
        else:
            link = rng.choices(links, weights)[0]
            ip = f"{rng.randrange(2, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            agent = rng.choices(PEOPLE_AGENTS, PEOPLE_WEIGHTS)[0]
            recent.append((at_ms, link, ip, agent))
        day = time.strftime("%Y%m%d", time.gmtime(at_ms / 1000))
        click = Click(
            _b64(rng.randbytes(9)), at_ms, link.brand_id, link.slug, link.partner_id, link.campaign_id,
            visitor_hash(salt, day, ip, agent), source_hash(salt, day, ip), agent, device_of(agent),
        )  # fmt: skip
        lines.append((at_ms, click_line(click)))
    return lines


@dataclass
class StreamState:
    rng: random.Random
    sequence: int = 49657390824735930102637839481823907437297364201378349058
    log_event: int = 38100712345678901234567890123456789012345678901234567890


def kinesis_event(
    state: StreamState, lines: list[tuple[int, str]], per_record: int = CLICKS_PER_RECORD
) -> tuple[dict[str, Any], list[int]]:
    """A Lambda event from the click stream, and the size of each record's data (gzip, before base64)."""
    records = []
    sizes = []
    for start in range(0, len(lines), per_record):
        chunk = lines[start : start + per_record]
        events = []
        for at_ms, line in chunk:
            state.log_event += state.rng.randrange(1, 10**6)
            events.append({"id": str(state.log_event), "timestamp": at_ms, "message": line + "\n"})
        envelope = {
            "messageType": "DATA_MESSAGE",
            "owner": "123456789012",
            "logGroup": "/aws/lambda/Starling-LinksRedirectFunction",
            "logStream": f"2026/11/21/[$LATEST]{state.rng.randbytes(16).hex()}",
            "subscriptionFilters": ["Starling-LinksClickLines-1A2B3C4D5E6F"],
            "logEvents": events,
        }
        data = gzip.compress(json.dumps(envelope, separators=(",", ":")).encode())
        sizes.append(len(data))
        state.sequence += state.rng.randrange(10**20, 10**21)
        sequence = str(state.sequence)
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": state.rng.randbytes(16).hex(),
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(data).decode(),
                    "approximateArrivalTimestamp": chunk[-1][0] / 1000 + 1.2,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/Starling-ClickAggregatorRole",
                "awsRegion": REGION,
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/Starling-ClickStream",
            }
        )
    return {"Records": records}, sizes


@dataclass
class Workload:
    links: list[Link]
    events: list[dict[str, Any]]
    record_sizes: list[int]
    line_bytes: float  # mean click line, with its newline
    one_click_record_bytes: float  # mean gzip'd record when a subscription delivers a single click

    @property
    def billed_record_bytes_per_click(self) -> float:
        """Kinesis on-demand bills each record rounded up to 1 KB."""
        billed = sum(math.ceil(size / 1024) * 1024 for size in self.record_sizes)
        return billed / (len(self.events) * BATCH_CLICKS)


def workload(seed: int = 20261121, batches: int = BATCHES) -> Workload:
    rng = random.Random(seed)
    links = make_links(rng)
    lines = click_lines(rng, links, batches * BATCH_CLICKS)
    state = StreamState(rng)
    events, sizes = [], []
    for start in range(0, len(lines), BATCH_CLICKS):
        event, record_sizes = kinesis_event(state, lines[start : start + BATCH_CLICKS])
        events.append(event)
        sizes += record_sizes
    line_bytes = statistics.fmean(len(line.encode()) + 1 for _, line in lines)
    _, single = kinesis_event(StreamState(random.Random(seed)), lines[:200], per_record=1)
    return Workload(links, events, sizes, line_bytes, statistics.fmean(single))


def _prepare_table(links: list[Link]) -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    create_core_table(client)
    for link in links:
        client.put_item(TableName=TABLE_NAME, Item=link_item(link))
    return client


def _counted_clicks(client: Any, links: list[Link]) -> int:
    """Every click the aggregator counted, from the links' lifetime figures (people, bots and flagged)."""
    total = 0
    for link in links:
        item = client.get_item(
            TableName=TABLE_NAME,
            Key={"pk": {"S": f"BRAND#{link.brand_id}"}, "sk": {"S": f"LSTAT#{link.slug}"}},
        ).get("Item", {})
        total += sum(int(item.get(name, {"N": "0"})["N"]) for name in ("c", "b", "f"))
    return total


@dataclass
class ThroughputResult:
    clicks_per_second: float  # median of the steady-state batches
    first_batch_clicks_per_second: float
    batch_seconds: list[float]
    dynamodb_share: float  # time in DynamoDB calls summed over the writer threads, over the handler's time
    calls_per_batch: float
    counted: int
    fed: int
    writers: int


def throughput(work: Workload) -> ThroughputResult:
    """Clicks per second through the aggregator handler, one batch of 1,000 clicks per invocation."""
    with mock_aws():
        reader = _prepare_table(work.links)
        import functions.clicks.handler as clicks

        client = clicks._repo._client
        in_calls = {"seconds": 0.0, "calls": 0}

        def timed(method: Any) -> Any:
            def call(**kwargs: Any) -> Any:
                began = time.perf_counter()
                try:
                    return method(**kwargs)
                finally:
                    in_calls["seconds"] += time.perf_counter() - began
                    in_calls["calls"] += 1

            return call

        originals = {name: getattr(client, name) for name in ("update_item", "get_item")}
        for name, method in originals.items():
            setattr(client, name, timed(method))
        try:
            seconds = []
            steady_calls = steady_io = 0.0
            for index, event in enumerate(work.events):
                before_io, before_calls = in_calls["seconds"], in_calls["calls"]
                with silenced():
                    began = time.perf_counter()
                    answer = clicks.lambda_handler(event, FakeLambdaContext())
                    seconds.append(time.perf_counter() - began)
                assert answer == {"batchItemFailures": []}, answer
                if index:
                    steady_io += in_calls["seconds"] - before_io
                    steady_calls += in_calls["calls"] - before_calls
        finally:
            for name in originals:
                delattr(client, name)
        counted = _counted_clicks(reader, work.links)
        writers = clicks.WRITERS
    steady = seconds[1:]
    return ThroughputResult(
        clicks_per_second=BATCH_CLICKS / statistics.median(steady),
        first_batch_clicks_per_second=BATCH_CLICKS / seconds[0],
        batch_seconds=seconds,
        dynamodb_share=steady_io / sum(steady),
        calls_per_batch=steady_calls / len(steady),
        counted=counted,
        fed=BATCH_CLICKS * len(work.events),
        writers=writers,
    )


# DynamoDB item sizes (developer guide, "Item sizes and formats") and write units.
def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(_number_size(n) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + value_size(v) for k, v in data.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def write_units(before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
    return max(1, math.ceil(max(item_size(before), item_size(after)) / 1024))


def _has_index_keys(item: dict[str, Any] | None) -> bool:
    return bool(item) and "gsi1pk" in item and "gsi1sk" in item  # type: ignore[operator]


def category_of(key: dict[str, Any]) -> str:
    pk, sk = key["pk"]["S"], key["sk"]["S"]
    if sk.startswith(("CLK#", "LINK#", "LSTAT#")):
        return "counters"
    if pk.startswith("UV#"):
        return "visitors"
    return "other"


@dataclass
class BatchWrites:
    units: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # counters, visitors, other
    index_units: int = 0  # gsi1 copies of written items (the link items)
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per operation
    failed_conditions: int = 0
    read_units: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.units.values()) + self.index_units


@dataclass
class WritesResult:
    first: BatchWrites
    steady: list[BatchWrites]

    def per_thousand(self, what: str) -> float:
        """Mean per 1,000 clicks over the steady batches: a category, `index`, `counters_billed` (with
        the index copies), `total`, or `calls`."""

        def one(batch: BatchWrites) -> float:
            if what == "index":
                return batch.index_units
            if what == "counters_billed":
                return batch.units["counters"] + batch.index_units
            if what == "total":
                return batch.total
            if what == "calls":
                return sum(batch.calls.values())
            return batch.units[what]

        return statistics.fmean(one(b) for b in self.steady) * 1000 / BATCH_CLICKS


def writes_per_click(work: Workload) -> WritesResult:
    """Write units billed per batch of 1,000 clicks, each write priced from the item before and after."""
    with mock_aws():
        reader = _prepare_table(work.links)
        import functions.clicks.handler as clicks

        events = clicks._repo._client.meta.events
        current = BatchWrites()
        tally = threading.Lock()

        def read(key: dict[str, Any]) -> dict[str, Any] | None:
            item: dict[str, Any] | None = reader.get_item(
                TableName=TABLE_NAME, Key=key, ConsistentRead=True
            ).get("Item")
            return item

        def before_write(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["bench_key"] = params["Key"] if "Key" in params else _key_of(params["Item"])
            context["bench_before"] = read(context["bench_key"])

        def after_write(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            key, before = context.pop("bench_key"), context.pop("bench_before")
            after = read(key)
            with tally:  # the aggregator writes from several threads at once
                _tally_write(parsed, model, key, before, after)

        def _tally_write(parsed: dict[str, Any], model: Any, key: Any, before: Any, after: Any) -> None:
            current.calls[model.name] += 1
            current.units[category_of(key)] += write_units(before, after)
            if "Error" in parsed:
                current.failed_conditions += 1
            elif before != after and (_has_index_keys(before) or _has_index_keys(after)):
                current.index_units += write_units(before, after)

        def after_read(parsed: dict[str, Any], model: Any, **_: Any) -> None:
            with tally:
                current.calls[model.name] += 1
                current.read_units += max(1, math.ceil(item_size(parsed.get("Item")) / 4096))

        for operation in ("UpdateItem", "PutItem", "DeleteItem"):
            events.register(f"before-parameter-build.dynamodb.{operation}", before_write)
            events.register(f"after-call.dynamodb.{operation}", after_write)
        events.register("after-call.dynamodb.GetItem", after_read)
        batches = []
        try:
            for event in work.events:
                current = BatchWrites()
                with silenced():
                    answer = clicks.lambda_handler(event, FakeLambdaContext())
                assert answer == {"batchItemFailures": []}, answer
                batches.append(current)
        finally:
            for operation in ("UpdateItem", "PutItem", "DeleteItem"):
                events.unregister(f"before-parameter-build.dynamodb.{operation}", before_write)
                events.unregister(f"after-call.dynamodb.{operation}", after_write)
            events.unregister("after-call.dynamodb.GetItem", after_read)
    return WritesResult(batches[0], batches[1:])


def _key_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"pk": item["pk"], "sk": item["sk"]}
