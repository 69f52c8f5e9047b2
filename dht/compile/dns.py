"""One DNS lookup per host for the life of an index client.

httpcore resolves the host name again for every new connection, and a cold
`dht lock` opens up to 16 at once to the index and to its file host. A resolver
that drops bursts of queries (the one of this project's CI machine loses some
of 20 simultaneous ones, and glibc asks again only after resolv.conf's 5 s
timeout) made a cold lock of 25 tools take 6 s instead of 1.5 s. Here each
host is looked up once, by the first connection that needs it (the others
wait for that answer), and every connection dials the addresses found. TLS
still verifies the host name: httpcore passes it to the handshake apart from
the address.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

Address = tuple[Any, ...]  # what getaddrinfo gives as a socket address


class CachedLookups(httpcore.SyncBackend):
    """httpcore's own blocking backend, with a per-host lookup cache."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_host: dict[tuple[str, int], threading.Lock] = {}
        self._found: dict[tuple[str, int], list[str]] = {}
        self.lookups = 0  # how many times the resolver was asked (tests read it)

    def addresses(self, host: str, port: int) -> list[str]:
        key = (host, port)
        with self._lock:
            one = self._per_host.setdefault(key, threading.Lock())
        with one:  # one lookup in flight per host; the others wait for its answer
            found = self._found.get(key)
            if found is None:
                try:
                    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                except OSError as exc:  # not cached: the next connection asks again
                    raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
                finally:
                    with self._lock:
                        self.lookups += 1
                found = list(dict.fromkeys(str(info[4][0]) for info in infos))
                self._found[key] = found
            return found

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in self.addresses(host, port):  # in the resolver's order, as a dial would
            try:
                return super().connect_tcp(
                    address, port, timeout, local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        if failure is not None:
            raise failure
        raise httpcore.ConnectError(f"{host} has no address")


def transport(limits: httpx.Limits, backend: CachedLookups) -> httpx.HTTPTransport:
    """httpx's transport, on a connection pool that uses `backend`. httpx has no
    parameter for the network backend, so the pool it made is replaced by an equal
    one with it; when httpx's transport no longer has that shape, it is kept as is
    (one lookup per connection again, nothing worse)."""
    context = httpx.create_ssl_context()
    made = httpx.HTTPTransport(verify=context, limits=limits)
    if isinstance(getattr(made, "_pool", None), httpcore.ConnectionPool):
        made._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
    return made
