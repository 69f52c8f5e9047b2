"""Chocolatey (Windows)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.process import run


class Choco(msgspec.Struct, frozen=True):
    name: str = "choco"
    needs_root: bool = False
    can_pin: bool = True
    single_id: bool = False
    version_flag: bool = True
    refresh: tuple[str, ...] = ()

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for package in packages:
            # choco v2: `list` is local only; --exact with --limit-output prints name|version.
            result = run(["choco", "list", "--exact", "--limit-output", package], check=False)
            line = next(
                (
                    x
                    for x in result.output.splitlines()
                    if x.lower().startswith(package.lower() + "|")
                ),
                "",
            )
            out[package] = line.split("|", 1)[1] if line else None
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return [
            "choco",
            "install",
            "-y",
            "--no-progress",
            *packages,
            *(["--version", version] if version else []),
        ]
