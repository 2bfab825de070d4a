"""The in-memory discovery index: filters, ranking, and that its fast fit equals fit_score's."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from starling.discovery.columns import SearchColumns
from starling.discovery.index import CreatorIndex, SearchFilters, decode_offset_cursor, encode_offset_cursor
from starling.discovery.model import Creator, Platform, SearchRow
from starling.identity.model import DEFAULT_TIER_THRESHOLDS
from starling.shared.errors import Invalid

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _creator(i: int, rng: random.Random) -> Creator:
    return Creator(
        creator_id=f"cre_{i:05d}",
        platform=rng.choice(list(Platform)),
        handle=f"handle{i}",
        created_at=NOW,
        updated_at=NOW,
        display_name=f"Name {i}",
        followers=rng.choice([0, 500, 9_999, 10_000, 55_000, 250_000, 2_000_000]),
        avg_likes=rng.randint(0, 3000),
        avg_comments=rng.randint(0, 300),
        avg_views=rng.randint(0, 50_000),
        niches=tuple(rng.sample(["beauty", "skin care", "fitness", "food", "travel"], rng.randint(0, 3))),
        country=rng.choice([None, "US", "DE", "FR"]),
        brand_safety_flags=tuple(rng.sample(["gambling", "alcohol", "politics", "nsfw"], rng.randint(0, 4))),
    )


@pytest.fixture(scope="module")
def index() -> CreatorIndex:
    rng = random.Random(7)
    return CreatorIndex([SearchRow.of(_creator(i, rng)) for i in range(400)], DEFAULT_TIER_THRESHOLDS)


@pytest.mark.parametrize(
    ("niches", "countries"), [((), ()), (("beauty", "skincare"), ("US",)), (("food",), ("DE", "FR"))]
)
def test_the_fast_fit_used_for_ranking_equals_the_explained_fit_score(
    index: CreatorIndex, niches: tuple[str, ...], countries: tuple[str, ...]
) -> None:
    fast = index.fit_scores(niches, countries)
    for i in range(len(index)):
        assert fast[i] == index.explain(i, niches, countries).score, index.row(i)


def test_filters_combine_and_every_result_matches_each_of_them(index: CreatorIndex) -> None:
    filters = SearchFilters(tier="micro", country="us", min_engagement=Decimal("0.01"), sort="engagement")
    found = index.search(filters, [], [])
    assert found
    for i in found:
        row = index.row(i)
        assert index.tier(i) == "micro" and row.country == "US" and row.engagement >= 0.01
    engagement = [index.row(i).engagement for i in found]
    assert engagement == sorted(engagement, reverse=True)


def test_free_text_matches_word_prefixes_of_handle_name_and_niches(index: CreatorIndex) -> None:
    found = {index.row(i).handle for i in index.search(SearchFilters(q="handle12"), [], [])}
    assert found == {"handle12", *(f"handle12{d}" for d in range(10))}
    skin = index.search(SearchFilters(q="skin"), [], [])
    assert skin and all("skin care" in index.row(i).niches for i in skin)


def test_percentiles_are_within_the_tier(index: CreatorIndex) -> None:
    for i in range(len(index)):
        assert 0 <= index.engagement_percentile(i) <= 100


def test_segments_round_trip() -> None:
    rows = [SearchRow.of(_creator(i, random.Random(i))) for i in range(50)]
    rows.append(replace(rows[0], creator_id="cre_zoë", name="Zoë 🌸", niches=("Hautpflege",), country=None))
    assert SearchColumns.decode(SearchColumns.of(rows).encode()).rows() == rows


def test_a_creator_in_two_segments_is_the_newer_segments_row() -> None:
    # Given two segments where the second updates one creator of the first
    rows = [SearchRow.of(_creator(i, random.Random(i))) for i in range(5)]
    newer = replace(rows[2], followers=123_456)
    joined = SearchColumns.concat([SearchColumns.of(rows), SearchColumns.of([newer])])
    # When they are read as one, Then each creator is there once, with its newest row
    latest = joined.latest().rows()
    assert sorted(r.creator_id for r in latest) == sorted(r.creator_id for r in rows)
    assert newer in latest and rows[2] not in latest
    # And a creator can be taken out
    assert [r.creator_id for r in SearchColumns.of(rows).without([rows[0].creator_id]).rows()] == [
        r.creator_id for r in rows[1:]
    ]


def test_a_cursor_only_continues_its_own_search() -> None:
    cursor = encode_offset_cursor(25, "abc")
    assert decode_offset_cursor(cursor, "abc") == 25
    with pytest.raises(Invalid):
        decode_offset_cursor(cursor, "other")
    with pytest.raises(Invalid):
        decode_offset_cursor("!!!", "abc")


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(tier="huge"),
        SearchFilters(platform="myspace"),
        SearchFilters(sort="random"),
        SearchFilters(min_followers=-1),
        SearchFilters(min_followers=10, max_followers=5),
        SearchFilters(min_engagement=Decimal(101)),
        SearchFilters(min_engagement=Decimal(5)),
        SearchFilters(min_engagement=Decimal("-0.01")),
    ],
)
def test_bad_filters_are_invalid(filters: SearchFilters) -> None:
    with pytest.raises(Invalid):
        filters.check(DEFAULT_TIER_THRESHOLDS)


def test_min_engagement_above_1_is_refused_with_how_to_write_a_percentage() -> None:
    # Given a marketer's "5%" written as 5
    # When the filters are checked
    with pytest.raises(Invalid) as refused:
        SearchFilters(min_engagement=Decimal(5)).check(DEFAULT_TIER_THRESHOLDS)
    # Then the answer says the filter is a fraction, and how to write 5%
    assert "a fraction: 0.05 for 5%" in refused.value.message
    assert refused.value.details == {"min_engagement": "a fraction: 0.05 for 5%"}
    assert SearchFilters(min_engagement=Decimal("0.05")).check(DEFAULT_TIER_THRESHOLDS)


@pytest.mark.parametrize("sort", ["fit", "engagement", "followers"])
def test_ties_go_by_followers_then_id_so_pages_are_stable(sort: str) -> None:
    # Given creators in two groups that tie on everything but their ids
    rng = random.Random(3)
    twins = [
        replace(_creator(i, rng), platform=Platform.INSTAGRAM, niches=(), country=None, brand_safety_flags=(),
                followers=50_000 if i % 2 else 20_000, avg_likes=1_000, avg_comments=0)
        for i in range(30)
    ]  # fmt: skip
    rng.shuffle(twins)
    index = CreatorIndex([SearchRow.of(c) for c in twins], DEFAULT_TIER_THRESHOLDS)
    # When they are ranked, Then the better come first, and equal ones by id
    found = index.search(SearchFilters(sort=sort), [], [])
    fit = {index.row(i).creator_id: index.explain(i, [], []).score for i in found}
    ranked = [index.row(i) for i in found]
    first = {
        "fit": lambda r: (-fit[r.creator_id], -r.followers, r.creator_id),
        "engagement": lambda r: (-r.engagement, -r.followers, r.creator_id),
        "followers": lambda r: (-r.followers, r.creator_id),
    }[sort]
    assert ranked == sorted(ranked, key=first)
    assert len({first(r)[:-1] for r in ranked}) == 2  # two groups of ties
