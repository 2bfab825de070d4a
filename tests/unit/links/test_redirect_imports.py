"""The redirect's lean imports are a promise (design.md, "The hot path is lean"): importing its handler in a
fresh interpreter loads boto3, the standard library and the lean links modules, and none of the layer's
heavier dependencies. `make bench` measures what that buys at cold start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The layer's dependencies other than boto3: none may be loaded by the redirect.
HEAVY = ("pynamodb", "aws_lambda_powertools", "pydantic", "email_validator", "segno", "crawleruseragents")
PROBE = f"""
import json, sys
import functions.redirect.handler
loaded = {{name.split(".")[0] for name in sys.modules}}
print(json.dumps({{
    "heavy": sorted(loaded & set({HEAVY!r})),
    "starling": sorted(n for n in sys.modules if n.startswith("starling.")),
    "handler": callable(sys.modules["functions.redirect.handler"].lambda_handler),
}}))
"""


def _redirect_environment() -> dict[str, str]:
    """What the redirect function is deployed with (infra: TABLE_NAME, CLICK_SECRET_ID), plus a region and
    credentials for boto3's clients; an endpoint on a closed port, so nothing is ever called."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_", "CLICK_"))}
    return {
        **kept,
        "TABLE_NAME": "core",
        "CLICK_SECRET_ID": "click-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "unit",
        "AWS_SECRET_ACCESS_KEY": "unit",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }


def test_the_redirect_loads_neither_pynamodb_nor_powertools_nor_pydantic() -> None:
    # Given a fresh interpreter with the redirect function's environment
    # When it imports the redirect's handler
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_redirect_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    loaded = json.loads(probe.stdout.strip().splitlines()[-1])
    # Then the handler is ready, and none of the layer's heavier dependencies came with it
    assert loaded["handler"] is True
    assert loaded["heavy"] == []
    # And of the layer, only modules of links that promise to stay lean (standard library and boto3)
    assert {m for m in loaded["starling"] if not m.startswith("starling.shared.")} <= {
        "starling.links",
        "starling.links.click_secret",
        "starling.links.clicks",
        "starling.links.redirect_store",
        "starling.links.redirects",
    }
