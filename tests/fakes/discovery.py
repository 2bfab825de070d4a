"""An in-memory CreatorRepository: creators by owner, and search rows in immutable segments.

It keeps what the service relies on (see tests/integration/discovery/test_creator_repository_contract.py):
a save adds one segment and moves the owner's search generation, `load_segments` returns only the segments
the caller does not know, a removal rewrites the segments that held the row, and `fail_after` makes the
n-th write from now fail (`SearchNotUpdated`) after the creators are kept, as a storage failure would.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime

from starling.discovery.columns import SearchColumns
from starling.discovery.model import (
    Creator,
    Owner,
    Platform,
    SearchNotUpdated,
    SearchRow,
    SearchSnapshot,
)
from starling.discovery.uploads import ImportJob
from starling.shared.errors import NotFound

_keys = itertools.count(1)


class InMemoryCreatorRepository:
    def __init__(self) -> None:
        self.creators: dict[tuple[Owner, str], Creator] = {}
        self.generations: dict[Owner, int] = {}
        self.segments: dict[Owner, list[tuple[str, list[SearchRow]]]] = {}
        self.segment_loads: list[tuple[Owner, tuple[str, ...]]] = []  # what each load_segments returned
        self.fail_after: int | None = None  # the search write that fails: 0 is the next one

    def get(self, owner: Owner, creator_id: str) -> Creator:
        if (owner, creator_id) not in self.creators:
            raise NotFound("No such creator.")
        return self.creators[(owner, creator_id)]

    def get_many(self, owner: Owner, creator_ids: Iterable[str]) -> dict[str, Creator]:
        return {cid: self.creators[(owner, cid)] for cid in creator_ids if (owner, cid) in self.creators}

    def save_many(self, owner: Owner, creators: list[Creator]) -> None:
        for creator in creators:
            self.creators[(owner, creator.creator_id)] = creator
        self._fail_maybe()
        self.segments.setdefault(owner, []).append(
            (f"seg-{next(_keys)}", [SearchRow.of(c) for c in creators])
        )
        self.generations[owner] = self.generations.get(owner, 0) + 1

    def remove(self, owner: Owner, creator_id: str) -> None:
        self.creators.pop((owner, creator_id), None)
        self._fail_maybe()
        kept = []
        for key, rows in self.segments.get(owner, []):
            if any(r.creator_id == creator_id for r in rows):
                rows = [r for r in rows if r.creator_id != creator_id]
                if rows:
                    kept.append((f"seg-{next(_keys)}", rows))
            else:
                kept.append((key, rows))
        self.segments[owner] = kept
        self.generations[owner] = self.generations.get(owner, 0) + 1

    def creator_count(self, owner: Owner) -> int:
        """Exact here (the creators in the owner's search rows); the DynamoDB count can fall short after a
        repeated write until its segments merge into one (starling.discovery.segments)."""
        return len({r.creator_id for _, rows in self.segments.get(owner, []) for r in rows})

    def search_generation(self, owner: Owner) -> int:
        return self.generations.get(owner, 0)

    def load_segments(self, owner: Owner, known: Collection[str]) -> SearchSnapshot:
        listed = self.segments.get(owner, [])
        loaded = {key: SearchColumns.of(rows) for key, rows in listed if key not in known}
        self.segment_loads.append((owner, tuple(loaded)))
        return SearchSnapshot(self.search_generation(owner), tuple(k for k, _ in listed), loaded)

    def _fail_maybe(self) -> None:
        if self.fail_after is None:
            return
        if self.fail_after == 0:
            self.fail_after = None
            raise SearchNotUpdated("storage failed (fail_after)")
        self.fail_after -= 1


CREATED = datetime(2025, 3, 1, 12, tzinfo=UTC)


def make_creator(**overrides: object) -> Creator:
    """An Instagram creator, alice, with 10,000 followers and 5% engagement; `overrides` change any field."""
    fields: dict[str, object] = {
        "creator_id": "cre_1",
        "platform": Platform.INSTAGRAM,
        "handle": "alice",
        "created_at": CREATED,
        "updated_at": CREATED,
        "followers": 10_000,
        "avg_likes": 400,
        "avg_comments": 100,
    }
    fields.update(overrides)
    return Creator(**fields)  # type: ignore[arg-type]


class InMemoryImportJobs:
    """Import jobs by brand, and the uploaded files by import id (`files`); an upload URL is only a name."""

    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str], ImportJob] = {}
        self.files: dict[str, bytes] = {}

    def save_job(self, job: ImportJob) -> None:
        self.jobs[(job.brand_id, job.import_id)] = job

    def get_job(self, brand_id: str, import_id: str) -> ImportJob:
        if (brand_id, import_id) not in self.jobs:
            raise NotFound("No such import.")
        return self.jobs[(brand_id, import_id)]

    def upload_url(self, job: ImportJob, expires_in: int) -> tuple[str, dict[str, str]]:
        return f"memory://imports/{job.import_id}?expires_in={expires_in}", {"Content-Type": "text/csv"}

    def uploaded_size(self, job: ImportJob) -> int:
        return len(self.files.get(job.import_id, b""))

    def lines(self, job: ImportJob) -> Iterator[str]:
        yield from self.files[job.import_id].decode().splitlines(keepends=True)
