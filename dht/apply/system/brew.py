"""Homebrew (macOS)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.process import run


class Brew(msgspec.Struct, frozen=True):
    name: str = "brew"
    needs_root: bool = False
    can_pin: bool = True
    single_id: bool = False
    version_flag: bool = False
    refresh: tuple[str, ...] = ()

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        # `brew list --versions` exit codes are unreliable: read the output.
        out: dict[str, str | None] = {}
        for package in packages:
            result = run(["brew", "list", "--versions", package], check=False)
            parts = result.output.split()
            out[package] = parts[1] if len(parts) >= 2 and parts[0] == package else None
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return [
            "brew",
            "install",
            "--formula",
            *(f"{p}@{version}" if version else p for p in packages),
        ]
