"""Unique visitors on the default path: exact while a link-hour has few, a HyperLogLog sketch under 1 KB
after, and the same answer when a rollup's run is merged again."""

from __future__ import annotations

import base64
import hashlib
import math
import zlib

from starling.links import visitors as sketch
from tests.fakes.links import InMemoryClickCounterRepository


def _visitor(n: int) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(str(n).encode()).digest()[:8]).decode().rstrip("=")


def test_a_link_hour_with_few_visitors_is_counted_exactly() -> None:
    exact, registers, new = sketch.merge(b"", None, 0, [_visitor(n) for n in range(60)])
    assert (registers, new) == (None, 60)
    # The same visitors again and ten more: only the ten are new
    exact, registers, new = sketch.merge(exact, None, 60, [_visitor(n) for n in range(70)])
    assert (registers, new) == (None, 10)


def test_many_visitors_are_counted_within_the_sketchs_error_in_under_a_kilobyte() -> None:
    state: tuple[bytes | None, bytes | None] = (b"", None)
    counted = 0
    for start in range(0, 5000, 250):  # 20 rollups of 250 new visitors each
        exact, registers, new = sketch.merge(
            *state, counted, [_visitor(n) for n in range(start, start + 250)]
        )
        state, counted = (exact, registers), counted + new
    assert state[1] is not None and len(zlib.compress(state[1], 9)) < 1000
    assert abs(counted - 5000) <= 3 * 1.04 / math.sqrt(sketch.REGISTERS) * 5000


def test_a_run_merged_again_answers_the_same_and_counts_nothing_twice() -> None:
    repo = InMemoryClickCounterRepository()
    first = repo.merge_visitors("maya", "2026112915", [_visitor(1), _visitor(2)], "rollup:7")
    again = repo.merge_visitors("maya", "2026112915", [_visitor(1), _visitor(2)], "rollup:7")
    later = repo.merge_visitors("maya", "2026112915", [_visitor(2), _visitor(3)], "rollup:8")
    assert (first, again, later) == (2, 2, 1)
