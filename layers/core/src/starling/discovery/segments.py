"""An owner's search segments: immutable objects in S3, listed by one manifest item in DynamoDB.

The manifest (`SEARCH#MANIFEST` under the owner's partition) lists the owner's segments, oldest first, with
the rows each holds, the owner's creator count and a generation. It is the only thing a reader trusts, and
a write moves it in one conditional UpdateItem, so search sees a write whole or not at all:

1. a write puts its new segment objects first (new keys, never overwritten), then
2. moves the manifest if its generation is still the one it read (another write in between: read again,
   plan again); only then
3. deletes the objects the manifest no longer lists. A reader that still held one and finds it gone reads
   the manifest again.

A write that fails before step 2 has changed nothing a reader sees; its objects are garbage, never listed.

An import appends one segment with its rows; a creator in more than one segment is the newest one's row.
Segments are merged as they are appended (the logarithmic method): while the newest segment holds at least
half the rows of the one before it, the two become one, up to `MAX_MERGED_ROWS`. So an owner has about
log2(creators / import size) segments plus one per `MAX_MERGED_ROWS`, and each row is rewritten about
log2 times over its life. Erasing a creator rewrites the segments that hold its row, so its data leaves S3.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, UpdateError

from starling.discovery.columns import SearchColumns
from starling.discovery.items import SearchManifestItem, SegmentRef
from starling.shared.observability import logger

MAX_MERGED_ROWS = 2_000_000  # segments bigger than this are not merged further (a 10M owner has ~5 of them)
_MANIFEST = "SEARCH#MANIFEST"
_READERS = 8


@dataclass(frozen=True)
class Manifest:
    generation: int
    creators: int
    segments: tuple[tuple[str, int], ...]  # (object key, rows), oldest first
    exists: bool = True


class SegmentGone(Exception):
    """A segment object the manifest listed has been deleted since (a newer manifest replaced it)."""


class SearchSegments:
    """The owners' manifests and one bucket's segment objects (see the module's docstring)."""

    def __init__(self, bucket: str, s3: Any = None) -> None:
        self.bucket = bucket
        self.s3 = s3 or boto3.client("s3")

    # --- reading -------------------------------------------------------------------------------------

    def manifest(self, pk: str) -> Manifest:
        try:
            item = SearchManifestItem.get(pk, _MANIFEST, consistent_read=True)
        except DoesNotExist:
            return Manifest(0, 0, (), exists=False)
        refs = tuple((ref.key, int(ref.rows)) for ref in item.segments or ())
        return Manifest(int(item.generation or 0), int(item.creators or 0), refs)

    def read(self, key: str) -> SearchColumns:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey as exc:
            raise SegmentGone(key) from exc
        return SearchColumns.decode(body)

    def read_many(self, keys: Sequence[str]) -> dict[str, SearchColumns]:
        if len(keys) <= 1:
            return {key: self.read(key) for key in keys}
        with ThreadPoolExecutor(max_workers=min(_READERS, len(keys))) as pool:
            return dict(zip(keys, pool.map(self.read, keys), strict=True))

    def snapshot(self, pk: str, known: Collection[str]) -> tuple[Manifest, dict[str, SearchColumns]]:
        """The manifest, and the segments it lists that are not in `known`; read again when a segment went
        away while reading (a write replaced it)."""
        for _ in range(5):
            manifest = self.manifest(pk)
            try:
                return manifest, self.read_many([k for k, _ in manifest.segments if k not in known])
            except SegmentGone:
                continue
        raise SegmentGone(pk)

    # --- writing -------------------------------------------------------------------------------------

    def append(self, pk: str, columns: SearchColumns, added: int) -> None:
        """List `columns` as the owner's newest segment, merging as the module's docstring says, and add
        `added` to the creator count; all in one move of the manifest."""
        key = self._put(pk, columns)
        known = {key: columns}

        def plan(manifest: Manifest) -> tuple[list[tuple[str, int]], list[str]]:
            segments, written = [*manifest.segments, (key, len(columns))], []
            while len(segments) >= 2:
                (older, older_rows), (newer, newer_rows) = segments[-2], segments[-1]
                if newer_rows * 2 < older_rows or older_rows + newer_rows > MAX_MERGED_ROWS:
                    break
                for missing in (k for k in (older, newer) if k not in known):
                    known[missing] = self.read(missing)
                merged = SearchColumns.concat([known[older], known[newer]]).latest()
                merged_key = self._put(pk, merged)
                known[merged_key] = merged
                written.append(merged_key)
                segments[-2:] = [(merged_key, len(merged))]
            return segments, written

        self._move(pk, plan, lambda manifest: manifest.creators + added)

    # The creator count adds each write's new creators. A write repeated after a failure finds the failed
    # part's creators already saved and counts them as updated, so the sum can fall short by those; it is
    # exact again whenever one segment is left (its rows), which merging brings about as an owner grows.

    def remove(self, pk: str, creator_id: str) -> None:
        """Rewrite each segment holding the creator's row without it, and count the creator out."""
        found: list[bool] = []

        def plan(manifest: Manifest) -> tuple[list[tuple[str, int]], list[str]]:
            segments, written = [], []
            found.clear()
            for key, rows in manifest.segments:
                columns = self.read(key)
                if not columns.holds(creator_id):
                    segments.append((key, rows))
                    continue
                found.append(True)
                kept = columns.without([creator_id])
                if len(kept):
                    kept_key = self._put(pk, kept)
                    written.append(kept_key)
                    segments.append((kept_key, len(kept)))
            return segments, written

        self._move(pk, plan, lambda manifest: max(0, manifest.creators - (1 if found else 0)))

    def _move(
        self,
        pk: str,
        plan: Callable[[Manifest], tuple[list[tuple[str, int]], list[str]]],
        creators: Callable[[Manifest], int],
    ) -> None:
        while True:
            manifest = self.manifest(pk)
            try:
                segments, written = plan(manifest)
            except SegmentGone:
                continue  # a write in between replaced a segment: plan on the new manifest
            count = segments[0][1] if len(segments) == 1 else creators(manifest)
            if self._commit(pk, manifest, segments, count):
                listed = {key for key, _ in segments}
                self._delete([key for key, _ in manifest.segments if key not in listed])
                return
            self._delete(written)

    def _commit(self, pk: str, read: Manifest, segments: list[tuple[str, int]], creators: int) -> bool:
        item = SearchManifestItem(pk=pk, sk=_MANIFEST)
        condition = (
            SearchManifestItem.generation == read.generation
            if read.exists
            else SearchManifestItem.pk.does_not_exist()
        )
        try:
            item.update(
                actions=[
                    SearchManifestItem.segments.set([SegmentRef(key=k, rows=r) for k, r in segments]),
                    SearchManifestItem.creators.set(creators),
                    SearchManifestItem.generation.set(read.generation + 1),
                ],
                condition=condition,
            )
            return True
        except UpdateError as exc:
            if "ConditionalCheckFailed" in str(exc):
                return False
            raise

    def _put(self, pk: str, columns: SearchColumns) -> str:
        key = f"search/{pk}/{uuid.uuid4().hex}"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=columns.encode())
        return key

    def _delete(self, keys: Sequence[str]) -> None:
        """Best effort: an object left behind is never listed again, so it only costs its storage."""
        for start in range(0, len(keys), 1000):
            try:
                self.s3.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]], "Quiet": True},
                )
            except (BotoCoreError, ClientError) as exc:
                logger.warning("Search segments left behind", extra={"keys": len(keys), "error": str(exc)})
