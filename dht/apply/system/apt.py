"""apt and dpkg (Debian, Ubuntu): the one manager that installs for real in the tests."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.process import run


class Apt(msgspec.Struct, frozen=True):
    name: str = "apt"
    needs_root: bool = True
    can_pin: bool = True
    single_id: bool = False
    version_flag: bool = False
    refresh: tuple[str, ...] = ("apt-get", "update", "-qq")

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        # `dpkg-query -W` succeeds for removed-but-not-purged packages: require status "ii".
        out: dict[str, str | None] = {}
        for package in packages:
            result = run(
                ["dpkg-query", "-W", "-f=${db:Status-Abbrev}\t${Version}\n", package], check=False
            )
            line = (
                result.output.strip().splitlines()[0]
                if result.code == 0 and result.output.strip()
                else ""
            )
            status, _, version = line.partition("\t")
            out[package] = version if status.strip() == "ii" and version else None
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return [
            "apt-get",
            "install",
            "-y",
            "--no-install-recommends",
            "--",
            *(f"{p}={version}" if version else p for p in packages),
        ]
