"""pacman (Arch)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.errors import DhtError
from dht.process import run


class Pacman(msgspec.Struct, frozen=True):
    name: str = "pacman"
    needs_root: bool = True
    can_pin: bool = False
    single_id: bool = False
    version_flag: bool = False
    refresh: tuple[str, ...] = ()
    dbpath: str | None = None  # a private pacman database (tests on Debian)

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for package in packages:
            db = ["--dbpath", self.dbpath] if self.dbpath else []
            result = run(["pacman", *db, "-Q", package], check=False)
            parts = result.output.split()
            out[package] = parts[1] if result.code == 0 and len(parts) >= 2 else None
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        if version:
            # pacman installs what the repository has: an exact version cannot be asked for.
            raise DhtError(
                "pacman cannot install an exact version",
                hint="drop the arch version pin in dht.toml",
            )
        return ["pacman", "-S", "--needed", "--noconfirm", "--", *packages]
