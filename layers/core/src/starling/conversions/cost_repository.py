"""Cost accruals and campaign spend in DynamoDB (starling.conversions.costs).

`write_cost` is the one place an accrual is written: it adds to a transaction the accrual's put (only if
absent: a source accrues once) and, for a campaign's cost, the campaign's spend under the version read.
The order's transaction (starling.conversions.repository) calls it for a commission; `record` uses it
alone for every other kind.
"""

from __future__ import annotations

import re
from datetime import date

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from starling.conversions.costs import (
    AlreadyAccrued,
    CampaignSpend,
    CostAccrual,
    CostKind,
    CostState,
    SpendMoved,
    SpendWrite,
)
from starling.conversions.figures_repository import add_to_transaction
from starling.conversions.items import CampaignSpendItem, CostItem
from starling.conversions.model import Kind, MoneyEntry
from starling.shared.dynamo import transaction_connection
from starling.shared.errors import NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.paging import decode_cursor, encode_cursor

_ACCRUAL_ID_RE = re.compile(r"^acr_[0-9a-f]{24}$")


def _cost_item(a: CostAccrual) -> CostItem:
    return CostItem(
        pk=brand_pk(a.brand_id),
        sk=f"COST#{a.accrual_id}",
        gsi1pk=brand_list_pk(a.brand_id, "COSTS"),
        gsi1sk=f"{a.occurred_on.isoformat()}#{a.accrual_id}",
        accrual_id=a.accrual_id,
        brand_id=a.brand_id,
        partner_id=a.partner_id,
        campaign_id=a.campaign_id,
        kind=a.kind.value,
        amount=a.amount,
        currency=a.currency,
        occurred_on=a.occurred_on.isoformat(),
        state=a.state.value,
        source=a.source,
        basis=a.basis,
        recorded_at=a.recorded_at,
        released_by=a.released_by,
    )


def _accrual(item: CostItem) -> CostAccrual:
    return CostAccrual(
        item.accrual_id,
        item.brand_id,
        item.partner_id,
        item.campaign_id,
        CostKind(item.kind),
        int(item.amount),
        item.currency,
        date.fromisoformat(item.occurred_on),
        CostState(item.state),
        item.source,
        item.basis,
        item.recorded_at,
        item.released_by,
    )


def _spend_item(brand_id: str, campaign_id: str, spend: CampaignSpend, version: int) -> CampaignSpendItem:
    return CampaignSpendItem(
        pk=brand_pk(brand_id),
        sk=f"SPEND#{campaign_id}",
        committed=spend.committed,
        over=spend.over,
        warned=int(spend.warned),
        version=version,
    )


def _spend_condition(version: int) -> Condition:
    return CampaignSpendItem.pk.does_not_exist() if version == 0 else CampaignSpendItem.version == version


# The reports' name of each cost kind. Commissions are booked by the order's own write (with its revenue),
# so a commission's accrual books nothing more here.
_REPORT_KINDS: dict[CostKind, Kind] = {
    CostKind.CPC: "cpc",
    CostKind.PER_POST: "per_post",
    CostKind.FLAT_FEE: "flat",
    CostKind.RETAINER: "retainer",
    CostKind.GIFTING: "gifting",
}


def write_cost(tx: TransactWrite, write: SpendWrite) -> None:
    """Add the accrual (once per source, or only from the state it replaces) and its campaign's spend
    (under the version read) to `tx`; a new accrual of a fee, CPC or gift is booked in the reports' figures
    in the same transaction (once: its put is conditioned on being new; a release books nothing)."""
    a = write.accrual
    absent = CostItem.pk.does_not_exist()
    tx.save(
        _cost_item(a), condition=absent if write.replaces is None else CostItem.state == write.replaces.value
    )
    if a.campaign_id is not None and write.spend is not None:
        item = _spend_item(a.brand_id, a.campaign_id, write.spend, write.version + 1)
        tx.save(item, condition=_spend_condition(write.version))
    kind = _REPORT_KINDS.get(a.kind)
    if write.replaces is None and kind is not None:
        entry = MoneyEntry(
            brand_id=a.brand_id, day=a.occurred_on, partner_id=a.partner_id, campaign_id=a.campaign_id,
            link=None, currency=a.currency, kind=kind, amount=a.amount,
        )  # fmt: skip
        add_to_transaction(tx, [entry])


class DynamoCostRepository:
    """Cost accruals and campaign spend on the core table."""

    def __init__(self) -> None:
        self._connection = transaction_connection()

    def spend(self, brand_id: str, campaign_id: str) -> tuple[CampaignSpend, int]:
        try:
            item = CampaignSpendItem.get(brand_pk(brand_id), f"SPEND#{campaign_id}", consistent_read=True)
        except DoesNotExist:
            return CampaignSpend(), 0
        return CampaignSpend(int(item.committed), int(item.over), bool(item.warned)), int(item.version)

    def get(self, brand_id: str, accrual_id: str) -> CostAccrual:
        if not _ACCRUAL_ID_RE.match(accrual_id):
            raise NotFound("No such accrual.")
        try:
            return _accrual(CostItem.get(brand_pk(brand_id), f"COST#{accrual_id}", consistent_read=True))
        except DoesNotExist as exc:
            raise NotFound("No such accrual.") from exc

    def record(self, write: SpendWrite) -> None:
        """Write one accrual and its campaign's spend in one transaction."""
        try:
            with TransactWrite(connection=self._connection) as tx:
                write_cost(tx, write)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                raise AlreadyAccrued(write.accrual.accrual_id) from exc
            raise SpendMoved(write.accrual.campaign_id) from exc

    def release(self, write: SpendWrite) -> None:
        """Write a released accrual (only while it is still over budget) and the spend it moves."""
        try:
            with TransactWrite(connection=self._connection) as tx:
                write_cost(tx, write)
        except TransactWriteError as exc:
            raise SpendMoved(write.accrual.campaign_id) from exc

    def page(
        self,
        brand_id: str,
        kind: CostKind | None,
        state: CostState | None,
        partner_id: str | None,
        campaign_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[CostAccrual], str | None]:
        """Accruals, newest day first, filtered."""
        conditions = [
            *([CostItem.kind == kind.value] if kind else []),
            *([CostItem.state == state.value] if state else []),
            *([CostItem.partner_id == partner_id] if partner_id else []),
            *([CostItem.campaign_id == campaign_id] if campaign_id else []),
        ]
        condition: Condition | None = None
        for c in conditions:
            condition = c if condition is None else condition & c
        result = CostItem.gsi1.query(  # type: ignore[attr-defined]
            brand_list_pk(brand_id, "COSTS"),
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, brand_pk(brand_id)),
        )
        found = [_accrual(item) for item in result]
        return found, encode_cursor(result.last_evaluated_key) if len(found) == limit else None
