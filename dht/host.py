"""Which of dht's target platforms this machine is: the executor picks its artifacts by
it, and the compiler runs a project's build backend for it."""

from __future__ import annotations

import platform
import sys

from dht.errors import DhtError


def current_platform() -> str:
    machine = platform.machine().lower()
    if sys.platform.startswith("linux"):
        arch = {
            "amd64": "x86_64",
            "x86_64": "x86_64",
            "aarch64": "aarch64",
            "arm64": "aarch64",
        }.get(machine)
        libc = platform.libc_ver()[0]
        if arch == "x86_64" and libc != "glibc" and _is_musl():
            return "linux-musl-x86_64"
        if arch:
            return f"linux-{arch}"
    elif sys.platform == "darwin":
        return "macos-arm64" if machine == "arm64" else "macos-x86_64"
    elif sys.platform == "win32":
        return "windows-arm64" if machine == "arm64" else "windows-x86_64"
    raise DhtError(f"dht has no target platform for this machine ({sys.platform}, {machine})")


def _is_musl() -> bool:
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            return "musl" in maps.read()
    except OSError:
        return False
