"""Click lines as a CloudWatch Logs subscription hands them to the aggregator, with no stream between.

CloudWatch Logs invokes the function asynchronously with `{"awslogs": {"data": <base64 of the gzip of a JSON
envelope>}}`; the envelope's `logEvents` each carry a unique `id`. A delivery holds a few events (one log
stream's, a second or so of them), so counting each delivery on its own would write every counter for a
few clicks. Instead a delivery is recorded once, in one item, and a rollup counts every recorded delivery
since the last one together (starling.links.rollup).

Exactly once: a delivery's identity is a hash of its log event ids, so the same delivery again (Lambda's
async retries and duplicates, a replay from the failure queue) lands on the same key and is refused by a
conditional write. See docs/decisions.md (2026-11-29, "Click capture with no stream").
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from starling.links.clicks import parse_click_line

# A delivery is "on time" when it is recorded within ON_TIME_MS of its newest log event, and its write
# finishes within WRITE_BOUND_MS of that check; the rollup only reads on-time items older than
# ROLLUP_LAG_MS, so no on-time write can land behind it. Later deliveries go to the late partition.
ON_TIME_MS = 30_000
WRITE_BOUND_MS = 20_000
ROLLUP_LAG_MS = ON_TIME_MS + WRITE_BOUND_MS + 5_000
# Late items are keyed by when they were recorded; the rollup reads them once this much older.
LATE_LAG_MS = WRITE_BOUND_MS + 5_000


@dataclass(frozen=True)
class Delivery:
    """One subscription delivery: its identity, its newest event's time, and its click lines."""

    delivery_id: str
    newest_ms: int
    lines: tuple[str, ...]
    malformed: int

    @property
    def on_time_sort_key(self) -> str:
        return f"{self.newest_ms:013d}#{self.delivery_id}"


def is_subscription_event(event: Any) -> bool:
    return isinstance(event, dict) and isinstance(event.get("awslogs"), dict)


def delivery_id_of(event_ids: list[str]) -> str:
    """The same log events give the same id, whatever their order; 128 bits of SHA-256."""
    return hashlib.sha256("\n".join(sorted(event_ids)).encode()).hexdigest()[:32]


def read_delivery(event: dict[str, Any]) -> Delivery | None:
    """The delivery in a subscription invocation; None for CloudWatch Logs' control messages. Raises
    ValueError when the payload is not a subscription envelope (a retry cannot mend it)."""
    try:
        envelope = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    except (KeyError, TypeError, ValueError, OSError, EOFError) as exc:
        raise ValueError("not a CloudWatch Logs subscription payload") from exc
    if not isinstance(envelope, dict) or envelope.get("messageType") != "DATA_MESSAGE":
        return None
    events = [e for e in envelope.get("logEvents") or [] if isinstance(e, dict)]
    lines: list[str] = []
    malformed = 0
    for log_event in events:
        message = str(log_event.get("message", ""))
        try:
            click = parse_click_line(message)
        except ValueError:
            malformed += 1
            continue
        if click is not None:
            lines.append(message[message.find("{") :])
    return Delivery(
        delivery_id=delivery_id_of([str(e.get("id", "")) for e in events]),
        newest_ms=max((int(e.get("timestamp") or 0) for e in events), default=0),
        lines=tuple(lines),
        malformed=malformed,
    )


def stream_record_identity(data: bytes) -> str | None:
    """A Kinesis record written by a subscription is one delivery too: the id of its log events (None for
    a record that holds none). The same events put twice in the stream are two records with one id."""
    envelope = json.loads(gzip.decompress(data))
    events = envelope.get("logEvents") or [] if isinstance(envelope, dict) else []
    ids = [str(e.get("id", "")) for e in events if isinstance(e, dict)]
    return delivery_id_of(ids) if ids else None


def pack_lines(lines: tuple[str, ...] | list[str]) -> bytes:
    """Click lines as they are kept until the rollup: zlib (level 9) of the lines, one per line."""
    return zlib.compress("\n".join(lines).encode(), 9)


def unpack_lines(data: bytes) -> list[str]:
    text = zlib.decompress(data).decode()
    return [line for line in text.split("\n") if line]


@dataclass(frozen=True)
class RollupState:
    run: int = 0
    on_time_cursor: int = 0  # on-time items up to this newest-event time are counted
    late_cursor: int = 0  # late items recorded up to this time are counted
    applying: bool = False
    on_time_end: int = 0  # the range of the run in progress (when applying)
    late_end: int = 0
