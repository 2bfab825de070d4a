"""Submitted posts in DynamoDB. An approval is one transaction: the post (only while still submitted), the
partner's paid-post count (under its version) and the per-post fee's accrual with its campaign's spend
(`cost_repository.write_cost`), so a post is paid once and the `posts` limit and the budget both hold."""

from __future__ import annotations

import re
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from starling.conversions.cost_repository import write_cost
from starling.conversions.costs import SpendWrite
from starling.conversions.deliverables import ApprovalMoved, Check, Deliverable, DeliverableStatus, Fee
from starling.conversions.items import DeliverableItem, PaidPostsItem
from starling.shared.dynamo import transaction_connection
from starling.shared.errors import NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.paging import decode_cursor, encode_cursor

_DELIVERABLE_ID_RE = re.compile(r"^dlv_[A-Za-z0-9]{16}$")


def _fee_doc(fee: Fee | None) -> dict[str, Any] | None:
    return None if fee is None else vars(fee).copy()


def _item(d: Deliverable) -> DeliverableItem:
    return DeliverableItem(
        pk=brand_pk(d.brand_id),
        sk=f"DELIVERABLE#{d.deliverable_id}",
        gsi1pk=brand_list_pk(d.brand_id, "DELIVERABLES"),
        gsi1sk=f"{d.submitted_at.isoformat()}#{d.deliverable_id}",
        deliverable_id=d.deliverable_id,
        brand_id=d.brand_id,
        partner_id=d.partner_id,
        campaign_id=d.campaign_id,
        url=d.url,
        platform=d.platform,
        caption=d.caption,
        checks=[vars(c).copy() for c in d.checks],
        status=d.status.value,
        submitted_at=d.submitted_at,
        decided_at=d.decided_at,
        decided_by=d.decided_by,
        reason=d.reason,
        fee=_fee_doc(d.fee),
    )


def _deliverable(item: DeliverableItem) -> Deliverable:
    return Deliverable(
        item.deliverable_id,
        item.brand_id,
        item.partner_id,
        item.campaign_id,
        item.url,
        item.platform,
        item.caption,
        tuple(Check(**c) for c in item.checks),
        DeliverableStatus(item.status),
        item.submitted_at,
        item.decided_at,
        item.decided_by,
        item.reason,
        Fee(**item.fee) if item.fee else None,
    )


class DynamoDeliverableRepository:
    def __init__(self) -> None:
        self._connection = transaction_connection()

    def add(self, deliverable: Deliverable) -> None:
        _item(deliverable).save(condition=DeliverableItem.pk.does_not_exist())

    def get(self, brand_id: str, deliverable_id: str) -> Deliverable:
        if not _DELIVERABLE_ID_RE.match(deliverable_id):
            raise NotFound("No such post.")
        try:
            item = DeliverableItem.get(
                brand_pk(brand_id), f"DELIVERABLE#{deliverable_id}", consistent_read=True
            )
        except DoesNotExist as exc:
            raise NotFound("No such post.") from exc
        return _deliverable(item)

    def paid_posts(self, brand_id: str, partner_id: str) -> tuple[int, int]:
        """The partner's approved posts that earned a fee, and the count's version."""
        try:
            item = PaidPostsItem.get(brand_pk(brand_id), f"POSTS#{partner_id}", consistent_read=True)
        except DoesNotExist:
            return 0, 0
        return int(item.paid), int(item.version)

    def decide(
        self, after: Deliverable, paid: tuple[int, int] | None = None, cost: SpendWrite | None = None
    ) -> None:
        """Write the decision (only while the post is still submitted), with the paid-post count after it
        and the fee's accrual when it earned one."""
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_item(after), condition=DeliverableItem.status == DeliverableStatus.SUBMITTED.value)
                if paid is not None:
                    count, version = paid
                    item = PaidPostsItem(
                        pk=brand_pk(after.brand_id),
                        sk=f"POSTS#{after.partner_id}",
                        paid=count,
                        version=version + 1,
                    )
                    condition = (
                        PaidPostsItem.pk.does_not_exist()
                        if version == 0
                        else PaidPostsItem.version == version
                    )
                    tx.save(item, condition=condition)
                if cost is not None:
                    write_cost(tx, cost)
        except TransactWriteError as exc:
            raise ApprovalMoved(after.deliverable_id) from exc

    def page(
        self,
        brand_id: str,
        status: DeliverableStatus | None,
        partner_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Deliverable], str | None]:
        condition = None
        if status is not None:
            condition = DeliverableItem.status == status.value
        if partner_id is not None:
            by_partner = DeliverableItem.partner_id == partner_id
            condition = by_partner if condition is None else condition & by_partner
        result = DeliverableItem.gsi1.query(  # type: ignore[attr-defined]
            brand_list_pk(brand_id, "DELIVERABLES"),
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, brand_pk(brand_id)),
        )
        found = [_deliverable(item) for item in result]
        return found, encode_cursor(result.last_evaluated_key) if len(found) == limit else None
