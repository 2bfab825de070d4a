"""The record kept for each Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

RETENTION_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str


@dataclass(frozen=True)
class IdempotencyRecord:
    request_hash: str
    response: StoredResponse | None  # None while the first request is still running


class IdempotencyRepository(Protocol):
    def begin(self, record_id: str, request_hash: str) -> IdempotencyRecord | None:
        """Claim the key; None when claimed now, else the earlier record."""
        ...

    def finish(self, record_id: str, response: StoredResponse) -> None: ...

    def forget(self, record_id: str) -> None: ...
