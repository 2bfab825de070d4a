"""The README is a test: every ```sh block of README.md runs, in order, against a fresh local stack.

The blocks run in one bash (`set -euo pipefail`), so a block's shell variables ($PARTNER, $FINANCE_KEY...)
carry to the next, with a plain PATH (no project environment, no ~/.local/bin) and a temporary folder as
the working directory, where `./starling` links to the repository's and anything a block writes (the QR
code) lands. The README's `eval "$(./starling env)"` reads this stack's state file (STARLING_STATE_FILE).

A block fails the test when a command fails, and when its output lacks what the README says it shows: a
comment line `# → TEXT` after a command claims that TEXT appears in the block's output, after the previous
claim; `...` in TEXT stands for anything.

Blocks in another fence are not run: ```console holds commands that cannot run here (the two `make`
commands, which start this very stack and run this test; deploying to an AWS account), ```text shows output.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import REPO, free_port, launch_stack, stop_stack

# `make e2e` runs two workers: the README's tests stay together, on one worker, with their own stack.
pytestmark = pytest.mark.xdist_group("readme")

README = REPO / "README.md"
MARKER = "@@readme-block"
CLAIM = re.compile(r"^\s*# → (.+)$", re.MULTILINE)


def sh_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```$", markdown, re.MULTILINE | re.DOTALL)


def claims(block: str) -> list[str]:
    return [claim.strip() for claim in CLAIM.findall(block)]


def find_claim(output: str, claim: str, start: int) -> int | None:
    """Where the claim ends in the output (searching from start), or None; `...` matches anything."""
    pattern = ".*?".join(re.escape(part.strip()) for part in claim.split("...") if part.strip())
    found = re.compile(pattern, re.DOTALL).search(output, start)
    return found.end() if found else None


def block_seconds(marks: list[tuple[int, float]], ended: float) -> str:
    """`README blocks, seconds each: 1: 0.4, 2: 1.9, ...` from (block number, start time) marks in order and
    the time the run ended (the last block's figure runs to it, finished or not)."""
    ends = [started for _, started in marks[1:]] + [ended]
    figures = [f"{number}: {end - started:.1f}" for (number, started), end in zip(marks, ends, strict=True)]
    return "README blocks, seconds each: " + ", ".join(figures)


def plain_path() -> str:
    """PATH as a new shell has it: without the project's environments and without ~/.local/bin."""
    dropped = (str(REPO), "/.venv", "/.local/bin")
    return os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not any(d in p for d in dropped)
    )


@pytest.fixture(scope="module")
def readme_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("readme")
    console = folder / "console.txt"  # what `make dev` shows; the full log goes to folder / "dev.log"
    process, state = launch_stack(free_port(), free_port(), folder / "local.json", console)
    try:
        yield {**state, "console": console, "dev_log": folder / "dev.log"}
    finally:
        stop_stack(process)


def test_every_sh_block_of_the_readme_runs_in_order_and_shows_what_it_claims(
    readme_stack: dict[str, Any], tmp_path: Path
) -> None:
    # Given the README's sh blocks, a fresh stack, and an empty folder with ./starling in it
    blocks = sh_blocks(README.read_text())
    assert len(blocks) >= 8, "the README's examples are ```sh blocks"
    (tmp_path / "starling").symlink_to(REPO / "starling")
    script = ["set -euo pipefail"]
    for number, block in enumerate(blocks, 1):
        script += [f'echo "{MARKER} {number} $EPOCHREALTIME@@"', block]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"PATH": plain_path(), "STARLING_STATE_FILE": readme_stack["state_file"]}

    # When bash runs them one after another
    try:
        done = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1500,  # the whole README, 17 blocks: a 12,000-row import, a rollup, two workflows
        )
        stdout, returncode = done.stdout, done.returncode
    except subprocess.TimeoutExpired as timeout:
        output = timeout.output or b""
        stdout, returncode = output.decode() if isinstance(output, bytes) else output, -1
    ended = time.time()

    (tmp_path / "readme-output.txt").write_text(stdout)  # the whole run, to read when a claim fails

    # Then every block ran to its end, and showed what the README says it shows
    pieces = re.findall(rf"{MARKER} (\d+) ([\d.]+)@@\n(.*?)(?={MARKER}|\Z)", stdout, re.DOTALL)
    outputs = {int(number): text for number, _, text in pieces}
    timing = block_seconds([(int(number), float(at)) for number, at, _ in pieces], ended)
    print(timing)  # under -s; it is in every failure message below too
    last = max(outputs, default=0)
    assert returncode == 0, (
        f"README block {last} of {len(blocks)} failed (exit {returncode}, -1: timed out):\n"
        f"{blocks[last - 1]}\n--- its output:\n{outputs.get(last, stdout)}\n{timing}"
    )
    assert last == len(blocks)
    for number, block in enumerate(blocks, 1):
        position = 0
        for claim in claims(block):
            end = find_claim(outputs[number], claim, position)
            assert end is not None, (
                f"README block {number} claims {claim!r}; its output:\n{outputs[number]}\n"
                f"(the whole run: {tmp_path / 'readme-output.txt'})\n{timing}"
            )
            position = end
    # And what a block wrote went to the working folder, not the repository
    assert "<svg" in (tmp_path / "maya-serum.svg").read_text()
    assert not (REPO / "maya-serum.svg").exists()


def test_the_console_shows_the_banner_then_one_line_per_request_and_the_log_file_the_rest(
    readme_stack: dict[str, Any],
) -> None:
    # Given the stack the README ran against (its functions printed JSON logs, clicks and metrics)
    import requests

    requests.get(readme_stack["api_url"] + "/v1/me", headers={"Authorization": "Bearer nope"}, timeout=10)
    console = readme_stack["console"].read_text()
    # Then the console has the banner, its URLs and key
    assert "Starling local stack is up" in console
    assert readme_stack["api_url"] in console and readme_stack["api_key"] in console
    # And one line per request: time, method, path, status, milliseconds
    after_banner = console.split("One line per request follows", 1)[1].splitlines()[1:]
    request_line = re.compile(r"^\d\d:\d\d:\d\d  [A-Z]+ +/\S*  \d{3}  \d+ ms$")
    assert after_banner and all(request_line.match(line) for line in after_banner), after_banner[:5]
    assert any(re.search(r"GET +/v1/me  401  \d+ ms", line) for line in after_banner)
    # And nothing else: no warnings, no JSON log lines
    assert "Warning" not in console and '{"' not in console
    # And the full log has the functions' output
    full = readme_stack["dev_log"].read_text()
    assert '"level"' in full or '"_aws"' in full


def test_make_deploy_without_aws_credentials_says_what_to_do(tmp_path: Path) -> None:
    # Given a shell with no AWS credentials, profile or region (and no ~/.aws)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    # When `make deploy` runs (its synth step taken as done)
    command = ["make", "-s", "-o", "synth", "deploy"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    # Then it stops before CDK, and points to the way and to the README's section
    assert done.returncode != 0
    assert "no AWS credentials or no region found" in done.stderr
    assert "npx cdk bootstrap" in done.stderr and "Deploy to your AWS account" in done.stderr
    assert "## Deploy to your AWS account" in README.read_text()
    assert "Unable to resolve AWS account" not in done.stderr + done.stdout
