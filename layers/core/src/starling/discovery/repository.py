"""Creators in DynamoDB, and the search segments discovery reads (in S3, see starling.discovery.segments).

An owner's partition is its brand's (`brand_pk`) or the shared network's (`NETWORK_PK`). Creator ids are
derived from the platform and handle, so a re-import finds its creator by key, without an index. A save
writes the creators first, then their search rows as one segment listed by one move of the owner's
manifest; a save that fails leaves search as it was, and saving the same creators again repairs it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, PynamoDBException

from starling.discovery.columns import SearchColumns
from starling.discovery.importing import RejectedRow
from starling.discovery.items import CreatorItem, ImportJobItem
from starling.discovery.model import (
    Creator,
    Owner,
    Platform,
    SearchNotUpdated,
    SearchRow,
    SearchSnapshot,
)
from starling.discovery.segments import SearchSegments
from starling.discovery.uploads import ImportJob
from starling.shared.errors import NotFound
from starling.shared.keys import NETWORK_PK, brand_pk
from starling.shared.settings import MissingSettings, Settings

_STORAGE_ERRORS = (BotoCoreError, ClientError, PynamoDBException)

_WRITE_CHUNK = 250  # items per writer task (ten BatchWriteItem calls)
_WRITERS = 8  # BatchWriteItem calls in flight at once: a 10,000-row import is I/O-bound


def owner_pk(owner: Owner) -> str:
    return NETWORK_PK if owner.brand_id is None else brand_pk(owner.brand_id)


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


@lru_cache(maxsize=4)
def _search_segments(bucket: str, region: str, endpoint: str | None) -> SearchSegments:
    """One S3 client per bucket and endpoint for the life of the function (made on first use)."""
    return SearchSegments(bucket, boto3.client("s3", region_name=region, endpoint_url=endpoint))


class DynamoCreatorRepository:
    def __init__(self, segments: SearchSegments | None = None) -> None:
        self._given = segments

    @property
    def _segments(self) -> SearchSegments:
        if self._given is None:
            settings = Settings.from_env()  # this function's own: the local cloud runs many in one process
            if not settings.search_bucket:
                raise MissingSettings("Missing environment variables: SEARCH_BUCKET_NAME.")
            self._given = _search_segments(
                settings.search_bucket, settings.region, os.environ.get("AWS_ENDPOINT_URL")
            )
        return self._given

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
        """Write the creators, then their search rows as one new segment (see starling.discovery.segments).
        SearchNotUpdated when storage fails: search then shows none of these rows (an update's old row)."""
        items = [_to_item(owner, creator) for creator in creators]
        chunks = [items[start : start + _WRITE_CHUNK] for start in range(0, len(items), _WRITE_CHUNK)]
        rows = SearchColumns.of([SearchRow.of(c) for c in creators])
        try:
            with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
                list(pool.map(_write_chunk, chunks))
            self._segments.append(owner_pk(owner), rows, added=sum(1 for c in creators if c.is_new))
        except _STORAGE_ERRORS as exc:
            raise SearchNotUpdated(str(exc)) from exc

    def remove(self, owner: Owner, creator_id: str) -> None:
        """Delete the creator, then its search row (the segments that hold it are rewritten without it)."""
        pk = owner_pk(owner)
        try:
            CreatorItem(pk=pk, sk=f"CREATOR#{creator_id}").delete()
            self._segments.remove(pk, creator_id)
        except _STORAGE_ERRORS as exc:
            raise SearchNotUpdated(str(exc)) from exc

    def creator_count(self, owner: Owner) -> int:
        return self._segments.manifest(owner_pk(owner)).creators

    def search_generation(self, owner: Owner) -> int:
        return self._segments.manifest(owner_pk(owner)).generation

    def load_segments(self, owner: Owner, known: Collection[str]) -> SearchSnapshot:
        manifest, loaded = self._segments.snapshot(owner_pk(owner), known)
        return SearchSnapshot(manifest.generation, tuple(key for key, _ in manifest.segments), loaded)


def upload_key(job: ImportJob) -> str:
    return f"imports/{job.brand_id}/{job.import_id}.csv"


def import_of_upload_key(key: str) -> tuple[str, str] | None:
    """(brand_id, import_id) of an uploaded file's key, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "imports" or not parts[2].endswith(".csv"):
        return None
    return parts[1], parts[2].removesuffix(".csv")


class DynamoImportJobs:
    """Import jobs in the core table under their brand; their files in the search bucket under imports/."""

    def __init__(self, segments: SearchSegments | None = None) -> None:
        self._creators = DynamoCreatorRepository(segments)

    def save_job(self, job: ImportJob) -> None:
        ImportJobItem(
            pk=brand_pk(job.brand_id), sk=f"IMPORT#{job.import_id}", import_id=job.import_id,
            size_bytes=job.size_bytes, status=job.status, rows_done=job.rows_done, imported=job.imported,
            updated=job.updated, rejected_count=job.rejected_count,
            rejected=json.dumps([r.as_dict() for r in job.rejected]), error=job.error,
            created_at=job.created_at, updated_at=job.updated_at,
        ).save()  # fmt: skip

    def get_job(self, brand_id: str, import_id: str) -> ImportJob:
        try:
            item = ImportJobItem.get(brand_pk(brand_id), f"IMPORT#{import_id}", consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound("No such import.") from exc
        return ImportJob(
            import_id=item.import_id, brand_id=brand_id, size_bytes=int(item.size_bytes),
            created_at=item.created_at, updated_at=item.updated_at, status=item.status,
            rows_done=int(item.rows_done), imported=int(item.imported), updated=int(item.updated),
            rejected_count=int(item.rejected_count), error=item.error,
            rejected=tuple(RejectedRow(r["row"], r["errors"]) for r in json.loads(item.rejected or "[]")),
        )  # fmt: skip

    def upload_url(self, job: ImportJob, expires_in: int) -> tuple[str, dict[str, str]]:
        segments = self._creators._segments
        url = segments.s3.generate_presigned_url(
            "put_object",
            Params={"Bucket": segments.bucket, "Key": upload_key(job), "ContentType": "text/csv"},
            ExpiresIn=expires_in,
        )
        return url, {"Content-Type": "text/csv"}

    def uploaded_size(self, job: ImportJob) -> int:
        segments = self._creators._segments
        try:
            return int(segments.s3.head_object(Bucket=segments.bucket, Key=upload_key(job))["ContentLength"])
        except ClientError:
            return 0

    def lines(self, job: ImportJob) -> Iterator[str]:
        segments = self._creators._segments
        body = segments.s3.get_object(Bucket=segments.bucket, Key=upload_key(job))["Body"]
        for line in body.iter_lines(chunk_size=1 << 20, keepends=True):
            yield line.decode("utf-8", errors="replace")
