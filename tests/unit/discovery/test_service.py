"""Discovery's use cases on in-memory fakes: search through the warm index cache, and showing one creator."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from starling.discovery import service as discovery
from starling.discovery.importing import parse_creator_rows_json
from starling.discovery.index import SearchFilters
from starling.discovery.model import NETWORK, brand_owner
from starling.identity.model import Brand
from starling.shared.errors import Conflict, Invalid, NotFound, Unavailable
from tests.fakes.discovery import InMemoryCreatorRepository
from tests.fakes.identity import InMemoryIdentityRepository

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)


class Discovery:
    """Brand A with its creators, the network, and one warm index cache, as in the API function."""

    def __init__(self, **brand: Any) -> None:
        self.creators = InMemoryCreatorRepository()
        self.brands = InMemoryIdentityRepository()
        self.brands.brands["brd_a"] = Brand("brd_a", "Brand A", "brand-a", NOW, **brand)
        self.cache = discovery.IndexCache()

    def import_rows(self, *rows: dict[str, Any]) -> None:
        discovery.import_creators(self.creators, "brd_a", parse_creator_rows_json(list(rows)))

    def search(
        self, scope: str = "own", limit: int = 20, cursor: str | None = None, **filters: Any
    ) -> tuple[list[discovery.CreatorHit], str | None]:
        return discovery.search_creators(
            self.creators, self.brands, self.cache, "brd_a", SearchFilters(**filters), scope, limit, cursor
        )

    def handles(self, **kwargs: Any) -> list[str]:
        return [hit.handle for hit in self.search(**kwargs)[0]]


def row(handle: str, followers: int, **extra: Any) -> dict[str, Any]:
    return {"platform": "instagram", "handle": handle, "followers": followers, **extra}


def test_a_second_search_is_answered_from_the_cache_without_reading_segments() -> None:
    # Given brand A's creators, searched once
    world = Discovery()
    world.import_rows(row("alice", 12_000), row("bob", 50_000))
    assert world.handles(sort="followers") == ["bob", "alice"]
    loads = len(world.creators.segment_loads)
    # When A searches again with other filters and nothing was written meanwhile
    found = world.handles(sort="followers", min_followers=20_000)
    # Then the answer comes from the cached index: no segment was read again
    assert found == ["bob"]
    assert len(world.creators.segment_loads) == loads


def test_a_write_moves_the_generation_and_the_next_search_reads_only_the_changed_segments() -> None:
    # Given a warm cache over brand A's creators
    world = Discovery()
    world.import_rows(*(row(f"creator{i}", 10_000 + i) for i in range(40)))
    world.search()
    # When one more creator is imported
    world.import_rows(row("newcomer", 999_000))
    found = world.handles(sort="followers", limit=1)
    # Then the next search sees them, having read just the one segment that changed
    assert found == ["newcomer"]
    owner, changed = world.creators.segment_loads[-1]
    assert owner == brand_owner("brd_a") and len(changed) == 1


def test_a_change_of_the_brand_s_tier_thresholds_rebuilds_the_index_without_a_write() -> None:
    world = Discovery()
    world.import_rows(row("alice", 12_000))
    assert [h.tier for h in world.search()[0]] == ["micro"]
    brand = world.brands.brands["brd_a"]
    world.brands.brands["brd_a"] = replace(brand, tier_thresholds={"small": 0, "big": 5_000})
    assert [h.tier for h in world.search()[0]] == ["big"]


def test_a_network_creator_the_brand_already_has_is_listed_once_as_its_own() -> None:
    # Given Zoë both in the network and in brand A's own list, and Max only in the network
    world = Discovery()
    world.import_rows(row("zoe", 20_000, email="zoe@gmail.com"))
    zoe_id = discovery.creator_id_for("instagram", "zoe")
    zoe = replace(world.creators.get(brand_owner("brd_a"), zoe_id), discoverable=True, email=None)
    max_ = replace(zoe, creator_id="cre_max", handle="max", followers=90_000)
    world.creators.save_many(NETWORK, [zoe, max_])
    # When A searches its own list and the network together
    hits, _ = world.search(scope="all", sort="followers")
    # Then Zoë comes once, from A's own list, and Max from the network
    assert [(h.handle, h.source) for h in hits] == [("max", "network"), ("zoe", "own")]
    # And searching the network alone still lists her there
    assert [(h.handle, h.source) for h in world.search(scope="network", sort="followers")[0]] == [
        ("max", "network"),
        ("zoe", "network"),
    ]


def test_pages_follow_each_other_and_a_cursor_only_continues_its_own_search() -> None:
    world = Discovery()
    world.import_rows(*(row(f"creator{i:02d}", 10_000 + i) for i in range(5)))
    first, cursor = world.search(sort="followers", limit=2)
    second, _ = world.search(sort="followers", limit=2, cursor=cursor)
    assert [h.handle for h in first + second] == ["creator04", "creator03", "creator02", "creator01"]
    with pytest.raises(Invalid):
        world.search(sort="engagement", limit=2, cursor=cursor)


def test_hits_explain_their_fit_and_carry_their_tier_and_engagement() -> None:
    world = Discovery(target_niches=("food",), target_countries=("FR",))
    world.import_rows(row("chef", 15_000, avg_likes=300, niches="food", country="France"))
    [hit] = world.search()[0]
    assert (hit.source, hit.tier, hit.engagement_rate, hit.country) == ("own", "micro", "0.0200", "FR")
    # niche and country match; alone in its tier, its engagement ranks at 50: (40 + 15 + 20) x 100/90 = 83.3
    assert hit.fit.score == 83
    assert {f.name: str(f.value) for f in hit.fit.factors}["niche_match"] == "1.00"


def test_an_unknown_scope_is_invalid() -> None:
    with pytest.raises(Invalid):
        Discovery().search(scope="everyone")


def test_one_creator_comes_with_its_source_and_tier_and_a_creator_not_in_the_network_is_not_found() -> None:
    world = Discovery()
    world.import_rows(row("alice", 120_000))
    seen = discovery.get_creator(
        world.creators, world.brands, "brd_a", discovery.creator_id_for("instagram", "alice")
    )
    assert (seen.handle, seen.source, seen.tier, seen.contact_via_network) == ("alice", "own", "mid", False)
    with pytest.raises(NotFound):
        discovery.get_creator(world.creators, world.brands, "brd_a", "cre_nobody")


def test_search_hits_explain_each_creators_own_engagement_rate() -> None:
    # Given two creators of the same tier with 2% and 8% engagement
    world = Discovery()
    world.import_rows(row("low", 15_000, avg_likes=300), row("high", 15_000, avg_likes=1_200))
    # When the brand searches
    hits = {hit.handle: hit for hit in world.search()[0]}
    # Then each explanation states that creator's rate, not 0
    explained = {h: {f.name: f for f in hit.fit.factors}["engagement"].explanation for h, hit in hits.items()}
    assert explained["low"].startswith("Engagement 2.00% ranks at percentile 0")
    assert explained["high"].startswith("Engagement 8.00% ranks at percentile 100")


def test_a_creator_scores_the_same_under_every_scope_that_lists_it() -> None:
    # Given Zoë (1% engagement) in the network alone in her tier, and in brand A's own list beside Omar
    # (10%), a creator of her tier who is not in the network
    world = Discovery()
    world.import_rows(row("zoe", 20_000, avg_likes=200), row("omar", 20_000, avg_likes=2_000))
    zoe_id = discovery.creator_id_for("instagram", "zoe")
    zoe = replace(world.creators.get(brand_owner("brd_a"), zoe_id), discoverable=True, email=None)
    world.creators.save_many(NETWORK, [zoe])
    # When A searches the network, its own list and both
    scores = {
        scope: {h.handle: (h.fit.score, h.engagement_percentile) for h in world.search(scope=scope)[0]}["zoe"]
        for scope in ("network", "own", "all")
    }
    # Then Zoë's engagement is ranked among the network's creators of her tier under every scope, so her
    # score does not depend on where the search found her (it was 17 and 0 when each list ranked its own)
    assert scores["network"] == scores["own"] == scores["all"]
    assert scores["all"][1] == 50


def test_an_import_past_the_creator_limit_is_refused_before_anything_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given brand A one creator short of a (lowered) limit of 3
    monkeypatch.setattr(discovery, "MAX_CREATORS_PER_OWNER", 3)
    world = Discovery()
    world.import_rows(row("alice", 12_000), row("bob", 50_000))
    # When an import would add two more
    with pytest.raises(Conflict) as refused:
        world.import_rows(row("carol", 1_000), row("dave", 2_000))
    # Then it is refused with the figures, and nothing of it was written
    assert refused.value.code == "creator_limit"
    assert refused.value.details == {"creators": 2, "adding": 2, "limit": 3}
    assert sorted(world.handles()) == ["alice", "bob"]
    assert world.creators.creator_count(brand_owner("brd_a")) == 2
    # And an import that updates known creators and adds one more still fits
    world.import_rows(row("alice", 13_000), row("carol", 1_000))
    assert sorted(world.handles()) == ["alice", "bob", "carol"]


def test_an_import_whose_search_write_fails_names_its_rows_and_the_same_import_repairs_it() -> None:
    # Given brand A's creators, searched once, and a store whose next search write fails
    world = Discovery()
    world.import_rows(row("alice", 12_000))
    assert world.handles() == ["alice"]
    world.creators.fail_after = 0
    rows = [row("bob", 50_000), {"platform": "myspace", "handle": "x"}, row("carol", 3_000)]
    # When an import of two good rows and a bad one meets it
    with pytest.raises(Unavailable) as failed:
        world.import_rows(*rows)
    # Then the answer names the accepted rows as not searchable, and search shows what it showed before
    assert failed.value.code == "import_not_finished"
    assert failed.value.details["not_searchable_rows"] == [1, 3]
    assert world.handles() == ["alice"]
    # When the same import is sent again, Then every accepted row is searchable
    world.import_rows(*rows)
    assert world.handles(sort="followers") == ["bob", "alice", "carol"]
