"""Payout runs' use cases: what finance does through the API (start, read, exclude, approve, reject, mark
paid) and the steps of the monthly-payout state machine (lock, build a shard of statements, wait for
finance, expire).

Starting twice makes one run. The run's id and its execution's name derive from the brand, the period and
the attempt; the period's pointer is claimed with a conditional write, and Step Functions refuses a
second execution of the same name. A start through the API claims, then starts the execution; a start
through the AWS CLI or the schedule claims in its Lock step. An execution that finds the period claimed
by another execution ends at once (`duplicate`).

Write, then tell: a decision is written (conditionally on the run's status) before the parked task
token is answered, so approving twice, or after a reject, gets 409 and never a second answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from starling.contracts.model import Contract
from starling.contracts.service import PayoutMethod
from starling.conversions.model import PartnerMonth
from starling.conversions.service import Conversion
from starling.payouts.earnings import commission_due, min_payouts, terms_earnings
from starling.payouts.environment import PayoutsEnvironment
from starling.payouts.ledger import Ledger, TxnMeta
from starling.payouts.ledger_store import DynamoLedgerStore
from starling.payouts.model import (
    OVER,
    SHARD_SIZE,
    PayoutRun,
    RunStatus,
    execution_name,
    is_run_id,
    is_statement_id,
    not_waiting,
    parse_period,
    run_id_for,
    statement_id_for,
)
from starling.payouts.paying import Paying
from starling.payouts.provider import PaymentProvider
from starling.payouts.repository import DynamoPayoutRepository, StoredStatement
from starling.payouts.statements import (
    build_statements,
    carried_after,
    commission_earnings,
    line_transaction,
    period_end,
)
from starling.payouts.stripe_provider import StripeConnectProvider
from starling.recruiting.model import Partner
from starling.shared import clock
from starling.shared.email import EmailSender, SesEmailSender
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.settings import Settings

REASON_MAX = 500


class Workflow(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> None: ...
    def resume(self, token: str, output: dict[str, Any]) -> None: ...
    def refuse(self, token: str, error: str, cause: str) -> None: ...


class Sources(Protocol):
    """What statements read from the capabilities below: partners, contracts, commissions, months."""

    def brand_ids(self) -> list[str]: ...
    def partners(self, brand_id: str) -> list[Partner]: ...
    def partner(self, brand_id: str, partner_id: str) -> Partner: ...
    def versions(self, brand_id: str, partner_id: str) -> list[Contract]: ...
    def commissions_of(self, brand_id: str, partner_ids: list[str]) -> dict[str, list[Conversion]]: ...
    def partner_month(self, brand_id: str, partner_id: str, month: str) -> PartnerMonth: ...
    def payout_method(self, brand_id: str, partner_id: str) -> PayoutMethod | None: ...


@dataclass(frozen=True)
class RunView:
    run: PayoutRun
    statements: list[StoredStatement]


def clean_reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > REASON_MAX:
        raise Invalid(f"reason is 1 to {REASON_MAX} characters.", {"reason": "required"})
    return text


class PayoutsService(Paying):
    def __init__(
        self,
        runs: DynamoPayoutRepository,
        sources: Sources,
        workflow: Workflow,
        ledger: Ledger | None = None,
        now: Callable[[], datetime] = clock.now,
        provider: Callable[[], PaymentProvider] | None = None,
        email: EmailSender | None = None,
    ) -> None:
        self.ledger = ledger
        self._provider = provider
        self.email = email
        self.runs = runs
        self.sources = sources
        self.workflow = workflow
        self.now = now

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> PayoutsService:
        from starling.payouts.workflow import CapabilitySources, StepFunctionsPayoutWorkflow

        settings = settings or Settings.from_env()
        env = PayoutsEnvironment.read()
        ledger = None
        if env.ledger_table:
            ledger = Ledger(DynamoLedgerStore(env.ledger_table, env.ledger_balances_table))
        return cls(
            DynamoPayoutRepository(),
            CapabilitySources(settings),
            StepFunctionsPayoutWorkflow(settings),
            ledger,
            provider=StripeConnectProvider.from_settings,
            email=SesEmailSender(),
        )

    # --- finance, through the API -----------------------------------------------------------------------

    def start(self, brand_id: str, period_text: object, actor: str) -> tuple[PayoutRun, bool]:
        """The period's run, and whether this call started it. A run under way or completed is the answer;
        after a rejected or failed run, the next attempt starts."""
        period = parse_period(period_text, self.now().date())
        run, claimed = self._claim(brand_id, period, actor, None)
        if run.status is RunStatus.BUILDING:  # (again, if a start before this one died before starting it)
            self.workflow.start(run.execution_name, {"brand_id": brand_id, "period": period})
        return run, claimed

    def _claim(self, brand_id: str, period: str, actor: str, execution: str | None) -> tuple[PayoutRun, bool]:
        for _ in range(5):
            current = self.runs.current(brand_id, period)
            if current is not None and current.status not in OVER:
                return current, False
            attempt = 1 if current is None else current.attempt + 1
            name = execution_name(brand_id, period, attempt)
            if execution is not None and execution != name:
                # An execution started by hand under another name: the derived name is the run's.
                name = execution
            now = self.now()
            run = PayoutRun(
                brand_id=brand_id, run_id=run_id_for(period, attempt), period=period, attempt=attempt,
                status=RunStatus.BUILDING, execution_name=name, created_at=now, updated_at=now,
                started_by=actor,
            )  # fmt: skip
            if self.runs.claim(run, 0 if current is None else current.attempt):
                return run, True
        raise Conflict("Another start of this period is under way; send the request again.")

    def start_scheduled(self) -> int:
        """The schedule's start: every brand's run for the month before (a brand started already keeps
        its run). How many runs this started."""
        today = self.now().date()
        period = f"{today.year - 1}-12" if today.month == 1 else f"{today.year:04d}-{today.month - 1:02d}"
        started = 0
        for brand_id in self.sources.brand_ids():
            started += self.start(brand_id, period, "schedule")[1]
        return started

    def view(self, brand_id: str, run_id: str) -> RunView:
        run = self._run(brand_id, run_id)
        return RunView(run, self.runs.statements(brand_id, run_id))

    def _run(self, brand_id: str, run_id: str) -> PayoutRun:
        run = self.runs.get(brand_id, run_id) if is_run_id(run_id) else None
        if run is None:
            raise NotFound("No such payout run.")
        return run

    def approve(self, brand_id: str, run_id: str, actor: str) -> PayoutRun:
        run = self._run(brand_id, run_id)
        run.require_waiting()
        token = self.runs.task_token(brand_id, run_id)
        if token is None or not self._decide(run, RunStatus.PAYING, actor, None):
            raise not_waiting(self._status(run))
        self.workflow.resume(token, {"decision": "approved", "by": actor})
        return self._run(brand_id, run_id)

    def reject(self, brand_id: str, run_id: str, reason: object, actor: str) -> PayoutRun:
        text = clean_reason(reason)
        run = self._run(brand_id, run_id)
        run.require_waiting()
        token = self.runs.task_token(brand_id, run_id)
        if token is None or not self._decide(run, RunStatus.REJECTED, actor, text):
            raise not_waiting(self._status(run))
        self.workflow.refuse(token, "PayoutRejected", text)
        return self._run(brand_id, run_id)

    def _decide(self, run: PayoutRun, status: RunStatus, actor: str, reason: str | None) -> bool:
        now = self.now()
        return self.runs.update(
            run.brand_id, run.run_id, {RunStatus.AWAITING_APPROVAL},
            status=status.value, decided_by=actor, decided_at=now, updated_at=now, reason=reason,
        )  # fmt: skip

    def _status(self, run: PayoutRun) -> str:
        found = self.runs.get(run.brand_id, run.run_id)
        return (found or run).status.value

    def exclude(self, brand_id: str, run_id: str, statement_id: str, reason: object) -> StoredStatement:
        """Leave one statement out of the run before approving it; its total carries to the next run."""
        text = clean_reason(reason)
        run = self._run(brand_id, run_id)
        stored = self._statement(brand_id, run_id, statement_id)
        run.require_waiting()
        if not self.runs.set_statement(
            brand_id, run_id, statement_id, {"draft"}, status="excluded", reason=text
        ):
            raise Conflict(
                f"Only a draft statement can be excluded; this one is {stored.statement.status}.",
                {"status": stored.statement.status},
            )
        return self._statement(brand_id, run_id, statement_id)

    def _statement(self, brand_id: str, run_id: str, statement_id: str) -> StoredStatement:
        found = self.runs.statement(brand_id, run_id, statement_id) if is_statement_id(statement_id) else None
        if found is None:
            raise NotFound("No such statement in this run.")
        return found

    def partner_statements(self, brand_id: str, partner_id: str) -> list[StoredStatement]:
        self.sources.partner(brand_id, partner_id)  # NotFound for another brand's partner
        return self.runs.partner_history(brand_id, partner_id)

    # --- the monthly-payout state machine's steps ---------------------------------------------------------

    def lock(self, brand_id: str, period_text: object, execution: str) -> dict[str, Any]:
        """Claim the period for this execution and split its partners into shards of statements to build.
        `duplicate`: another execution has the period; this one ends."""
        try:
            period = parse_period(period_text, self.now().date())
        except Invalid as exc:
            return {"duplicate": True, "run_id": None, "shards": [], "reason": exc.message}
        run, _ = self._claim(brand_id, period, "workflow", execution)
        if run.execution_name != execution or run.status is not RunStatus.BUILDING:
            return {"duplicate": True, "run_id": run.run_id, "shards": [], "reason": "another execution"}
        partner_ids = sorted(p.partner_id for p in self.sources.partners(brand_id))
        shards = [partner_ids[i : i + SHARD_SIZE] for i in range(0, len(partner_ids), SHARD_SIZE)]
        self.runs.save_shards(brand_id, run.run_id, shards)
        self.runs.update(
            brand_id, run.run_id, {RunStatus.BUILDING}, partners=len(partner_ids), shards=len(shards)
        )
        return {"duplicate": False, "run_id": run.run_id, "shards": list(range(len(shards)))}

    def build(self, brand_id: str, run_id: str, shard: int) -> dict[str, int]:
        """The statements of one shard's partners (a retry puts none twice)."""
        run = self._run(brand_id, run_id)
        partner_ids = self.runs.shard(brand_id, run_id, shard)
        commissions = self.sources.commissions_of(brand_id, partner_ids)
        through = period_end(run.period)
        held: list[dict[str, Any]] = []
        counted: dict[str, bool] = {}
        made = 0
        for partner_id in partner_ids:
            dues = [d for c in commissions.get(partner_id, []) if (d := commission_due(c)) is not None]
            earnings, on_hold = commission_earnings(dues, through)
            held += [{"partner_id": partner_id, **h._asdict()} for h in on_hold]
            versions = self.sources.versions(brand_id, partner_id)
            earnings += terms_earnings(
                versions, run.period, partial(self.sources.partner_month, brand_id, partner_id)
            )
            history = [
                s
                for s in self.runs.partner_history(brand_id, partner_id)
                if s.run_id != run_id and self._counts(brand_id, s.run_id, counted)
            ]
            stated = {line.source_id for s in history for line in s.statement.lines}
            carried = carried_after(s.statement for s in history)
            for statement in build_statements(
                partner_id, run.period, earnings, stated, carried, min_payouts(versions, run.period)
            ):
                sid = statement_id_for(brand_id, run_id, partner_id, statement.currency)
                self.runs.save_statement(brand_id, run_id, sid, statement)
                made += 1
        if held:
            self.runs.update(brand_id, run_id, None, held=[*run.held, *held])
        self.runs.count_built(brand_id, run_id)
        return {"statements": made}

    def _counts(self, brand_id: str, run_id: str, known: dict[str, bool]) -> bool:
        """Whether an earlier run's statements count (a rejected or failed run stated nothing)."""
        if run_id not in known:
            run = self.runs.get(brand_id, run_id)
            known[run_id] = run is not None and run.status not in OVER
        return known[run_id]

    def await_approval(self, brand_id: str, run_id: str, token: str) -> None:
        """Park the run for finance: the token is kept server-side, the run shows `awaiting_approval`."""
        if not self.runs.update(
            brand_id, run_id, {RunStatus.BUILDING}, status=RunStatus.AWAITING_APPROVAL.value,
            task_token=token, updated_at=self.now(),
        ):  # fmt: skip
            raise not_waiting(self._status(self._run(brand_id, run_id)))

    def expire(self, brand_id: str, run_id: str, days: int) -> dict[str, str]:
        """Finance did not decide in time: the run ends `failed`, nothing paid; the period can start again."""
        self.runs.update(
            brand_id, run_id, {RunStatus.AWAITING_APPROVAL, RunStatus.BUILDING},
            status=RunStatus.FAILED.value, reason=f"not approved within {days} days", updated_at=self.now(),
        )  # fmt: skip
        return {"status": RunStatus.FAILED.value}

    def fail(self, brand_id: str, run_id: str, cause: str) -> dict[str, str]:
        """A step failed for good: the run ends `failed` with the cause (a decided run keeps its status)."""
        self.runs.update(
            brand_id, run_id, {RunStatus.BUILDING, RunStatus.AWAITING_APPROVAL},
            status=RunStatus.FAILED.value, reason=cause[:REASON_MAX], updated_at=self.now(),
        )  # fmt: skip
        return {"status": self._status(self._run(brand_id, run_id))}

    def approved_statements(self, brand_id: str, run_id: str) -> list[str]:
        """After approval: every line of the run's statements goes on the ledger (what carries forward or
        was excluded is owed all the same), and every draft statement becomes approved; their ids, for
        the payments."""
        if self.ledger is None:
            raise RuntimeError("the payouts function has no ledger (LEDGER_TABLE_NAME)")
        ids = []
        for stored in self.runs.statements(brand_id, run_id):
            s = stored.statement
            for line in s.lines:
                txn = line_transaction(brand_id, s.partner_id, line)
                if txn is not None:
                    txn_id, postings, kind = txn
                    memo = f"{run_id} {stored.statement_id}"
                    self.ledger.post(txn_id, postings, TxnMeta(kind, brand_id, memo))
            if stored.statement.status == "draft":
                self.runs.set_statement(brand_id, run_id, stored.statement_id, {"draft"}, status="approved")
                ids.append(stored.statement_id)
            elif stored.statement.status == "approved":
                ids.append(stored.statement_id)
        return ids


def error_cause(error: Any) -> str:
    """The cause Step Functions put in a caught error (`{"Error", "Cause"}`), as text."""
    if isinstance(error, dict):
        cause = error.get("Cause") or error.get("Error") or ""
        try:
            parsed = json.loads(cause)
            if isinstance(parsed, dict):
                return str(parsed.get("errorMessage") or cause)
        except (TypeError, ValueError):
            pass
        return str(cause)
    return str(error)
