"""Creator search: the filters a brand may use, and the in-memory index of one owner's search rows.

An owner's creators are kept as compact search rows by column (`starling.discovery.columns`) in a few
segments, which the API function loads once and keeps warm (`starling.discovery.service.IndexCache`).
Every filter, sort and page is then answered in memory, without a table scan; see docs/decisions.md
("Discovery"). A ranking is computed once per sort and kept, so a search only walks it; ties go by
followers, then id, so pages are stable.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from starling.discovery.columns import SEP, SearchColumns
from starling.discovery.fit import (
    BRAND_SAFETY_PENALTY_MAX,
    BRAND_SAFETY_PENALTY_PER_FLAG,
    FIT_WEIGHTS,
    FitScore,
    fit_score,
)
from starling.discovery.model import Platform, SearchRow
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


class CreatorIndex:
    """Every search row of one owner (a brand, or the shared network), by column, ready to filter and rank.

    Each filter is one vectorised pass over a column (text filters one regular expression over the
    column's bytes), and a ranking one `lexsort`, so a million rows answer in milliseconds once warm."""

    def __init__(self, columns: SearchColumns | Sequence[SearchRow], thresholds: Mapping[str, int]) -> None:
        self.columns = columns if isinstance(columns, SearchColumns) else SearchColumns.of(list(columns))
        self.thresholds = thresholds
        ordered = sorted(thresholds.items(), key=lambda item: item[1])
        self._tier_names = [name for name, _ in ordered]
        floors = np.array([floor for _, floor in ordered], dtype=np.int64)
        tiers = np.searchsorted(floors, self.columns.followers, side="right") - 1
        self._tiers = np.maximum(tiers, 0)
        self._engagement_by_tier = {
            t: np.sort(self.columns.engagement[self._tiers == t]) for t in range(len(self._tier_names))
        }
        self._ids: frozenset[bytes] | None = None
        self._niche_row_cache: np.ndarray | None = None
        self._benchmark: CreatorIndex | None = None
        self._percentiles: np.ndarray | None = None
        self._fit_cache: dict[tuple[frozenset[str], frozenset[str]], np.ndarray] = {}
        self._rankings: dict[tuple[str, tuple[str, ...], tuple[str, ...]], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.columns)

    def __contains__(self, creator_id: object) -> bool:
        if self._ids is None:
            self._ids = frozenset(self.columns.ids.tolist())
        return isinstance(creator_id, str) and creator_id.encode() in self._ids

    def row(self, index: int) -> SearchRow:
        return self.columns.row(index)

    def tier(self, index: int) -> str:
        return self._tier_names[int(self._tiers[index])]

    def benchmark_with(self, network: CreatorIndex | None) -> None:
        """Rank this index's copies of network creators among `network`'s (see `engagement_percentile`); a new
        benchmark drops the fit scores and rankings computed with the old one."""
        if network is self or network is self._benchmark:
            return
        self._benchmark = network
        self._percentiles = None
        self._fit_cache.clear()
        self._rankings.clear()

    def engagement_percentile(self, index: int) -> int:
        """Share of the tier's creators with a lower engagement rate, 0-100, among this index's creators of
        the same tier; a brand's copy of a network creator is ranked among the network's instead (the
        benchmark), as the network's record is. So a creator ranks, and scores, the same whichever scope a
        search lists it under."""
        return int(self.percentiles()[index])

    def percentiles(self) -> np.ndarray:
        if self._percentiles is None:
            self._percentiles = self._compute_percentiles()
        return self._percentiles

    def _compute_percentiles(self) -> np.ndarray:
        engagement = self.columns.engagement
        benchmark = self._benchmark
        in_benchmark = (
            np.isin(self.columns.ids, benchmark.columns.ids)
            if benchmark is not None and len(benchmark) and len(self)
            else np.zeros(len(self), dtype=bool)
        )
        result = np.full(len(self), 50, dtype=np.int64)
        for t, own_sample in self._engagement_by_tier.items():
            if len(own_sample) > 1:  # each row's place in its own tier: one sort instead of a search a row
                rows = np.flatnonzero(self._tiers == t)
                order = np.argsort(engagement[rows], kind="stable")
                ranked = engagement[rows][order]
                starts = np.zeros(len(rows), dtype=np.int64)
                new_value = np.flatnonzero(ranked[1:] != ranked[:-1]) + 1
                starts[new_value] = new_value
                below = np.empty(len(rows), dtype=np.int64)
                below[order] = np.maximum.accumulate(starts)  # how many rank lower: bisect_left
                result[rows] = np.round(100 * below / (len(own_sample) - 1)).astype(np.int64)
            borrowed = benchmark._tier_sample(self._tier_names[t]) if benchmark is not None else None
            chosen = (self._tiers == t) & in_benchmark
            if borrowed is None or not len(borrowed) or not chosen.any():
                continue
            if len(borrowed) == 1:
                result[chosen] = 50
                continue
            below = np.searchsorted(borrowed, engagement[chosen], side="left")
            ranked_in = np.round(100 * below / (len(borrowed) - 1)).astype(np.int64)
            result[chosen] = np.where(below < len(borrowed), ranked_in, 100)
        return result

    def _tier_sample(self, tier: str) -> np.ndarray | None:
        if tier not in self._tier_names:
            return None
        return self._engagement_by_tier[self._tier_names.index(tier)]

    def fit_scores(self, brand_niches: Iterable[str], countries: Iterable[str]) -> np.ndarray:
        """fit_score's number for every row, without its explanation (see `explain`)."""
        key = (
            frozenset(niche_key(n) for n in brand_niches if n.strip()),
            frozenset(c.upper() for c in countries),
        )
        if key not in self._fit_cache:
            self._fit_cache[key] = self._fast_fit(*key)
        return self._fit_cache[key]

    def _fast_fit(self, wanted: frozenset[str], countries: frozenset[str]) -> np.ndarray:
        columns, n = self.columns, len(self)
        if wanted:
            hits = np.isin(columns.niche_ids, self._niche_places(wanted))
            matched = np.bincount(self._niche_rows()[hits], minlength=n)
            has_niches = columns.niche_count > 0
            denominator = np.minimum(len(wanted), np.maximum(columns.niche_count, 1))
            niche = np.where(has_niches, np.minimum(1.0, matched / denominator), 0.5)
        else:
            niche = np.full(n, 0.5)
        if countries:
            known = np.isin(columns.country, np.array([c.encode() for c in countries], dtype=np.bytes_))
            country = np.where(columns.country == b"", 0.5, known.astype(np.float64))
        else:
            country = np.full(n, 0.5)
        total = FIT_WEIGHTS["niche_match"] + FIT_WEIGHTS["engagement"] + FIT_WEIGHTS["audience_country"]
        points = (
            (
                FIT_WEIGHTS["niche_match"] * niche
                + FIT_WEIGHTS["engagement"] * self.percentiles() / 100
                + FIT_WEIGHTS["audience_country"] * country
            )
            * 100
            / total
        )
        penalty = np.minimum(BRAND_SAFETY_PENALTY_PER_FLAG * columns.flag_count, BRAND_SAFETY_PENALTY_MAX)
        return np.clip(np.floor(points - penalty + 0.5 + 1e-9), 0, 100)

    def explain(self, index: int, brand_niches: Iterable[str], countries: Iterable[str]) -> FitScore:
        row = self.row(index)
        return fit_score(
            row.as_creator(),
            brand_niches,
            countries,
            self.engagement_percentile(index),
            engagement=Decimal(str(row.engagement)),
        )

    def ranking(self, sort: str, brand_niches: Sequence[str], countries: Sequence[str]) -> np.ndarray:
        """Every row's index, best first for this sort; ties go by followers, then id, so pages are stable.
        Computed once per sort (and brand targets) and kept, so a search only walks it."""
        key = (sort, tuple(brand_niches), tuple(countries))
        if key not in self._rankings:
            followers = self.columns.followers
            if sort == "followers":
                keys: list[np.ndarray] = [-followers]
            elif sort == "engagement":
                keys = [-followers, -self.columns.engagement]
            else:  # fit (0-100) and followers (under 2**31) in one number: one sort instead of two
                fits = self.fit_scores(brand_niches, countries).astype(np.int64)
                keys = [(100 - fits) * (1 << 32) + ((1 << 31) - followers)]
            self._rankings[key] = _ranked(keys, self.columns.ids)
        return self._rankings[key]

    def matching(self, filters: SearchFilters) -> np.ndarray | None:
        """Which rows match `filters` (a mask), or None when every row does."""
        columns = self.columns
        mask: np.ndarray | None = None

        def narrow(more: np.ndarray) -> None:
            nonlocal mask
            mask = more if mask is None else mask & more

        if filters.tier:
            narrow(self._tiers == self._tier_names.index(filters.tier))
        if filters.platform:
            narrow(columns.platform == filters.platform.encode())
        if filters.country:
            narrow(columns.country == filters.country.upper().encode())
        if filters.language:
            narrow(columns.language == filters.language.lower().encode())
        if filters.min_followers is not None:
            narrow(columns.followers >= filters.min_followers)
        if filters.max_followers is not None:
            narrow(columns.followers <= filters.max_followers)
        if filters.min_engagement is not None:
            narrow(columns.engagement >= float(filters.min_engagement))
        if filters.niche:
            holding = np.zeros(len(self), dtype=bool)
            places = self._niche_places([niche_key(filters.niche)])
            holding[self._niche_rows()[np.isin(columns.niche_ids, places)]] = True
            narrow(holding)
        for term in query_terms(filters.q) if filters.q else ():
            holding = np.zeros(len(self), dtype=bool)
            holding[columns.tokens.rows_holding(SEP + re.escape(term.encode()))] = True
            narrow(holding)
        return mask

    def _niche_places(self, keys: Iterable[str]) -> np.ndarray:
        place = {key: i for i, key in enumerate(self.columns.niche_vocabulary)}
        return np.array([place[k] for k in keys if k in place], dtype=np.int32)

    def _niche_rows(self) -> np.ndarray:
        """The row of each entry of `columns.niche_ids`."""
        if self._niche_row_cache is None:
            self._niche_row_cache = np.repeat(np.arange(len(self)), self.columns.niche_count)
        return self._niche_row_cache

    def search(
        self,
        filters: SearchFilters,
        brand_niches: Sequence[str],
        countries: Sequence[str],
        stop_after: int | None = None,
    ) -> list[int]:
        """Indexes of the matching rows in ranking order; at most `stop_after` of them when given."""
        order = self.ranking(filters.sort, brand_niches, countries)
        mask = self.matching(filters)
        found = order if mask is None else order[mask[order]]
        return (found if stop_after is None else found[:stop_after]).tolist()


def _ranked(keys: list[np.ndarray], ids: np.ndarray) -> np.ndarray:
    """Row indexes sorted by `keys` (the last is the first criterion, as numpy's lexsort takes them), then
    by id. Only the rows tied on every key are sorted by id, which is the slow comparison."""
    order = np.lexsort(keys) if len(keys) > 1 else np.argsort(keys[0], kind="stable")
    if len(order) < 2:
        return order
    same = np.ones(len(order) - 1, dtype=bool)
    for column in keys:
        ranked = column[order]
        same &= ranked[1:] == ranked[:-1]
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    if tied.any():
        at = np.flatnonzero(tied)  # runs of ties: re-sorting them among themselves keeps the rest in place
        rows = order[at]
        order[at] = rows[np.lexsort([*_id_keys(ids[rows]), *(column[rows] for column in keys)])]
    return order


def _id_keys(ids: np.ndarray) -> list[np.ndarray]:
    """Fixed-width ids as big-endian 64-bit numbers, last first (lexsort's order): comparing them compares
    the ids byte by byte, as sorting the ids would, but faster."""
    width = ids.dtype.itemsize
    padded = np.zeros((len(ids), width + (-width) % 8), dtype=np.uint8)
    padded[:, :width] = np.ascontiguousarray(ids).view(np.uint8).reshape(len(ids), width)
    words = padded.view(">u8")
    return [words[:, i] for i in reversed(range(words.shape[1]))]


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
