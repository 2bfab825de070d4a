"""Discovery: who sees a creator's contact details, the compact rows creator search runs on, and the
in-memory index over them.

Creators belong to an owner: a brand (`BRAND#<id>`), or the shared network (`NETWORK`) that applicants opt
in to. A network creator's contact details stay theirs: a brand sees them only once the creator applies to
it (the application form, also reached from the brand's outreach email). `public_profile` is the one place
that decides what a brand sees of a creator, and `contact_shown` the rule it and the partner views apply;
anything that shows a creator or partner to a brand (a route, an export, a report, a webhook) goes through
them. A brand that adds a network creator keeps a `network_reference`: the public profile and the network
creator's id, never a copy of the email.

A brand's creators are kept twice: as full items (the source of truth) and as compact search rows in a
few segments, which the API function loads once and keeps warm. Every filter, sort and page is then
answered in memory, without a table scan; see docs/decisions.md ("Discovery").
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from starling.discovery.creators import (
    BRAND_SAFETY_PENALTY_MAX,
    BRAND_SAFETY_PENALTY_PER_FLAG,
    FIT_WEIGHTS,
    Creator,
    FitScore,
    Platform,
    _niche_key,
    engagement_rate,
    fit_score,
    query_terms,
    search_tokens,
    tier_for,
)
from starling.shared.errors import Invalid

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_Record = TypeVar("_Record", bound="DataclassInstance")

SEGMENTS = 64
SORTS = ("fit", "engagement", "followers")

NETWORK = "NETWORK"  # the owner of the shared network's creators

# Every way to reach a creator directly. A new one (a phone number) is added here, and every view hides it.
CONTACT_FIELDS = ("email",)


def brand_owner(brand_id: str) -> str:
    return f"BRAND#{brand_id}"


# --- who sees a creator's contact details -------------------------------------------------------------


def contact_shown(owner: str, viewer_brand_id: str, network_contact_id: str | None) -> bool:
    """Whether the brand `viewer_brand_id` may see the contact details on a record of `owner`.

    Only on its own records, and not on one that still points to a network creator for contact: that
    creator has not applied to the brand yet. The network's records and other brands' never show them.
    """
    return owner == brand_owner(viewer_brand_id) and network_contact_id is None


def without_contact(record: _Record) -> _Record:
    """A record (a creator, a partner) with every contact field it has emptied."""
    names = {f.name for f in fields(record)}
    hidden: dict[str, Any] = {name: None for name in CONTACT_FIELDS if name in names}
    return replace(record, **hidden)


def public_profile(creator: Creator, owner: str, viewer_brand_id: str) -> Creator:
    """The creator (a record of `owner`) as the brand `viewer_brand_id` may see them.

    Contact details (`CONTACT_FIELDS`) go unless `contact_shown` allows them; notes are the owner's own and
    go unless the viewer is the owner.
    """
    if owner != brand_owner(viewer_brand_id):
        creator = replace(creator, notes="")
    if not contact_shown(owner, viewer_brand_id, creator.network_contact_id):
        creator = without_contact(creator)
    return creator


def network_reference(network_creator: Creator, brand_id: str, now: datetime) -> Creator:
    """A brand's own record of a network creator it adds: the public profile, no contact details, and the
    network creator's id, through which Starling writes to them on the brand's behalf."""
    profile = public_profile(network_creator, NETWORK, brand_id)
    return replace(
        profile,
        discoverable=False,
        network_contact_id=network_creator.creator_id,
        created_at=now,
        updated_at=now,
    )


def segment_of(creator_id: str) -> int:
    return int(hashlib.sha256(creator_id.encode()).hexdigest()[:8], 16) % SEGMENTS


@dataclass(frozen=True, slots=True)
class SearchRow:
    creator_id: str
    platform: str
    handle: str
    name: str
    followers: int
    engagement: float
    niches: tuple[str, ...]
    country: str | None
    language: str | None
    flags: tuple[str, ...]
    tokens: tuple[str, ...]

    @classmethod
    def of(cls, creator: Creator) -> SearchRow:
        return cls(
            creator_id=creator.creator_id,
            platform=creator.platform.value,
            handle=creator.handle,
            name=creator.display_name,
            followers=creator.followers,
            engagement=float(engagement_rate(creator)),
            niches=creator.niches,
            country=creator.country,
            language=creator.language,
            flags=creator.brand_safety_flags,
            tokens=tuple(sorted(search_tokens(creator))),
        )

    def as_list(self) -> list[Any]:
        return [
            self.creator_id, self.platform, self.handle, self.name, self.followers, self.engagement,
            list(self.niches), self.country, self.language, list(self.flags), list(self.tokens),
        ]  # fmt: skip

    @classmethod
    def from_list(cls, raw: Sequence[Any]) -> SearchRow:
        return cls(
            raw[0], raw[1], raw[2], raw[3], int(raw[4]), float(raw[5]),
            tuple(raw[6]), raw[7], raw[8], tuple(raw[9]), tuple(raw[10]),
        )  # fmt: skip

    def as_creator(self) -> Creator:
        """Enough of the creator for fit_score's explanation."""
        return Creator(
            creator_id=self.creator_id, platform=Platform(self.platform), handle=self.handle,
            created_at=_EPOCH, updated_at=_EPOCH, display_name=self.name, followers=self.followers,
            niches=self.niches, country=self.country, language=self.language, brand_safety_flags=self.flags,
        )  # fmt: skip


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_segment(rows: Iterable[SearchRow]) -> bytes:
    raw = json.dumps([r.as_list() for r in rows], separators=(",", ":")).encode()
    return zlib.compress(raw, 6)


def decode_segment(blob: bytes) -> list[SearchRow]:
    return [SearchRow.from_list(r) for r in json.loads(zlib.decompress(blob))]


@dataclass(frozen=True)
class SearchFilters:
    q: str | None = None
    tier: str | None = None
    niche: str | None = None
    platform: str | None = None
    country: str | None = None
    language: str | None = None
    min_followers: int | None = None
    max_followers: int | None = None
    min_engagement: Decimal | None = None
    sort: str = "fit"

    def check(self, thresholds: Mapping[str, int]) -> SearchFilters:
        problems: dict[str, str] = {}
        if self.tier is not None and self.tier not in thresholds:
            problems["tier"] = "one of " + ", ".join(thresholds)
        if self.platform is not None and self.platform not in {p.value for p in Platform}:
            problems["platform"] = "one of " + ", ".join(p.value for p in Platform)
        if self.sort not in SORTS:
            problems["sort"] = "one of " + ", ".join(SORTS)
        for name in ("min_followers", "max_followers"):
            value = getattr(self, name)
            if value is not None and value < 0:
                problems[name] = "0 or more"
        if (
            self.min_followers is not None
            and self.max_followers is not None
            and self.min_followers > self.max_followers
        ):
            problems["max_followers"] = "at least min_followers"
        if self.min_engagement is not None and not Decimal(0) <= self.min_engagement <= Decimal(100):
            problems["min_engagement"] = "a rate between 0 and 100 (0.05 is 5%)"
        if problems:
            raise Invalid("Some search filters are wrong.", problems)
        return self


@dataclass
class CreatorIndex:
    """Every search row of one owner (a brand, or the shared network), ready to filter and rank."""

    rows: list[SearchRow]
    thresholds: Mapping[str, int]
    _ids: frozenset[str] = field(init=False)
    _tiers: list[str] = field(init=False)
    _engagement_by_tier: dict[str, list[float]] = field(init=False)
    _fit_cache: dict[tuple[frozenset[str], frozenset[str]], list[float]] = field(
        init=False, default_factory=dict
    )
    _rankings: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[int]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._ids = frozenset(r.creator_id for r in self.rows)
        self._tiers = [tier_for(r.followers, self.thresholds) for r in self.rows]
        by_tier: dict[str, list[float]] = {}
        for row, tier in zip(self.rows, self._tiers, strict=True):
            by_tier.setdefault(tier, []).append(row.engagement)
        self._engagement_by_tier = {t: sorted(v) for t, v in by_tier.items()}

    def __contains__(self, creator_id: object) -> bool:
        return creator_id in self._ids

    def tier(self, index: int) -> str:
        return self._tiers[index]

    def engagement_percentile(self, index: int) -> int:
        """Share of the tier's creators with a lower engagement rate, 0-100."""
        sample = self._engagement_by_tier[self._tiers[index]]
        if len(sample) <= 1:
            return 50
        below = bisect.bisect_left(sample, self.rows[index].engagement)
        return round(100 * below / (len(sample) - 1)) if below < len(sample) else 100

    def fit_scores(self, brand_niches: Iterable[str], countries: Iterable[str]) -> list[float]:
        key = (
            frozenset(_niche_key(n) for n in brand_niches if n.strip()),
            frozenset(c.upper() for c in countries),
        )
        if key not in self._fit_cache:
            self._fit_cache[key] = [self._fast_fit(i, *key) for i in range(len(self.rows))]
        return self._fit_cache[key]

    def _fast_fit(self, index: int, wanted: frozenset[str], countries: frozenset[str]) -> float:
        """fit_score's number without its explanation, fast enough to rank 100,000 rows."""
        row = self.rows[index]
        if not wanted or not row.niches:
            niche = 0.5
        else:
            matched = sum(1 for n in row.niches if _niche_key(n) in wanted)
            niche = min(1.0, matched / min(len(wanted), len(row.niches)))
        country = 0.5 if not countries or row.country is None else float(row.country in countries)
        total = FIT_WEIGHTS["niche_match"] + FIT_WEIGHTS["engagement"] + FIT_WEIGHTS["audience_country"]
        points = (
            (
                FIT_WEIGHTS["niche_match"] * niche
                + FIT_WEIGHTS["engagement"] * self.engagement_percentile(index) / 100
                + FIT_WEIGHTS["audience_country"] * country
            )
            * 100
            / total
        )
        penalty = min(BRAND_SAFETY_PENALTY_PER_FLAG * len(row.flags), BRAND_SAFETY_PENALTY_MAX)
        return float(max(0, min(100, math.floor(points - penalty + 0.5 + 1e-9))))

    def explain(self, index: int, brand_niches: Iterable[str], countries: Iterable[str]) -> FitScore:
        return fit_score(
            self.rows[index].as_creator(), brand_niches, countries, self.engagement_percentile(index)
        )

    def ranking(self, sort: str, brand_niches: Sequence[str], countries: Sequence[str]) -> list[int]:
        """Every row's index, best first for this sort; ties go by followers, then id, so pages are stable.
        Computed once per sort (and brand targets) and kept, so a search only walks it."""
        key = (sort, tuple(brand_niches), tuple(countries))
        if key not in self._rankings:
            rows = self.rows
            order = list(range(len(rows)))
            if sort == "followers":
                order.sort(key=lambda i: (-rows[i].followers, rows[i].creator_id))
            elif sort == "engagement":
                order.sort(key=lambda i: (-rows[i].engagement, -rows[i].followers, rows[i].creator_id))
            else:
                fits = self.fit_scores(brand_niches, countries)
                order.sort(key=lambda i: (-fits[i], -rows[i].followers, rows[i].creator_id))
            self._rankings[key] = order
        return self._rankings[key]

    def search(
        self,
        filters: SearchFilters,
        brand_niches: Sequence[str],
        countries: Sequence[str],
        stop_after: int | None = None,
    ) -> list[int]:
        """Indexes of the matching rows in ranking order; at most `stop_after` of them when given."""
        terms = query_terms(filters.q) if filters.q else ()
        niche = _niche_key(filters.niche) if filters.niche else None
        country = filters.country.upper() if filters.country else None
        language = filters.language.lower() if filters.language else None
        min_engagement = float(filters.min_engagement) if filters.min_engagement is not None else None
        rows, tiers = self.rows, self._tiers
        matched: list[int] = []
        for i in self.ranking(filters.sort, brand_niches, countries):
            row = rows[i]
            if filters.tier and tiers[i] != filters.tier:
                continue
            if filters.platform and row.platform != filters.platform:
                continue
            if country and row.country != country:
                continue
            if language and row.language != language:
                continue
            if filters.min_followers is not None and row.followers < filters.min_followers:
                continue
            if filters.max_followers is not None and row.followers > filters.max_followers:
                continue
            if min_engagement is not None and row.engagement < min_engagement:
                continue
            if niche and not any(_niche_key(n) == niche for n in row.niches):
                continue
            if terms and not all(any(t.startswith(term) for t in row.tokens) for term in terms):
                continue
            matched.append(i)
            if stop_after is not None and len(matched) >= stop_after:
                break
        return matched


def encode_offset_cursor(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{fingerprint}".encode()).decode().rstrip("=")


def decode_offset_cursor(cursor: str | None, fingerprint: str) -> int:
    """The offset a search cursor stands for; a cursor of another search is refused."""
    if not cursor:
        return 0
    try:
        offset, _, found = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        if found != fingerprint or int(offset) < 0:
            raise ValueError
        return int(offset)
    except ValueError as exc:
        raise Invalid("cursor is not one this search gave out.", {"cursor": cursor}) from exc
