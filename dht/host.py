"""Which of dht's target platforms this machine is: the executor picks its artifacts by
it, and the compiler runs a project's build backend for it."""

from __future__ import annotations

import platform as _platform
import sys

from dht import platform
from dht.errors import DhtError


def current_platform() -> str:
    machine = _platform.machine()
    musl = sys.platform.startswith("linux") and _platform.libc_ver()[0] != "glibc" and _is_musl()
    name = platform.target_platform(sys.platform, machine, musl)
    if name is None:
        raise DhtError(
            f"dht has no target platform for this machine ({sys.platform}, {machine.lower()})"
        )
    return name


def _is_musl() -> bool:
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            return "musl" in maps.read()
    except OSError:
        return False
