"""The slug lookup items the redirect reads: `SLUG#<slug>` / `SLUG`, one per link, holding the destinations
with their UTM parameters already applied. Written by the links repository in the same transaction as the
brand's own link item; read here with one GetItem, with nothing but boto3's low-level client.

Kept lean on purpose: the redirect imports this module, so it must not pull in PynamoDB or Powertools."""

from __future__ import annotations

import time
from typing import Any

from starling.links.redirects import RedirectEntry

SLUG_PK_PREFIX = "SLUG#"
SLUG_SK = "SLUG"
# A renamed link's old slug: an item `moved_to` its new slug, deleted by the table's TTL (`expires_at`)
# after RENAME_FORWARD_DAYS. DynamoDB deletes expired items within a day or two, so the read checks too.
MOVED_TO = "moved_to"
RENAME_FORWARD_DAYS = 30
_MAX_HOPS = 3


def slug_key(slug: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": SLUG_PK_PREFIX + slug}, "sk": {"S": SLUG_SK}}


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value["S"] if value and "S" in value else None


def entry_from_item(item: dict[str, Any]) -> RedirectEntry:
    expires = item.get("expires_epoch")
    return RedirectEntry(
        slug=item["slug"]["S"],
        brand_id=item["brand_id"]["S"],
        partner_id=item["partner_id"]["S"],
        campaign_id=_text(item, "campaign_id"),
        url=item["url"]["S"],
        ios_url=_text(item, "ios_url"),
        android_url=_text(item, "android_url"),
        fallback_url=_text(item, "fallback_url"),
        disabled=bool(item.get("disabled", {}).get("BOOL", False)),
        expires_epoch=int(expires["N"]) if expires and "N" in expires else None,
    )


def item_from_entry(entry: RedirectEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        **slug_key(entry.slug),
        "slug": {"S": entry.slug},
        "brand_id": {"S": entry.brand_id},
        "partner_id": {"S": entry.partner_id},
        "url": {"S": entry.url},
        "disabled": {"BOOL": entry.disabled},
    }
    for name in ("campaign_id", "ios_url", "android_url", "fallback_url"):
        value = getattr(entry, name)
        if value:
            item[name] = {"S": value}
    if entry.expires_epoch is not None:
        item["expires_epoch"] = {"N": str(entry.expires_epoch)}
    return item


class RedirectStore:
    """One eventually consistent GetItem per slug; the caller caches."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def find(self, slug: str, now_epoch: float | None = None) -> RedirectEntry | None:
        """The slug's entry; for a renamed link's old slug, the link's entry under its new slug (whose `slug`
        the clicks are counted under) until the forward expires, then None."""
        now_epoch = time.time() if now_epoch is None else now_epoch
        for _ in range(_MAX_HOPS):
            item = self._client.get_item(TableName=self._table, Key=slug_key(slug)).get("Item")
            if not item:
                return None
            if MOVED_TO not in item:
                return entry_from_item(item)
            if float(item.get("expires_at", {}).get("N", "0")) <= now_epoch:
                return None
            slug = item[MOVED_TO]["S"]
        return None
