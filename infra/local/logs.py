"""Function output to CloudWatch Logs, as Lambda ships it.

On AWS, whatever a function writes to standard output lands in its log group, and subscription filters
forward it (the redirect's click lines reach the click stream this way). Here every function runs in one
process, so `sys.stdout` is replaced by a writer that keeps each invocation's lines apart (per thread);
after the invocation they go to the function's log group on moto with PutLogEvents, and on to the
process's own output (or, under `starling dev`, its log file: see console.py) so a developer still sees them.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

# Function name -> its log group, from the template's LoggingConfig (filled in by provisioning).
LOG_GROUPS: dict[str, str] = {}
LOG_STREAM = "local/[$LATEST]starling"
_ship_lock = threading.Lock()
_streams_made: set[str] = set()


_echo: TextIO | None = None  # where shipped lines are echoed; None: the process's own standard output


def echo_to(stream: TextIO | None) -> None:
    global _echo
    _echo = stream


_captured = threading.local()  # per thread: the current invocation's output, shared by every writer


class InvocationStdout:
    """Writes go to the current invocation's lines when there is one, else straight through."""

    def __init__(self, real: TextIO) -> None:
        self.real = real

    def write(self, text: str) -> int:
        lines: list[str] | None = getattr(_captured, "lines", None)
        if lines is None:
            return self.real.write(text)
        lines.append(text)
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def install() -> InvocationStdout:
    """Make sys.stdout an InvocationStdout; called at every invocation, because a test runner may swap
    sys.stdout between tests."""
    if not isinstance(sys.stdout, InvocationStdout):
        sys.stdout = InvocationStdout(sys.stdout)  # type: ignore[assignment]
    return sys.stdout  # type: ignore[return-value]


@contextmanager
def capture() -> Iterator[list[str]]:
    """Collect what this thread writes to sys.stdout until the block ends."""
    install()
    previous = getattr(_captured, "lines", None)
    _captured.lines = []
    try:
        yield _captured.lines
    finally:
        _captured.lines = previous


def log_events(chunks: list[str], now_ms: int) -> list[dict[str, Any]]:
    """One log event per line, as Lambda splits standard output."""
    text = "".join(chunks)
    return [{"timestamp": now_ms, "message": line} for line in text.splitlines() if line.strip()]


def ship(logs_client: Any, function_name: str, chunks: list[str]) -> None:
    """Put an invocation's lines into its function's log group (nothing if it has none)."""
    events = log_events(chunks, int(time.time() * 1000))
    if not events:
        return
    (_echo or install().real).write("".join(chunks))
    group = LOG_GROUPS.get(function_name)
    if group is None:
        return
    with _ship_lock:  # moto's PutLogEvents, and the stream records it forwards, are not thread-safe
        if group not in _streams_made:
            with suppress(logs_client.exceptions.ResourceAlreadyExistsException):
                logs_client.create_log_stream(logGroupName=group, logStreamName=LOG_STREAM)
            _streams_made.add(group)
        logs_client.put_log_events(logGroupName=group, logStreamName=LOG_STREAM, logEvents=events)
