"""An in-memory CreatorRepository: creators by owner, and search rows in versioned segments.

It keeps what the service relies on (see tests/integration/discovery/test_creator_repository_contract.py):
a save bumps the owner's search generation and the version of each segment it touched, and
`load_segments` returns only the segments whose version differs from the caller's.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime

from starling.discovery.model import Creator, Owner, Platform, SearchRow, SegmentSnapshot
from starling.shared.errors import NotFound

SEGMENTS = 8


class InMemoryCreatorRepository:
    def __init__(self) -> None:
        self.creators: dict[tuple[Owner, str], Creator] = {}
        self.generations: dict[Owner, int] = {}
        self.segments: dict[tuple[Owner, int], SegmentSnapshot] = {}
        self.segment_loads: list[tuple[Owner, tuple[int, ...]]] = []  # what each load_segments returned

    def get(self, owner: Owner, creator_id: str) -> Creator:
        if (owner, creator_id) not in self.creators:
            raise NotFound("No such creator.")
        return self.creators[(owner, creator_id)]

    def get_many(self, owner: Owner, creator_ids: Iterable[str]) -> dict[str, Creator]:
        return {cid: self.creators[(owner, cid)] for cid in creator_ids if (owner, cid) in self.creators}

    def save_many(self, owner: Owner, creators: list[Creator]) -> None:
        touched: dict[int, dict[str, SearchRow]] = {}
        for creator in creators:
            self.creators[(owner, creator.creator_id)] = creator
            segment = zlib.crc32(creator.creator_id.encode()) % SEGMENTS
            touched.setdefault(segment, {})[creator.creator_id] = SearchRow.of(creator)
        for segment, rows in touched.items():
            current = self.segments.get((owner, segment), SegmentSnapshot(0, []))
            merged = {r.creator_id: r for r in current.rows} | rows
            self.segments[(owner, segment)] = SegmentSnapshot(current.version + 1, list(merged.values()))
        self.generations[owner] = self.generations.get(owner, 0) + 1

    def remove(self, owner: Owner, creator_id: str) -> None:
        self.creators.pop((owner, creator_id), None)
        segment = zlib.crc32(creator_id.encode()) % SEGMENTS
        current = self.segments.get((owner, segment), SegmentSnapshot(0, []))
        rows = [r for r in current.rows if r.creator_id != creator_id]
        self.segments[(owner, segment)] = SegmentSnapshot(current.version + 1, rows)
        self.generations[owner] = self.generations.get(owner, 0) + 1

    def search_generation(self, owner: Owner) -> int:
        return self.generations.get(owner, 0)

    def load_segments(self, owner: Owner, known: dict[int, int]) -> dict[int, SegmentSnapshot]:
        changed = {
            segment: snapshot
            for (o, segment), snapshot in self.segments.items()
            if o == owner and known.get(segment) != snapshot.version
        }
        self.segment_loads.append((owner, tuple(sorted(changed))))
        return changed


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
