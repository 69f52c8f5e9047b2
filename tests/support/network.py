"""Whether the real package index is in reach: tests marked `online` skip, saying why, when not."""

from __future__ import annotations

import functools
import socket

SKIP_REASON = "needs the network: pypi.org:443 is out of reach"


@functools.cache
def pypi_reachable(host: str = "pypi.org", port: int = 443) -> bool:
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError:
        return False
    return True
