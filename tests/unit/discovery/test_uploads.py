"""Large imports on in-memory fakes: an uploaded file imported in chunks, progress saved after each, and a
run that fails part way resumed by the next one."""

from __future__ import annotations

import pytest

from starling.discovery import uploads
from starling.discovery.model import brand_owner
from starling.shared.errors import Invalid, Unavailable
from tests.fakes.discovery import InMemoryCreatorRepository, InMemoryImportJobs

BRAND = "brd_a"


def _file(rows: int, bad: set[int] = frozenset()) -> bytes:  # type: ignore[assignment]
    lines = ["\ufeffhandle,platform,followers"]
    for i in range(1, rows + 1):
        lines.append(f"creator{i},{'myspace' if i in bad else 'instagram'},{100 + i}")
        if i % 7 == 0:
            lines.append("")  # a blank line is not a row
    return "\n".join(lines).encode()


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "CHUNK_ROWS", 10)


def _uploaded(jobs: InMemoryImportJobs, content: bytes) -> str:
    ticket = uploads.start_upload(jobs, BRAND, len(content))
    jobs.files[ticket.job.import_id] = content
    return ticket.job.import_id


def test_an_upload_is_imported_chunk_by_chunk_with_rejected_rows_numbered_in_the_whole_file() -> None:
    # Given an uploaded file of 35 rows, two of them bad, in chunks of 10
    jobs, creators = InMemoryImportJobs(), InMemoryCreatorRepository()
    import_id = _uploaded(jobs, _file(35, bad={4, 23}))
    assert jobs.get_job(BRAND, import_id).status == uploads.WAITING
    # When the job runs
    job = uploads.import_upload(jobs, creators, BRAND, import_id)
    # Then every row is done, the bad ones by their row in the file, and each chunk was one search write
    assert (job.status, job.rows_done, job.imported, job.updated) == (uploads.FINISHED, 35, 33, 0)
    assert [(r.row, list(r.errors)) for r in job.rejected] == [(4, ["platform"]), (23, ["platform"])]
    assert creators.creator_count(brand_owner(BRAND)) == 33
    assert len(creators.segments[brand_owner(BRAND)]) == 4
    # And a second notification of the same file changes nothing
    assert uploads.import_upload(jobs, creators, BRAND, import_id) == job


def test_a_run_that_fails_part_way_keeps_its_progress_and_the_next_run_resumes_after_it() -> None:
    # Given an uploaded file of 35 rows, and a store whose third search write fails
    jobs, creators = InMemoryImportJobs(), InMemoryCreatorRepository()
    import_id = _uploaded(jobs, _file(35))
    creators.fail_after = 2
    # When the job runs, it fails in its third chunk, with two chunks saved
    with pytest.raises(Unavailable):
        uploads.import_upload(jobs, creators, BRAND, import_id)
    halfway = jobs.get_job(BRAND, import_id)
    assert (halfway.status, halfway.rows_done, halfway.imported) == (uploads.IMPORTING, 20, 20)
    # When the queue runs it again
    job = uploads.import_upload(jobs, creators, BRAND, import_id)
    # Then it resumes at row 21 and finishes: each creator once, counted once
    assert (job.status, job.rows_done, job.imported + job.updated) == (uploads.FINISHED, 35, 35)
    assert creators.creator_count(brand_owner(BRAND)) == 35


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\n\n", "empty"),
        (b"handle;platform\nmaya;instagram\n", "semicolons"),
        (b"name,followers\nMaya,100\n", "handle"),
    ],
)
def test_a_file_that_cannot_be_read_ends_the_import_as_failed_with_the_reason(
    content: bytes, reason: str
) -> None:
    jobs, creators = InMemoryImportJobs(), InMemoryCreatorRepository()
    ticket = uploads.start_upload(jobs, BRAND, max(1, len(content)))
    jobs.files[ticket.job.import_id] = content
    job = uploads.import_upload(jobs, creators, BRAND, ticket.job.import_id)
    assert job.status == uploads.FAILED and reason in (job.error or "")


def test_an_import_past_the_creator_limit_stops_as_failed_keeping_the_chunks_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("starling.discovery.service.MAX_CREATORS_PER_OWNER", 15)
    jobs, creators = InMemoryImportJobs(), InMemoryCreatorRepository()
    job = uploads.import_upload(jobs, creators, BRAND, _uploaded(jobs, _file(35)))
    assert job.status == uploads.FAILED and "at most 15" in (job.error or "")
    assert (job.rows_done, job.imported) == (10, 10)


@pytest.mark.parametrize("size", [0, uploads.MAX_UPLOAD_BYTES + 1])
def test_an_upload_of_no_size_or_too_big_is_invalid(size: int) -> None:
    with pytest.raises(Invalid):
        uploads.start_upload(InMemoryImportJobs(), BRAND, size)
