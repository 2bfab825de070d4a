"""What `starling dev` shows a person, and where the rest goes.

The console gets the banner and then one line per request (method, path, status, time). Everything else
(each function's output, as its log group gets it; Python warnings; library logging; the same request
lines) goes to a log file under `.starling/`, so the console stays readable and nothing is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TextIO

from infra.local import logs

_lock = threading.Lock()
_file: TextIO | None = None


def to_file(path: Path) -> Path:
    """Send function output, warnings and logging to this file (appended) from now on."""
    global _file
    path.parent.mkdir(parents=True, exist_ok=True)
    _file = path.open("a", buffering=1, encoding="utf-8")
    logs.echo_to(_file)
    handler = logging.StreamHandler(_file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    logging.captureWarnings(True)  # e.g. Powertools' "No application metrics to publish"
    return path


def say(text: str) -> None:
    """Show this on the console, and keep it in the log file."""
    with _lock:
        print(text, flush=True)
        if _file is not None:
            _file.write(text + "\n")


def format_request(method: str, target: str, status: int, milliseconds: float) -> str:
    return f"{time.strftime('%H:%M:%S')}  {method:<6} {target}  {status}  {milliseconds:.0f} ms"


def request_line(method: str, target: str, status: int, milliseconds: float) -> None:
    say(format_request(method, target, status, milliseconds))
