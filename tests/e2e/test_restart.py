"""A developer stops `make dev` after using it and starts it again at once, on the same ports."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.e2e.conftest import free_port, launch_stack, stop_stack


def test_a_restart_right_after_a_busy_stop_serves(tmp_path: Path) -> None:
    # Given a stack that served a few hundred requests and was stopped
    api_port, moto_port = free_port(), free_port()
    state_file, log = tmp_path / "local.json", tmp_path / "dev.log"
    process, state = launch_stack(api_port, moto_port, state_file, log)
    try:
        with requests.Session() as session:
            for _ in range(150):
                assert session.get(f"{state['api_url']}/health", timeout=10).status_code == 200
                me = session.get(
                    f"{state['api_url']}/v1/me",
                    headers={"Authorization": f"Bearer {state['api_key']}"},
                    timeout=10,
                )
                assert me.status_code == 200
        for _ in range(50):  # fresh connections too, each leaving a TIME-WAIT entry behind
            assert requests.get(f"{state['api_url']}/health", timeout=10).status_code == 200
    finally:
        stop_stack(process)
    # When it starts again at once on the same ports
    process, state = launch_stack(api_port, moto_port, state_file, log)
    try:
        # Then it serves, and said nothing about a port in use
        assert requests.get(f"{state['api_url']}/health", timeout=10).status_code == 200
        assert "in use" not in log.read_text()
    finally:
        stop_stack(process)
