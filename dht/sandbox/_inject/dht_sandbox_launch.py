"""First process inside a `dht test` sandbox: umask 022, the private loopback up, then exec.

usage: python -I dht_sandbox_launch.py [--loopback] [--uid N --gid N] -- ARGV...

--loopback: in a fresh network namespace `lo` is down; bring it up so tests can
reach servers they start themselves (and nothing else).
--uid/--gid: after `unshare --user --map-root-user`, enter a nested user
namespace that maps back to the real ids, so tests do not run as (fake) root.
"""

from __future__ import annotations

import os
import struct
import sys

_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_CLONE_NEWUSER = 0x10000000


def loopback_up() -> None:
    import fcntl
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh22x", b"lo", 0)
        flags = struct.unpack("16sh22x", fcntl.ioctl(sock.fileno(), _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock.fileno(), _SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags | _IFF_UP))


def become(uid: int, gid: int) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUSER) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWUSER): {os.strerror(errno)}")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} 0 1"), ("gid_map", f"{gid} 0 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def main(args: list[str]) -> None:
    if "--" not in args:
        raise SystemExit("usage: dht_sandbox_launch.py [--loopback] [--uid N --gid N] -- ARGV...")
    split = args.index("--")
    options, argv = args[:split], args[split + 1 :]
    os.umask(0o022)
    if "--loopback" in options:
        loopback_up()
    if "--uid" in options:
        become(int(options[options.index("--uid") + 1]), int(options[options.index("--gid") + 1]))
    if sys.platform == "win32":  # execv there starts a new process and returns at once
        import subprocess

        raise SystemExit(subprocess.call(argv))
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
