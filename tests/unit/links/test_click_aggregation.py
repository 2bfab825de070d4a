"""The aggregator's counting, with the in-memory repository that keeps checkpoints the way the DynamoDB one
does (tests/integration/links/test_click_counter_repository_contract.py holds it to that): a replayed
batch, or one resumed from a failed record, never counts twice."""

from __future__ import annotations

import gzip
import json

import pytest

from starling.links.aggregation import (
    StreamClick,
    aggregate,
    checkpoint_of,
    clicks_in_log_record,
    countable_clicks,
)
from starling.links.clicks import Click, click_line
from tests.fakes.links import InMemoryClickCounterRepository

PERSON = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Instagram 300.0.0.0"
BOT = "facebookexternalhit/1.1"
HOUR_MS = 1_795_000_000_000 - 1_795_000_000_000 % 3_600_000


def _click(n: int, slug: str = "maya", visitor: str = "", agent: str = PERSON, at: int = HOUR_MS) -> Click:
    return Click(f"c{n}", at + n, "brd_1", slug, "ptn_1", "spring", visitor or f"v{n}", f"s{n}", agent, "ios")


def _stream(clicks: list[Click], first_sequence: int = 1) -> list[StreamClick]:
    return [
        StreamClick("shardId-000000000000", checkpoint_of(str(first_sequence + i)), c)
        for i, c in enumerate(clicks)
    ]


def test_clicks_uniques_and_bots_are_counted_per_link_partner_campaign_and_lifetime() -> None:
    repo = InMemoryClickCounterRepository()
    clicks = [_click(1), _click(2), _click(3, visitor="v1"), _click(4, agent=BOT)]
    outcome = aggregate(repo, _stream(clicks))
    day = "20261118"
    expected = {"clicks": 3, "unique_clicks": 2, "bot_clicks": 1, "flagged_clicks": 0}
    for key in (
        ("link", "maya", day),
        ("partner", "ptn_1", day),
        ("campaign", "spring", day),
        ("link_total", "maya", None),
    ):
        assert dict(repo.figures[key]) == expected, key
    assert (outcome.clicks, outcome.bots, outcome.unique) == (4, 1, 2)


def test_a_replayed_batch_counts_nothing_more() -> None:
    repo = InMemoryClickCounterRepository()
    batch = _stream([_click(n) for n in range(50)])
    aggregate(repo, batch)
    aggregate(repo, batch)
    assert repo.figures[("link_total", "maya", None)]["clicks"] == 50
    assert repo.figures[("link_total", "maya", None)]["unique_clicks"] == 50


def test_a_batch_that_died_halfway_resumes_exactly_when_redelivered() -> None:
    # Given an aggregator that dies after two of its counter updates
    repo = InMemoryClickCounterRepository()
    batch = _stream([_click(n, slug=f"link{n % 3}") for n in range(30)])
    repo.fail_after = 2
    with pytest.raises(RuntimeError):
        aggregate(repo, batch)
    # When the stream delivers the batch again, together with newer records
    repo.fail_after = None
    aggregate(repo, batch + _stream([_click(100 + n) for n in range(5)], first_sequence=31))
    # Then every counter holds each click once
    assert sum(repo.figures[("link_total", f"link{i}", None)]["clicks"] for i in range(3)) == 30
    assert repo.figures[("partner", "ptn_1", "20261118")]["clicks"] == 35
    assert repo.figures[("partner", "ptn_1", "20261118")]["unique_clicks"] == 35


def test_the_same_log_event_twice_in_a_batch_counts_once() -> None:
    repo = InMemoryClickCounterRepository()
    click = _click(1)
    outcome = aggregate(repo, _stream([click, click]))
    assert outcome.duplicates == 1
    assert repo.figures[("link_total", "maya", None)]["clicks"] == 1


def test_a_visitor_counts_once_per_link_per_hour() -> None:
    repo = InMemoryClickCounterRepository()
    clicks = [
        _click(1, visitor="ana"),
        _click(2, visitor="ana"),
        _click(3, visitor="ana", slug="other"),
        _click(4, visitor="ana", at=HOUR_MS + 3_600_000),
    ]
    aggregate(repo, _stream(clicks))
    assert repo.figures[("link_total", "maya", None)]["unique_clicks"] == 2
    assert repo.figures[("link_total", "other", None)]["unique_clicks"] == 1


def test_a_burst_from_one_source_is_flagged_not_billable() -> None:
    repo = InMemoryClickCounterRepository()
    burst = [
        Click(f"b{i}", HOUR_MS + i, "brd_1", "maya", "ptn_1", None, "vx", "one-ip", PERSON, "ios")
        for i in range(30)
    ]
    outcome = aggregate(repo, _stream(burst))
    figures = repo.figures[("link_total", "maya", None)]
    assert (figures["clicks"], figures["flagged_clicks"], figures["unique_clicks"]) == (20, 10, 1)
    assert outcome.flagged == 10


def test_click_lines_are_read_from_a_logs_subscription_record() -> None:
    envelope = {
        "messageType": "DATA_MESSAGE",
        "logEvents": [
            {"id": "1", "timestamp": 1, "message": click_line(_click(1))},
            {"id": "2", "timestamp": 1, "message": '{"level":"ERROR","message":"click secret unavailable"}'},
            {"id": "3", "timestamp": 1, "message": '{"type":"click","broken":true}'},
        ],
    }
    clicks, malformed = clicks_in_log_record(gzip.compress(json.dumps(envelope).encode()), "shardId-1", "42")
    assert [c.click.click_id for c in clicks] == ["c1"]
    assert clicks[0].checkpoint == checkpoint_of("42")
    assert malformed == 1
    control = gzip.compress(json.dumps({"messageType": "CONTROL_MESSAGE", "logEvents": []}).encode())
    assert clicks_in_log_record(control, "shardId-1", "43") == ([], 0)


def test_checkpoints_order_like_the_numbers_they_stand_for() -> None:
    assert (
        checkpoint_of("9")
        < checkpoint_of("10")
        < checkpoint_of("49590338271490256608559692538361571095921575989136588898")
    )


def test_only_clicks_before_the_first_unreadable_record_are_counted() -> None:
    # Given records 1 and 3 read, record 2 unreadable (the stream will retry from record 2)
    first = _stream([_click(1)], first_sequence=1)
    third = _stream([_click(3)], first_sequence=3)
    # When the countable clicks are taken
    clicks, malformed = countable_clicks([(first, 0), (third, 2)], failed_sequence_numbers=["2"])
    # Then record 3's click waits for the retry, and its malformed lines are still reported
    assert [c.click.click_id for c in clicks] == ["c1"]
    assert malformed == 2
    everything, _ = countable_clicks([(first, 0), (third, 0)], failed_sequence_numbers=[])
    assert [c.click.click_id for c in everything] == ["c1", "c3"]
