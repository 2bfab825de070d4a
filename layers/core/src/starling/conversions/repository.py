"""Conversions in DynamoDB: the order item, the partner-month accrual item, the customer item, and the
money figures' cell the order's figures add to (starling.conversions.figures_repository).

An order is recorded by one transaction: the order item put under `attribute_not_exists` (so an order id
counts once, whatever the idempotency layer in front did), the partner's month put under the version read
(so two orders never both take what is left of a cap), and the customer item. A refund or a review writes
the order item under its version and the month under its own, in one transaction too.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from starling.conversions.attribution import Attribution
from starling.conversions.cost_repository import write_cost
from starling.conversions.costs import SpendWrite
from starling.conversions.figures_repository import add_to_transaction
from starling.conversions.fraud import Hold
from starling.conversions.items import ConversionItem, CustomerItem, PartnerMonthItem, ShopSecretItem
from starling.conversions.model import Commission, CommissionStatus, Part, PartnerMonth
from starling.conversions.orders import (
    AlreadyRecorded,
    Conversion,
    Moved,
    RefundLine,
    State,
    commission_id_for,
    money_entries,
)
from starling.conversions.shops import SecretKind, ShopSecret, decode, encode
from starling.shared.dynamo import transaction_connection
from starling.shared.errors import Conflict, NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.paging import decode_cursor, encode_cursor

_COMMISSION_ID_RE = re.compile(r"^com_[0-9a-f]{24}$")


def _commission_doc(c: Commission) -> dict[str, Any]:
    return {
        "gross": c.gross, "cut": c.cut, "amount": c.amount, "month": c.month,
        "approves_on": c.approves_on.isoformat(),
        "parts": [
            {"rule": p.rule, "basis": p.basis, "rate": None if p.rate is None else str(p.rate),
             "amount": p.amount, "tier_from": p.tier_from}
            for p in c.parts
        ],
    }  # fmt: skip


def _commission(doc: dict[str, Any] | None, item: ConversionItem) -> Commission | None:
    if doc is None:
        return None
    parts = tuple(
        Part(
            p["rule"],
            p["basis"],
            None if p["rate"] is None else Decimal(p["rate"]),
            p["amount"],
            p["tier_from"],
        )
        for p in doc["parts"]
    )
    return Commission(
        item.currency, int(item.amount), doc["month"], parts, doc["gross"], doc["cut"], doc["amount"],
        item.occurred_at, date.fromisoformat(doc["approves_on"]),
    )  # fmt: skip


def _attribution_doc(a: Attribution) -> dict[str, Any]:
    doc = dict(vars(a))
    doc["clicked_at"] = a.clicked_at.isoformat() if a.clicked_at else None
    return doc


def _item(c: Conversion) -> ConversionItem:
    listed = c.commission is not None
    return ConversionItem(
        pk=brand_pk(c.brand_id),
        sk=f"ORDER#{c.commission_id}",
        gsi1pk=brand_list_pk(c.brand_id, "COMMISSIONS") if listed else None,
        gsi1sk=f"{c.occurred_at.isoformat()}#{c.commission_id}" if listed else None,
        order_id=c.order_id, brand_id=c.brand_id, amount=c.amount, currency=c.currency,
        occurred_at=c.occurred_at, recorded_at=c.recorded_at,
        attribution=_attribution_doc(c.attribution),
        partner_id=c.attribution.partner_id, campaign_id=c.attribution.campaign_id,
        commission=_commission_doc(c.commission) if c.commission else None,
        state=c.state.value,
        approves_on=c.commission.approves_on.isoformat() if c.commission else None,
        hold={"reason": c.hold.reason, "detail": c.hold.detail} if c.hold else None,
        customer_hash=c.customer_hash, items=list(c.items) or None,
        refunds=[
            {"refund_id": r.refund_id, "amount": r.amount, "reversal": r.reversal, "at": r.at.isoformat()}
            for r in c.refunds
        ] or None,
        review={"note": c.review_note, "by": c.reviewed_by,
                "at": c.reviewed_at.isoformat() if c.reviewed_at else None} if c.reviewed_by else None,
        version=c.version,
    )  # fmt: skip


def _conversion(item: ConversionItem) -> Conversion:
    a = dict(item.attribution)
    a["clicked_at"] = datetime.fromisoformat(a["clicked_at"]) if a.get("clicked_at") else None
    review = item.review or {}
    return Conversion(
        brand_id=item.brand_id, order_id=item.order_id, amount=int(item.amount), currency=item.currency,
        occurred_at=item.occurred_at, recorded_at=item.recorded_at, attribution=Attribution(**a),
        commission=_commission(item.commission, item), state=State(item.state),
        hold=Hold(item.hold["reason"], item.hold["detail"]) if item.hold else None,
        customer_hash=item.customer_hash, items=tuple(item.items or ()),
        refunds=tuple(
            RefundLine(r["refund_id"], r["amount"], r["reversal"], datetime.fromisoformat(r["at"]))
            for r in item.refunds or ()
        ),
        review_note=review.get("note"), reviewed_by=review.get("by"),
        reviewed_at=datetime.fromisoformat(review["at"]) if review.get("at") else None,
        version=int(item.version),
    )  # fmt: skip


def _month_item(brand_id: str, partner_id: str, month: PartnerMonth, version: int) -> PartnerMonthItem:
    return PartnerMonthItem(
        pk=brand_pk(brand_id), sk=f"MONTH#{partner_id}#{month.month}", sales=month.sales,
        commission=month.commission, cpc=month.cpc, clicks=month.clicks, version=version,
    )  # fmt: skip


def _month_condition(version: int) -> Condition:
    return PartnerMonthItem.pk.does_not_exist() if version == 0 else PartnerMonthItem.version == version


def _failed(exc: TransactWriteError) -> list[bool]:
    """Which of the transaction's writes failed their condition."""
    return [r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons]


def _status_filter(status: CommissionStatus, today: date) -> Condition:
    if status is CommissionStatus.PENDING:
        return (ConversionItem.state == State.ACCRUED.value) & (
            ConversionItem.approves_on > today.isoformat()
        )
    if status is CommissionStatus.APPROVED:
        return (ConversionItem.state == State.ACCRUED.value) & (
            ConversionItem.approves_on <= today.isoformat()
        )
    return ConversionItem.state == status.value


class DynamoConversionRepository:
    """The `ConversionRepository` port (starling.conversions.orders) on the core table."""

    def __init__(self) -> None:
        self._connection = transaction_connection()

    def get(self, brand_id: str, order_id: str) -> Conversion:
        return self.get_by_commission(brand_id, commission_id_for(order_id))

    def get_by_commission(self, brand_id: str, commission_id: str) -> Conversion:
        if not _COMMISSION_ID_RE.match(commission_id):
            raise NotFound("No such order or commission.")
        try:
            return _conversion(
                ConversionItem.get(brand_pk(brand_id), f"ORDER#{commission_id}", consistent_read=True)
            )
        except DoesNotExist as exc:
            raise NotFound("No such order or commission.") from exc

    def month(self, brand_id: str, partner_id: str, month: str) -> tuple[PartnerMonth, int]:
        try:
            item = PartnerMonthItem.get(
                brand_pk(brand_id), f"MONTH#{partner_id}#{month}", consistent_read=True
            )
        except DoesNotExist:
            return PartnerMonth(month), 0
        found = PartnerMonth(month, int(item.sales), int(item.commission), int(item.cpc), int(item.clicks))
        return found, int(item.version)

    def other_partner(self, brand_id: str, customer: str, partner_id: str, since: datetime) -> str | None:
        items = CustomerItem.query(brand_pk(brand_id), CustomerItem.sk.startswith(f"CUSTOMER#{customer}#"))
        return next((i.partner_id for i in items if i.partner_id != partner_id and i.last_at >= since), None)

    def record(
        self,
        conversion: Conversion,
        month: PartnerMonth | None,
        month_version: int,
        cost: SpendWrite | None = None,
    ) -> None:
        """Put the order (once), its partner's month (at the version read), its customer and, for a
        commission, its cost accrual with the campaign's spend, in one transaction."""
        partner_id = conversion.attribution.partner_id
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_item(conversion), condition=ConversionItem.pk.does_not_exist())
                if month is not None and partner_id is not None:
                    item = _month_item(conversion.brand_id, partner_id, month, month_version + 1)
                    tx.save(item, condition=_month_condition(month_version))
                if conversion.customer_hash and partner_id is not None:
                    sk = f"CUSTOMER#{conversion.customer_hash}#{partner_id}"
                    tx.save(CustomerItem(
                        pk=brand_pk(conversion.brand_id), sk=sk, partner_id=partner_id,
                        last_at=conversion.occurred_at,
                    ))  # fmt: skip
                if cost is not None:
                    write_cost(tx, cost)
                add_to_transaction(tx, money_entries(None, conversion))
        except TransactWriteError as exc:
            failed = _failed(exc)
            if failed and failed[0]:
                raise AlreadyRecorded(conversion.order_id) from exc
            raise Moved("the partner's month") from exc

    def change(
        self, before: Conversion, after: Conversion, month: PartnerMonth | None, month_version: int,
        cost: SpendWrite | None = None,
    ) -> None:  # fmt: skip
        partner_id = after.attribution.partner_id
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_item(after), condition=ConversionItem.version == before.version)
                if month is not None and partner_id is not None:
                    item = _month_item(after.brand_id, partner_id, month, month_version + 1)
                    tx.save(item, condition=_month_condition(month_version))
                if cost is not None:
                    write_cost(tx, cost)
                add_to_transaction(tx, money_entries(before, after))
        except TransactWriteError as exc:
            raise Moved("the order, the partner's month or the campaign's spend") from exc

    def commissions_page(
        self, brand_id: str, today: date, status: CommissionStatus | None, partner_id: str | None,
        campaign_id: str | None, limit: int, cursor: str | None,
    ) -> tuple[list[Conversion], str | None]:  # fmt: skip
        conditions = [
            *([_status_filter(status, today)] if status else []),
            *([ConversionItem.partner_id == partner_id] if partner_id else []),
            *([ConversionItem.campaign_id == campaign_id] if campaign_id else []),
        ]
        condition: Condition | None = None
        for c in conditions:
            condition = c if condition is None else condition & c
        result = ConversionItem.gsi1.query(  # type: ignore[attr-defined]
            brand_list_pk(brand_id, "COMMISSIONS"),
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, brand_pk(brand_id)),
        )
        found = [_conversion(item) for item in result]
        return found, encode_cursor(result.last_evaluated_key) if len(found) == limit else None

    def commissions_of(self, brand_id: str, partner_ids: list[str]) -> dict[str, list[Conversion]]:
        """Every commission of these partners (at most 100 at a time: DynamoDB's IN takes 100 values), by
        partner. One pass over the brand's commission list, filtered on the server."""
        found: dict[str, list[Conversion]] = {p: [] for p in partner_ids}
        if not partner_ids:
            return found
        items = ConversionItem.gsi1.query(  # type: ignore[attr-defined]
            brand_list_pk(brand_id, "COMMISSIONS"),
            filter_condition=ConversionItem.partner_id.is_in(*partner_ids),
        )
        for item in items:
            found[item.partner_id].append(_conversion(item))
        return found


class DynamoShopSecretRepository:
    """Shop secrets, one item per brand and kind, replaced only at the version read (`set_at`)."""

    def get(self, brand_id: str, kind: SecretKind) -> ShopSecret | None:
        try:
            item = ShopSecretItem.get(brand_pk(brand_id), f"SHOPSECRET#{kind.value}", consistent_read=True)
        except DoesNotExist:
            return None
        return ShopSecret(
            brand_id=brand_id, kind=kind, current=decode(item.current), set_at=item.set_at,
            previous=decode(item.previous) if item.previous else None, previous_until=item.previous_until,
        )  # fmt: skip

    def put(self, secret: ShopSecret, replacing: datetime | None) -> None:
        item = ShopSecretItem(
            brand_pk(secret.brand_id), f"SHOPSECRET#{secret.kind.value}", current=encode(secret.current),
            set_at=secret.set_at, previous=encode(secret.previous) if secret.previous else None,
            previous_until=secret.previous_until,
        )  # fmt: skip
        condition = (
            ShopSecretItem.pk.does_not_exist() if replacing is None else ShopSecretItem.set_at == replacing
        )
        try:
            item.save(condition=condition)
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise Conflict("The secret was changed at the same moment; send the request again.") from exc
