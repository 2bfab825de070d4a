"""Payout runs in the core table: the run, the brand's pointer to the current run of a period, the
statement-building shards, and the statements.

  BRAND#<id>  PAYPERIOD#<period>                  the period's current run id and attempt (claims are
                                                  conditional on it, so two starts make one run)
  BRAND#<id>  PAYRUN#<run id>                     the run, its status and the parked task token
  BRAND#<id>  PAYSHARD#<run id>#<n>               the partner ids one build task takes
  BRAND#<id>  STATEMENT#<run id>#<statement id>   a statement and its lines; gsi1 lists a partner's
                                                  statements by period (BRAND#<id>#STATEMENTS#<partner>)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from starling.payouts.model import PayoutRun, RunStatus
from starling.payouts.statements import Earning, Statement
from starling.shared.dynamo import transaction_connection
from starling.shared.dynamo_items import CoreItem, Gsi1
from starling.shared.keys import brand_list_pk, brand_pk


class PayoutPeriodItem(CoreItem):
    run_id = UnicodeAttribute()
    attempt = NumberAttribute()


class PayoutRunItem(CoreItem):
    run_id = UnicodeAttribute()
    period = UnicodeAttribute()
    attempt = NumberAttribute()
    status = UnicodeAttribute()
    execution_name = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    started_by = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    partners = NumberAttribute(default=0)
    shards = NumberAttribute(default=0)
    shards_built = NumberAttribute(default=0)
    held = JSONAttribute(null=True)
    task_token = UnicodeAttribute(null=True)  # kept server-side only; never in an answer
    version = NumberAttribute()


class PayoutShardItem(CoreItem):
    partner_ids = ListAttribute(of=UnicodeAttribute)  # type: ignore[var-annotated]


class StatementItem(CoreItem):
    gsi1 = Gsi1["StatementItem"]()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()

    statement_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    period = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    lines = JSONAttribute()
    total = NumberAttribute()
    min_payout = NumberAttribute()
    status = UnicodeAttribute()
    carry_reason = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # why excluded or failed
    reference = UnicodeAttribute(null=True)  # the provider's transfer id, or finance's reference


def _run(item: PayoutRunItem, brand_id: str) -> PayoutRun:
    return PayoutRun(
        brand_id=brand_id, run_id=item.run_id, period=item.period, attempt=int(item.attempt),
        status=RunStatus(item.status), execution_name=item.execution_name, created_at=item.created_at,
        updated_at=item.updated_at, started_by=item.started_by, reason=item.reason,
        decided_by=item.decided_by, decided_at=item.decided_at, partners=int(item.partners),
        shards=int(item.shards), shards_built=int(item.shards_built), held=list(item.held or []),
        version=int(item.version),
    )  # fmt: skip


def _line_doc(e: Earning) -> dict[str, Any]:
    return {"source_id": e.source_id, "kind": e.kind, "amount": e.amount, "due_on": e.due_on.isoformat(),
            "basis": e.basis}  # fmt: skip


def _line(doc: dict[str, Any], currency: str) -> Earning:
    due_on = date.fromisoformat(doc["due_on"])
    return Earning(doc["source_id"], doc["kind"], currency, int(doc["amount"]), due_on, doc["basis"])


class StoredStatement:
    """A statement as stored: the computed statement, its id and run, and what finance or the provider
    said of it."""

    def __init__(self, item: StatementItem) -> None:
        self.statement_id = item.statement_id
        self.run_id = item.run_id
        self.reason = item.reason
        self.reference = item.reference
        self.statement = Statement(
            item.partner_id, item.period, item.currency,
            tuple(_line(doc, item.currency) for doc in item.lines), int(item.total), int(item.min_payout),
            item.status, item.carry_reason,  # type: ignore[arg-type]
        )  # fmt: skip


class DynamoPayoutRepository:
    def __init__(self) -> None:
        self._connection = transaction_connection()

    # --- runs -------------------------------------------------------------------------------------------

    def current(self, brand_id: str, period: str) -> PayoutRun | None:
        try:
            pointer = PayoutPeriodItem.get(brand_pk(brand_id), f"PAYPERIOD#{period}", consistent_read=True)
        except DoesNotExist:
            return None
        return self.get(brand_id, pointer.run_id)

    def get(self, brand_id: str, run_id: str) -> PayoutRun | None:
        item = self._item(brand_id, run_id)
        return None if item is None else _run(item, brand_id)

    def _item(self, brand_id: str, run_id: str) -> PayoutRunItem | None:
        try:
            return PayoutRunItem.get(brand_pk(brand_id), f"PAYRUN#{run_id}", consistent_read=True)
        except DoesNotExist:
            return None

    def claim(self, run: PayoutRun, previous_attempt: int) -> bool:
        """Put the run and point the period at it, only if the period's pointer is still at
        `previous_attempt` (0: none). False when another start claimed the period first."""
        pk = brand_pk(run.brand_id)
        pointer = PayoutPeriodItem(
            pk=pk, sk=f"PAYPERIOD#{run.period}", run_id=run.run_id, attempt=run.attempt
        )
        item = PayoutRunItem(
            pk=pk, sk=f"PAYRUN#{run.run_id}", run_id=run.run_id, period=run.period, attempt=run.attempt,
            status=run.status.value, execution_name=run.execution_name, created_at=run.created_at,
            updated_at=run.updated_at, started_by=run.started_by, version=1,
        )  # fmt: skip
        condition = (
            PayoutPeriodItem.pk.does_not_exist()
            if previous_attempt == 0
            else PayoutPeriodItem.attempt == previous_attempt
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(pointer, condition=condition)
                tx.save(item, condition=PayoutRunItem.pk.does_not_exist())
        except TransactWriteError:
            return False
        return True

    def update(self, brand_id: str, run_id: str, expected: set[RunStatus] | None, **changes: Any) -> bool:
        """Change the run's fields if its status is one of `expected` (None: any). False otherwise."""
        item = PayoutRunItem(pk=brand_pk(brand_id), sk=f"PAYRUN#{run_id}")
        actions = [getattr(PayoutRunItem, name).set(value) for name, value in changes.items()]
        actions.append(PayoutRunItem.version.add(1))
        condition = PayoutRunItem.pk.exists()
        if expected is not None:
            condition &= PayoutRunItem.status.is_in(*(s.value for s in expected))
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def count_built(self, brand_id: str, run_id: str) -> None:
        item = PayoutRunItem(pk=brand_pk(brand_id), sk=f"PAYRUN#{run_id}")
        item.update(actions=[PayoutRunItem.shards_built.add(1)])

    def task_token(self, brand_id: str, run_id: str) -> str | None:
        item = self._item(brand_id, run_id)
        return None if item is None else item.task_token

    # --- shards -----------------------------------------------------------------------------------------

    def save_shards(self, brand_id: str, run_id: str, shards: list[list[str]]) -> None:
        with PayoutShardItem.batch_write() as batch:
            for n, partner_ids in enumerate(shards):
                batch.save(
                    PayoutShardItem(
                        pk=brand_pk(brand_id), sk=f"PAYSHARD#{run_id}#{n}", partner_ids=partner_ids
                    )
                )

    def shard(self, brand_id: str, run_id: str, n: int) -> list[str]:
        item = PayoutShardItem.get(brand_pk(brand_id), f"PAYSHARD#{run_id}#{n}", consistent_read=True)
        return [str(p) for p in item.partner_ids]

    # --- statements -------------------------------------------------------------------------------------

    def save_statement(self, brand_id: str, run_id: str, statement_id: str, s: Statement) -> None:
        """Put the statement once: a build task run again (a retry) leaves the first one as it is."""
        item = StatementItem(
            pk=brand_pk(brand_id), sk=f"STATEMENT#{run_id}#{statement_id}",
            gsi1pk=brand_list_pk(brand_id, "STATEMENTS", s.partner_id),
            gsi1sk=f"{s.period}#{run_id}#{statement_id}", statement_id=statement_id, run_id=run_id,
            period=s.period, partner_id=s.partner_id, currency=s.currency,
            lines=[_line_doc(e) for e in s.lines], total=s.total, min_payout=s.min_payout, status=s.status,
            carry_reason=s.carry_reason,
        )  # fmt: skip
        try:
            item.save(condition=StatementItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise

    def statements(self, brand_id: str, run_id: str) -> list[StoredStatement]:
        items = StatementItem.query(
            brand_pk(brand_id), StatementItem.sk.startswith(f"STATEMENT#{run_id}#"), consistent_read=True
        )
        return [StoredStatement(item) for item in items]

    def statement(self, brand_id: str, run_id: str, statement_id: str) -> StoredStatement | None:
        try:
            item = StatementItem.get(
                brand_pk(brand_id), f"STATEMENT#{run_id}#{statement_id}", consistent_read=True
            )
        except DoesNotExist:
            return None
        return StoredStatement(item)

    def set_statement(
        self, brand_id: str, run_id: str, statement_id: str, expected: set[str], **changes: Any
    ) -> bool:
        item = StatementItem(pk=brand_pk(brand_id), sk=f"STATEMENT#{run_id}#{statement_id}")
        actions = [getattr(StatementItem, name).set(value) for name, value in changes.items()]
        try:
            item.update(actions=actions, condition=StatementItem.status.is_in(*expected))
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def partner_history(self, brand_id: str, partner_id: str) -> list[StoredStatement]:
        """The partner's statements, oldest period first."""
        items = StatementItem.gsi1.query(brand_list_pk(brand_id, "STATEMENTS", partner_id))  # type: ignore[attr-defined]
        return [StoredStatement(item) for item in items]
