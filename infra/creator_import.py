"""`starling creators import FILE`: a large CSV of creators through the brand API's upload URL.

It starts an import for the file's size (`POST /v1/creators/imports`), PUTs the file to the presigned URL
with a progress bar, then follows the background import (`GET /v1/creators/imports/{import_id}`) with a
second bar until it has finished, and prints what was imported and the first rejected rows with reasons.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import IO, Any

import requests

BAR = 30
CHUNK = 1 << 20


def _bar(label: str, done: int, total: int, detail: str, out: IO[str]) -> None:
    share = min(1.0, done / total) if total else 1.0
    filled = int(BAR * share)
    out.write(f"\r{label:<10}[{'#' * filled}{'.' * (BAR - filled)}] {share:>4.0%}  {detail}\033[K")
    out.flush()


class _Upload:
    """The file as a body of known length (S3 needs Content-Length), drawing the upload bar as it is read."""

    def __init__(self, path: Path, out: IO[str]) -> None:
        self._file = path.open("rb")
        self._size = path.stat().st_size
        self._sent = 0
        self._out = out

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(CHUNK if size is None or size < 0 else size)
        self._sent += len(chunk)
        _bar(
            "uploading",
            self._sent,
            self._size,
            f"{self._sent / 2**20:.1f} of {self._size / 2**20:.1f} MB",
            self._out,
        )
        return chunk


def _rows(path: Path) -> int:
    """Data rows of the file (lines after the header that are not blank), for the import bar."""
    with path.open("rb") as file:
        return max(0, sum(1 for line in file if line.strip()) - 1)


def import_file(
    api_url: str, key: str, path: Path, out: IO[str] = sys.stdout, poll_seconds: float = 0.5
) -> int:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    started = session.post(
        f"{api_url}/v1/creators/imports", json={"size_bytes": path.stat().st_size}, timeout=30
    )
    if started.status_code != 201:
        print(f"error: {started.json().get('error', {}).get('message', started.text)}", file=sys.stderr)
        return 1
    ticket: dict[str, Any] = started.json()
    print(f"import {ticket['import_id']}: {path.name}, {path.stat().st_size:,} bytes", file=out)
    upload = _Upload(path, out)
    put = requests.put(ticket["upload_url"], data=upload, headers=ticket["upload_headers"], timeout=600)
    print(file=out)
    if put.status_code != 200:
        print(f"error: the upload was refused ({put.status_code}): {put.text[:300]}", file=sys.stderr)
        return 1
    total = _rows(path)
    while True:
        job: dict[str, Any] = session.get(f"{api_url}{ticket['progress_url']}", timeout=30).json()
        detail = f"{job['rows_done']:,} of {total:,} rows, {job['rejected_count']:,} rejected"
        _bar("importing", job["rows_done"], total, detail, out)
        if job["finished"]:
            break
        time.sleep(poll_seconds)
    print(file=out)
    print(
        f"{job['status']}: {job['imported']:,} imported, {job['updated']:,} updated, "
        f"{job['rejected_count']:,} rejected",
        file=out,
    )
    for rejected in job["rejected"][:10]:
        reasons = "; ".join(f"{field}: {why}" for field, why in rejected["errors"].items())
        print(f"  row {rejected['row']}: {reasons}", file=out)
    if job["error"]:
        print(f"error: {job['error']}", file=sys.stderr)
    return 0 if job["status"] == "finished" else 1
