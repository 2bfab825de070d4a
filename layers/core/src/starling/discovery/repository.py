"""Creators in DynamoDB, and the search segments discovery reads.

An owner's partition is its brand's (`brand_pk`) or the shared network's (`NETWORK_PK`). Creator ids are
derived from the platform and handle, so a re-import finds its creator by key, without an index. Search
rows are kept in `SEGMENTS` segments by a hash of the creator id, each a zlib-compressed JSON array of
rows with a version, and the owner's manifest holds a generation that moves after every write.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from starling.discovery.items import CreatorItem, SearchManifestItem, SearchSegmentItem
from starling.discovery.model import Creator, Owner, Platform, SearchRow, SegmentSnapshot
from starling.shared.errors import NotFound
from starling.shared.keys import NETWORK_PK, brand_pk

SEGMENTS = 64
_MANIFEST = "SEARCH#MANIFEST"
_WRITE_CHUNK = 250  # items per writer task (ten BatchWriteItem calls)
_WRITERS = 8  # BatchWriteItem calls in flight at once: a 10,000-row import is I/O-bound


def owner_pk(owner: Owner) -> str:
    return NETWORK_PK if owner.brand_id is None else brand_pk(owner.brand_id)


def segment_of(creator_id: str) -> int:
    return int(hashlib.sha256(creator_id.encode()).hexdigest()[:8], 16) % SEGMENTS


def _row_as_list(row: SearchRow) -> list[Any]:
    return [
        row.creator_id, row.platform, row.handle, row.name, row.followers, row.engagement,
        list(row.niches), row.country, row.language, list(row.flags), list(row.tokens),
    ]  # fmt: skip


def _row_from_list(raw: Sequence[Any]) -> SearchRow:
    return SearchRow(
        raw[0], raw[1], raw[2], raw[3], int(raw[4]), float(raw[5]),
        tuple(raw[6]), raw[7], raw[8], tuple(raw[9]), tuple(raw[10]),
    )  # fmt: skip


def encode_segment(rows: Iterable[SearchRow]) -> bytes:
    raw = json.dumps([_row_as_list(r) for r in rows], separators=(",", ":")).encode()
    return zlib.compress(raw, 6)


def decode_segment(blob: bytes) -> list[SearchRow]:
    return [_row_from_list(r) for r in json.loads(zlib.decompress(blob))]


def _write_chunk(items: list[CreatorItem]) -> None:
    with CreatorItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def _to_creator(item: CreatorItem) -> Creator:
    return Creator(
        creator_id=item.creator_id,
        platform=Platform(item.platform),
        handle=item.handle,
        created_at=item.created_at,
        updated_at=item.updated_at,
        display_name=item.display_name or "",
        followers=int(item.followers or 0),
        avg_likes=int(item.avg_likes or 0),
        avg_comments=int(item.avg_comments or 0),
        avg_views=int(item.avg_views or 0),
        niches=tuple(str(n) for n in item.niches or ()),
        country=item.country,
        language=item.language,
        email=item.email,
        profile_url=item.profile_url,
        notes=item.notes or "",
        discoverable=bool(item.discoverable),
        brand_safety_flags=tuple(str(f) for f in item.brand_safety_flags or ()),
        network_contact_id=item.network_contact_id,
    )


def _to_item(owner: Owner, creator: Creator) -> CreatorItem:
    return CreatorItem(
        pk=owner_pk(owner),
        sk=f"CREATOR#{creator.creator_id}",
        creator_id=creator.creator_id,
        platform=creator.platform.value,
        handle=creator.handle,
        display_name=creator.display_name,
        followers=creator.followers,
        avg_likes=creator.avg_likes,
        avg_comments=creator.avg_comments,
        avg_views=creator.avg_views,
        niches=list(creator.niches),
        country=creator.country,
        language=creator.language,
        email=creator.email,
        profile_url=creator.profile_url,
        notes=creator.notes,
        discoverable=creator.discoverable,
        brand_safety_flags=list(creator.brand_safety_flags),
        network_contact_id=creator.network_contact_id,
        created_at=creator.created_at,
        updated_at=creator.updated_at,
    )


class DynamoCreatorRepository:
    def get(self, owner: Owner, creator_id: str) -> Creator:
        try:
            return _to_creator(CreatorItem.get(owner_pk(owner), f"CREATOR#{creator_id}"))
        except DoesNotExist as exc:
            raise NotFound("No such creator.") from exc

    def get_many(self, owner: Owner, creator_ids: Iterable[str]) -> dict[str, Creator]:
        keys = [(owner_pk(owner), f"CREATOR#{cid}") for cid in dict.fromkeys(creator_ids)]
        found: dict[str, Creator] = {}
        for start in range(0, len(keys), 100):
            for item in CreatorItem.batch_get(keys[start : start + 100]):
                found[item.creator_id] = _to_creator(item)
        return found

    def save_many(self, owner: Owner, creators: list[Creator]) -> None:
        """Write the creators, then their search rows, then bump the owner's search generation."""
        pk = owner_pk(owner)
        items = [_to_item(owner, creator) for creator in creators]
        chunks = [items[start : start + _WRITE_CHUNK] for start in range(0, len(items), _WRITE_CHUNK)]
        with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
            list(pool.map(_write_chunk, chunks))
        by_segment: dict[int, dict[str, SearchRow]] = {}
        for creator in creators:
            segment_rows = by_segment.setdefault(segment_of(creator.creator_id), {})
            segment_rows[creator.creator_id] = SearchRow.of(creator)
        for segment, rows in by_segment.items():
            self._merge_into_segment(pk, segment, rows)
        SearchManifestItem(pk=pk, sk=_MANIFEST).update(actions=[SearchManifestItem.generation.add(1)])

    def remove(self, owner: Owner, creator_id: str) -> None:
        """Delete the creator, then its search row, then bump the owner's search generation."""
        pk = owner_pk(owner)
        CreatorItem(pk=pk, sk=f"CREATOR#{creator_id}").delete()
        self._merge_into_segment(pk, segment_of(creator_id), {}, removed=creator_id)
        SearchManifestItem(pk=pk, sk=_MANIFEST).update(actions=[SearchManifestItem.generation.add(1)])

    def _merge_into_segment(
        self, pk: str, segment: int, rows: dict[str, SearchRow], removed: str | None = None
    ) -> None:
        sk = f"SEARCH#{segment:02d}"
        while True:  # optimistic: another import may write the same segment at the same time
            try:
                current = SearchSegmentItem.get(pk, sk, consistent_read=True)
                version, existing = int(current.version), decode_segment(current.data)
            except DoesNotExist:
                version, existing = 0, []
            merged = {r.creator_id: r for r in existing}
            merged.update(rows)
            merged.pop(removed or "", None)
            data = encode_segment(merged.values())
            item = SearchSegmentItem(pk=pk, sk=sk, data=data, version=version + 1)
            condition = (
                SearchSegmentItem.version == version if version else SearchSegmentItem.pk.does_not_exist()
            )
            try:
                item.save(condition=condition)
                return
            except PutError as exc:
                if "ConditionalCheckFailed" not in str(exc):
                    raise

    def search_generation(self, owner: Owner) -> int:
        try:
            return int(SearchManifestItem.get(owner_pk(owner), _MANIFEST, consistent_read=True).generation)
        except DoesNotExist:
            return 0

    def load_segments(self, owner: Owner, known: dict[int, int]) -> dict[int, SegmentSnapshot]:
        """Segments whose version differs from `known` (segment -> version), decoded."""
        keys = [(owner_pk(owner), f"SEARCH#{s:02d}") for s in range(SEGMENTS)]
        changed: dict[int, SegmentSnapshot] = {}
        for start in range(0, len(keys), 100):
            for item in SearchSegmentItem.batch_get(keys[start : start + 100]):
                segment = int(item.sk.removeprefix("SEARCH#"))
                if known.get(segment) != int(item.version):
                    changed[segment] = SegmentSnapshot(int(item.version), decode_segment(item.data))
        return changed
