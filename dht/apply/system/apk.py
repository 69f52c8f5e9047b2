"""apk (Alpine)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.process import run


class Apk(msgspec.Struct, frozen=True):
    name: str = "apk"
    needs_root: bool = True
    can_pin: bool = True
    single_id: bool = False
    version_flag: bool = False
    refresh: tuple[str, ...] = ()

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for package in packages:
            result = run(["apk", "info", "-e", package], check=False)
            out[package] = "installed" if result.code == 0 and result.output.strip() else None
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return [
            "apk",
            "add",
            "--no-interactive",
            "--",
            *(f"{p}={version}" if version else p for p in packages),
        ]
