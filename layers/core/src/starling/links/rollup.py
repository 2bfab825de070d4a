"""The rollup: every delivery recorded since the last rollup counted together, exactly once.

Every `click_rollup_minutes` (an EventBridge schedule, 5 by default: the cost per click falls with the
batch; docs/decisions.md) the aggregator takes the next run number and fixes its range in the
rollup's state item (a conditional write: one rollup takes a run), reads the click lines of the deliveries
recorded in that range, and counts them with starling.links.aggregation as one batch whose checkpoint is
the run number. Then it moves the cursors past the range.

A rollup that dies halfway leaves its run "applying"; the next one counts the same range again with the same
run number, and each counter's checkpoint (`ck_rollup`) lets through only what it has not counted yet. Two
rollups on the same run write nothing twice for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from starling.links.aggregation import BatchOutcome, Mapper, StreamClick, aggregate, checkpoint_of
from starling.links.clicks import parse_click_line
from starling.links.deliveries import RollupState
from starling.links.model import ClickCounterRepository

ROLLUP_SHARD = "rollup"


class DeliveryBuffer(Protocol):
    def state(self) -> RollupState: ...

    def plan(self, state: RollupState, now_ms: int) -> RollupState | None: ...

    def finish(self, run: RollupState) -> bool: ...

    def lines(self, run: RollupState) -> Iterable[str]: ...


@dataclass
class RollupOutcome:
    run: int = 0
    deliveries_read: int = 0
    malformed: int = 0
    batch: BatchOutcome | None = None


def roll_up(
    buffer: DeliveryBuffer, repo: ClickCounterRepository, now_ms: int, parallel: Mapper = map
) -> RollupOutcome:
    """Count the next run (or finish the one a previous rollup left halfway)."""
    state = buffer.state()
    run = state if state.applying else buffer.plan(state, now_ms)
    if run is None:  # another rollup took this run
        return RollupOutcome()
    checkpoint = checkpoint_of(str(run.run))
    clicks: list[StreamClick] = []
    outcome = RollupOutcome(run=run.run)
    for line in buffer.lines(run):
        try:
            click = parse_click_line(line)
        except ValueError:
            outcome.malformed += 1
            continue
        if click is not None:
            clicks.append(StreamClick(ROLLUP_SHARD, checkpoint, click))
    outcome.batch = aggregate(repo, clicks, parallel=parallel, sketch_run=f"{ROLLUP_SHARD}:{run.run}")
    buffer.finish(run)
    return outcome
