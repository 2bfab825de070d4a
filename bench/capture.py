"""The default capture path (subscription straight to the aggregator, deliveries recorded, a rollup a minute)
in process on moto, at the rates a program of 100 thousand, 3 million and 30 million clicks a month sees.

How a month's clicks arrive (the model; the local cloud delivers the same way):
- clicks come in busy periods (a post goes out) at BUSY_FACTOR times the month's mean rate;
- one warm redirect environment serves up to ENVIRONMENT_RPS redirects a second, and each environment's
  lines reach CloudWatch Logs, and the subscription, about once a second: so a delivery holds the clicks
  of one environment's second (at least one), and a rollup counts a busy minute's clicks.

What is measured, for each volume: the write units of recording each delivery, and of each rollup (counters,
visitor state, the rollup's state), priced as in bench/clicks.py; the read units of the rollup's reads; and
seconds per delivery and per rollup on moto (an upper bound for Lambda's billed duration).
"""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto import mock_aws

from bench.clicks import _key_of, _prepare_table, click_lines, item_size, make_links, write_units
from bench.local import TABLE_NAME, silenced

SECONDS_PER_MONTH = 730 * 3600
BUSY_FACTOR = 4.0
ENVIRONMENT_RPS = 200.0
ROLLUPS_MEASURED = 4  # the first creates the items; the next three are the steady state
MEASURED_VOLUMES = (100_000, 3_000_000, 30_000_000)


@dataclass(frozen=True)
class Arrival:
    """How `monthly` clicks reach the aggregator under the model above."""

    monthly: int
    rollup_minutes: int = 1

    @property
    def busy_rate(self) -> float:
        return self.monthly / SECONDS_PER_MONTH * BUSY_FACTOR

    @property
    def clicks_per_delivery(self) -> float:
        environments = max(1, math.ceil(self.busy_rate / ENVIRONMENT_RPS))
        return max(1.0, self.busy_rate / environments)

    @property
    def clicks_per_rollup(self) -> int:
        return max(1, round(self.busy_rate * 60 * self.rollup_minutes))

    @property
    def deliveries(self) -> float:
        return self.monthly / self.clicks_per_delivery


@dataclass
class Tally:
    write_units: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    read_units: float = 0.0
    calls: int = 0

    @property
    def writes(self) -> int:
        return sum(self.write_units.values())


@dataclass(frozen=True)
class PathMeasure:
    arrival: Arrival
    clicks: int  # in the steady rollups
    record_write_units: float  # per delivery
    rollup_write_units: dict[str, float]  # per click, by category
    rollup_read_units: float  # per click
    seconds_per_delivery: float
    seconds_per_rollup_click: float
    rollup_calls_per_click: float  # DynamoDB calls, 16 at a time (the rollup's writers)
    idle_rollup_seconds: float
    delivery_item_bytes: float
    counted: int
    fed: int

    @property
    def rollup_writes_per_click(self) -> float:
        return sum(self.rollup_write_units.values())


def _category(key: dict[str, Any]) -> str:
    pk, sk = key["pk"]["S"], key["sk"]["S"]
    if pk.startswith("CLKQ"):
        return "deliveries"
    if pk == "CLKROLL":
        return "rollup state"
    if pk.startswith(("UV#", "UVH#")):
        return "visitors"
    if sk.startswith(("CLK#", "LSTAT#")):
        return "counters"
    return "other"


@contextmanager
def metered(clients: list[Any], reader: Any) -> Iterator[Tally]:
    """Every write of these clients priced from the item before and after; reads by the data returned."""
    tally = Tally()
    lock = threading.Lock()

    def read(key: dict[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = reader.get_item(TableName=TABLE_NAME, Key=key, ConsistentRead=True).get(
            "Item"
        )
        return item

    def before(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_key"] = params["Key"] if "Key" in params else _key_of(params["Item"])
        context["bench_before"] = read(context["bench_key"])

    def after(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        key, was = context.pop("bench_key"), context.pop("bench_before")
        units = write_units(was, read(key))
        with lock:
            tally.write_units[_category(key)] += units
            tally.calls += 1

    def after_get(parsed: dict[str, Any], **_: Any) -> None:
        with lock:
            tally.calls += 1
            tally.read_units += max(1, math.ceil(item_size(parsed.get("Item")) / 4096))

    def after_query(parsed: dict[str, Any], **_: Any) -> None:
        size = sum(item_size(item) for item in parsed.get("Items", []))
        with lock:
            tally.calls += 1
            tally.read_units += max(1, math.ceil(size / 4096))

    hooks = [
        *[(f"before-parameter-build.dynamodb.{op}", before) for op in ("UpdateItem", "PutItem")],
        *[(f"after-call.dynamodb.{op}", after) for op in ("UpdateItem", "PutItem")],
        ("after-call.dynamodb.GetItem", after_get),
        ("after-call.dynamodb.Query", after_query),
    ]
    for client in clients:
        for name, hook in hooks:
            client.meta.events.register(name, hook)
    try:
        yield tally
    finally:
        for client in clients:
            for name, hook in hooks:
                client.meta.events.unregister(name, hook)


def measure(monthly: int, rollup_minutes: int = 1, seed: int = 20261129) -> PathMeasure:
    from starling.links.deliveries import ROLLUP_LAG_MS, Delivery, delivery_id_of

    arrival = Arrival(monthly, rollup_minutes)
    per_rollup = arrival.clicks_per_rollup
    per_delivery = max(1, round(arrival.clicks_per_delivery))
    rng = random.Random(seed)
    links = make_links(rng)
    lines = [line for _, line in click_lines(rng, links, per_rollup * ROLLUPS_MEASURED)]
    with mock_aws():
        reader = _prepare_table(links)
        import functions.clicks.handler as handler
        from starling.links.rollup import roll_up

        buffer, repo = handler._buffer, handler._repo
        base = int(time.time() * 1000) - 3_600_000
        steady = Tally()
        steady_calls = 0
        record_units, record_seconds, rollup_seconds, item_bytes = [], [], [], []
        event = 0
        for minute in range(ROLLUPS_MEASURED):
            batch = lines[minute * per_rollup : (minute + 1) * per_rollup]
            at = base + minute * 60_000
            with metered([buffer._client], reader) as recorded:
                began = time.perf_counter()
                deliveries = 0
                for start in range(0, len(batch), per_delivery):
                    chunk = batch[start : start + per_delivery]
                    ids = [f"{event + n:056d}" for n in range(len(chunk))]
                    event += len(chunk)
                    delivery = Delivery(delivery_id_of(ids), at + start, tuple(chunk), 0)
                    item_bytes.append(len(buffer_item_bytes(delivery)))
                    assert buffer.record(delivery, now_ms=at + start + 1_000) == "on_time"
                    deliveries += 1
                record_seconds.append((time.perf_counter() - began) / deliveries)
            record_units.append(recorded.writes / deliveries)
            with metered([repo._client, buffer._client], reader) as rolled, silenced():
                began = time.perf_counter()
                outcome = roll_up(buffer, repo, at + 59_999 + ROLLUP_LAG_MS, parallel=handler._writers.map)
                rollup_seconds.append((time.perf_counter() - began) / max(1, len(batch)))
            assert outcome.batch is not None and outcome.batch.clicks == len(batch), outcome
            if minute:
                for name, units in rolled.write_units.items():
                    steady.write_units[name] += units
                steady.read_units += rolled.read_units
                steady_calls += rolled.calls
        began = time.perf_counter()
        with silenced():
            roll_up(buffer, repo, base + ROLLUPS_MEASURED * 60_000 + 60_000 + ROLLUP_LAG_MS)
        idle = time.perf_counter() - began
        counted = _counted(reader, links)
    steady_clicks = per_rollup * (ROLLUPS_MEASURED - 1)
    return PathMeasure(
        arrival=arrival,
        clicks=steady_clicks,
        record_write_units=statistics.fmean(record_units[1:]),
        rollup_write_units={name: units / steady_clicks for name, units in steady.write_units.items()},
        rollup_read_units=steady.read_units / steady_clicks,
        seconds_per_delivery=statistics.median(record_seconds),
        seconds_per_rollup_click=statistics.median(rollup_seconds[1:]),
        rollup_calls_per_click=steady_calls / steady_clicks,
        idle_rollup_seconds=idle,
        delivery_item_bytes=statistics.fmean(item_bytes),
        counted=counted,
        fed=len(lines),
    )


def buffer_item_bytes(delivery: Any) -> bytes:
    from starling.links.deliveries import pack_lines

    return pack_lines(delivery.lines)


def _counted(reader: Any, links: list[Any]) -> int:
    total = 0
    for link in links:
        item = reader.get_item(
            TableName=TABLE_NAME,
            Key={"pk": {"S": f"BRAND#{link.brand_id}"}, "sk": {"S": f"LSTAT#{link.slug}"}},
        ).get("Item", {})
        total += sum(int(item.get(name, {"N": "0"})["N"]) for name in ("c", "b", "f"))
    return total


# What the rest of the bench's cost notes assume: a DynamoDB call's round trip, and the calls the rollup
# makes 16 at a time; Lambda bills the aggregator's duration, 1 ms granular, at 1,024 MB.
ROUND_TRIP_MS = 6.0
WRITERS = 16
AGGREGATOR_GB = 1.0
IDLE_TICK_ROUND_TRIPS = 5  # state read, plan, two empty queries, finish
IDLE_TICK_WRITE_UNITS = 2  # plan and finish
IDLE_TICK_READ_UNITS = 3
KEEP_DAYS = 15
# The kinesis path claims each stream record's log events (one conditional put per record of about 20).
CLAIM_WRITE_UNITS_PER_CLICK = 1 / 20


@dataclass(frozen=True)
class MonthLine:
    part: str
    dollars: float


def ticks_per_month(rollup_minutes: int) -> float:
    return 730 * 60 / rollup_minutes


def rollup_fixed_month(rollup_minutes: int) -> float:
    """The schedule's runs at zero traffic: invocations, duration, the rollup state's reads and writes."""
    from bench import prices as p

    ticks = ticks_per_month(rollup_minutes)
    seconds = (IDLE_TICK_ROUND_TRIPS * ROUND_TRIP_MS + 2) / 1000
    return ticks * (
        p.LAMBDA_PER_MILLION_REQUESTS / 1e6
        + seconds * AGGREGATOR_GB * p.LAMBDA_ARM_PER_GB_SECOND
        + IDLE_TICK_WRITE_UNITS * p.DYNAMODB_PER_MILLION_WRITE_UNITS / 1e6
        + IDLE_TICK_READ_UNITS * p.DYNAMODB_PER_MILLION_READ_UNITS / 1e6
    )


def default_path_variable(m: PathMeasure, monthly: int) -> list[MonthLine]:
    """The aggregation part of the default path for `monthly` clicks, from a measurement (taken at that
    volume, or at a lower one: larger batches cost less per click, so that is an upper bound)."""
    from bench import prices as p

    arrival = Arrival(monthly, m.arrival.rollup_minutes)
    deliveries = monthly / arrival.clicks_per_delivery
    record_units_per_click = m.record_write_units / m.arrival.clicks_per_delivery
    delivery_seconds = (ROUND_TRIP_MS + 2) / 1000
    rollup_seconds_per_click = math.ceil(m.rollup_calls_per_click * 1000 / WRITERS) * ROUND_TRIP_MS / 1e6
    stored_gb = (
        deliveries
        * (m.delivery_item_bytes / m.arrival.clicks_per_delivery * arrival.clicks_per_delivery + 60)
        / p.GB
        * KEEP_DAYS
        / 30
    )
    return [
        MonthLine(
            "aggregator invocations, one per delivery", deliveries * p.LAMBDA_PER_MILLION_REQUESTS / 1e6
        ),
        MonthLine(
            "aggregator duration",
            (deliveries * delivery_seconds + monthly * rollup_seconds_per_click)
            * AGGREGATOR_GB
            * p.LAMBDA_ARM_PER_GB_SECOND,
        ),
        MonthLine(
            "DynamoDB writes: deliveries recorded",
            monthly * record_units_per_click * p.DYNAMODB_PER_MILLION_WRITE_UNITS / 1e6,
        ),
        MonthLine(
            "DynamoDB writes: rollup (counters, visitors, state)",
            monthly * m.rollup_writes_per_click * p.DYNAMODB_PER_MILLION_WRITE_UNITS / 1e6,
        ),
        MonthLine(
            "DynamoDB reads: rollup", monthly * m.rollup_read_units * p.DYNAMODB_PER_MILLION_READ_UNITS / 1e6
        ),
        MonthLine("DynamoDB storage: deliveries kept 15 days", stored_gb * p.DYNAMODB_PER_GB_MONTH),
    ]
