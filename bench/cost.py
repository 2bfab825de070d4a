"""Dollars per million redirects, from what the run measured and the price table in bench/prices.py.

Every click is one redirect, so per million redirects is also per million clicks. The variable costs are
summed; the click stream's hourly charge is the same whatever the traffic and is shown apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench import prices as p
from infra.config import access_log_line_bytes

MILLION = 1_000_000
ACCESS_LINE_BYTES = access_log_line_bytes()
REDIRECT_MEMORY_GB = 256 / 1024
AGGREGATOR_MEMORY_GB = 1024 / 1024
EVENTUALLY_CONSISTENT_READ_UNITS = 0.5  # a GetItem of the slug item (well under 4 KB)
# Assumed round trips of the designs the anchors describe, added to the redirect's billed duration.
SQS_SEND_MS = 10
DYNAMODB_WRITE_MS = 6
NAIVE_WRITES_PER_CLICK = (6, 8)


@dataclass(frozen=True)
class Measured:
    redirect_warm_us: float
    redirect_misses_timed: int
    redirects_timed: int
    click_line_bytes: int  # the benchmark event's click line, with its newline
    kinesis_record_bytes_one_click: float  # gzip'd subscription record holding a single click
    kinesis_billed_bytes_per_click_batched: float  # records of 20 clicks, each rounded up to 1 KB
    aggregator_clicks_per_second: float
    aggregator_read_units_per_click: float
    write_units_per_click: float
    batch_clicks: int


@dataclass(frozen=True)
class Line:
    part: str
    basis: str
    dollars: float


def _redirect_lines(m: Measured, extra_ms: int = 0) -> list[Line]:
    billed_ms = max(1, math.ceil(m.redirect_warm_us / 1000)) + extra_ms
    gb_seconds = billed_ms / 1000 * REDIRECT_MEMORY_GB * MILLION
    return [
        Line("API Gateway (HTTP API)", "1 request per redirect", p.APIGW_HTTP_PER_MILLION_REQUESTS),
        Line(
            "API access log ingestion",
            f"{ACCESS_LINE_BYTES} bytes per redirect's access log line (with CloudWatch's 26-byte event "
            f"overhead) = {ACCESS_LINE_BYTES * MILLION / p.GB:.3f} GB",
            ACCESS_LINE_BYTES * MILLION / p.GB * p.CLOUDWATCH_LOGS_PER_GB_INGESTED,
        ),
        Line("redirect Lambda, requests", "1 invocation per redirect", p.LAMBDA_PER_MILLION_REQUESTS),
        Line(
            "redirect Lambda, duration",
            f"{billed_ms} ms billed (measured {m.redirect_warm_us:.0f} µs, rounded up to 1 ms"
            + (f", plus an assumed {extra_ms} ms round trip" if extra_ms else "")
            + f") at 256 MB arm64 = {gb_seconds:,.0f} GB-s",
            gb_seconds * p.LAMBDA_ARM_PER_GB_SECOND,
        ),
        Line(
            "DynamoDB reads on cache misses",
            f"measured {m.redirect_misses_timed} misses in {m.redirects_timed:,} warm redirects; counted at "
            "the worst case, one eventually consistent GetItem (0.5 RRU) per redirect (a slug clicked less "
            "than once per 5 s); a busy slug costs one read per 5 s per warm instance",
            EVENTUALLY_CONSISTENT_READ_UNITS * p.DYNAMODB_PER_MILLION_READ_UNITS,
        ),
    ]


def _aggregation_lines(m: Measured) -> list[Line]:
    invocations = MILLION / m.batch_clicks
    gb_seconds = MILLION / m.aggregator_clicks_per_second * AGGREGATOR_MEMORY_GB
    return [
        Line(
            "aggregator Lambda, requests",
            f"1 invocation per {m.batch_clicks:,} clicks",
            invocations / MILLION * p.LAMBDA_PER_MILLION_REQUESTS,
        ),
        Line(
            "aggregator Lambda, duration",
            f"{m.aggregator_clicks_per_second:,.0f} clicks/s measured (on moto) at 1,024 MB arm64 = "
            f"{gb_seconds:,.0f} GB-s",
            gb_seconds * p.LAMBDA_ARM_PER_GB_SECOND,
        ),
        Line(
            "DynamoDB writes (counters, visitor state, gsi1)",
            f"{m.write_units_per_click:.3f} WRU per click (figure 4)",
            m.write_units_per_click * p.DYNAMODB_PER_MILLION_WRITE_UNITS,
        ),
        Line(
            "DynamoDB reads by the aggregator",
            f"{m.aggregator_read_units_per_click:.3f} RRU per click "
            "(only when a conditional write is retried)",
            m.aggregator_read_units_per_click * p.DYNAMODB_PER_MILLION_READ_UNITS,
        ),
    ]


def our_design(m: Measured) -> list[Line]:
    logs_gb = m.click_line_bytes * MILLION / p.GB
    kinesis_in_gb = 1024 * MILLION / p.GB
    kinesis_out_gb = m.kinesis_record_bytes_one_click * MILLION / p.GB
    batched_in = (
        m.kinesis_billed_bytes_per_click_batched * MILLION / p.GB * p.KINESIS_ON_DEMAND_PER_GB_INGESTED
    )
    return [
        *_redirect_lines(m),
        Line(
            "CloudWatch Logs ingestion",
            f"{m.click_line_bytes} bytes per click line (with its newline) = {logs_gb:.3f} GB",
            logs_gb * p.CLOUDWATCH_LOGS_PER_GB_INGESTED,
        ),
        Line(
            "Kinesis on-demand, data in",
            "worst case, one click per record, rounded up to 1 KB = "
            f"{kinesis_in_gb:.3f} GB (records of 20 clicks: ${batched_in:.4f})",
            kinesis_in_gb * p.KINESIS_ON_DEMAND_PER_GB_INGESTED,
        ),
        Line(
            "Kinesis on-demand, data out",
            f"{m.kinesis_record_bytes_one_click:.0f} bytes per one-click record (gzip) "
            f"= {kinesis_out_gb:.3f} GB",
            kinesis_out_gb * p.KINESIS_ON_DEMAND_PER_GB_RETRIEVED,
        ),
        *_aggregation_lines(m),
    ]


def sqs_anchor(m: Measured) -> list[Line]:
    """Our design with an SQS SendMessage per click in the redirect instead of the log line, consumed in
    batches of 10 (one ReceiveMessage and one DeleteMessageBatch per 10 messages)."""
    return [
        *_redirect_lines(m, extra_ms=SQS_SEND_MS),
        Line(
            "SQS requests",
            "1 SendMessage per click + (ReceiveMessage + DeleteMessageBatch) per 10 = 1.2 per click",
            1.2 * p.SQS_PER_MILLION_REQUESTS,
        ),
        *_aggregation_lines(m),
    ]


def sync_write_anchor(m: Measured, writes: int = 1) -> list[Line]:
    """Our redirect plus `writes` synchronous counter writes (1 WRU each) per click, no stream at all."""
    return [
        *_redirect_lines(m, extra_ms=DYNAMODB_WRITE_MS * writes),
        Line(
            "DynamoDB writes in the redirect",
            f"{writes} UpdateItem (1 WRU) per click",
            writes * p.DYNAMODB_PER_MILLION_WRITE_UNITS,
        ),
    ]


def total(lines: list[Line]) -> float:
    return sum(line.dollars for line in lines)


def stream_month() -> float:
    """The click stream's hourly charge over a month of 730 hours."""
    return p.KINESIS_ON_DEMAND_PER_STREAM_HOUR * 730


def stream_hours_note() -> str:
    month = stream_month()
    per_million = ", ".join(
        f"${month / volume:.2f} per million at {volume:,} million redirects a month"
        for volume in (3, 30, 300)
    )
    return (
        "Fixed, whatever the traffic: the on-demand click stream's "
        f"${p.KINESIS_ON_DEMAND_PER_STREAM_HOUR:.2f} per stream-hour is ${month:.2f} a month ({per_million})."
    )
