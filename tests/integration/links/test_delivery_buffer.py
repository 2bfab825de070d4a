"""The delivery buffer on DynamoDB (moto): a delivery is kept once however often it comes, on time or late,
and a Kinesis record's log events are claimed by the first record that carries them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from infra.local import environ
from infra.local.cloud import LocalCloud
from starling.links.deliveries import ON_TIME_MS, Delivery


@pytest.fixture()
def buffer(cloud: LocalCloud) -> Iterator[object]:
    with environ.install().invocation(cloud.function_environment("LinksClickAggregatorFunction")):
        from starling.links.delivery_buffer import DynamoDeliveryBuffer

        yield DynamoDeliveryBuffer()


def _delivery(newest_ms: int) -> Delivery:
    return Delivery(uuid.uuid4().hex, newest_ms, ('{"type":"click","id":"x"}',), 0)


def test_a_delivery_on_time_is_kept_once_however_often_it_comes(buffer: object) -> None:
    now = int(time.time() * 1000)
    delivery = _delivery(now - 1_000)
    assert buffer.record(delivery, now) == "on_time"  # type: ignore[attr-defined]
    # Lambda's retry of the same invocation, a duplicate, and a replay days later are all refused
    assert buffer.record(delivery, now + 60_000) == "duplicate"  # type: ignore[attr-defined]
    assert buffer.record(delivery, now + 3 * 86_400_000) == "duplicate"  # type: ignore[attr-defined]


def test_a_late_delivery_is_kept_once_too_and_refused_on_time_later(buffer: object) -> None:
    now = int(time.time() * 1000)
    delivery = _delivery(now - ON_TIME_MS - 5_000)
    assert buffer.record(delivery, now) == "late"  # type: ignore[attr-defined]
    assert buffer.record(delivery, now + 1_000) == "duplicate"  # type: ignore[attr-defined]


def test_the_first_stream_record_with_some_log_events_claims_them(buffer: object) -> None:
    identity = uuid.uuid4().hex
    # Given a record that carries some log events
    assert buffer.claim_stream_record(identity, "shardId-0:100")  # type: ignore[attr-defined]
    # Then the same record in a retried batch is still theirs, and a second record with them is not
    assert buffer.claim_stream_record(identity, "shardId-0:100")  # type: ignore[attr-defined]
    assert not buffer.claim_stream_record(identity, "shardId-1:205")  # type: ignore[attr-defined]
