"""Statements in process: conversions per second turned into a month's statements, the way the build task
calls it (each partner's commissions and their refunds in, the statements out). 1,000 partners, 100
conversions each, one in ten partly refunded, a minimum payout that makes some carry. Pure code, so this
is CPU only; the figure is by the process's CPU time (`time.process_time`), the wall clock's beside it.

    uv run --frozen python -m bench.statements   # prints the figure, leaves the docs alone
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta

from starling.payouts.statements import (
    CommissionDue,
    Refund,
    build_statements,
    commission_earnings,
    period_end,
)

PARTNERS = 1_000
CONVERSIONS_PER_PARTNER = 100
ROUNDS = 7
PERIOD = "2026-10"


@dataclass(frozen=True)
class StatementsResult:
    conversions_per_second: float  # the median round, by CPU time
    wall_conversions_per_second: float
    slowest_round_per_second: float
    rounds: int
    conversions_per_round: int
    statements: int
    carried: int  # statements that carried forward (below the minimum or not positive)


def _partners() -> list[tuple[str, list[CommissionDue]]]:
    draw = random.Random(20261207)
    start = date(2026, 9, 1)
    partners = []
    for p in range(PARTNERS):
        commissions = []
        for c in range(CONVERSIONS_PER_PARTNER):
            approves = start + timedelta(days=draw.randint(0, 75))
            amount = draw.randint(100, 15_000)
            refunds = (
                (Refund("r1", -amount // 2, approves + timedelta(days=3)),) if draw.random() < 0.1 else ()
            )
            state = "on_hold" if draw.random() < 0.01 else "accrued"
            commissions.append(CommissionDue(f"com_{p:04d}{c:04d}", "USD", amount, approves, state, refunds))
        partners.append((f"prt_{p:04d}", commissions))
    return partners


def _one_round(partners: list[tuple[str, list[CommissionDue]]]) -> tuple[float, float, int, int]:
    through = period_end(PERIOD)
    minimum = {"USD": 460_000}
    made = carried = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for partner_id, commissions in partners:
        due, _held = commission_earnings(commissions, through)
        for statement in build_statements(partner_id, PERIOD, due, frozenset(), {}, minimum):
            made += 1
            carried += statement.status == "carried_forward"
    return time.process_time() - cpu, time.perf_counter() - wall, made, carried


def throughput() -> StatementsResult:
    partners = _partners()
    count = PARTNERS * CONVERSIONS_PER_PARTNER
    _, _, made, carried = _one_round(partners)  # the warm-up
    runs = [_one_round(partners) for _ in range(ROUNDS)]
    cpu = [run[0] for run in runs]
    return StatementsResult(
        conversions_per_second=count / statistics.median(cpu),
        wall_conversions_per_second=count / statistics.median(run[1] for run in runs),
        slowest_round_per_second=count / max(cpu),
        rounds=ROUNDS,
        conversions_per_round=count,
        statements=made,
        carried=carried,
    )


if __name__ == "__main__":
    result = throughput()
    print(
        f"{result.conversions_per_second:,.0f} conversions per CPU second into statements, "
        f"{result.wall_conversions_per_second:,.0f} by the wall clock (medians of {result.rounds} rounds of "
        f"{result.conversions_per_round:,}; slowest {result.slowest_round_per_second:,.0f}); "
        f"{result.statements:,} statements, {result.carried:,} carried forward"
    )
