"""A large import through an upload URL, on the local cloud: the API presigns, S3 tells the queue, the
import function imports the file in chunks, and the brand follows its progress."""

from __future__ import annotations

import importlib
import time

import pytest
import requests

from tests.integration.conftest import new_brand
from tests.support import Answer, ApiClient


def _file(rows: int, bad: set[int]) -> bytes:
    lines = ["Username,Network,Followers,Niche,Country"]
    for i in range(1, rows + 1):
        platform = "myspace" if i in bad else "tiktok"
        lines.append(f"upload.creator{i},{platform},{1_000 + i},food,FR")
    return ("\n".join(lines) + "\n").encode()


def _start(api: ApiClient, key: str, size: int) -> Answer:
    return api.call("POST", "/v1/creators/imports", key, {"size_bytes": size})


def _progress(api: ApiClient, key: str, import_id: str, until_finished: bool = True) -> dict:
    deadline = time.monotonic() + 120
    while True:
        answer = api.call("GET", f"/v1/creators/imports/{import_id}", key)
        assert answer.status == 200, answer.text
        if answer.body["finished"] or not until_finished or time.monotonic() > deadline:
            return dict(answer.body)
        time.sleep(0.2)


@pytest.fixture()
def small_chunks(monkeypatch: pytest.MonkeyPatch, api: ApiClient, brand: dict) -> None:
    api.call("GET", "/v1/creators", brand["api_key"])  # the API function imports discovery in its environment
    monkeypatch.setattr(importlib.import_module("starling.discovery.uploads"), "CHUNK_ROWS", 50)


def test_an_uploaded_csv_is_imported_in_the_background_with_rejected_rows_numbered_in_the_file(
    api: ApiClient, brand: dict, small_chunks: None
) -> None:
    key = brand["api_key"]
    content = _file(230, bad={7, 180})
    # Given an import started for the file's size
    started = _start(api, key, len(content))
    assert started.status == 201, started.text
    ticket = started.body
    assert ticket["upload_method"] == "PUT" and ticket["progress_url"].endswith(ticket["import_id"])
    assert _progress(api, key, ticket["import_id"], until_finished=False)["status"] == "waiting_for_upload"
    # When the file is PUT to the upload URL (S3 on the local stack's endpoint)
    put = requests.put(ticket["upload_url"], data=content, headers=ticket["upload_headers"], timeout=30)
    assert put.status_code == 200, put.text
    # Then the import finishes in the background: every good row imported, the bad ones by file row number
    done = _progress(api, key, ticket["import_id"])
    assert done["status"] == "finished", done
    assert done["rows_done"] == 230 and done["imported"] == 228 and done["updated"] == 0
    assert done["rejected_count"] == 2
    assert [(r["row"], list(r["errors"])) for r in done["rejected"]] == [
        (7, ["platform"]),
        (180, ["platform"]),
    ]
    # And the creators are searchable
    found = api.call("GET", "/v1/creators?q=upload&limit=100", key).body
    assert len(found["items"]) == 100 and found["next_cursor"]


def test_a_file_of_another_size_than_declared_fails_with_the_reason(api: ApiClient, brand: dict) -> None:
    key = brand["api_key"]
    content = _file(3, bad=set())
    ticket = _start(api, key, len(content) + 10).body
    requests.put(ticket["upload_url"], data=content, headers=ticket["upload_headers"], timeout=30)
    done = _progress(api, key, ticket["import_id"])
    assert done["status"] == "failed" and done["imported"] == 0
    assert "bytes" in done["error"]


def test_a_file_that_is_not_csv_fails_with_the_reason(api: ApiClient, brand: dict) -> None:
    key = brand["api_key"]
    content = b"handle;platform;followers\nmaya;instagram;100\n"
    ticket = _start(api, key, len(content)).body
    requests.put(ticket["upload_url"], data=content, headers=ticket["upload_headers"], timeout=30)
    done = _progress(api, key, ticket["import_id"])
    assert done["status"] == "failed" and "semicolons" in done["error"]


@pytest.mark.parametrize("size", [0, -1, 10**12, "big"])
def test_an_import_of_no_size_or_too_big_is_refused(api: ApiClient, brand: dict, size: object) -> None:
    answer = api.call("POST", "/v1/creators/imports", brand["api_key"], {"size_bytes": size})
    assert answer.status == 422, answer.text
    assert answer.body["error"]["code"] == "invalid"


def test_another_brand_cannot_see_an_import(api: ApiClient, brand: dict, cloud: object) -> None:
    ticket = _start(api, brand["api_key"], 100).body
    other = new_brand(cloud)  # type: ignore[arg-type]
    answer = api.call("GET", f"/v1/creators/imports/{ticket['import_id']}", other["api_key"])
    assert answer.status == 404 and answer.body["error"]["code"] == "not_found"
    assert api.call("GET", "/v1/creators/imports/imp_unknown", brand["api_key"]).status == 404
