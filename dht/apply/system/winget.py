"""winget (Windows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dht.process import run


@dataclass(frozen=True)
class Winget:
    name: str = "winget"

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for package in packages:
            # Without --exact an id matches as a substring of others.
            result = run(
                ["winget", "list", "--id", package, "--exact", "--disable-interactivity"],
                check=False,
            )
            out[package] = (
                "installed"
                if result.code == 0 and package.lower() in result.output.lower()
                else None
            )
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return ["winget", "install", "--exact", "--silent", "--accept-package-agreements",
                "--accept-source-agreements", "--id", *packages, *(["--version", version] if version else [])]  # fmt: skip
