"""The evidence trail: append-only events, each carrying the SHA-256 of the one before.

An event's hash covers its sequence, kind, actor, server UTC time, IP, user agent, data and the previous
event's hash, serialized canonically (sorted keys, no spaces). `verify` recomputes the chain, so editing
or removing any event is found: every hash after it stops matching. The repository writes each event with
a condition that its sequence is new, so nothing overwrites one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from starling.contracts.model import EvidenceEvent

GENESIS = "0" * 64


def event_hash(
    sequence: int,
    kind: str,
    at: datetime,
    actor: str,
    data: dict[str, Any],
    previous_hash: str,
    ip: str | None,
    user_agent: str | None,
) -> str:
    canonical = json.dumps(
        {
            "sequence": sequence,
            "kind": kind,
            "at": at.isoformat(),
            "actor": actor,
            "data": data,
            "previous_hash": previous_hash,
            "ip": ip,
            "user_agent": user_agent,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_event(
    trail: Sequence[EvidenceEvent],
    kind: str,
    at: datetime,
    actor: str,
    data: dict[str, Any] | None = None,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
) -> EvidenceEvent:
    """The event that follows `trail`, chained to its last event."""
    sequence = len(trail) + 1
    previous = trail[-1].hash if trail else GENESIS
    payload = dict(data or {})
    return EvidenceEvent(
        sequence=sequence,
        kind=kind,
        at=at,
        actor=actor,
        data=payload,
        previous_hash=previous,
        hash=event_hash(sequence, kind, at, actor, payload, previous, ip, user_agent),
        ip=ip,
        user_agent=user_agent,
    )


def verify(trail: Sequence[EvidenceEvent]) -> bool:
    """True when every event follows the one before and its hash matches its content."""
    previous = GENESIS
    for expected, event in enumerate(trail, start=1):
        if event.sequence != expected or event.previous_hash != previous:
            return False
        recomputed = event_hash(
            event.sequence,
            event.kind,
            event.at,
            event.actor,
            event.data,
            previous,
            event.ip,
            event.user_agent,
        )
        if recomputed != event.hash:
            return False
        previous = event.hash
    return True
