"""zypper and rpm (openSUSE)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.apply.system.dnf import Dnf


class Zypper(msgspec.Struct, frozen=True):
    name: str = "zypper"
    needs_root: bool = True
    can_pin: bool = True
    single_id: bool = False
    version_flag: bool = False
    refresh: tuple[str, ...] = ()

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        return Dnf().installed(packages)  # both answer through the rpm database

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return [
            "zypper",
            "--non-interactive",
            "install",
            "--",
            *(f"{p}={version}" if version else p for p in packages),
        ]
