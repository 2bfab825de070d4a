"""Per-invocation environment for functions that run in one process.

On AWS each function has its own environment. Here many functions share a process and its threads, so
`os.environ` is replaced by a mapping that lets the current thread see its invocation's variables on top of
the process's. Code under test reads `os.environ` as usual and cannot tell the difference.

Invocations of different functions run at once on different threads, each with its own overlay; threads a
handler starts itself see only the process's variables.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

_install_lock = threading.Lock()


class InvocationEnviron(MutableMapping[str, str]):
    def __init__(self, base: MutableMapping[str, str]) -> None:
        self._base = base
        self._local = threading.local()

    def _overlay(self) -> dict[str, str] | None:
        return getattr(self._local, "overlay", None)

    def __getitem__(self, key: str) -> str:
        overlay = self._overlay()
        if overlay is not None and key in overlay:
            return overlay[key]
        return self._base[key]

    def __setitem__(self, key: str, value: str) -> None:
        overlay = self._overlay()
        if overlay is not None:
            overlay[key] = value
        else:
            self._base[key] = value

    def __delitem__(self, key: str) -> None:
        overlay = self._overlay()
        if overlay is not None and key in overlay:
            del overlay[key]
        else:
            del self._base[key]

    def __iter__(self) -> Iterator[str]:
        overlay = self._overlay() or {}
        yield from overlay
        yield from (k for k in self._base if k not in overlay)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self)

    def __repr__(self) -> str:
        return f"InvocationEnviron({dict(self)!r})"

    @contextmanager
    def invocation(self, variables: dict[str, Any]) -> Iterator[None]:
        previous = self._overlay()
        self._local.overlay = {k: str(v) for k, v in variables.items()}
        try:
            yield
        finally:
            self._local.overlay = previous


def install() -> InvocationEnviron:
    """Replace os.environ once per process; later calls return the installed one. The first invocations
    may arrive on several threads at once: each must get the one that is installed, not one of its own."""
    with _install_lock:
        if isinstance(os.environ, InvocationEnviron):
            return os.environ
        environ = InvocationEnviron(os.environ)
        os.environ = environ  # type: ignore[assignment]  # noqa: B003 - the overlay keeps the base environment
        return environ
