"""Subscription deliveries: read from CloudWatch Logs' payload, known again by their log event ids, and
counted by a rollup that finishes a run another rollup left halfway without counting anything twice."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable
from typing import Any

import pytest

from starling.links.clicks import Click, click_line
from starling.links.deliveries import RollupState, delivery_id_of, read_delivery
from starling.links.model import CounterUpdate
from starling.links.rollup import roll_up

PERSON = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Instagram 300.0"


def _click(n: int, slug: str = "maya", visitor: str = "v1") -> str:
    return click_line(
        Click(f"id{n}", 1_795_000_000_000 + n, "brd_1", slug, "ptn_1", None, visitor, "s", PERSON, "ios")
    )


def _payload(events: list[dict[str, Any]], message_type: str = "DATA_MESSAGE") -> dict[str, Any]:
    data = {"messageType": message_type, "owner": "1", "logGroup": "g", "logStream": "s",
            "subscriptionFilters": ["f"], "logEvents": events}  # fmt: skip
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(data).encode())).decode()}}


def test_a_delivery_keeps_its_click_lines_and_skips_other_output() -> None:
    # Given a delivery with two clicks, a warning line and a malformed click line
    events = [
        {"id": "3001", "timestamp": 1000, "message": _click(1)},
        {"id": "3002", "timestamp": 1500, "message": '{"level":"WARNING","message":"slow"}'},
        {"id": "3003", "timestamp": 2000, "message": '{"type":"click","id":"broken"}'},
        {"id": "3004", "timestamp": 1800, "message": _click(2)},
    ]
    # When it is read
    delivery = read_delivery(_payload(events))
    # Then it holds the two clicks, counts the malformed one, and is dated by its newest event
    assert delivery is not None
    assert delivery.lines == (_click(1), _click(2))
    assert delivery.malformed == 1
    assert delivery.newest_ms == 2000


def test_the_same_log_events_are_the_same_delivery_in_any_order() -> None:
    assert delivery_id_of(["1", "2", "3"]) == delivery_id_of(["3", "1", "2"])
    assert delivery_id_of(["1", "2", "3"]) != delivery_id_of(["1", "2"])


def test_a_control_message_is_no_delivery_and_a_payload_that_is_not_one_is_refused() -> None:
    assert read_delivery(_payload([], "CONTROL_MESSAGE")) is None
    with pytest.raises(ValueError, match="subscription payload"):
        read_delivery({"awslogs": {"data": "bm90IGd6aXA="}})


class FakeBuffer:
    """The rollup's state and the recorded lines, in memory."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self.current = RollupState()

    def state(self) -> RollupState:
        return self.current

    def plan(self, state: RollupState, now_ms: int) -> RollupState | None:
        self.current = RollupState(run=state.run + 1, applying=True, on_time_end=now_ms, late_end=now_ms)
        return self.current

    def finish(self, run: RollupState) -> bool:
        self.current = RollupState(run=run.run, on_time_cursor=run.on_time_end, late_cursor=run.late_end)
        return True

    def lines(self, run: RollupState) -> Iterable[str]:
        return list(self._lines)


class CountingRepo:
    """Counters with the real checkpoint rule: a contribution is added only past the counter's checkpoint."""

    def __init__(self, die_after: int | None = None) -> None:
        self.totals: dict[tuple[str, str], int] = {}
        self.checkpoints: dict[tuple[str, str], str] = {}
        self.die_after = die_after
        self.applied = 0

    def first_clicks(self, slug: str, hour: str, shard: int, firsts: dict[str, str]) -> dict[str, str]:
        return dict(firsts)

    def merge_visitors(self, slug: str, hour: str, visitors: list[str], run: str) -> int:
        return len(visitors)

    def apply(self, shard_id: str, update: CounterUpdate) -> int:
        if self.die_after is not None and self.applied >= self.die_after:
            raise RuntimeError("died halfway")
        self.applied += 1
        key = (update.key.dimension, update.key.key_id)
        fresh = [c for c in update.contributions if c.checkpoint > self.checkpoints.get(key, "")]
        if fresh:
            self.totals[key] = self.totals.get(key, 0) + sum(c.clicks for c in fresh)
            self.checkpoints[key] = fresh[-1].checkpoint
        return len(fresh)

    def day_counters(self, *args: Any) -> list[Any]:
        return []


def test_a_rollup_that_died_halfway_is_finished_by_the_next_without_counting_twice() -> None:
    # Given three clicks recorded on two links, with a duplicate line of the same click
    buffer = FakeBuffer(
        [_click(1, "maya"), _click(2, "leo", "v2"), _click(3, "maya", "v3"), _click(1, "maya")]
    )
    repo = CountingRepo(die_after=2)
    # When the first rollup dies after two counter updates
    with pytest.raises(RuntimeError):
        roll_up(buffer, repo, now_ms=10_000)  # type: ignore[arg-type]
    assert buffer.current.applying
    # And the next one runs
    repo.die_after = None
    outcome = roll_up(buffer, repo, now_ms=70_000)  # type: ignore[arg-type]
    # Then it finished the same run, and every counter holds each click once
    assert outcome.run == 1 and not buffer.current.applying
    assert repo.totals[("link_total", "maya")] == 2
    assert repo.totals[("link_total", "leo")] == 1
    assert repo.totals[("partner", "ptn_1")] == 3
