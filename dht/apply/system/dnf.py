"""dnf and rpm (Fedora)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.process import run


class Dnf(msgspec.Struct, frozen=True):
    name: str = "dnf"
    needs_root: bool = True
    can_pin: bool = True
    single_id: bool = False
    version_flag: bool = False
    refresh: tuple[str, ...] = ()
    dbpath: str | None = None  # a private rpm database (tests on Debian)

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for package in packages:
            db = ["--dbpath", self.dbpath] if self.dbpath else []
            argv = ["rpm", *db, "-q", "--whatprovides", "--qf", "%{VERSION}-%{RELEASE}\n", package]
            result = run(argv, check=False)
            out[package] = (
                result.output.split()[0] if result.code == 0 and result.output.strip() else None
            )
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return [
            "dnf",
            "install",
            "-y",
            "--",
            *(f"{p}-{version}" if version else p for p in packages),
        ]
