"""Turning a batch of clicks from the click stream into counters, exactly once.

A batch comes from one shard of the stream, in order. In memory, the batch is reduced to one update per
counter: per link, partner and campaign and UTC day (with the hour's figures inside the day's item), plus
the link's lifetime totals. Each counter remembers, per shard, the last stream position it has counted
(its checkpoint), and an update only adds what lies after it. So a batch delivered again, whole or from a
failed record on, never counts twice, and one that failed halfway resumes exactly where it stopped.

Unique visitors: a visitor (salted hash of IP and user agent) counts once per link per UTC hour. On the
kinesis path the hour's visitor state keeps, for each visitor, the id of their first click; writing it with
if_not_exists is idempotent, and a click is unique exactly when it is its visitor's first, however often it
is replayed. The default path's rollups use starling.links.visitors instead (`sketch_run`).
"""

from __future__ import annotations

import gzip
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from starling.links.click_quality import burst_flags, is_bot, is_in_app
from starling.links.clicks import Click, parse_click_line
from starling.links.model import ClickCounterRepository, Contribution, CounterKey, CounterUpdate

# The kinesis path: a link-hour's visitors are spread over this many state items; one item holds about
# 15,000 (DynamoDB's 400 KB), so a link counts up to about 60,000 unique visitors an hour there. 16 items
# would raise it to 240,000 but cost 0.45 write units a click instead of 0.21 (`make bench`); the default
# path has no ceiling (starling.links.visitors). docs/decisions.md, 2026-11-29.
VISITOR_STATE_SHARDS = 4
# How independent writes are run: `map` one after another, or an executor's `map` side by side.
Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]


def checkpoint_of(sequence_number: str) -> str:
    """Stream sequence numbers are decimal strings of varying length; prefixing the length makes plain
    string comparison (which DynamoDB conditions use) agree with numeric order."""
    return f"{len(sequence_number):03d}{sequence_number}"


def hour_of(at_ms: int) -> str:
    return time.strftime("%Y%m%d%H", time.gmtime(at_ms / 1000))


@dataclass(frozen=True)
class StreamClick:
    """A click and where it sits in the stream."""

    shard_id: str
    checkpoint: str
    click: Click


@dataclass
class BatchOutcome:
    clicks: int = 0
    duplicates: int = 0
    bots: int = 0
    flagged: int = 0
    unique: int = 0
    counter_updates: int = 0


def visitor_shard(visitor: str) -> int:
    return ord(visitor[0]) % VISITOR_STATE_SHARDS if visitor else 0


def _sketched_unique_click_ids(
    repo: ClickCounterRepository, people: list[StreamClick], parallel: Mapper, run: str
) -> set[str]:
    """The default path: each link-hour's visitors merged into its sketch, which says how many are new;
    that many of the batch's visitors (in batch order, their first click) are unique."""
    firsts: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for item in people:
        c = item.click
        if c.visitor:
            firsts[(c.slug, hour_of(c.at_ms))].setdefault(c.visitor, c.click_id)
    groups = list(firsts.items())
    answers = parallel(lambda g: repo.merge_visitors(g[0][0], g[0][1], list(g[1]), run), groups)
    unique: set[str] = set()
    for (_, group), new in zip(groups, answers, strict=True):
        unique.update(list(group.values())[:new])
    return unique


def _unique_click_ids(repo: ClickCounterRepository, people: list[StreamClick], parallel: Mapper) -> set[str]:
    """Ids of the clicks that are their visitor's first on that link in that hour."""
    firsts: dict[tuple[str, str, int], dict[str, str]] = defaultdict(dict)
    for item in people:
        c = item.click
        if c.visitor:
            group = firsts[(c.slug, hour_of(c.at_ms), visitor_shard(c.visitor))]
            group.setdefault(c.visitor, c.click_id)
    groups = list(firsts.items())
    answers = parallel(lambda g: repo.first_clicks(g[0][0], g[0][1], g[0][2], g[1]), groups)
    unique: set[str] = set()
    for (_, group), recorded in zip(groups, answers, strict=True):
        unique.update(click_id for visitor, click_id in group.items() if recorded.get(visitor) == click_id)
    return unique


def plan_updates(
    batch: list[StreamClick], bots: set[str], flagged: set[str], unique_ids: set[str]
) -> list[CounterUpdate]:
    """One update per counter for the whole batch."""
    updates: dict[CounterKey, CounterUpdate] = {}

    def add(key: CounterKey, contribution: Contribution, labels: dict[str, str] | None = None) -> None:
        update = updates.setdefault(key, CounterUpdate(key))
        update.contributions.append(contribution)
        if labels:
            update.labels.update(labels)

    for item in batch:
        c = item.click
        hour = hour_of(c.at_ms)
        day = hour[:8]
        if c.click_id in bots:
            figures = {"bot_clicks": 1}
        elif c.click_id in flagged:
            figures = {"flagged_clicks": 1}
        else:
            figures = {
                "clicks": 1,
                "unique_clicks": int(c.click_id in unique_ids),
                "in_app_clicks": int(is_in_app(c.user_agent)),
            }
        contribution = Contribution(item.checkpoint, hour, **figures)
        link_labels = {
            "partner_id": c.partner_id,
            **({"campaign_id": c.campaign_id} if c.campaign_id else {}),
        }
        add(CounterKey(c.brand_id, "link", c.slug, day), contribution, link_labels)
        add(CounterKey(c.brand_id, "link_month", c.slug, day[:6]), contribution, link_labels)
        add(CounterKey(c.brand_id, "partner", c.partner_id, day), contribution)
        if c.campaign_id:
            add(CounterKey(c.brand_id, "campaign", c.campaign_id, day), contribution)
        add(CounterKey(c.brand_id, "link_total", c.slug, None), contribution)
    return list(updates.values())


def aggregate(
    repo: ClickCounterRepository,
    batch: list[StreamClick],
    parallel: Mapper = map,
    sketch_run: str | None = None,
) -> BatchOutcome:
    """Count one batch (one shard, stream order) exactly once. The visitor-state writes, then the counter
    writes, are independent of one another, so `parallel` may run them side by side. With `sketch_run` (the
    rollup's run), unique visitors are counted with the link-hours' sketches instead of exact state."""
    outcome = BatchOutcome()
    seen: set[str] = set()
    clicks: list[StreamClick] = []
    for item in batch:
        if item.click.click_id in seen:  # the same log event delivered twice
            outcome.duplicates += 1
            continue
        seen.add(item.click.click_id)
        clicks.append(item)
    if not clicks:
        return outcome
    shard_ids = {item.shard_id for item in clicks}
    if len(shard_ids) != 1:
        raise ValueError(f"a batch comes from one shard, not {sorted(shard_ids)}")
    (shard_id,) = shard_ids
    bots = {item.click.click_id for item in clicks if is_bot(item.click.user_agent)}
    people = [item for item in clicks if item.click.click_id not in bots]
    flags = burst_flags((i.click.slug, i.click.source, i.click.at_ms) for i in people)
    flagged = {item.click.click_id for item, flag in zip(people, flags, strict=True) if flag}
    counted = [item for item in people if item.click.click_id not in flagged]
    if sketch_run is None:
        unique_ids = _unique_click_ids(repo, counted, parallel)
    else:
        unique_ids = _sketched_unique_click_ids(repo, counted, parallel, sketch_run)
    updates = plan_updates(clicks, bots, flagged, unique_ids)
    for _ in parallel(lambda update: repo.apply(shard_id, update), updates):
        outcome.counter_updates += 1
    outcome.clicks = len(clicks)
    outcome.bots = len(bots)
    outcome.flagged = len(flagged)
    outcome.unique = len(unique_ids)
    return outcome


def clicks_in_log_record(data: bytes, shard_id: str, sequence_number: str) -> tuple[list[StreamClick], int]:
    """The clicks in one stream record written by a CloudWatch Logs subscription (gzip of JSON with
    `logEvents`), and how many click lines in it were malformed. Control messages hold no clicks."""
    envelope = json.loads(gzip.decompress(data))
    if envelope.get("messageType") != "DATA_MESSAGE":
        return [], 0
    checkpoint = checkpoint_of(sequence_number)
    clicks: list[StreamClick] = []
    malformed = 0
    for event in envelope.get("logEvents") or []:
        try:
            click = parse_click_line(str(event.get("message", "")))
        except ValueError:
            malformed += 1
            continue
        if click is not None:
            clicks.append(StreamClick(shard_id, checkpoint, click))
    return clicks, malformed


def countable_clicks(
    read: Iterable[tuple[list[StreamClick], int]], failed_sequence_numbers: Iterable[str]
) -> tuple[list[StreamClick], int]:
    """The clicks of the records read that lie before the first record that could not be read (the stream
    retries from that one, so counting past it would move checkpoints over clicks not yet counted), and
    how many malformed click lines the records held."""
    first_failure = min((checkpoint_of(s) for s in failed_sequence_numbers), default=None)
    clicks: list[StreamClick] = []
    malformed = 0
    for found, bad in read:
        clicks.extend(c for c in found if first_failure is None or c.checkpoint < first_failure)
        malformed += bad
    return clicks, malformed
