"""Importing creators and searching them (a brand's own, and the shared network)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from starling.discovery.creators import (
    Creator,
    FitScore,
    ImportParseResult,
    merge_creator,
    new_creator,
    tier_for,
)
from starling.discovery.model import (
    NETWORK,
    CreatorIndex,
    SearchFilters,
    SearchRow,
    brand_owner,
    decode_offset_cursor,
    encode_offset_cursor,
    network_reference,
    public_profile,
)
from starling.identity.model import Brand
from starling.shared.errors import Invalid, NotFound

SCOPES = ("own", "network", "all")


class CreatorRepository(Protocol):
    def get(self, owner: str, creator_id: str) -> Creator: ...
    def get_many(self, owner: str, creator_ids: Any) -> dict[str, Creator]: ...
    def save_many(self, owner: str, creators: list[Creator]) -> None: ...
    def search_generation(self, owner: str) -> int: ...
    def load_segments(self, owner: str, known: dict[int, int]) -> dict[int, Any]: ...


def creator_id_for(platform: str, handle: str) -> str:
    """Derived from the account, so a re-import finds its creator by key."""
    return "cre_" + hashlib.sha256(f"{platform}:{handle}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ImportSummary:
    imported: int
    updated: int
    rejected: list[dict[str, Any]]
    ignored_columns: tuple[str, ...]


def import_creators(repo: CreatorRepository, brand_id: str, parsed: ImportParseResult) -> ImportSummary:
    """New creators are added, known ones (same platform and handle) updated; bad rows are reported."""
    now = datetime.now(UTC)
    owner = brand_owner(brand_id)
    drafts = {creator_id_for(d.platform.value, d.handle): d for d in parsed.drafts}
    existing = repo.get_many(owner, drafts)
    creators = [
        merge_creator(existing[cid], draft, now)
        if cid in existing
        else new_creator(draft, now, creator_id=cid)
        for cid, draft in drafts.items()
    ]
    if creators:
        repo.save_many(owner, creators)
    return ImportSummary(
        imported=len(creators) - len(existing),
        updated=len(existing),
        rejected=parsed.rejected_dicts,
        ignored_columns=parsed.ignored_columns,
    )


@dataclass
class _Cached:
    generation: int = -1
    segments: dict[int, Any] = field(default_factory=dict)
    index: CreatorIndex | None = None
    thresholds: dict[str, int] = field(default_factory=dict)


class IndexCache:
    """Each owner's search index, kept warm in the function; refreshed when the owner's generation moves,
    by reading only the segments whose version changed."""

    def __init__(self) -> None:
        self._owners: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def index(self, repo: CreatorRepository, owner: str, thresholds: dict[str, int]) -> CreatorIndex:
        generation = repo.search_generation(owner)
        with self._lock:
            cached = self._owners.setdefault(owner, _Cached())
            if (
                cached.index is not None
                and cached.generation == generation
                and cached.thresholds == thresholds
            ):
                return cached.index
            known = {s: snap.version for s, snap in cached.segments.items()}
            cached.segments.update(repo.load_segments(owner, known))
            rows = [row for s in sorted(cached.segments) for row in cached.segments[s].rows]
            cached.index = CreatorIndex(rows, thresholds)
            cached.generation, cached.thresholds = generation, dict(thresholds)
            return cached.index


@dataclass(frozen=True)
class CreatorHit:
    row: SearchRow
    source: str  # own | network
    tier: str
    engagement_percentile: int
    fit: FitScore


def search_creators(
    repo: CreatorRepository,
    cache: IndexCache,
    brand: Brand,
    filters: SearchFilters,
    scope: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[CreatorHit], str | None]:
    if scope not in SCOPES:
        raise Invalid("scope is own, network or all.", {"scope": scope})
    filters.check(brand.tier_thresholds)
    sources = {"own": [brand_owner(brand.brand_id)], "network": [NETWORK]}.get(
        scope, [brand_owner(brand.brand_id), NETWORK]
    )
    niches, countries = list(brand.target_niches), list(brand.target_countries)
    fingerprint = hashlib.sha256(f"{filters!r}|{scope}".encode()).hexdigest()[:12]
    offset = decode_offset_cursor(cursor, fingerprint)
    wanted = offset + limit + 1  # one more than the page tells whether there is a next one
    candidates: list[tuple[tuple[Any, ...], str, CreatorIndex, int]] = []
    indexes = {owner: cache.index(repo, owner, brand.tier_thresholds) for owner in sources}
    own = indexes.get(brand_owner(brand.brand_id))
    for owner, index in indexes.items():
        fits = index.fit_scores(niches, countries) if filters.sort == "fit" else None
        for position, i in enumerate(index.search(filters, niches, countries, stop_after=wanted)):
            row = index.rows[i]
            if owner == NETWORK and own is not None and row.creator_id in own:
                continue  # a network creator the brand already has: its own copy is the one listed
            if fits is not None:
                key: tuple[Any, ...] = (-fits[i], -row.followers, row.creator_id)
            elif filters.sort == "engagement":
                key = (-row.engagement, -row.followers, row.creator_id)
            else:
                key = (-row.followers, row.creator_id)
            source = "network" if owner == NETWORK else "own"
            candidates.append((key if len(sources) > 1 else (position,), source, index, i))
    candidates.sort(key=lambda c: c[0])
    page = [(source, index, i) for _, source, index, i in candidates]
    hits = [
        CreatorHit(
            row=index.rows[i],
            source=source,
            tier=index.tier(i),
            engagement_percentile=index.engagement_percentile(i),
            fit=index.explain(i, niches, countries),
        )
        for source, index, i in page[offset : offset + limit]
    ]
    has_more = len(page) > offset + limit
    return hits, encode_offset_cursor(offset + limit, fingerprint) if has_more else None


def get_creator(repo: CreatorRepository, brand: Brand, creator_id: str) -> tuple[Creator, str]:
    """A brand's own creator, or a discoverable one from the network, as the brand may see them
    (`public_profile`); (creator, source)."""
    owner = brand_owner(brand.brand_id)
    try:
        return public_profile(repo.get(owner, creator_id), owner, brand.brand_id), "own"
    except NotFound:
        creator = repo.get(NETWORK, creator_id)
        if not creator.discoverable:
            raise
        return public_profile(creator, NETWORK, brand.brand_id), "network"


def add_to_brand(repo: CreatorRepository, brand_id: str, creator_id: str) -> Creator:
    """The brand's own creator of this id; else a discoverable network creator, whom the brand keeps as a
    `network_reference` (public profile, no contact details). NotFound otherwise."""
    owner = brand_owner(brand_id)
    found = repo.get_many(owner, [creator_id])
    if creator_id in found:
        return found[creator_id]
    network = repo.get_many(NETWORK, [creator_id])
    if creator_id not in network or not network[creator_id].discoverable:
        raise NotFound("No such creator.")
    reference = network_reference(network[creator_id], brand_id, datetime.now(UTC))
    repo.save_many(owner, [reference])
    return reference


def network_address(repo: CreatorRepository, network_contact_id: str) -> str:
    """The address Starling writes to on a brand's behalf for a network creator. It goes to the email
    system only, never back to the brand. Invalid (422) when the creator left the network or has no email."""
    try:
        creator = repo.get(NETWORK, network_contact_id)
    except NotFound:
        creator = None
    if creator is None or not creator.discoverable or not creator.email:
        raise Invalid(
            "This creator is no longer in the Starling network, so Starling cannot write to them for you.",
            {"send_email": "creator left the network"},
        )
    return creator.email


def creator_tier(creator: Creator, brand: Brand) -> str:
    return tier_for(creator.followers, brand.tier_thresholds)
