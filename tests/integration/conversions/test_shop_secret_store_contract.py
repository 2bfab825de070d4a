"""The shop secret store's contract, held against the in-memory fake and the DynamoDB store (on moto) alike:
a secret reads back as written, and a write that read a stale state is refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from starling.conversions.shops import SecretKind, ShopSecret, ShopSecretRepository
from starling.shared.errors import Conflict
from tests.fakes.shops import InMemoryShopSecretRepository
from tests.integration.contract_backends import BACKENDS, fake_or_dynamo

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[ShopSecretRepository]:
    yield from fake_or_dynamo(
        request, InMemoryShopSecretRepository, "starling.conversions.repository:DynamoShopSecretRepository"
    )


def test_a_secret_reads_back_as_written_and_per_kind(store: ShopSecretRepository) -> None:
    brand_id = f"brd_{uuid.uuid4().hex[:8]}"
    assert store.get(brand_id, SecretKind.SIGNING) is None
    first = ShopSecret(brand_id, SecretKind.SIGNING, b"\x01sealed", AT)
    store.put(first, None)
    assert store.get(brand_id, SecretKind.SIGNING) == first
    assert store.get(brand_id, SecretKind.SHOPIFY) is None
    rotated = first.rotated(b"\x02sealed", AT + timedelta(hours=1))
    store.put(rotated, first.set_at)
    assert store.get(brand_id, SecretKind.SIGNING) == rotated


def test_a_write_from_a_stale_read_is_a_conflict(store: ShopSecretRepository) -> None:
    brand_id = f"brd_{uuid.uuid4().hex[:8]}"
    first = ShopSecret(brand_id, SecretKind.SHOPIFY, b"one", AT)
    store.put(first, None)
    with pytest.raises(Conflict):
        store.put(ShopSecret(brand_id, SecretKind.SHOPIFY, b"two", AT + timedelta(minutes=1)), None)
    store.put(first.rotated(b"three", AT + timedelta(minutes=2)), AT)
    with pytest.raises(Conflict):
        store.put(first.rotated(b"four", AT + timedelta(minutes=3)), AT)
    assert store.get(brand_id, SecretKind.SHOPIFY).current == b"three"  # type: ignore[union-attr]
