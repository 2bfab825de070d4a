"""A payout run and its rules: which periods may be paid, the run's ids and names (derived, never random,
so every way of starting a brand's period lands on the same run), and the statuses it moves through.
Pure code.

One run per brand and period. A run that finance rejected, or whose approval timed out, is over; starting
the period again makes the next attempt (`run_<period>_<n>`), so a corrected month can still be paid.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from starling.shared.errors import Conflict, Invalid

_PERIOD_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$", re.ASCII)
_RUN_ID_RE = re.compile(r"^run_[0-9]{4}-[0-9]{2}_[0-9]{1,4}$")
_STATEMENT_ID_RE = re.compile(r"^stm_[0-9a-f]{24}$")
SHARD_SIZE = 100  # partners per statement-building task


class RunStatus(StrEnum):
    BUILDING = "building"
    AWAITING_APPROVAL = "awaiting_approval"
    PAYING = "paying"
    COMPLETED = "completed"
    COMPLETED_WITH_FAILURES = "completed_with_failures"
    REJECTED = "rejected"
    FAILED = "failed"


OVER = frozenset({RunStatus.REJECTED, RunStatus.FAILED})  # a new attempt may start
FINISHED = frozenset({RunStatus.COMPLETED, RunStatus.COMPLETED_WITH_FAILURES}) | OVER


def not_waiting(status: str) -> Conflict:
    """The run is not waiting for finance (approved, rejected, failed or still building): 409."""
    return Conflict(f"The run is {status}, not waiting for approval.", {"status": status})


def parse_period(text: object, today: date) -> str:
    """A period finance may pay: "YYYY-MM", a month that has ended (not the current one, not a future one)."""
    match = _PERIOD_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise Invalid("period is a month written YYYY-MM, like 2026-10.", {"period": "not YYYY-MM"})
    year, month = int(match.group(1)), int(match.group(2))
    if (year, month) >= (today.year, today.month):
        raise Invalid(
            "period must be a month that has ended: the current and future months cannot be paid yet.",
            {"period": "not ended"},
        )
    return str(text)


def run_id_for(period: str, attempt: int) -> str:
    return f"run_{period}_{attempt}"


def is_run_id(value: str) -> bool:
    return bool(_RUN_ID_RE.fullmatch(value))


def is_statement_id(value: str) -> bool:
    return bool(_STATEMENT_ID_RE.fullmatch(value))


def execution_name(brand_id: str, period: str, attempt: int = 1) -> str:
    """The monthly-payout execution's name: Step Functions refuses a second execution of the same name,
    so the API, the AWS CLI and the schedule starting the same brand and period start one run."""
    name = f"payout-{brand_id}-{period}"
    return name if attempt == 1 else f"{name}-{attempt}"


def statement_id_for(brand_id: str, run_id: str, partner_id: str, currency: str) -> str:
    digest = hashlib.sha256(f"{brand_id}#{run_id}#{partner_id}#{currency}".encode()).hexdigest()
    return "stm_" + digest[:24]


@dataclass(frozen=True)
class PayoutRun:
    brand_id: str
    run_id: str
    period: str
    attempt: int
    status: RunStatus
    execution_name: str
    created_at: datetime
    updated_at: datetime
    started_by: str
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    partners: int = 0
    shards: int = 0
    shards_built: int = 0
    held: list[dict[str, object]] = field(default_factory=list)
    version: int = 1

    def require_waiting(self) -> None:
        if self.status is not RunStatus.AWAITING_APPROVAL:
            raise not_waiting(self.status.value)
