"""The one clock: timezone-aware UTC, so a time read here compares with any time stored."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().date()
