"""The start-up port check of `starling dev`: "in use" only when something really listens, and then who."""

from __future__ import annotations

import os
import socket

from infra.local import ports


def _listener() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, int(server.getsockname()[1])


def test_a_port_left_in_time_wait_by_closed_connections_is_free() -> None:
    # Given a server that answered a connection and then stopped, leaving the port in TIME-WAIT
    server, port = _listener()
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first, so its end of the connection waits in TIME-WAIT
    client.close()
    server.close()
    # Then the port counts as free, as it is for the stack's servers
    assert ports.is_free("127.0.0.1", port)


def test_a_port_something_listens_on_is_in_use_and_the_message_names_the_process() -> None:
    server, port = _listener()
    try:
        assert not ports.is_free("127.0.0.1", port)
        message = ports.in_use_message("127.0.0.1", port)
        assert f"Port {port}" in message and "in use" in message
        assert f"pid {os.getpid()}" in message
    finally:
        server.close()


def test_nobody_is_named_for_a_port_nothing_listens_on() -> None:
    server, port = _listener()
    server.close()
    assert ports.who_listens(port) is None
