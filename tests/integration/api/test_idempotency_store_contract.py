"""The idempotency store's contract: what the middleware relies on, held against the in-memory fake and the
DynamoDB store (on moto, in the API function's environment) alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from starling.api.idempotency import IdempotencyRecord, IdempotencyRepository, StoredResponse, record_id
from tests.fakes.api import InMemoryIdempotencyRepository
from tests.integration.contract_backends import BACKENDS, fake_or_dynamo


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[IdempotencyRepository]:
    yield from fake_or_dynamo(
        request, InMemoryIdempotencyRepository, "starling.api.idempotency_store:DynamoIdempotencyRepository"
    )


def _record() -> str:
    return record_id("brd_contract", "key_contract", uuid.uuid4().hex)


def test_the_first_request_claims_the_key_and_a_second_sees_it_running(store: IdempotencyRepository) -> None:
    record = _record()
    assert store.begin(record, "hash-1") is None
    assert store.begin(record, "hash-2") == IdempotencyRecord(request_hash="hash-1", response=None)


def test_a_finished_request_s_answer_is_given_back(store: IdempotencyRepository) -> None:
    record = _record()
    store.begin(record, "hash-1")
    store.finish(record, StoredResponse(status=201, body='{"id": "x"}'))
    assert store.begin(record, "hash-1") == IdempotencyRecord("hash-1", StoredResponse(201, '{"id": "x"}'))


def test_a_forgotten_request_can_be_claimed_again(store: IdempotencyRepository) -> None:
    record = _record()
    store.begin(record, "hash-1")
    store.forget(record)
    assert store.begin(record, "hash-2") is None
    assert store.begin(record, "hash-2") == IdempotencyRecord("hash-2", None)


def test_records_of_other_api_keys_are_apart(store: IdempotencyRepository) -> None:
    key = uuid.uuid4().hex
    mine, theirs = record_id("brd_a", "key_1", key), record_id("brd_a", "key_2", key)
    store.begin(mine, "hash-1")
    assert store.begin(theirs, "hash-1") is None
