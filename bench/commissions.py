"""The commission engine in process: orders priced per second on a hybrid contract (percent + fixed CPA,
three tiers and a monthly cap), the way ingestion calls it: the partner's month in, the commission and the
month after out. Pure code, so this is CPU only; a second or two. The figure is by the process's CPU time
(`time.process_time`), the wall clock's beside it: on a machine shared with other work the wall clock
measures the share of a core the run got, not the engine.

    uv run --frozen python -m bench.commissions   # prints the figure, leaves the docs alone
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from starling.conversions.engine import price_order
from starling.conversions.model import CommissionRules, PartnerMonth
from starling.shared.terms import parse_terms

ORDERS_PER_ROUND = 20_000
ROUNDS = 7
ORDERS_PER_MONTH = 400  # then a new partner-month starts, so tiers are crossed and the cap is reached again
HYBRID = {
    "currency": "USD",
    "cpa_percent": "8",
    "cpa_fixed": 250,
    "tiers": [
        {"from": 0, "cpa_percent": "8"},
        {"from": 500_000, "cpa_percent": "10"},
        {"from": 2_000_000, "cpa_percent": "12.5"},
    ],
    "cap": 300_000,
    "lock_days": 30,
}


@dataclass(frozen=True)
class EngineResult:
    orders_per_second: float  # the median round, by the process's CPU time (the machine is shared)
    wall_orders_per_second: float  # the median round, by the wall clock
    slowest_round_per_second: float  # by CPU time
    rounds: int
    orders_per_round: int
    split_orders: int  # orders that crossed a tier threshold, per round
    capped_orders: int  # orders the cap cut, per round


def _orders(count: int) -> list[int]:
    """Order amounts of a shop: mostly $20 to $150, one in twenty up to $1,500 (seeded, the same each run)."""
    draw = random.Random(20261129)
    return [
        draw.randint(2_000, 15_000) if draw.random() > 0.05 else draw.randint(15_000, 150_000)
        for _ in range(count)
    ]


def _one_round(rules: CommissionRules, months: list[list[int]], at: datetime) -> tuple[float, float]:
    """CPU and wall seconds to price every order, month after month; only the engine's calls are in the
    loop."""
    cpu, wall = time.process_time(), time.perf_counter()
    for amounts in months:
        month = PartnerMonth.starting(at)
        for amount in amounts:
            _, month = price_order(rules, month, amount, at)
    return time.process_time() - cpu, time.perf_counter() - wall


def _shape(rules: CommissionRules, months: list[list[int]], at: datetime) -> tuple[int, int]:
    """How many orders crossed a tier threshold and how many the cap cut (untimed)."""
    split = capped = 0
    for amounts in months:
        month = PartnerMonth.starting(at)
        for amount in amounts:
            commission, month = price_order(rules, month, amount, at)
            split += sum(part.rule != "cpa_fixed" for part in commission.parts) > 1
            capped += commission.cut > 0
    return split, capped


def throughput() -> EngineResult:
    rules = CommissionRules.of(parse_terms(HYBRID))
    amounts = _orders(ORDERS_PER_ROUND)
    months = [amounts[i : i + ORDERS_PER_MONTH] for i in range(0, len(amounts), ORDERS_PER_MONTH)]
    at = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
    split, capped = _shape(rules, months, at)  # also the warm-up
    runs = [_one_round(rules, months, at) for _ in range(ROUNDS)]
    cpu = [run[0] for run in runs]
    return EngineResult(
        orders_per_second=ORDERS_PER_ROUND / statistics.median(cpu),
        wall_orders_per_second=ORDERS_PER_ROUND / statistics.median(run[1] for run in runs),
        slowest_round_per_second=ORDERS_PER_ROUND / max(cpu),
        rounds=ROUNDS,
        orders_per_round=ORDERS_PER_ROUND,
        split_orders=split,
        capped_orders=capped,
    )


if __name__ == "__main__":
    result = throughput()
    print(
        f"{result.orders_per_second:,.0f} conversions per CPU second, "
        f"{result.wall_orders_per_second:,.0f} by the wall clock (medians of {result.rounds} rounds of "
        f"{result.orders_per_round:,}; slowest {result.slowest_round_per_second:,.0f}); per round "
        f"{result.split_orders:,} orders split at a tier threshold, {result.capped_orders:,} cut by the cap"
    )
