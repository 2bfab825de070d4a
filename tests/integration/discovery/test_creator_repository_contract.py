"""The CreatorRepository port: what discovery's service relies on, held by the fake and by DynamoDB alike.

Creators round-trip whole under their owner and no other; a save moves the owner's search generation and
the versions of the segments it touched; `load_segments` gives back only what changed since the versions
the caller knows, with each creator's current search row once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from starling.discovery.model import NETWORK, Creator, CreatorRepository, Platform, SearchRow, brand_owner
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


def rows_by_id(repo: CreatorRepository, owner: object, known: dict[int, int]) -> dict[str, list[SearchRow]]:
    found: dict[str, list[SearchRow]] = {}
    for snapshot in repo.load_segments(owner, known).values():  # type: ignore[arg-type]
        for row in snapshot.rows:
            found.setdefault(row.creator_id, []).append(row)
    return found


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


def test_a_save_moves_the_generation_and_only_changed_segments_are_loaded_again(
    repo: CreatorRepository,
) -> None:
    # Given brand A's creators, loaded once
    owner = brand_owner(a_brand())
    assert repo.search_generation(owner) == 0 and repo.load_segments(owner, {}) == {}
    creators = [creator(f"creator{i}", followers=1_000 * i) for i in range(12)]
    repo.save_many(owner, creators)
    generation = repo.search_generation(owner)
    loaded = repo.load_segments(owner, {})
    assert generation > 0
    assert {cid: rows for cid, rows in rows_by_id(repo, owner, {}).items()} == {
        c.creator_id: [SearchRow.of(c)] for c in creators
    }
    known = {segment: snapshot.version for segment, snapshot in loaded.items()}
    assert repo.load_segments(owner, known) == {}
    # When one creator changes
    changed = replace(creators[3], followers=777_000, niches=("beauty",))
    repo.save_many(owner, [changed])
    # Then the generation moves, and only its segment comes back, with its new row in place of the old
    assert repo.search_generation(owner) > generation
    again = repo.load_segments(owner, known)
    assert len(again) == 1
    [snapshot] = again.values()
    assert SearchRow.of(changed) in snapshot.rows and SearchRow.of(creators[3]) not in snapshot.rows
    assert len({row.creator_id for row in snapshot.rows}) == len(snapshot.rows)


def test_a_removed_creator_is_gone_with_its_search_row_and_the_generation_moves(
    repo: CreatorRepository,
) -> None:
    # Given brand A's creators, loaded once
    owner = brand_owner(a_brand())
    zoe, max_ = creator("zoe.cooks"), creator("max.eats")
    repo.save_many(owner, [zoe, max_])
    generation = repo.search_generation(owner)
    known = {segment: snapshot.version for segment, snapshot in repo.load_segments(owner, {}).items()}
    # When Zoë is removed
    repo.remove(owner, zoe.creator_id)
    # Then she is not found, her row is in no segment, the generation moved, and Max is untouched
    with pytest.raises(NotFound):
        repo.get(owner, zoe.creator_id)
    assert repo.search_generation(owner) > generation
    assert repo.load_segments(owner, known) != {}
    assert list(rows_by_id(repo, owner, {})) == [max_.creator_id]
    assert repo.get(owner, max_.creator_id) == max_
    # And removing someone the owner does not have is no error
    repo.remove(owner, zoe.creator_id)
