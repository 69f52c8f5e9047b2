"""httpx's transport for the index client, on the standard library's http.client.

httpx's own transport (httpcore and h11) parses a response body in Python, one
TLS record (16 kB) at a time: a cold lock's 12 MB of index pages cost 64-73 ms
of CPU there against 35-44 ms through http.client, whose reads run in C
(27 PyPI pages, one connection, 2026-11-28), and a lock is CPU-bound. What
httpx does above the transport stays: redirects, `.netrc` credentials, proxies
from the environment (through httpx's own transport), content decoding, and the
errors the index client's retries read.

Connections are kept alive and used by one request at a time; an idle one the
server closed is replaced once, transparently (its request never reached the
server's application). Each host name is resolved once per client (dns.py).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from dht.compile.dns import CachedLookups

KEEPALIVE = 5.0  # seconds an idle connection is kept (httpcore's default)
_CHUNK = 1 << 20  # one read gives what one TLS record holds; never more than this

Key = tuple[str, str, int]  # scheme, host, port


class _Connection:
    """One HTTP/1.1 connection, dialled to the addresses of `lookups`."""

    def __init__(
        self, key: Key, context: ssl.SSLContext, lookups: CachedLookups, timeout: float | None
    ) -> None:
        scheme, host, port = key
        self.conn: http.client.HTTPConnection = (
            http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
            if scheme == "https"
            else http.client.HTTPConnection(host, port, timeout=timeout)
        )
        # http.client dials through this attribute; TLS still checks the host name.
        self.conn._create_connection = lambda address, timeout, source: _dial(  # type: ignore[attr-defined]
            lookups, address[0], address[1], timeout
        )
        self.key = key
        self.idle_since = 0.0


def _dial(lookups: CachedLookups, host: str, port: int, timeout: Any) -> socket.socket:
    failure: OSError | None = None
    for address in lookups.addresses(host, port):  # in the resolver's order, as a dial would
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            failure = exc
    raise failure or OSError(f"{host} has no address")


class Transport(httpx.BaseTransport):
    def __init__(self, context: ssl.SSLContext, lookups: CachedLookups) -> None:
        self._context = context
        self._lookups = lookups
        self._lock = threading.Lock()
        self._idle: dict[Key, list[_Connection]] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{url.scheme}://'."
            )
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        target = url.raw_path.decode("ascii")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        body = request.read() or None
        for attempt in (0, 1):
            connection, reused = self._checkout(key, timeouts.get("connect"), fresh=attempt > 0)
            conn = connection.conn
            try:
                if conn.sock is None:
                    conn.connect()
                conn.sock.settimeout(timeouts.get("read"))
            except TimeoutError as exc:
                conn.close()
                raise httpx.ConnectTimeout(f"connecting to {url.host} timed out") from exc
            except OSError as exc:
                conn.close()
                raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
            try:
                conn.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    conn.putheader(name, value)
                conn.endheaders(body)
                response = conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                conn.close()
                if reused and attempt == 0:
                    continue  # the server closed it while it was idle: a new connection
                raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
            except Exception as exc:
                conn.close()
                raise _mapped(exc) from exc
            except BaseException:
                conn.close()
                raise
            return httpx.Response(
                response.status,
                headers=response.getheaders(),
                stream=_Body(self, connection, response),
                extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason.encode()},
            )
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _checkout(
        self, key: Key, connect_timeout: float | None, *, fresh: bool
    ) -> tuple[_Connection, bool]:
        now = time.monotonic()
        with self._lock:
            idle = [] if fresh else self._idle.get(key, [])
            while idle:
                connection = idle.pop()
                if now - connection.idle_since < KEEPALIVE:
                    return connection, True
                connection.conn.close()
        return _Connection(key, self._context, self._lookups, connect_timeout), False

    def _checkin(self, connection: _Connection) -> None:
        connection.idle_since = time.monotonic()
        with self._lock:
            self._idle.setdefault(connection.key, []).append(connection)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.conn.close()


class _Body(httpx.SyncByteStream):
    """A response's body as it arrives; the connection goes back to the pool when the
    body was read to its end and the server keeps it open, else it is closed."""

    def __init__(
        self, transport: Transport, connection: _Connection, response: http.client.HTTPResponse
    ) -> None:
        self._transport = transport
        self._connection = connection
        self._response = response
        self._done = False
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        response = self._response
        try:
            while True:
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                yield chunk
            if response.length:  # the server hung up before the length it announced
                raise httpx.RemoteProtocolError(
                    f"the connection closed {response.length:,} bytes before the body's end"
                )
            response.read()  # nothing left: marks the response finished
        except httpx.HTTPError:
            raise
        except Exception as exc:
            raise _mapped(exc) from exc
        self._done = True

    def close(self) -> None:
        if self._closed:
            return  # once: a connection must never be pooled twice
        self._closed = True
        if self._done and not self._response.will_close:
            self._transport._checkin(self._connection)
        else:
            self._connection.conn.close()


def _mapped(exc: BaseException) -> BaseException:
    """An error of the socket, TLS or http.client as the httpx error it stands for."""
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return httpx.ReadTimeout(str(exc) or "timed out")
    if isinstance(exc, (http.client.HTTPException, ssl.SSLError)):
        return httpx.RemoteProtocolError(str(exc) or type(exc).__name__)
    if isinstance(exc, OSError):
        return httpx.ReadError(str(exc) or type(exc).__name__)
    return exc
