"""Large imports: a CSV uploaded to S3 and imported in the background, with progress a brand can follow.

`start_upload` records the import and gives a presigned upload URL for a file of the declared size (at
most `MAX_UPLOAD_BYTES`). When the file lands, a job (`import_upload`) reads it as a stream, in chunks of
`CHUNK_ROWS` rows, and imports each chunk as the one-request import does (`service.import_creators`), so
each chunk is searchable whole or not at all. After each chunk the import's progress is saved: rows done,
creators added and updated, rejected rows by their number in the whole file. A job that fails part way is
run again (its queue redelivers it) and resumes after the last chunk it saved; a chunk it was in the
middle of is imported again, which finishes it. A file Starling cannot read as CSV ends the import as
`failed` with the reason, as does passing the creator limit; the chunks before stay imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from starling.discovery.importing import MAX_IMPORT_ROWS, RejectedRow, parse_creator_csv
from starling.discovery.model import CreatorRepository
from starling.discovery.service import import_creators
from starling.shared.errors import Conflict, Invalid, NotFound
from starling.shared.ids import new_id

MAX_UPLOAD_BYTES = 512 * 2**20  # 512 MiB: about 4 million rows of a typical export (130 bytes a row)
CHUNK_ROWS = MAX_IMPORT_ROWS  # rows imported (and made searchable) at a time
MAX_REJECTED_LISTED = 1_000  # rejected rows listed with their reasons; all are counted
UPLOAD_URL_SECONDS = 3600

WAITING, IMPORTING, FINISHED, FAILED = "waiting_for_upload", "importing", "finished", "failed"


@dataclass(frozen=True)
class ImportJob:
    """One uploaded import and how far it got."""

    import_id: str
    brand_id: str
    size_bytes: int
    created_at: datetime
    updated_at: datetime
    status: str = WAITING
    rows_done: int = 0
    imported: int = 0
    updated: int = 0
    rejected_count: int = 0
    rejected: tuple[RejectedRow, ...] = ()
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in (FINISHED, FAILED)


@dataclass(frozen=True)
class UploadTicket:
    job: ImportJob
    upload_url: str
    upload_headers: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


class ImportJobs(Protocol):
    """Where import jobs are kept (under their brand), and the uploaded files."""

    def save_job(self, job: ImportJob) -> None: ...
    def get_job(self, brand_id: str, import_id: str) -> ImportJob: ...
    def upload_url(self, job: ImportJob, expires_in: int) -> tuple[str, dict[str, str]]: ...
    def uploaded_size(self, job: ImportJob) -> int: ...
    def lines(self, job: ImportJob) -> Iterable[str]: ...


def start_upload(jobs: ImportJobs, brand_id: str, size_bytes: int) -> UploadTicket:
    """A new import waiting for its file, and where to PUT the file (`size_bytes` long, CSV)."""
    if not 1 <= size_bytes <= MAX_UPLOAD_BYTES:
        raise Invalid(
            f"size_bytes is the file's size, from 1 to {MAX_UPLOAD_BYTES:,} bytes; "
            "split a bigger file into several imports.",
            {"size_bytes": f"1 to {MAX_UPLOAD_BYTES}"},
        )
    now = datetime.now(UTC)
    job = ImportJob(new_id("imp"), brand_id, size_bytes, now, now)
    jobs.save_job(job)
    url, headers = jobs.upload_url(job, UPLOAD_URL_SECONDS)
    return UploadTicket(job, url, headers, now + timedelta(seconds=UPLOAD_URL_SECONDS))


def get_import(jobs: ImportJobs, brand_id: str, import_id: str) -> ImportJob:
    return jobs.get_job(brand_id, import_id)


def import_upload(jobs: ImportJobs, creators: CreatorRepository, brand_id: str, import_id: str) -> ImportJob:
    """Import the uploaded file of this import, chunk by chunk, saving progress after each (see the module's
    docstring). An import already finished is left as it is (a notification can come twice)."""
    try:
        job = jobs.get_job(brand_id, import_id)
    except NotFound:
        return ImportJob(import_id, brand_id, 0, datetime.now(UTC), datetime.now(UTC), status=FAILED)
    if job.finished:
        return job
    size = jobs.uploaded_size(job)
    if size > MAX_UPLOAD_BYTES or size != job.size_bytes:
        return _end(jobs, job, f"The file has {size:,} bytes; the import was started for {job.size_bytes:,}.")
    job = _saved(jobs, replace(job, status=IMPORTING))
    try:
        for start, count, text in _chunks(jobs.lines(job)):
            if start < job.rows_done:
                continue  # imported before this run
            job = _saved(jobs, _with_chunk(job, creators, start, count, text))
    except (Invalid, Conflict) as exc:
        return _end(jobs, job, exc.message)
    return _saved(jobs, replace(job, status=FINISHED))


def _with_chunk(job: ImportJob, creators: CreatorRepository, start: int, count: int, text: str) -> ImportJob:
    parsed = parse_creator_csv(text, max_rows=CHUNK_ROWS)
    summary = import_creators(creators, job.brand_id, parsed)
    rejected = [RejectedRow(start + r.row, r.errors) for r in parsed.rejected]
    return replace(
        job,
        rows_done=start + count,
        imported=job.imported + summary.imported,
        updated=job.updated + summary.updated,
        rejected_count=job.rejected_count + len(rejected),
        rejected=(*job.rejected, *rejected)[:MAX_REJECTED_LISTED],
    )


def _chunks(lines: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(rows before the chunk, its rows, the chunk as CSV text under the file's header) for each CHUNK_ROWS
    rows; blank lines are not rows, as in the one-request import."""
    reader = csv.reader(_without_bom(lines))
    start, rows, header = 0, [], None
    try:
        header = next(reader, None)
        if header is None:
            raise Invalid("The file is empty; it needs a header row and at least one row.", {"file": "empty"})
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            rows.append(cells)
            if len(rows) == CHUNK_ROWS:
                yield start, len(rows), _as_csv(header, rows)
                start, rows = start + len(rows), []
    except csv.Error as exc:
        raise Invalid(f"The file cannot be read as CSV after row {start + len(rows)}: {exc}.") from None
    if rows or start == 0:
        yield start, len(rows), _as_csv(header, rows)


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    first = True
    for line in lines:
        yield line.removeprefix("\ufeff") if first else line
        first = False


def _as_csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _saved(jobs: ImportJobs, job: ImportJob) -> ImportJob:
    job = replace(job, updated_at=datetime.now(UTC))
    jobs.save_job(job)
    return job


def _end(jobs: ImportJobs, job: ImportJob, reason: str) -> ImportJob:
    return _saved(jobs, replace(job, status=FAILED, error=reason))


def rejected_dicts(job: ImportJob) -> list[dict[str, Any]]:
    return [r.as_dict() for r in job.rejected]
