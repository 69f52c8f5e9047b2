"""Written into a `dht test` sandbox when no network namespace is available.

Python sockets may reach loopback (and bind 0.0.0.0) and Unix sockets only: connect,
connect_ex, sendto and sendmsg to any other address, and any name lookup
(getaddrinfo, gethostbyname[_ex], gethostbyaddr, getnameinfo) but of `localhost` or a
loopback address, raise OSError. Code that opens sockets outside Python (C libraries,
other programs) is not covered, nor `_socket.socket` used directly (a built-in type:
it cannot be patched): the dead proxy variables are the last line there.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from typing import Any

MESSAGE = "network disabled by dht test"
_LOCAL_NAMES = frozenset({"", "localhost", "localhost.localdomain", "ip6-localhost"})
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto
_sendmsg = getattr(socket.socket, "sendmsg", None)
_getaddrinfo = socket.getaddrinfo
_gethostbyname = socket.gethostbyname
_gethostbyname_ex = socket.gethostbyname_ex
_gethostbyaddr = socket.gethostbyaddr
_getnameinfo = socket.getnameinfo


def _local(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0].lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified  # 0.0.0.0 / :: : binding a local server


def _allowed(sock: socket.socket, address: Any) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True
    return isinstance(address, tuple) and bool(address) and _local(address[0])


def _refuse(address: Any) -> OSError:
    return OSError(errno.ENETUNREACH, f"{MESSAGE}: {address!r}")


def connect(self: socket.socket, address: Any) -> None:
    if not _allowed(self, address):
        raise _refuse(address)
    _connect(self, address)


def connect_ex(self: socket.socket, address: Any) -> int:
    if not _allowed(self, address):
        return errno.ENETUNREACH
    return _connect_ex(self, address)


def sendto(self: socket.socket, data: Any, *args: Any) -> int:
    if not _allowed(self, args[-1]):
        raise _refuse(args[-1])
    return _sendto(self, data, *args)


def sendmsg(self: socket.socket, buffers: Any, *args: Any) -> int:
    # sendmsg(buffers[, ancdata[, flags[, address]]]): no address, a connected socket.
    if len(args) >= 3 and not _allowed(self, args[2]):
        raise _refuse(args[2])
    assert _sendmsg is not None
    return int(_sendmsg(self, buffers, *args))


def _lookup_refused(host: Any) -> OSError:
    return socket.gaierror(socket.EAI_NONAME, f"{MESSAGE}: {host!r} is not loopback")


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _local(host):
        raise _lookup_refused(host)
    return _getaddrinfo(host, *args, **kwargs)


def gethostbyname(host: Any) -> str:
    if not _local(host):
        raise _lookup_refused(host)
    return _gethostbyname(host)


def gethostbyname_ex(host: Any) -> Any:
    if not _local(host):
        raise _lookup_refused(host)
    return _gethostbyname_ex(host)


def gethostbyaddr(host: Any) -> Any:
    if not _local(host):
        raise _lookup_refused(host)
    return _gethostbyaddr(host)


def getnameinfo(address: Any, flags: int) -> Any:
    host = address[0] if isinstance(address, tuple) and address else address
    if not _local(host):
        raise _lookup_refused(host)
    return _getnameinfo(address, flags)


socket.socket.connect = connect  # type: ignore[method-assign, assignment]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign, assignment]
socket.socket.sendto = sendto  # type: ignore[assignment]
if _sendmsg is not None:  # not on Windows
    socket.socket.sendmsg = sendmsg  # type: ignore[method-assign, assignment]
socket.getaddrinfo = getaddrinfo
socket.gethostbyname = gethostbyname
socket.gethostbyname_ex = gethostbyname_ex
socket.gethostbyaddr = gethostbyaddr
socket.getnameinfo = getnameinfo
