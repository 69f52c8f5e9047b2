"""System package managers behind one Protocol, and detection of the machine's system.

Each manager says how to query what is installed and the exact argv that
installs packages (never a shell string). apt runs for real on Debian and
Ubuntu; the others are driven by the same plan and checked by their argv.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import msgspec

from dht.process import run


class Manager(Protocol):
    """A system package manager: what it can do is said here, never decided on its name."""

    @property
    def name(self) -> str: ...
    @property
    def needs_root(self) -> bool: ...  # installs need root (sudo) on this system
    @property
    def can_pin(self) -> bool: ...  # installs an exact version asked for
    @property
    def single_id(self) -> bool: ...  # one package per install command
    @property
    def version_flag(self) -> bool: ...  # a pin is one flag for the whole command
    @property
    def refresh(self) -> tuple[str, ...]: ...  # argv that refreshes package lists, or ()

    def installed(
        self, packages: Sequence[str]
    ) -> dict[str, str | None]: ...  # name -> version, None if absent
    def install_argv(self, packages: Sequence[str], version: str | None = None) -> list[str]: ...


class OsRelease(msgspec.Struct, frozen=True):
    id: str
    version_id: str
    id_like: tuple[str, ...]

    def candidates(self) -> list[str]:
        """Ecosystem ids to look for in the lock, most specific first: debian+12, debian, …"""
        out = [f"{self.id}+{self.version_id}"] if self.version_id else []
        out.append(self.id)
        for like in self.id_like:
            out.append(like)
        return [c for i, c in enumerate(out) if c and c not in out[:i]]


def read_os_release(path: Path = Path("/etc/os-release")) -> OsRelease | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().isidentifier():
            fields[key.strip()] = value.strip().strip("\"'")
    if not fields.get("ID"):
        return None
    ids = {"opensuse-leap": "opensuse", "opensuse-tumbleweed": "opensuse", "sles": "opensuse"}
    return OsRelease(
        id=ids.get(fields["ID"].lower(), fields["ID"].lower()),
        version_id=fields.get("VERSION_ID", ""),
        id_like=tuple(ids.get(t, t) for t in fields.get("ID_LIKE", "").lower().split()),
    )


def manager_for(ecosystem: str) -> Manager:
    from dht.apply.system import apk, apt, brew, choco, dnf, pacman, winget, zypper

    base = ecosystem.split("+", 1)[0]
    table: dict[str, Manager] = {
        "debian": apt.Apt(),
        "ubuntu": apt.Apt(),
        "fedora": dnf.Dnf(),
        "arch": pacman.Pacman(),
        "alpine": apk.Apk(),
        "opensuse": zypper.Zypper(),
        "homebrew": brew.Brew(),
        "winget": winget.Winget(),
        "choco": choco.Choco(),
    }
    return table[base]


def query_lines(argv: list[str]) -> list[str]:
    result = run(argv, check=False, timeout=120)
    return result.output.splitlines() if result.code == 0 else []


def machine_system(declared: Sequence[str]) -> str | None:
    """Which of the lock's systems this machine is: the most specific match, or None."""
    from dht import platform

    candidates = platform.package_managers(platform.current())
    if candidates is None:
        release = read_os_release()
        candidates = tuple(release.candidates()) if release else ()
    return next((c for c in candidates if c in declared), None)


def install_commands(
    manager: Manager, packages: Sequence[str], version: str | None = None
) -> list[list[str]]:
    """The argvs that install `packages` (at `version`): one per package where the manager takes one id."""
    if not packages:
        return []
    if manager.single_id or (manager.version_flag and version):
        return [manager.install_argv([p], version) for p in packages]
    return [manager.install_argv(packages, version)]
