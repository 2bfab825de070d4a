"""Payouts: finance starts a month's payout run, reads its statements, leaves some out, approves or
rejects it (finance or owner); a partner's statement history."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel, ConfigDict, Field

from functions.api.schemas import StrictBody
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.identity.model import Area
from starling.payouts.model import PayoutRun
from starling.payouts.repository import StoredStatement
from starling.payouts.service import PayoutsService, RunView
from starling.payouts.statements import totals_by_currency
from starling.recruiting.service import actor_of
from starling.shared.settings import Settings

router = CapabilityRouter("Payouts")


@lru_cache(maxsize=4)
def _services(settings: Settings) -> PayoutsService:
    return PayoutsService.from_settings(settings)


def _service() -> PayoutsService:
    return _services(Settings.from_env())


class RunCreate(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"period": "2026-10"}]})

    period: str = Field(
        min_length=7,
        max_length=7,
        pattern=r"^[0-9]{4}-[0-9]{2}$",
        description="A month that has ended: YYYY-MM",
    )


class Reason(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Two partners' fees are wrong"}]})

    reason: str = Field(min_length=1, max_length=500)


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source_id: str = Field(description="The business event: commission:<id>, reversal:<id>:<refund>, ...")
    kind: str = Field(
        description="carried_balance, commission, reversal, cpc, per_post_fee, retainer or flat_fee"
    )
    amount: int = Field(description="Minor units; negative for a reversal or a negative balance carried")
    due_on: date
    basis: str


class StatementOut(BaseModel):
    statement_id: str
    run_id: str
    partner_id: str
    period: str
    currency: str
    status: str = Field(description="draft, approved, excluded, paid, failed or carried_forward")
    total: int = Field(description="The sum of the lines, the carried balance included")
    payable: int = Field(description="What it pays when approved (0 when it carries forward)")
    min_payout: int
    carry_reason: str | None = Field(description="Why it carries forward, when it does")
    reason: str | None = Field(description="Why finance excluded it, or why its payment failed")
    reference: str | None = Field(description="The payment's reference, once paid")
    lines: list[LineOut]


class TotalOut(BaseModel):
    currency: str
    payable: int = Field(description="What the run pays in this currency")
    carried_forward: int = Field(description="What carries to the next run (below minimum or negative)")


class HeldOut(BaseModel):
    partner_id: str
    commission_id: str
    currency: str
    amount: int


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    run_id: str
    period: str
    attempt: int
    status: str = Field(
        description="building, awaiting_approval, paying, completed, completed_with_failures, rejected "
        "or failed"
    )
    execution_name: str = Field(description="The monthly-payout execution's name (brand and period)")
    started_by: str
    reason: str | None = Field(description="Why it was rejected or failed")
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    partners: int
    shards: int
    shards_built: int


class RunDetailOut(RunOut):
    totals: list[TotalOut]
    statements: list[StatementOut]
    on_hold: list[HeldOut] = Field(description="Commissions on hold at the period's end: not paid")


_RUN: Any = {"application/json": {"model": RunOut}}


def _statement_out(stored: StoredStatement) -> StatementOut:
    s = stored.statement
    return StatementOut(
        statement_id=stored.statement_id, run_id=stored.run_id, partner_id=s.partner_id, period=s.period,
        currency=s.currency, status=s.status, total=s.total, payable=s.payable, min_payout=s.min_payout,
        carry_reason=s.carry_reason, reason=stored.reason, reference=stored.reference,
        lines=[LineOut.model_validate(line) for line in s.lines],
    )  # fmt: skip


def _run_out(run: PayoutRun) -> RunOut:
    return RunOut.model_validate(run)


def _detail(view: RunView) -> RunDetailOut:
    statements = sorted(view.statements, key=lambda s: (s.statement.partner_id, s.statement.currency))
    totals = [
        TotalOut(currency=c, payable=p, carried_forward=f)
        for c, p, f in totals_by_currency(s.statement for s in statements if s.statement.status != "excluded")
    ]
    return RunDetailOut(
        **_run_out(view.run).model_dump(),
        totals=totals,
        statements=[_statement_out(s) for s in statements],
        on_hold=[HeldOut.model_validate(h) for h in view.run.held],
    )


@router.post(
    "/v1/payout-runs",
    summary="Start the payout run of a month that has ended (the same period twice is the same run)",
    status_code=201,
    responses={
        200: {"description": "The period's run, started before", "content": _RUN},
        201: {"description": "Started now", "content": _RUN},
    },
)
@requires(Area.PAYOUTS, write=True)
def handle_start_payout_run(body: RunCreate) -> Response[RunOut]:
    caller = principal(router)
    run, started = _service().start(caller.brand_id, body.period, actor_of(caller))
    return Response(
        status_code=201 if started else 200, content_type=content_types.APPLICATION_JSON, body=_run_out(run)
    )


@router.get(
    "/v1/payout-runs/<run_id>",
    summary="A payout run: totals by currency, statements and their lines, carried forward, on hold",
)
@requires(Area.PAYOUTS)
def handle_get_payout_run(run_id: str) -> RunDetailOut:
    caller = principal(router)
    return _detail(_service().view(caller.brand_id, run_id))


@router.post(
    "/v1/payout-runs/<run_id>/approve",
    summary="Approve a run waiting for finance: its statements are paid (409 when it is not waiting)",
)
@requires(Area.PAYOUTS, write=True)
def handle_approve_payout_run(run_id: str) -> RunOut:
    caller = principal(router)
    return _run_out(_service().approve(caller.brand_id, run_id, actor_of(caller)))


@router.post(
    "/v1/payout-runs/<run_id>/reject",
    summary="Reject a run waiting for finance, with a reason: nothing is paid; the period can start again",
)
@requires(Area.PAYOUTS, write=True)
def handle_reject_payout_run(run_id: str, body: Reason) -> RunOut:
    caller = principal(router)
    return _run_out(_service().reject(caller.brand_id, run_id, body.reason, actor_of(caller)))


@router.post(
    "/v1/payout-runs/<run_id>/statements/<statement_id>/exclude",
    summary="Leave a statement out of a run before approving it, with a reason; it carries to the next run",
)
@requires(Area.PAYOUTS, write=True)
def handle_exclude_statement(run_id: str, statement_id: str, body: Reason) -> StatementOut:
    caller = principal(router)
    return _statement_out(_service().exclude(caller.brand_id, run_id, statement_id, body.reason))


@router.get("/v1/partners/<partner_id>/statements", summary="A partner's statements, oldest period first")
@requires(Area.PAYOUTS)
def handle_partner_statements(partner_id: str) -> list[StatementOut]:
    caller = principal(router)
    return [_statement_out(s) for s in _service().partner_statements(caller.brand_id, partner_id)]
