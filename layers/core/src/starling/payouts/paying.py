"""Paying a run's approved statements: the steps of the monthly-payout state machine after approval (pay
one statement, complete the run), a part of starling.payouts.service's PayoutsService."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starling.payouts.ledger import Ledger, TxnKind, TxnMeta, payout_postings
from starling.payouts.model import PayoutRun, RunStatus
from starling.payouts.provider import (
    Payment,
    PaymentProvider,
    PermanentPaymentError,
    destination_of,
    idempotency_key,
    transfer_group,
)
from starling.payouts.repository import DynamoPayoutRepository, StoredStatement
from starling.payouts.statements import Statement
from starling.shared.email import Email, EmailSender
from starling.shared.money import Money, format_amount


class Paying:
    """What PayoutsService provides to these steps."""

    runs: DynamoPayoutRepository
    sources: Any
    ledger: Ledger | None
    email: EmailSender | None
    now: Callable[[], datetime]
    _provider: Callable[[], PaymentProvider] | None

    def _statement(self, brand_id: str, run_id: str, statement_id: str) -> StoredStatement:
        raise NotImplementedError

    def _run(self, brand_id: str, run_id: str) -> PayoutRun:
        raise NotImplementedError

    def _status(self, run: PayoutRun) -> str:
        raise NotImplementedError

    def pay(self, brand_id: str, run_id: str, statement_id: str) -> dict[str, object]:
        """Pay one approved statement through the provider, once whatever is retried: what was paid under
        its transfer group is found first (an earlier try whose answer was lost, a crash before recording),
        else the transfer is made under the statement's own idempotency key. A transient error raises
        (`TransientPaymentError`: the state machine retries with backoff, the same key); a refusal marks the
        statement `failed` with the provider's reason. Paid: the `payout` ledger transaction
        (`statement#<id>#pay`, covered by the partner's balance), then the statement `paid` with the
        transfer id."""
        stored = self._statement(brand_id, run_id, statement_id)
        s = stored.statement
        told: dict[str, object] = {"partner_id": s.partner_id, "statement_id": statement_id, "run_id": run_id,
                "amount": s.total, "currency": s.currency}  # fmt: skip
        if s.status != "approved":  # paid or failed already (a retried task), excluded, carried forward
            return {**told, "status": s.status, "event": "none"}
        provider = self._payment_provider()
        group = transfer_group(statement_id)
        try:
            method = self.sources.payout_method(brand_id, s.partner_id)
            destination = destination_of(
                method.kind.value if method else None, method.reference if method else None, provider.name
            )
            found = provider.find_by_transfer_group(group)
            payment = (
                found[0]
                if found
                else provider.pay(
                    statement_id, destination, s.total, s.currency, idempotency_key(statement_id), group
                )
            )
        except PermanentPaymentError as exc:
            self.runs.set_statement(brand_id, run_id, statement_id, {"approved"}, status="failed",
                                    reason=exc.reason)  # fmt: skip
            return {**told, "status": "failed", "reason": exc.reason, "event": "payout.failed"}
        self._record_payment(brand_id, run_id, statement_id, s.partner_id, payment)
        self._tell_paid(brand_id, s, payment)
        return {**told, "status": "paid", "reference": payment.reference, "event": "payout.paid"}

    def _tell_paid(self, brand_id: str, s: Statement, payment: Payment) -> None:
        """The partner's statement by email (with no address of theirs, they read it in the portal)."""
        partner = self.sources.partner(brand_id, s.partner_id)
        if self.email is None or not partner.email:
            return
        lines = "\n".join(
            f"  {line.due_on.isoformat()}  {line.kind:<16} {format_amount(Money(line.amount, s.currency))}"
            for line in s.lines
        )
        total = format_amount(Money(s.total, s.currency))
        self.email.send(Email(
            to=partner.email, subject=f"Your payout for {s.period}: {total}",
            text=f"Hi {partner.display_name},\n\nYour statement for {s.period} was paid: {total} "
                 f"(transfer {payment.reference}).\n\n{lines}\n\nTotal  {total}\n",
        ))  # fmt: skip

    def _record_payment(
        self, brand_id: str, run_id: str, statement_id: str, partner_id: str, payment: Payment
    ) -> None:
        if self.ledger is None:
            raise RuntimeError("the payouts function has no ledger (LEDGER_TABLE_NAME)")
        postings = payout_postings(brand_id, partner_id, payment.provider, payment.amount, payment.currency)
        memo = f"{run_id} {statement_id} {payment.reference}"
        self.ledger.post(f"statement#{statement_id}#pay", postings, TxnMeta(TxnKind.PAYOUT, brand_id, memo))
        self.runs.set_statement(brand_id, run_id, statement_id, {"approved"}, status="paid",
                                reference=payment.reference)  # fmt: skip

    def _payment_provider(self) -> PaymentProvider:
        if self._provider is None:
            raise RuntimeError("the payouts function has no payment provider")
        return self._provider()

    def complete(self, brand_id: str, run_id: str) -> dict[str, str]:
        """Every statement paid or failed: the run ends `completed`, or `completed_with_failures`."""
        failed = sum(s.statement.status == "failed" for s in self.runs.statements(brand_id, run_id))
        status = RunStatus.COMPLETED_WITH_FAILURES if failed else RunStatus.COMPLETED
        self.runs.update(brand_id, run_id, {RunStatus.PAYING}, status=status.value, updated_at=self.now())
        return {"status": self._status(self._run(brand_id, run_id))}
