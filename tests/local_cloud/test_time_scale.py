"""The local cloud's time scale can be read and changed while it runs: how a test makes 14 days pass."""

from __future__ import annotations

import json

from infra.local import stepfunctions
from infra.local.gateway import local_tools


def test_the_time_scale_is_read_and_set_through_the_local_tools() -> None:
    before = stepfunctions.time_scale()
    try:
        # Given the local tools, When a test sets a tiny time scale, Then waits use it from then on
        changed = local_tools("/_local/time-scale", "us-east-1", "PUT", b'{"time_scale": 0.000001}')
        assert changed.status == 200 and json.loads(changed.body) == {"time_scale": 1e-06}
        assert json.loads(local_tools("/_local/time-scale", "us-east-1").body) == {"time_scale": 1e-06}
        # And nonsense is refused without changing it
        for bad in (b'{"time_scale": -1}', b'{"time_scale": "fast"}', b"[", b'{"time_scale": true}'):
            assert local_tools("/_local/time-scale", "us-east-1", "PUT", bad).status == 422
        assert local_tools("/_local/time-scale", "us-east-1", "DELETE").status == 405
        assert stepfunctions.time_scale() == 1e-06
    finally:
        stepfunctions.set_time_scale(before)


def test_scaled_time_restores_the_scale_after_the_block() -> None:
    before = stepfunctions.time_scale()
    with stepfunctions.scaled_time(0.5):
        assert stepfunctions.time_scale() == 0.5
    assert stepfunctions.time_scale() == before
