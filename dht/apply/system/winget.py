"""winget (Windows)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from dht.process import run


class Winget(msgspec.Struct, frozen=True):
    name: str = "winget"
    needs_root: bool = False
    can_pin: bool = True
    single_id: bool = True
    version_flag: bool = True
    refresh: tuple[str, ...] = ()

    def installed(self, packages: Sequence[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for package in packages:
            # Without --exact an id matches as a substring of others.
            result = run(
                ["winget", "list", "--id", package, "--exact", "--disable-interactivity"],
                check=False,
            )
            out[package] = listed_version(result.output, package) if result.code == 0 else None
        return out

    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]:
        return ["winget", "install", "--exact", "--silent", "--accept-package-agreements",
                "--accept-source-agreements", "--id", *packages, *(["--version", version] if version else [])]  # fmt: skip


def listed_version(output: str, package: str) -> str | None:
    """The installed version `winget list` shows for `package`, or None if it lists none.

    The table is padded to columns: Name (may hold spaces), Id, Version, Available, Source.
    The row is the one whose Id column is the id asked for; the version follows it. A
    version winget could not read exactly is shown as "< 1.2" or "Unknown": returned as
    shown, so a pin compared with it is drift, not a match."""
    lines = [line.rsplit("\r", 1)[-1] for line in output.splitlines()]  # spinner frames
    header = next((i for i, line in enumerate(lines) if line.lstrip().startswith("---")), None)
    if header is None:
        return None  # "No installed package found matching input criteria."
    wanted = package.casefold()
    for line in lines[header + 1 :]:
        words = line.split()
        ids = [i for i, word in enumerate(words) if word.casefold() == wanted]
        if not ids or ids[-1] + 1 >= len(words):
            continue
        rest = words[ids[-1] + 1 :]
        if rest[0] in ("<", ">") and len(rest) > 1:
            return f"{rest[0]} {rest[1]}"
        return rest[0]
    return None
