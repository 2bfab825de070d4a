"""Conversion ingestion's DynamoDB writes: write units per recorded order and per refund, from the items'
sizes before and after each write (as DynamoDB bills them), in process on moto.

Orders are recorded through conversions' own repository (`DynamoConversionRepository.record`: the order,
the partner's month, the customer, and the money figures' cell, in one transaction) and refunded through
`change`; each transaction is priced item by item (a transactional write bills twice), plus the gsi1 copy
of the order item, plus the idempotency record Powertools writes in front (a put, then its completion:
two writes of an item under 1 KB). Orders are attributed by click to 50 partners with a tiered 10%/15%
contract, each with a customer email; one in five is refunded in part.

    uv run --frozen python -m bench.ingestion
"""

from __future__ import annotations

import random
import statistics
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from moto import mock_aws

from bench.clicks import write_units
from bench.local import TABLE_NAME, create_core_table, use_fake_aws_env
from bench.prices import (
    APIGW_HTTP_PER_MILLION_REQUESTS,
    DYNAMODB_PER_MILLION_WRITE_UNITS,
    LAMBDA_PER_MILLION_REQUESTS,
)

ORDERS = 50
PARTNERS = 50
IDEMPOTENCY_WRITES = 2  # Powertools' record: put in progress, then the completed answer (each under 1 KB)
TERMS = {"currency": "USD", "cpa_percent": "10", "lock_days": 30, "attribution_window_days": 30,
         "tiers": [{"from": 0, "cpa_percent": "10"}, {"from": 500000, "cpa_percent": "15"}]}  # fmt: skip


@dataclass
class Tally:
    units: dict[str, list[int]] = field(default_factory=lambda: {"record": [], "refund": []})
    by_item: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestionResult:
    per_order: float  # write units, idempotency record included
    per_refund: float
    figures_per_order: float  # of which the money figures' cell
    by_item: dict[str, float]  # mean write units per order by kind of item (record transactions)

    @property
    def dollars_per_million_orders(self) -> float:
        """DynamoDB writes, API Gateway and Lambda requests per million orders (the function's duration not
        counted: it depends on the shop's traffic and memory; see docs/benchmarks.md)."""
        return (
            self.per_order * DYNAMODB_PER_MILLION_WRITE_UNITS
            + APIGW_HTTP_PER_MILLION_REQUESTS
            + LAMBDA_PER_MILLION_REQUESTS
        )

    @property
    def figures_dollars_per_million_orders(self) -> float:
        return self.figures_per_order * DYNAMODB_PER_MILLION_WRITE_UNITS


def _kind(sk: str) -> str:
    return sk.split("#", 1)[0].lower()


def measure() -> IngestionResult:
    use_fake_aws_env()
    with mock_aws():
        import boto3

        client = boto3.client("dynamodb")
        create_core_table(client)
        from starling.conversions.attribution import Attribution
        from starling.conversions.engine import price_order
        from starling.conversions.fraud import customer_hash
        from starling.conversions.model import CommissionRules, month_of
        from starling.conversions.orders import Conversion
        from starling.conversions.repository import DynamoConversionRepository
        from starling.shared.dynamo import transaction_connection
        from starling.shared.terms import parse_terms

        repo = DynamoConversionRepository()
        rules = CommissionRules.of(parse_terms(TERMS))
        tally, phase, lock = Tally(), ["record"], threading.Lock()
        pending: dict[str, Any] = {}

        def read(key: dict[str, Any]) -> dict[str, Any] | None:
            item: dict[str, Any] | None = client.get_item(
                TableName=TABLE_NAME, Key=key, ConsistentRead=True
            ).get("Item")
            return item

        def keys(params: dict[str, Any]) -> list[dict[str, Any]]:
            found = []
            for entry in params["TransactItems"]:
                ((_, op),) = entry.items()
                found.append(op.get("Key") or {"pk": op["Item"]["pk"], "sk": op["Item"]["sk"]})
            return found

        def before(params: dict[str, Any], **_: Any) -> None:
            pending["before"] = [(k, read(k)) for k in keys(params)]

        def after(parsed: dict[str, Any], **_: Any) -> None:
            if "Error" in parsed:
                return
            units = IDEMPOTENCY_WRITES if phase[0] == "record" else 0
            for key, old in pending.pop("before"):
                new = read(key)
                item_units = 2 * write_units(old, new) + (
                    write_units(old, new) if new and "gsi1pk" in new else 0
                )
                units += item_units
                if phase[0] == "record":
                    kind = _kind(key["sk"]["S"])
                    tally.by_item[kind] = tally.by_item.get(kind, 0) + item_units
            with lock:
                tally.units[phase[0]].append(units)

        events = transaction_connection().client.meta.events
        events.register("before-parameter-build.dynamodb.TransactWriteItems", before)
        events.register("after-call.dynamodb.TransactWriteItems", after)
        rng = random.Random(5)
        start = datetime(2026, 11, 1, tzinfo=UTC)
        recorded = []
        for n in range(ORDERS):
            partner = f"ptn_{n % PARTNERS:04d}"
            at = start + timedelta(hours=n)
            amount = rng.randint(2_000, 30_000)
            month, version = repo.month("brd_bench", partner, month_of(at))
            commission, after_month = price_order(rules, month, amount, at)
            attribution = Attribution(
                "click", partner, "cmp_spring", f"link{n % PARTNERS}", f"1.{n:040d}", at
            )
            email = f"shopper{n}@example.com"
            conversion = Conversion(
                "brd_bench", f"order-{n:06d}", amount, "USD", at, at, attribution, commission,
                customer_hash=customer_hash(email, None),
            )  # fmt: skip
            repo.record(conversion, after_month, version)
            recorded.append(conversion)
        phase[0] = "refund"
        for conversion in recorded[::5]:
            before_refund = repo.get("brd_bench", conversion.order_id)
            refunded, reversal = before_refund.refund(
                "r-1", before_refund.amount // 3, before_refund.occurred_at
            )
            assert reversal is not None and before_refund.commission is not None
            partner = str(before_refund.attribution.partner_id)
            month, version = repo.month("brd_bench", partner, before_refund.commission.month)
            repo.change(
                before_refund,
                replace(refunded),
                month.after_reversal(before_refund.amount // 3, reversal),
                version,
            )
        events.unregister("before-parameter-build.dynamodb.TransactWriteItems", before)
        events.unregister("after-call.dynamodb.TransactWriteItems", after)
    return IngestionResult(
        per_order=statistics.fmean(tally.units["record"]),
        per_refund=statistics.fmean(tally.units["refund"]),
        figures_per_order=tally.by_item.get("fig", 0) / ORDERS,
        by_item={kind: units / ORDERS for kind, units in tally.by_item.items()},
    )


if __name__ == "__main__":
    result = measure()
    items = ", ".join(f"{k} {v:.2f}" for k, v in result.by_item.items())
    print(
        f"{result.per_order:.2f} write units per order ({items}, idempotency {IDEMPOTENCY_WRITES}), "
        f"{result.per_refund:.2f} per refund; "
        f"${result.dollars_per_million_orders:.2f} per million orders (DynamoDB writes, API, Lambda "
        f"requests), of which the money figures ${result.figures_dollars_per_million_orders:.2f}"
    )
