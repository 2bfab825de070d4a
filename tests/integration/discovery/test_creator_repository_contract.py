"""The CreatorRepository port: what discovery's service relies on, held by the fake and by DynamoDB alike.

Creators round-trip whole under their owner and no other; a save moves the owner's search generation;
`load_segments` lists the owner's segments and gives back only those the caller does not know, and across
them each creator's newest row wins; a removal takes the row out of every segment; the owner's creator
count follows new creators and removals.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from starling.discovery.columns import SearchColumns
from starling.discovery.model import (
    NETWORK,
    Creator,
    CreatorRepository,
    Owner,
    Platform,
    SearchRow,
    brand_owner,
)
from starling.shared.errors import NotFound
from tests.fakes.discovery import InMemoryCreatorRepository
from tests.integration.contract_backends import BACKENDS, fake_or_dynamo

NOW = datetime(2026, 11, 29, 9, 30, 15, 123000, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def repo(request: pytest.FixtureRequest) -> Iterator[CreatorRepository]:
    dynamo = "starling.discovery.repository:DynamoCreatorRepository"
    for backend in fake_or_dynamo(request, InMemoryCreatorRepository, dynamo):
        # PynamoDB makes a model's client on its first use, and the writer threads of save_many do not see
        # the invocation's environment (infra/local/environ.py): read first, as every use case does.
        backend.get_many(NETWORK, ["cre_warm_up"])
        yield backend


def creator(handle: str, **overrides: object) -> Creator:
    fields: dict[str, object] = {
        "creator_id": f"cre_{uuid.uuid4().hex[:16]}", "platform": Platform.TIKTOK, "handle": handle,
        "created_at": NOW, "updated_at": NOW, "display_name": "Zoë Martin", "followers": 15_000,
        "avg_likes": 450, "avg_comments": 30, "avg_views": 9_000, "niches": ("food", "travel"),
        "country": "FR", "language": "fr", "email": "zoe@gmail.com", "profile_url": "https://tiktok.com/@zoe",
        "notes": "Met at the fair\nCall back", "brand_safety_flags": ("alcohol",),
    }  # fmt: skip
    fields.update(overrides)
    return Creator(**fields)  # type: ignore[arg-type]


def a_brand() -> str:
    return f"brd_{uuid.uuid4().hex[:12]}"


def search_rows(repo: CreatorRepository, owner: Owner) -> list[SearchRow]:
    """The owner's search rows as a reader sees them: every segment, each creator's newest row once."""
    snapshot = repo.load_segments(owner, ())
    columns = SearchColumns.concat([snapshot.loaded[key] for key in snapshot.segments]).latest()
    return sorted(columns.rows(), key=lambda r: r.creator_id)


def test_creators_round_trip_whole_under_their_owner_and_no_other(repo: CreatorRepository) -> None:
    # Given a creator of brand A and a network reference of brand B
    owner_a, owner_b = brand_owner(a_brand()), brand_owner(a_brand())
    zoe = creator("zoe.cooks")
    reference = creator("max.eats", email=None, notes="", niches=(), country=None, network_contact_id="cre_x")
    repo.save_many(owner_a, [zoe])
    repo.save_many(owner_b, [reference])
    # When they are read back, Then every field is as saved
    assert repo.get(owner_a, zoe.creator_id) == zoe
    assert repo.get_many(owner_b, [reference.creator_id, "cre_missing"]) == {reference.creator_id: reference}
    # And neither owner (nor the network) sees the other's record
    assert repo.get_many(owner_b, [zoe.creator_id]) == {}
    assert repo.get_many(NETWORK, [zoe.creator_id, reference.creator_id]) == {}
    with pytest.raises(NotFound):
        repo.get(owner_b, zoe.creator_id)


def test_the_network_is_an_owner_of_its_own(repo: CreatorRepository) -> None:
    listed = creator("net.zoe", discoverable=True, email=None)
    repo.save_many(NETWORK, [listed])
    assert repo.get(NETWORK, listed.creator_id) == listed
    assert repo.get_many(brand_owner(a_brand()), [listed.creator_id]) == {}


def test_a_save_moves_the_generation_and_only_new_segments_are_loaded_again(repo: CreatorRepository) -> None:
    # Given brand A's creators, loaded once
    owner = brand_owner(a_brand())
    empty = repo.load_segments(owner, ())
    assert repo.search_generation(owner) == 0 and empty.segments == () and repo.creator_count(owner) == 0
    creators = [creator(f"creator{i}", followers=1_000 * i) for i in range(12)]
    repo.save_many(owner, creators)
    generation = repo.search_generation(owner)
    first = repo.load_segments(owner, ())
    assert generation > 0 and repo.creator_count(owner) == 12
    assert search_rows(repo, owner) == sorted((SearchRow.of(c) for c in creators), key=lambda r: r.creator_id)
    assert repo.load_segments(owner, first.segments).loaded == {}
    # When one creator changes
    changed = replace(creators[3], followers=777_000, niches=("beauty",), updated_at=NOW + timedelta(hours=1))
    repo.save_many(owner, [changed])
    # Then the generation moves, only what the reader has not seen comes back, and the change wins
    again = repo.load_segments(owner, first.segments)
    assert repo.search_generation(owner) > generation
    assert again.loaded and set(again.loaded) == set(again.segments) - set(first.segments)
    rows = search_rows(repo, owner)
    assert SearchRow.of(changed) in rows and SearchRow.of(creators[3]) not in rows and len(rows) == 12
    # And an update is not a new creator
    assert repo.creator_count(owner) == 12


def test_a_removed_creator_is_gone_with_its_search_row_and_the_generation_moves(
    repo: CreatorRepository,
) -> None:
    # Given brand A's creators, Max saved twice (so his row is in two segments)
    owner = brand_owner(a_brand())
    zoe, max_ = creator("zoe.cooks"), creator("max.eats")
    repo.save_many(owner, [zoe, max_])
    repo.save_many(owner, [replace(max_, followers=99, updated_at=NOW + timedelta(hours=1))])
    generation = repo.search_generation(owner)
    # When Max is removed
    repo.remove(owner, max_.creator_id)
    # Then he is not found, his row is in no segment, the generation moved, the count too, and Zoë stays
    with pytest.raises(NotFound):
        repo.get(owner, max_.creator_id)
    assert repo.search_generation(owner) > generation
    assert search_rows(repo, owner) == [SearchRow.of(zoe)]
    assert repo.creator_count(owner) == 1
    assert repo.get(owner, zoe.creator_id) == zoe
    # And removing someone the owner does not have is no error
    repo.remove(owner, max_.creator_id)
    assert repo.creator_count(owner) == 1
