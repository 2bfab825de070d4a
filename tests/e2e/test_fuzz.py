"""Schemathesis fuzzes every operation of /openapi.json against the local stack, with a brand of its own.

`make test` runs a bounded pass (a fixed seed, 12 cases per operation, no coverage phase: about a
minute); `make fuzz` adds the coverage phase's boundary and negative cases and runs at least 5,000. The
checks: no server error, status codes and content types as documented, and responses matching their
schemas. Both must end with no failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.conftest import REPO, starling_cli

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_fuzzing_every_operation_finds_no_failure(stack: dict[str, Any], tmp_path: Path) -> None:
    # Given a brand of its own, so the fuzzer's writes touch no other test's data
    slug = f"fuzz-{uuid.uuid4().hex[:8]}"
    brand = starling_cli(
        stack, "brand", "create", "Fuzz Brand", "--slug", slug, "--allowed-domain", "example.com"
    )
    examples = os.environ.get("FUZZ_EXAMPLES", "12")
    minimum = int(os.environ.get("FUZZ_MIN_CASES", "0"))
    # When schemathesis runs every phase against every operation with the owner's key
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{stack['api_url']}/openapi.json",
            "--header",
            f"Authorization: Bearer {brand['owner_key']}",
            "--checks",
            CHECKS,
            "--max-examples",
            examples,
            "--seed",
            os.environ.get("FUZZ_SEED", "20261129"),
            "--workers",
            "1",
            "--no-shrink",
            "--request-timeout",
            "30",
            "--phases",
            os.environ.get("FUZZ_PHASES", "examples,fuzzing,stateful"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=3000,
    )
    summary = "\n".join(done.stdout.splitlines()[-25:])
    print(summary)
    # Then nothing fails, and the run covered as many cases as asked
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-4000:]
    cases = re.search(r"(\d+) generated", done.stdout)
    assert cases, summary
    assert int(cases.group(1)) >= minimum, f"{cases.group(1)} cases, fewer than {minimum}"
    (REPO / ".starling").mkdir(exist_ok=True)
    (REPO / ".starling" / "fuzz-summary.txt").write_text(summary + "\n")
