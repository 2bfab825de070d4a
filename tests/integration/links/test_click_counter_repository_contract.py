"""The ClickCounterRepository port: exactly-once counting rests on it (starling.links.aggregation), and
reports read what it counted. Held against the in-memory fake and the DynamoDB repository (on the local
cloud, in the API function's environment) alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from infra.local import environ
from starling.links.aggregation import checkpoint_of
from starling.links.model import ClickCounterRepository, Contribution, CounterKey, CounterUpdate, DayCounter
from tests.fakes.links import InMemoryClickCounterRepository

DAY = "20261118"
SHARD_A, SHARD_B = "shardId-000000000000", "shardId-000000000001"


@pytest.fixture(params=["in_memory", "dynamodb"])
def counters(request: pytest.FixtureRequest) -> Iterator[ClickCounterRepository]:
    if request.param == "in_memory":
        yield InMemoryClickCounterRepository()
        return
    cloud = request.getfixturevalue("cloud")
    with environ.install().invocation(cloud.function_environment("ApiApiFunction")):
        from starling.links.counters import DynamoClickCounterRepository

        yield DynamoClickCounterRepository()


def _brand() -> str:
    return f"brd_{uuid.uuid4().hex[:10]}"


def _clicks(first: int, last: int, hour: str = "09", **figures: int) -> list[Contribution]:
    """One contribution per stream position first..last, each one click unless `figures` say otherwise."""
    return [
        Contribution(checkpoint_of(str(n)), DAY + hour, **(figures or {"clicks": 1, "unique_clicks": 1}))
        for n in range(first, last + 1)
    ]


def _link_update(brand_id: str, contributions: list[Contribution], slug: str = "maya") -> CounterUpdate:
    return CounterUpdate(CounterKey(brand_id, "link", slug, DAY), contributions, {"partner_id": "ptn_1"})


def test_applied_contributions_are_read_back_per_day_with_hours_and_labels(
    counters: ClickCounterRepository,
) -> None:
    brand_id = _brand()
    contributions = [*_clicks(1, 3), *_clicks(4, 4, hour="13", bot_clicks=1)]
    assert counters.apply(SHARD_A, _link_update(brand_id, contributions)) == 4
    partner = CounterUpdate(CounterKey(brand_id, "partner", "ptn_1", DAY), _clicks(1, 2))
    assert counters.apply(SHARD_A, partner) == 2
    assert (
        counters.apply(
            SHARD_A, CounterUpdate(CounterKey(brand_id, "link_total", "maya", None), _clicks(1, 2))
        )
        == 2
    )
    assert list(counters.day_counters(brand_id, "link", DAY, DAY)) == [
        DayCounter(
            "maya", DAY, {"clicks": 3, "unique_clicks": 3, "bot_clicks": 1},
            {"09": {"clicks": 3, "unique_clicks": 3}, "13": {"bot_clicks": 1}}, {"partner_id": "ptn_1"},
        )
    ]  # fmt: skip
    assert [c.key_id for c in counters.day_counters(brand_id, "partner", DAY, DAY)] == ["ptn_1"]
    assert list(counters.day_counters(brand_id, "link", "20261119", "20261130")) == []
    assert list(counters.day_counters(_brand(), "link", DAY, DAY)) == []


def test_a_replay_counts_nothing_and_a_redelivery_counts_only_what_lies_after_the_checkpoint(
    counters: ClickCounterRepository,
) -> None:
    brand_id = _brand()
    counters.apply(SHARD_A, _link_update(brand_id, _clicks(1, 5)))
    assert counters.apply(SHARD_A, _link_update(brand_id, _clicks(1, 5))) == 0
    assert counters.apply(SHARD_A, _link_update(brand_id, _clicks(3, 8))) == 3
    [day] = counters.day_counters(brand_id, "link", DAY, DAY)
    assert day.figures == {"clicks": 8, "unique_clicks": 8}


def test_each_shard_keeps_its_own_checkpoint(counters: ClickCounterRepository) -> None:
    brand_id = _brand()
    counters.apply(SHARD_A, _link_update(brand_id, _clicks(1, 5)))
    assert counters.apply(SHARD_B, _link_update(brand_id, _clicks(1, 2))) == 2
    [day] = counters.day_counters(brand_id, "link", DAY, DAY)
    assert day.figures["clicks"] == 7


def test_a_visitors_first_click_is_kept_and_answered_again(counters: ClickCounterRepository) -> None:
    slug = f"s{uuid.uuid4().hex[:10]}"
    assert counters.first_clicks(slug, DAY + "09", 1, {"ana": "c1", "ben": "c2"}) == {
        "ana": "c1",
        "ben": "c2",
    }
    assert counters.first_clicks(slug, DAY + "09", 1, {"ana": "c7", "cyd": "c8"}) == {
        "ana": "c1",
        "cyd": "c8",
    }
    assert counters.first_clicks(slug, DAY + "10", 1, {"ana": "c9"}) == {"ana": "c9"}
