"""IdentityRepository's contract: what identity's service relies on, held against the in-memory fake and the
DynamoDB repository (on moto, in the API function's environment) alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from starling.identity.model import (
    AuditEntry,
    Brand,
    IdentityRepository,
    Role,
    hash_api_key,
    new_api_key,
    new_brand,
)
from starling.shared.errors import Conflict, NotFound
from tests.fakes.identity import InMemoryIdentityRepository
from tests.integration.contract_backends import BACKENDS, fake_or_dynamo

NOW = datetime(2026, 11, 1, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def repo(request: pytest.FixtureRequest) -> Iterator[IdentityRepository]:
    yield from fake_or_dynamo(
        request, InMemoryIdentityRepository, "starling.identity.repository:DynamoIdentityRepository"
    )


def _slug() -> str:
    return f"contract-{uuid.uuid4().hex[:12]}"


def _brand(slug: str | None = None) -> Brand:
    brand = new_brand("Contract Brand", NOW, slug or _slug())
    return replace(
        brand,
        allowed_domains=("acme.com", "shop.acme.com"),
        fallback_url="https://acme.com/",
        utm_defaults={"utm_source": "starling"},
        target_niches=("skincare",),
        target_countries=("US", "DE"),
        locale="de_DE",
    )


def test_a_created_brand_reads_back_as_it_was_and_by_its_slug(repo: IdentityRepository) -> None:
    # Given a brand with every setting, When it is created
    brand = _brand()
    repo.create_brand(brand)
    # Then it reads back equal, by id and by slug; an unknown slug finds nothing, an unknown id is NotFound
    assert repo.get_brand(brand.brand_id) == brand
    assert repo.find_brand_by_slug(brand.slug) == brand
    assert repo.find_brand_by_slug(_slug()) is None
    with pytest.raises(NotFound):
        repo.get_brand("brd_doesnotexist000")


def test_a_slug_belongs_to_one_brand(repo: IdentityRepository) -> None:
    first = _brand()
    repo.create_brand(first)
    with pytest.raises(Conflict):
        repo.create_brand(_brand(first.slug))


def test_a_new_slug_is_claimed_and_the_old_one_released(repo: IdentityRepository) -> None:
    # Given two brands
    brand, other = _brand(), _brand()
    repo.create_brand(brand)
    repo.create_brand(other)
    # When the first moves to a new slug
    moved = replace(brand, slug=_slug(), name="Renamed")
    repo.save_brand(moved, previous_slug=brand.slug)
    # Then it is found by the new slug only, and the old slug is free for another brand
    assert repo.get_brand(brand.brand_id) == moved
    assert repo.find_brand_by_slug(moved.slug) == moved
    assert repo.find_brand_by_slug(brand.slug) is None
    repo.create_brand(_brand(brand.slug))
    # And moving onto a slug another brand holds conflicts, leaving the brand as it was
    with pytest.raises(Conflict):
        repo.save_brand(replace(moved, slug=other.slug), previous_slug=moved.slug)
    assert repo.get_brand(brand.brand_id) == moved


def test_a_key_is_found_by_its_hash_until_it_is_revoked(repo: IdentityRepository) -> None:
    brand = _brand()
    repo.create_brand(brand)
    key, raw = new_api_key(brand.brand_id, "ci", Role.MANAGER, NOW)
    repo.add_api_key(key)
    assert repo.get_api_key(brand.brand_id, key.key_id) == key
    assert repo.find_active_key(hash_api_key(raw)) == (brand.brand_id, key.key_id, Role.MANAGER)
    # When it is revoked, Then the hash no longer resolves and the key shows when it was revoked
    repo.revoke_api_key(key, NOW)
    assert repo.find_active_key(hash_api_key(raw)) is None
    assert repo.get_api_key(brand.brand_id, key.key_id) == replace(key, revoked_at=NOW)


def test_a_key_is_not_found_through_another_brand(repo: IdentityRepository) -> None:
    mine, theirs = _brand(), _brand()
    repo.create_brand(mine)
    repo.create_brand(theirs)
    key, _ = new_api_key(mine.brand_id, "ci", Role.VIEWER, NOW)
    repo.add_api_key(key)
    with pytest.raises(NotFound):
        repo.get_api_key(theirs.brand_id, key.key_id)
    assert repo.find_active_key(hash_api_key("stk_live_" + "A" * 24)) is None


def test_a_brand_s_keys_are_listed_in_pages_and_only_its_own(repo: IdentityRepository) -> None:
    # Given three keys of one brand and one of another
    mine, theirs = _brand(), _brand()
    repo.create_brand(mine)
    repo.create_brand(theirs)
    keys = [new_api_key(mine.brand_id, f"k{i}", Role.VIEWER, NOW)[0] for i in range(3)]
    for key in [*keys, new_api_key(theirs.brand_id, "other", Role.VIEWER, NOW)[0]]:
        repo.add_api_key(key)
    # When they are listed two at a time
    first, cursor = repo.list_api_keys(mine.brand_id, 2, None)
    assert cursor is not None
    rest, end = repo.list_api_keys(mine.brand_id, 2, cursor)
    # Then every key of the brand comes once, and only those
    assert end is None and len(first) == 2
    assert sorted(k.key_id for k in first + rest) == sorted(k.key_id for k in keys)


def test_a_brand_s_audit_trail_is_read_newest_first_in_pages_and_only_its_own(
    repo: IdentityRepository,
) -> None:
    # Given three audit entries of one brand, at three times, and one of another brand
    mine, theirs = _brand(), _brand()
    entries = [
        AuditEntry(f"aud_{i}", mine.brand_id, "creator.erased", f"cre_{i}", "key_1",
                   NOW + timedelta(minutes=i), ("email", "handle"))
        for i in range(3)
    ]  # fmt: skip
    for entry in [*entries, replace(entries[0], entry_id="aud_x", brand_id=theirs.brand_id)]:
        repo.append_audit(entry)
    # When they are read two at a time
    first, cursor = repo.audit_page(mine.brand_id, 2, None)
    assert cursor is not None
    rest, end = repo.audit_page(mine.brand_id, 2, cursor)
    # Then they come back whole, newest first, and only the brand's own
    assert end is None
    assert first + rest == entries[::-1]
