"""Links in DynamoDB: the brand's item (the brand's partition / `LINK#<slug>`) and the redirect's lookup item
(`SLUG#<slug>` / `SLUG`), always written together in one transaction; the slug item's absence is what
keeps slugs unique across every brand of the deployment."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from starling.links.counters import LINK_STATS_PREFIX
from starling.links.items import LinkItem, LinkStatsItem, RedirectItem, SlugForwardItem
from starling.links.model import Link, LinkFigures
from starling.links.redirect_store import SLUG_PK_PREFIX, SLUG_SK
from starling.links.redirects import RedirectEntry
from starling.shared.dynamo import transaction_connection
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.paging import decode_cursor, encode_cursor


def _partner_pk(brand_id: str, partner_id: str) -> str:
    return brand_list_pk(brand_id, "LINKS", partner_id)


def _link(item: LinkItem) -> Link:
    return Link(
        slug=item.slug,
        brand_id=item.brand_id,
        partner_id=item.partner_id,
        destination_url=item.destination_url,
        product_id=item.product_id,
        campaign_id=item.campaign_id,
        utm=dict(item.utm or {}),
        ios_url=item.ios_url,
        android_url=item.android_url,
        expires_at=item.link_expires_at,
        disabled=bool(item.disabled),
        archived_at=item.archived_at,
        previous_slugs=tuple(str(s) for s in item.previous_slugs or ()),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _figures(item: LinkStatsItem | None) -> LinkFigures:
    if item is None:
        return LinkFigures()
    return LinkFigures(int(item.c or 0), int(item.u or 0), int(item.b or 0), int(item.f or 0))


def _stats(brand_id: str, slugs: list[str]) -> dict[str, LinkStatsItem]:
    """The lifetime figures of these slugs (one BatchGetItem per 100); slugs never clicked have none."""
    keys = [(brand_pk(brand_id), LINK_STATS_PREFIX + slug) for slug in dict.fromkeys(slugs)]
    found = LinkStatsItem.batch_get(keys) if keys else []
    return {item.sk.removeprefix(LINK_STATS_PREFIX): item for item in found}


def _with_figures(brand_id: str, items: list[LinkItem]) -> list[tuple[Link, LinkFigures]]:
    """Each link with its lifetime figures: those of its slug and of the slugs it had before a rename."""
    links = [_link(item) for item in items]
    stats = _stats(brand_id, [slug for link in links for slug in (link.slug, *link.previous_slugs)])
    return [
        (link, _total([_figures(stats.get(s)) for s in (link.slug, *link.previous_slugs)])) for link in links
    ]


def _total(figures: list[LinkFigures]) -> LinkFigures:
    return LinkFigures(*(sum(getattr(f, name) for f in figures) for name in LinkFigures.__dataclass_fields__))


def _new_item(link: Link) -> LinkItem:
    return LinkItem(
        pk=brand_pk(link.brand_id),
        sk=f"LINK#{link.slug}",
        gsi1pk=_partner_pk(link.brand_id, link.partner_id),
        gsi1sk=f"{link.created_at.isoformat()}#{link.slug}",
        slug=link.slug,
        brand_id=link.brand_id,
        partner_id=link.partner_id,
        destination_url=link.destination_url,
        product_id=link.product_id,
        campaign_id=link.campaign_id,
        utm=link.utm,
        ios_url=link.ios_url,
        android_url=link.android_url,
        link_expires_at=link.expires_at,
        disabled=link.disabled,
        archived_at=link.archived_at,
        previous_slugs=list(link.previous_slugs) or None,
        created_at=link.created_at,
        updated_at=link.updated_at,
    )


def _redirect_item(target: RedirectEntry) -> RedirectItem:
    return RedirectItem(
        pk=SLUG_PK_PREFIX + target.slug,
        sk=SLUG_SK,
        slug=target.slug,
        brand_id=target.brand_id,
        partner_id=target.partner_id,
        campaign_id=target.campaign_id,
        url=target.url,
        ios_url=target.ios_url,
        android_url=target.android_url,
        fallback_url=target.fallback_url,
        disabled=target.disabled,
        expires_epoch=target.expires_epoch,
    )


def _changed_fields(link: Link) -> list[Any]:
    """Every field a PATCH may change, as update actions; the aggregator's figures are left alone."""
    a = LinkItem
    actions: list[Any] = [
        a.destination_url.set(link.destination_url),
        a.utm.set(link.utm),
        a.disabled.set(link.disabled),
        a.updated_at.set(link.updated_at),
    ]
    for attribute, value in (
        (a.product_id, link.product_id),
        (a.campaign_id, link.campaign_id),
        (a.ios_url, link.ios_url),
        (a.android_url, link.android_url),
    ):
        actions.append(attribute.set(value) if value is not None else attribute.remove())
    for moment, when in ((a.link_expires_at, link.expires_at), (a.archived_at, link.archived_at)):
        actions.append(moment.set(when) if when else moment.remove())
    return actions


class DynamoLinkRepository:
    def __init__(self) -> None:
        self._connection = transaction_connection()

    def create(self, link: Link, target: RedirectEntry) -> None:
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.save(_redirect_item(target), condition=RedirectItem.pk.does_not_exist())
                tx.save(_new_item(link), condition=LinkItem.pk.does_not_exist())
        except TransactWriteError as exc:
            raise Conflict(f"The slug '{link.slug}' is taken; choose another.", {"slug": link.slug}) from exc

    def update(self, link: Link, target: RedirectEntry) -> None:
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.update(
                    LinkItem(brand_pk(link.brand_id), f"LINK#{link.slug}"),
                    actions=_changed_fields(link),
                    condition=LinkItem.pk.exists(),
                )
                tx.save(_redirect_item(target))
        except TransactWriteError as exc:
            raise NotFound("No such link.") from exc

    def get(self, brand_id: str, slug: str) -> tuple[Link, LinkFigures]:
        try:
            item = LinkItem.get(brand_pk(brand_id), f"LINK#{slug}", consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound("No such link.", {"slug": slug}) from exc
        return _with_figures(brand_id, [item])[0]

    def list_page(
        self, brand_id: str, partner_id: str | None, limit: int, cursor: str | None, archived: bool = False
    ) -> tuple[list[tuple[Link, LinkFigures]], str | None]:
        start = decode_cursor(cursor, brand_pk(brand_id))
        kept = LinkItem.archived_at.exists() if archived else LinkItem.archived_at.does_not_exist()
        if partner_id:
            if start and start.get("gsi1pk", {}).get("S") != _partner_pk(brand_id, partner_id):
                raise Invalid("cursor is not one this list gave out.", {"cursor": cursor})
            result = LinkItem.gsi1.query(  # type: ignore[attr-defined]
                _partner_pk(brand_id, partner_id),
                limit=limit,
                last_evaluated_key=start,
                filter_condition=kept,
            )
        else:
            if start and not str(start.get("sk", {}).get("S", "")).startswith("LINK#"):
                raise Invalid("cursor is not one this list gave out.", {"cursor": cursor})
            result = LinkItem.query(
                brand_pk(brand_id),
                LinkItem.sk.startswith("LINK#"),
                limit=limit,
                last_evaluated_key=start,
                filter_condition=kept,
            )
        return _with_figures(brand_id, list(result)), encode_cursor(result.last_evaluated_key)

    def all(self, brand_id: str) -> list[Link]:
        return [_link(i) for i in LinkItem.query(brand_pk(brand_id), LinkItem.sk.startswith("LINK#"))]

    def save_targets(self, targets: list[RedirectEntry]) -> None:
        with RedirectItem.batch_write() as batch:
            for target in targets:
                batch.save(_redirect_item(target))

    def rename(self, old_slug: str, link: Link, target: RedirectEntry, forward_until_epoch: int) -> None:
        forward = SlugForwardItem(
            pk=SLUG_PK_PREFIX + old_slug,
            sk=SLUG_SK,
            slug=old_slug,
            brand_id=link.brand_id,
            moved_to=link.slug,
            expires_at=forward_until_epoch,
        )
        try:
            with TransactWrite(connection=self._connection) as tx:
                tx.delete(
                    LinkItem(brand_pk(link.brand_id), f"LINK#{old_slug}"), condition=LinkItem.pk.exists()
                )
                tx.save(_redirect_item(target), condition=RedirectItem.pk.does_not_exist())
                tx.save(_new_item(link), condition=LinkItem.pk.does_not_exist())
                tx.save(forward)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                raise NotFound("No such link.", {"slug": old_slug}) from exc
            raise Conflict(f"The slug '{link.slug}' is taken; choose another.", {"slug": link.slug}) from exc
