"""`starling payout run --period 2026-10`: start (or find) a month's payout run through the brand API and
follow it with a progress bar until it waits for finance, then print its totals and statements; with
`--approve`, approve it and follow it to its end.

The bar counts the run's statement shards built; the steps after them (approval, payment) are shown by
the run's status.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

import requests

from infra.creator_import import _bar

WAITING = "awaiting_approval"
ENDED = ("completed", "completed_with_failures", "rejected", "failed")


def _call(method: str, url: str, key: str, body: Any = None) -> requests.Response:
    return requests.request(method, url, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def run_payout(api_url: str, key: str, period: str, approve: bool, out: IO[str] = sys.stdout) -> int:
    started = _call("POST", f"{api_url}/v1/payout-runs", key, {"period": period})
    if started.status_code not in (200, 201):
        print(f"error: {started.status_code} {started.text}", file=sys.stderr)
        return 1
    run_id = started.json()["run_id"]
    out.write(f"run {run_id} ({'started' if started.status_code == 201 else 'started before'})\n")
    run = _follow(api_url, key, run_id, (WAITING, "paying", *ENDED), out)
    _summary(run, out)
    if approve and run["status"] == WAITING:
        answer = _call("POST", f"{api_url}/v1/payout-runs/{run_id}/approve", key)
        if answer.status_code != 200:
            print(f"error: {answer.status_code} {answer.text}", file=sys.stderr)
            return 1
        out.write(f"approved by {answer.json()['decided_by']}\n")
    return 0 if run["status"] not in ("rejected", "failed") else 1


def _follow(api_url: str, key: str, run_id: str, until: tuple[str, ...], out: IO[str]) -> dict[str, Any]:
    while True:
        run = _call("GET", f"{api_url}/v1/payout-runs/{run_id}", key).json()
        built = run["status"] != "building"
        shards = run["shards"] or 1
        done = shards if built else run["shards_built"]
        _bar("building", done, shards, f"{run['partners']} partners, {run['status']}", out)
        if run["status"] in until:
            out.write("\n")
            return dict(run)
        time.sleep(0.5)


def _summary(run: dict[str, Any], out: IO[str]) -> None:
    out.write(f"status {run['status']}\n")
    for total in run["totals"]:
        out.write(
            f"  {total['currency']}: payable {total['payable']}, carried forward {total['carried_forward']}\n"
        )
    counts: dict[str, int] = {}
    for s in run["statements"]:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    out.write(
        "  statements: "
        + (", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none")
        + "\n"
    )
    if run["on_hold"]:
        out.write(f"  on hold: {len(run['on_hold'])} commission(s), not paid\n")
