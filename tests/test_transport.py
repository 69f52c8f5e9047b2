"""The index client's HTTP transport (http.client under httpx), against a real server
on loopback that counts its connections."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from dht.compile.dns import CachedLookups
from dht.compile.transport import Transport


class _Server:
    """Answers GET /<n> with n bytes; `/close` answers and closes the connection;
    `/short` announces more bytes than it sends; `hang_up_idle` closes each
    connection after one answer without saying so (as servers do with idle ones)."""

    def __init__(self, hang_up_idle: bool = False) -> None:
        self.connections = 0
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def do_GET(self) -> None:
                server.paths.append(self.path)
                name = self.path.strip("/")
                if name == "short":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.write(b"x" * 10)
                    self.close_connection = True
                    return
                body = b"y" * (int(name) if name.isdigit() else 3)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                if name == "close":
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                if name == "close" or hang_up_idle:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def serve() -> Iterator[Callable[..., _Server]]:
    servers: list[_Server] = []

    def start(**options: Any) -> _Server:
        servers.append(_Server(**options))
        return servers[-1]

    yield start
    for server in servers:
        server.httpd.shutdown()
        server.httpd.server_close()


def _client() -> httpx.Client:
    return httpx.Client(transport=Transport(httpx.create_ssl_context(), CachedLookups()), timeout=5)


def test_answers_reuse_one_connection(serve: Callable[..., _Server]) -> None:
    server = serve()
    with _client() as client:
        sizes = [len(client.get(f"{server.url}/{n}").content) for n in (5, 70_000, 0, 2_000_000)]
    assert sizes == [5, 70_000, 0, 2_000_000]
    assert server.connections == 1


def test_a_connection_the_server_closes_is_not_reused(serve: Callable[..., _Server]) -> None:
    server = serve()
    with _client() as client:
        assert client.get(f"{server.url}/close").content == b"yyy"
        assert client.get(f"{server.url}/4").content == b"yyyy"
    assert server.connections == 2


def test_an_idle_connection_closed_by_the_server_is_replaced_once(
    serve: Callable[..., _Server],
) -> None:
    server = serve(hang_up_idle=True)
    with _client() as client:
        answers = [client.get(f"{server.url}/{n}").content for n in (1, 2, 3)]
    assert answers == [b"y", b"yy", b"yyy"]
    assert server.paths == ["/1", "/2", "/3"]  # each asked once: no request was lost
    assert server.connections == 3


def test_a_body_shorter_than_announced_is_a_protocol_error(
    serve: Callable[..., _Server],
) -> None:
    server = serve()
    with _client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.get(f"{server.url}/short")


def test_errors_are_httpx_errors(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens there once closed
    with _client() as client:
        with pytest.raises(httpx.ConnectError):
            client.get(f"http://127.0.0.1:{port}/")
        with pytest.raises(httpx.UnsupportedProtocol):
            client.get("ftp://127.0.0.1/x")


def test_a_silent_server_is_a_read_timeout() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        with (
            httpx.Client(
                transport=Transport(httpx.create_ssl_context(), CachedLookups()), timeout=0.3
            ) as client,
            pytest.raises(httpx.ReadTimeout),
        ):
            client.get(url)  # accepted by the kernel, never answered
    finally:
        listener.close()


def test_the_index_client_loads_neither_httpcore_nor_h11(
    index_server: Callable[..., Any], tmp_path: Path
) -> None:
    """httpx loads its own transport's parsers only when it makes one (for proxies)."""
    server = index_server()
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from dht.compile.index import IndexClient\n"
        f"with IndexClient({server.url!r}, cache_dir=Path({str(tmp_path)!r})) as c:\n"
        "    assert c.project('beta').artifacts\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    assert "httpx" in loaded and "http.client" in loaded
    assert not loaded & {"httpcore", "h11"}


def test_a_body_closed_twice_pools_its_connection_once(serve: Callable[..., _Server]) -> None:
    server = serve()
    transport = Transport(httpx.create_ssl_context(), CachedLookups())
    with httpx.Client(transport=transport, timeout=5) as client:
        response = client.get(f"{server.url}/5")
        assert response.content == b"yyyyy"
        response.stream.close()  # httpx closed it already; a second close changes nothing
        assert sum(len(idle) for idle in transport._idle.values()) == 1
