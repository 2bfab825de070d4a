"""Discovery's use cases: importing a brand's creators, searching them (a brand's own, and the shared
network) through a warm index cache, showing one as the brand may see it, and adding a network creator."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from starling.discovery import model
from starling.discovery.columns import SearchColumns
from starling.discovery.fit import FitScore
from starling.discovery.importing import ImportParseResult, parse_import_body
from starling.discovery.index import CreatorIndex, SearchFilters, decode_offset_cursor, encode_offset_cursor
from starling.discovery.model import (
    MAX_CREATORS_PER_OWNER,
    NETWORK,
    PERSONAL_FIELDS,
    Brands,
    Creator,
    CreatorRepository,
    Owner,
    SearchNotUpdated,
    SearchRow,
    brand_owner,
    merge_creator,
    network_reference,
    new_creator,
    public_profile,
    tier_for,
)
from starling.identity.model import Brand
from starling.shared.errors import Conflict, Invalid, NotFound, Unavailable

SCOPES = ("own", "network", "all")


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
    """New creators are added, known ones (same platform and handle) updated; bad rows are reported.

    All or nothing for search: when storage fails, the answer is Unavailable (503) naming every accepted
    row, none of which search shows yet (an updated creator keeps its old row), and sending the same import
    again repairs it. An import that would take the brand past `MAX_CREATORS_PER_OWNER` is refused (409)
    before anything is written."""
    now = datetime.now(UTC)
    owner = brand_owner(brand_id)
    drafts = {creator_id_for(d.platform.value, d.handle): d for d in parsed.drafts}
    existing = repo.get_many(owner, drafts)
    check_room(repo, owner, len(drafts) - len(existing))
    creators = [
        merge_creator(existing[cid], draft, now)
        if cid in existing
        else new_creator(draft, now, creator_id=cid)
        for cid, draft in drafts.items()
    ]
    if creators:
        try:
            repo.save_many(owner, creators)
        except SearchNotUpdated as exc:
            rows = sorted(d.row for d in drafts.values())
            raise Unavailable(
                f"The import was not finished: none of its {len(rows):,} accepted rows is searchable yet. "
                "Send the same import again to finish it.",
                {"not_searchable_rows": rows, "retry": "send the same import again"},
                code="import_not_finished",
            ) from exc
    return ImportSummary(
        imported=len(creators) - len(existing),
        updated=len(existing),
        rejected=parsed.rejected_dicts,
        ignored_columns=parsed.ignored_columns,
    )


def check_room(repo: CreatorRepository, owner: Owner, adding: int) -> None:
    """Conflict (409) when `adding` new creators would take the owner past `MAX_CREATORS_PER_OWNER`."""
    if adding <= 0:
        return
    have = repo.creator_count(owner)
    if have + adding > MAX_CREATORS_PER_OWNER:
        raise Conflict(
            f"This import adds {adding:,} creators to the {have:,} you have; a brand (and the network) may "
            f"have at most {MAX_CREATORS_PER_OWNER:,}. Nothing was imported.",
            {"creators": have, "adding": adding, "limit": MAX_CREATORS_PER_OWNER},
            code="creator_limit",
        )


def import_creator_file(
    repo: CreatorRepository, brand_id: str, content_type: str, body: str
) -> ImportSummary:
    """An import request's body (CSV, or a JSON array of creators), imported into the brand's creators."""
    return import_creators(repo, brand_id, parse_import_body(content_type, body))


@dataclass
class _Cached:
    generation: int = -1
    segments: dict[str, SearchColumns] = field(default_factory=dict)
    index: CreatorIndex | None = None
    thresholds: dict[str, int] = field(default_factory=dict)


class IndexCache:
    """Each owner's search index, kept warm in the function; refreshed when the owner's generation moves,
    by reading only the segments it has not read yet (a segment never changes once written)."""

    def __init__(self) -> None:
        self._owners: dict[Owner, _Cached] = {}
        self._lock = threading.Lock()

    def index(self, repo: CreatorRepository, owner: Owner, thresholds: dict[str, int]) -> CreatorIndex:
        generation = repo.search_generation(owner)
        with self._lock:
            cached = self._owners.setdefault(owner, _Cached())
            if (
                cached.index is not None
                and cached.generation == generation
                and cached.thresholds == thresholds
            ):
                return cached.index
            snapshot = repo.load_segments(owner, cached.segments.keys())
            segments = {key: cached.segments.get(key) or snapshot.loaded[key] for key in snapshot.segments}
            columns = SearchColumns.concat(list(segments.values())).latest()
            cached.segments, cached.index = segments, CreatorIndex(columns, thresholds)
            cached.generation, cached.thresholds = snapshot.generation, dict(thresholds)
            return cached.index


@dataclass(frozen=True)
class CreatorHit:
    """One search result as the brand sees it: the creator's search row, where it came from (own or
    network), its tier, its engagement percentile within the tier, and its fit with the reasons."""

    creator_id: str
    source: str
    platform: str
    handle: str
    display_name: str
    followers: int
    tier: str
    engagement_rate: str
    engagement_percentile: int
    niches: tuple[str, ...]
    country: str | None
    language: str | None
    brand_safety_flags: tuple[str, ...]
    fit: FitScore

    @classmethod
    def of(cls, row: SearchRow, source: str, index: CreatorIndex, i: int, fit: FitScore) -> CreatorHit:
        return cls(
            creator_id=row.creator_id, source=source, platform=row.platform, handle=row.handle,
            display_name=row.name, followers=row.followers, tier=index.tier(i),
            engagement_rate=f"{row.engagement:.4f}", engagement_percentile=index.engagement_percentile(i),
            niches=row.niches, country=row.country, language=row.language, brand_safety_flags=row.flags,
            fit=fit,
        )  # fmt: skip


def search_creators(
    repo: CreatorRepository,
    brands: Brands,
    cache: IndexCache,
    brand_id: str,
    filters: SearchFilters,
    scope: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[CreatorHit], str | None]:
    """A page of the creators matching `filters`, best first for `filters.sort`, from the brand's own list,
    the network's discoverable creators, or both (`scope`). A network creator the brand already has is
    listed once, as its own. The cursor is bound to this search: another search refuses it."""
    brand = brands.get_brand(brand_id)
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
    candidates: list[tuple[tuple[Any, ...], str, CreatorIndex, int, SearchRow]] = []
    network = cache.index(repo, NETWORK, brand.tier_thresholds)
    indexes = {owner: cache.index(repo, owner, brand.tier_thresholds) for owner in sources}
    for index in indexes.values():
        index.benchmark_with(network)  # one benchmark for engagement, whatever the scope
    own = indexes.get(brand_owner(brand.brand_id))
    for owner, index in indexes.items():
        fits = index.fit_scores(niches, countries) if filters.sort == "fit" else None
        for position, i in enumerate(index.search(filters, niches, countries, stop_after=wanted)):
            row = index.row(i)
            if owner == NETWORK and own is not None and row.creator_id in own:
                continue  # a network creator the brand already has: its own copy is the one listed
            if fits is not None:
                key: tuple[Any, ...] = (-float(fits[i]), -row.followers, row.creator_id)
            elif filters.sort == "engagement":
                key = (-row.engagement, -row.followers, row.creator_id)
            else:
                key = (-row.followers, row.creator_id)
            source = "network" if owner == NETWORK else "own"
            candidates.append((key if len(sources) > 1 else (position,), source, index, i, row))
    candidates.sort(key=lambda c: c[0])
    page = [(source, index, i, row) for _, source, index, i, row in candidates]
    hits = [
        CreatorHit.of(row, source, index, i, index.explain(i, niches, countries))
        for source, index, i, row in page[offset : offset + limit]
    ]
    has_more = len(page) > offset + limit
    return hits, encode_offset_cursor(offset + limit, fingerprint) if has_more else None


@dataclass(frozen=True)
class SeenCreator(Creator):
    """A creator as a brand may see them (`public_profile`), with where the record came from and its tier
    under the brand's thresholds."""

    source: str = "own"  # own | network
    tier: str = ""

    @property
    def engagement_rate(self) -> str:
        return str(model.engagement_rate(self))

    @property
    def contact_via_network(self) -> bool:
        """Starling writes to them for the brand: a network creator, or the brand's reference to one."""
        return self.source == "network" or self.network_contact_id is not None

    @classmethod
    def of(cls, creator: Creator, source: str, brand: Brand) -> SeenCreator:
        known = {f.name: getattr(creator, f.name) for f in fields(Creator)}
        return cls(**known, source=source, tier=tier_for(creator.followers, brand.tier_thresholds))


def get_creator(repo: CreatorRepository, brands: Brands, brand_id: str, creator_id: str) -> SeenCreator:
    """A brand's own creator, or a discoverable one from the network, as the brand may see them
    (`public_profile`)."""
    brand = brands.get_brand(brand_id)
    owner = brand_owner(brand_id)
    try:
        return SeenCreator.of(public_profile(repo.get(owner, creator_id), owner, brand_id), "own", brand)
    except NotFound:
        creator = repo.get(NETWORK, creator_id)
        if not creator.discoverable:
            raise
        return SeenCreator.of(public_profile(creator, NETWORK, brand_id), "network", brand)


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


@dataclass(frozen=True)
class ErasedCreator:
    """What erasing a creator removed: the kinds of personal data the records held (field names, never the
    values), and whether the network's record went too."""

    creator_id: str
    fields: tuple[str, ...]
    from_network: bool


def erase_creator(repo: CreatorRepository, brand_id: str, creator_id: str) -> ErasedCreator:
    """Remove the brand's creator and the network's record of the same person (the same account, or the
    one the brand's reference points to), search rows included. NotFound unless the brand has the creator."""
    owner = brand_owner(brand_id)
    creator = repo.get(owner, creator_id)
    in_network = repo.get_many(NETWORK, {creator_id, creator.network_contact_id or creator_id})
    records = [creator, *in_network.values()]
    held = tuple(name for name in PERSONAL_FIELDS if any(getattr(r, name) for r in records))
    for network_id in in_network:  # the network's first: a retry after a failure finds the brand's still
        repo.remove(NETWORK, network_id)
    repo.remove(owner, creator_id)
    return ErasedCreator(creator_id=creator_id, fields=held, from_network=bool(in_network))


def creator_store() -> CreatorRepository:
    """The creators on DynamoDB (for capabilities above this one)."""
    from starling.discovery.repository import DynamoCreatorRepository

    return DynamoCreatorRepository()
