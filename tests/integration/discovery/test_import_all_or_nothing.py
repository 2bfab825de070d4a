"""An import is all or nothing for search, on the local cloud: a storage write that fails halfway leaves
search as it was and answers which rows are not searchable; the same import again finishes it."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import ApiClient

ROWS = 600  # three writer chunks of creators


def _csv(start: int, count: int, followers: int = 5_000) -> str:
    lines = ["handle,platform,followers,niches,country"]
    lines += [f"batch.creator{i},instagram,{followers + i},beauty,US" for i in range(start, start + count)]
    return "\n".join(lines)


def _import(api: ApiClient, key: str, body: str) -> Any:
    return api.call("POST", "/v1/creators/import", key, raw=body, headers={"Content-Type": "text/csv"})


def _found(api: ApiClient, key: str) -> int:
    """How many of the brand's creators a search finds (pages through all of them)."""
    total, cursor = 0, ""
    while True:
        answer = api.call("GET", f"/v1/creators?q=batch&limit=100{cursor}", key)
        assert answer.status == 200, answer.text
        total += len(answer.body["items"])
        if not answer.body["next_cursor"]:
            return total
        cursor = "&cursor=" + answer.body["next_cursor"]


def _fails_on_call(original: Callable[..., Any], failing_call: int) -> Callable[..., Any]:
    """`original`, except that its `failing_call`-th call (from 1) raises as a throttled AWS call does."""
    calls, lock = [0], threading.Lock()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with lock:
            calls[0] += 1
            now = calls[0]
        if now == failing_call:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Write")
        return original(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize(
    ("target", "name", "failing_call"),
    [
        ("repository", "_write_chunk", 2),  # the creators' items: the second of three chunks fails
        ("segments:SearchSegments", "_put", 1),  # the import's segment, after every creator is written
        ("segments:SearchSegments", "_put", 2),  # merging it with the segment before (halfway through)
        ("segments:SearchSegments", "_commit", 1),  # the manifest's move
    ],
    ids=["creator-items", "segment", "merge", "manifest"],
)
def test_a_write_failing_halfway_leaves_search_as_it_was_and_the_same_import_finishes_it(
    api: ApiClient,
    brand: dict,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    name: str,
    failing_call: int,
) -> None:
    key = brand["api_key"]
    # Given a brand whose first 400 creators are searchable
    assert _import(api, key, _csv(0, 400)).status == 200
    assert _found(api, key) == 400
    module, _, attribute = target.partition(":")  # imported by the API function, in its environment
    owner = importlib.import_module(f"starling.discovery.{module}")
    where = getattr(owner, attribute) if attribute else owner
    # When its next import of 600 meets a storage write that fails halfway
    monkeypatch.setattr(where, name, _fails_on_call(getattr(where, name), failing_call))
    failed = _import(api, key, _csv(400, ROWS) + "\nbad,myspace,1,,")
    # Then the answer is a 503 that names every accepted row as not searchable, and asks for the same import
    assert failed.status == 503, failed.text
    error = failed.body["error"]
    assert error["code"] == "import_not_finished" and failed.headers.get("Retry-After")
    assert error["details"]["not_searchable_rows"] == list(range(1, ROWS + 1))
    assert "same import again" in error["message"]
    # And search shows exactly what it showed before
    assert _found(api, key) == 400
    # When the same import is sent again
    monkeypatch.undo()
    again = _import(api, key, _csv(400, ROWS) + "\nbad,myspace,1,,")
    # Then every row is searchable, once
    assert again.status == 200, again.text
    assert again.body["imported"] + again.body["updated"] == ROWS
    assert [r["row"] for r in again.body["rejected"]] == [ROWS + 1]
    assert _found(api, key) == 400 + ROWS
