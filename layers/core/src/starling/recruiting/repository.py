"""Partners, their timelines and the brand's email templates in DynamoDB."""

from __future__ import annotations

import secrets
from datetime import date

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from starling.recruiting.items import CouponItem, EmailTemplateItem, PartnerItem, RateLimitItem, TimelineItem
from starling.recruiting.model import EmailTemplate, Partner, Stage, TimelineEntry, coupon_key
from starling.shared.dynamo import transaction_connection
from starling.shared.errors import Conflict, NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.paging import decode_cursor, encode_cursor


def _list_pk(brand_id: str) -> str:
    return brand_list_pk(brand_id, "PARTNERS")


def _item(partner: Partner) -> PartnerItem:
    return PartnerItem(
        pk=brand_pk(partner.brand_id),
        sk=f"PARTNER#{partner.partner_id}",
        gsi1pk=_list_pk(partner.brand_id),
        gsi1sk=f"{partner.stage.value}#{partner.created_at.isoformat()}#{partner.partner_id}",
        partner_id=partner.partner_id,
        brand_id=partner.brand_id,
        creator_id=partner.creator_id,
        platform=partner.platform,
        handle=partner.handle,
        display_name=partner.display_name,
        email=partner.email,
        stage=partner.stage.value,
        stage_entered_at=partner.stage_entered_at,
        created_at=partner.created_at,
        updated_at=partner.updated_at,
        owner=partner.owner,
        follow_up_on=partner.follow_up_on.isoformat() if partner.follow_up_on else None,
        notes=partner.notes,
        network_contact_id=partner.network_contact_id,
        coupon_codes=list(partner.coupon_codes) or None,
    )


def _partner(item: PartnerItem) -> Partner:
    return Partner(
        partner_id=item.partner_id,
        brand_id=item.brand_id,
        creator_id=item.creator_id,
        platform=item.platform,
        handle=item.handle,
        display_name=item.display_name or "",
        email=item.email,
        stage=Stage(item.stage),
        stage_entered_at=item.stage_entered_at,
        created_at=item.created_at,
        updated_at=item.updated_at,
        owner=item.owner,
        follow_up_on=date.fromisoformat(item.follow_up_on) if item.follow_up_on else None,
        notes=item.notes or "",
        network_contact_id=item.network_contact_id,
        coupon_codes=tuple(str(code) for code in item.coupon_codes or ()),
    )


def _timeline_item(brand_id: str, partner_id: str, entry: TimelineEntry) -> TimelineItem:
    return TimelineItem(
        pk=brand_pk(brand_id),
        sk=f"HISTORY#{partner_id}#{entry.at.isoformat()}#{secrets.token_hex(4)}",
        partner_id=partner_id,
        kind=entry.kind,
        at=entry.at,
        actor=entry.actor,
        from_stage=entry.from_stage.value if entry.from_stage else None,
        to_stage=entry.to_stage.value if entry.to_stage else None,
        note=entry.note,
        email_to=entry.email_to,
        email_subject=entry.email_subject,
        message_id=entry.message_id,
        undo=entry.undo,
    )


def _entry(item: TimelineItem) -> TimelineEntry:
    return TimelineEntry(
        kind=item.kind,
        at=item.at,
        actor=item.actor,
        from_stage=Stage(item.from_stage) if item.from_stage else None,
        to_stage=Stage(item.to_stage) if item.to_stage else None,
        note=item.note or "",
        email_to=item.email_to,
        email_subject=item.email_subject,
        message_id=item.message_id,
        undo=bool(item.undo),
    )


class DynamoPartnerRepository:
    """The `PartnerRepository` port on the core table."""

    def __init__(self) -> None:
        self._connection = transaction_connection()

    def create(self, partner: Partner, entries: list[TimelineEntry]) -> None:
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_item(partner), condition=PartnerItem.pk.does_not_exist())
                for entry in entries:
                    tx.save(_timeline_item(partner.brand_id, partner.partner_id, entry))
        except TransactWriteError as exc:
            raise Conflict(
                "This creator is already in the pipeline.", {"partner_id": partner.partner_id}
            ) from exc

    def get(self, brand_id: str, partner_id: str) -> Partner:
        try:
            return _partner(
                PartnerItem.get(brand_pk(brand_id), f"PARTNER#{partner_id}", consistent_read=True)
            )
        except DoesNotExist as exc:
            raise NotFound("No such partner.") from exc

    def list_page(
        self, brand_id: str, stage: Stage | None, limit: int, cursor: str | None
    ) -> tuple[list[Partner], str | None]:
        condition = PartnerItem.gsi1sk.startswith(f"{stage.value}#") if stage else None
        result = PartnerItem.gsi1.query(  # type: ignore[attr-defined]
            _list_pk(brand_id),
            condition,
            limit=limit,
            last_evaluated_key=decode_cursor(cursor, brand_pk(brand_id)),
        )
        partners = [_partner(item) for item in result]
        return partners, encode_cursor(result.last_evaluated_key)

    def all(self, brand_id: str) -> list[Partner]:
        return [
            _partner(i) for i in PartnerItem.query(brand_pk(brand_id), PartnerItem.sk.startswith("PARTNER#"))
        ]

    def move(self, before: Partner, after: Partner, entries: list[TimelineEntry]) -> None:
        """Save the new stage and its timeline entries in one transaction, if nobody moved it meanwhile."""
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_item(after), condition=PartnerItem.stage == before.stage.value)
                for entry in entries:
                    tx.save(_timeline_item(after.brand_id, after.partner_id, entry))
        except TransactWriteError as exc:
            raise Conflict("The partner's stage changed meanwhile; read it again.") from exc

    def save(self, partner: Partner, before: Partner | None = None) -> None:
        old = {coupon_key(c) for c in before.coupon_codes} if before else set()
        new = {coupon_key(c): c for c in partner.coupon_codes}
        if before is None or old == new.keys():
            _item(partner).save(condition=PartnerItem.pk.exists())
            return
        pk, owner = brand_pk(partner.brand_id), partner.partner_id
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_item(partner), condition=PartnerItem.pk.exists())
                for key in new.keys() - old:
                    coupon = CouponItem(pk=pk, sk=f"COUPON#{key}", partner_id=owner, code=new[key])
                    tx.save(
                        coupon, condition=CouponItem.pk.does_not_exist() | (CouponItem.partner_id == owner)
                    )
                for key in old - new.keys():
                    tx.delete(CouponItem(pk=pk, sk=f"COUPON#{key}"), condition=CouponItem.partner_id == owner)
        except TransactWriteError as exc:
            raise Conflict(
                "A coupon code is another partner's already (codes are unique per brand, in any case).",
                {"coupon_codes": sorted(new.values())},
            ) from exc

    def partner_for_coupon(self, brand_id: str, code: str) -> Partner | None:
        try:
            owner = CouponItem.get(brand_pk(brand_id), f"COUPON#{coupon_key(code)}", consistent_read=True)
            return self.get(brand_id, owner.partner_id)
        except (DoesNotExist, NotFound):
            return None

    def add_entries(self, brand_id: str, partner_id: str, entries: list[TimelineEntry]) -> None:
        with TimelineItem.batch_write() as batch:
            for entry in entries:
                batch.save(_timeline_item(brand_id, partner_id, entry))

    def timeline(self, brand_id: str, partner_id: str | None = None) -> list[tuple[str, TimelineEntry]]:
        """(partner_id, entry) in time order, for one partner or the whole brand."""
        prefix = f"HISTORY#{partner_id}#" if partner_id else "HISTORY#"
        items = TimelineItem.query(brand_pk(brand_id), TimelineItem.sk.startswith(prefix))
        return sorted(((i.partner_id, _entry(i)) for i in items), key=lambda pe: pe[1].at)

    def erase_timeline(self, brand_id: str, partner_id: str) -> None:
        """Empty the personal data of the partner's timeline (notes, addresses emailed); the rest stays."""
        items = TimelineItem.query(brand_pk(brand_id), TimelineItem.sk.startswith(f"HISTORY#{partner_id}#"))
        with TimelineItem.batch_write() as batch:
            for item in items:
                item.note, item.email_to = "", None
                batch.save(item)

    def email_template(self, brand_id: str, name: str) -> EmailTemplate | None:
        try:
            item = EmailTemplateItem.get(brand_pk(brand_id), f"TEMPLATE#{name}")
        except DoesNotExist:
            return None
        return EmailTemplate(subject=item.subject, text_body=item.text_body, html_body=item.html_body)

    def save_email_template(self, brand_id: str, name: str, template: EmailTemplate) -> None:
        EmailTemplateItem(
            pk=brand_pk(brand_id),
            sk=f"TEMPLATE#{name}",
            subject=template.subject,
            text_body=template.text_body,
            html_body=template.html_body,
        ).save()

    def delete_email_template(self, brand_id: str, name: str) -> None:
        """Remove the brand's own version, if any (deleting none is no error)."""
        EmailTemplateItem(pk=brand_pk(brand_id), sk=f"TEMPLATE#{name}").delete()


class DynamoRateLimiter:
    """The `RateLimiter` port: one counter item per key and window, removed by TTL."""

    def hit(self, key: str, window_seconds: int, now_epoch: int) -> int:
        """Count one more request for `key` in its window; the count so far, this one included."""
        item = RateLimitItem(pk=f"RATE#{key}", sk="RATE")
        item.update(
            actions=[
                RateLimitItem.hits.add(1),
                RateLimitItem.expires_at.set(now_epoch + window_seconds),
            ]
        )
        return int(item.hits)
