"""Creator search: the filters a brand may use, and the in-memory index of one owner's search rows.

A brand's creators are kept as compact `SearchRow`s in a few segments, which the API function loads once
and keeps warm (`starling.discovery.service.IndexCache`). Every filter, sort and page is then answered in
memory, without a table scan; see docs/decisions.md ("Discovery"). A ranking is computed once per sort and
kept, so a search only walks it; ties go by followers, then id, so pages are stable.
"""

from __future__ import annotations

import base64
import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from starling.discovery.fit import (
    BRAND_SAFETY_PENALTY_MAX,
    BRAND_SAFETY_PENALTY_PER_FLAG,
    FIT_WEIGHTS,
    FitScore,
    fit_score,
)
from starling.discovery.model import Platform, SearchRow, tier_for
from starling.discovery.terms import niche_key, query_terms
from starling.shared.errors import Invalid

SORTS = ("fit", "engagement", "followers")


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
        if self.min_engagement is not None and not Decimal(0) <= self.min_engagement <= Decimal(1):
            problems["min_engagement"] = "a fraction: 0.05 for 5%"
        if problems:
            wrong = "; ".join(f"{name} is {expected}" for name, expected in problems.items())
            raise Invalid(f"Some search filters are wrong: {wrong}.", problems)
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
    _benchmark: CreatorIndex | None = field(init=False, default=None)

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

    def benchmark_with(self, network: CreatorIndex | None) -> None:
        """Rank this index's copies of network creators among `network`'s (see `engagement_percentile`); a new
        benchmark drops the fit scores and rankings computed with the old one."""
        if network is self or network is self._benchmark:
            return
        self._benchmark = network
        self._fit_cache.clear()
        self._rankings.clear()

    def engagement_percentile(self, index: int) -> int:
        """Share of the tier's creators with a lower engagement rate, 0-100, among this index's creators of
        the same tier; a brand's copy of a network creator is ranked among the network's instead (the
        benchmark), as the network's record is. So a creator ranks, and scores, the same whichever scope a
        search lists it under."""
        tier, row = self._tiers[index], self.rows[index]
        sample = self._engagement_by_tier[tier]
        if self._benchmark is not None and row.creator_id in self._benchmark:
            sample = self._benchmark._engagement_by_tier.get(tier) or sample
        if len(sample) <= 1:
            return 50
        below = bisect.bisect_left(sample, row.engagement)
        return round(100 * below / (len(sample) - 1)) if below < len(sample) else 100

    def fit_scores(self, brand_niches: Iterable[str], countries: Iterable[str]) -> list[float]:
        key = (
            frozenset(niche_key(n) for n in brand_niches if n.strip()),
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
            matched = sum(1 for n in row.niches if niche_key(n) in wanted)
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
        row = self.rows[index]
        return fit_score(
            row.as_creator(),
            brand_niches,
            countries,
            self.engagement_percentile(index),
            engagement=Decimal(str(row.engagement)),
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
        niche = niche_key(filters.niche) if filters.niche else None
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
            if niche and not any(niche_key(n) == niche for n in row.niches):
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
