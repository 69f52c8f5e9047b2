"""One DNS lookup per host for the life of an index client.

A new connection would resolve its host name again, and a cold `dht lock`
opens up to 16 at once to the index and to its file host. A resolver that
drops bursts of queries (the one of this project's CI machine loses some of 20
simultaneous ones, and glibc asks again only after resolv.conf's 5 s timeout)
made a cold lock of 25 tools take 6 s instead of 1.5 s. Here each host is
looked up once, by the first connection that needs it (the others wait for
that answer), and every connection dials the addresses found
(dht/compile/transport.py). TLS still verifies the host name.
"""

from __future__ import annotations

import socket
import threading


class CachedLookups:
    """The addresses of each host, looked up once."""

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
                    raise OSError(f"cannot resolve {host}: {exc}") from exc
                finally:
                    with self._lock:
                        self.lookups += 1
                found = list(dict.fromkeys(str(info[4][0]) for info in infos))
                self._found[key] = found
            return found
