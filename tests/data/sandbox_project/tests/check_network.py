"""Network reach, when the test that runs this project writes network.json next to it."""

import json
import socket
from pathlib import Path

import pytest

CONFIG = Path("network.json")


def _config() -> dict[str, object]:
    if not CONFIG.exists():
        pytest.skip("no network.json: no server to reach")
    return json.loads(CONFIG.read_text())


def test_loopback_server_outside() -> None:
    port = int(str(_config()["port"]))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        assert conn.recv(5) == b"hello"


def test_external_address() -> None:
    _config()
    socket.create_connection(("192.0.2.1", 9), timeout=1).close()


def test_own_loopback_server() -> None:
    _config()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        socket.create_connection(server.getsockname(), timeout=5).close()
