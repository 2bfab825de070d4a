"""The e2e suite starts the local stack the way `make dev` does (`starling dev` from cdk.out), on free
ports, and talks to it over HTTP and the AWS APIs like a user would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.support import ApiClient

REPO = Path(__file__).resolve().parents[2]
# Debian's Chromium, which the page tests drive with Playwright.
CHROMIUM = Path("/usr/bin/chromium")
# The page tests drive Debian's Chromium. A developer's machine without it skips them with the command that
# installs it; CI (`CI` set, where .ci/run installs it) never skips: a missing browser fails the run.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="no Chromium at /usr/bin/chromium, so the page tests cannot run (apt-get install -y chromium)",
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch_stack(
    api_port: int, moto_port: int, state_file: Path, log_path: Path
) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """`starling dev` as `make dev` runs it, on the given ports; returns once it serves."""
    env = {
        **os.environ,
        "PORT": str(api_port),
        "MOTO_PORT": str(moto_port),
        "STRIPE_PORT": str(free_port()),
        "STARLING_STATE_FILE": str(state_file),
    }
    state_file.unlink(missing_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "dev"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    started = time.monotonic()
    while not state_file.exists():
        if process.poll() is not None or time.monotonic() - started > 120:
            stop_stack(process)
            pytest.fail("the local stack did not start: " + log_path.read_text())
        time.sleep(0.2)
    state = json.loads(state_file.read_text())
    # The first request loads the API function's code: on a loaded machine that can take a while.
    try:
        wait = max(10.0, started + 120 - time.monotonic())
        health = requests.get(state["api_url"] + "/health", timeout=wait)
        assert health.status_code == 200, health.text
    except BaseException:
        stop_stack(process)
        raise
    return process, {**state, "state_file": str(state_file), "startup_seconds": time.monotonic() - started}


def stop_stack(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("starling")
    process, state = launch_stack(free_port(), free_port(), folder / "local.json", folder / "dev.log")
    try:
        yield state
    finally:
        stop_stack(process)


@pytest.fixture()
def api(stack: dict[str, Any]) -> ApiClient:
    return ApiClient(stack["api_url"])


def starling_cli(stack: dict[str, Any], *args: str) -> dict[str, Any]:
    """Run the `starling` CLI against the stack, as an operator would, and read its JSON answer."""
    env = {**os.environ, "STARLING_STATE_FILE": stack["state_file"]}
    done = subprocess.run(
        [sys.executable, "-m", "infra.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def aws_client(stack: dict[str, Any], service: str) -> Any:
    """A boto3 client of the local stack's AWS endpoint, as the README's `./starling aws` uses it."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=stack["aws_endpoint_url"],
        region_name=stack["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
