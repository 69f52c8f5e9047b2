"""Pythons in pyenv's versions folder, looked up directly: pyenv's shims hide the
versions that are not selected (`pyenv: python3.9: command not found`), and uv
stops at such a shim. The executor finds a lock's interpreter here; the compiler
a build environment's."""

from __future__ import annotations

import os
import re
from pathlib import Path

from dht import platform


def root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def python(version: str) -> str | None:
    """The interpreter of exactly `version` ("3.10.13") in pyenv's folder, if there."""
    for candidate in platform.pyenv_pythons(root(), version, platform.current()):
        if candidate.is_file():
            return str(candidate)
    return None


def versions() -> list[str]:
    """The CPython versions in pyenv's folder (X.Y.Z names only), newest last."""
    found = [
        p.name for p in (root() / "versions").glob("3.*") if re.fullmatch(r"3\.\d+\.\d+", p.name)
    ]
    return sorted((v for v in found if python(v)), key=lambda v: tuple(map(int, v.split("."))))


def newest(minor: str) -> str | None:
    """The interpreter of the newest `minor` ("3.10") in pyenv's folder, if any."""
    matching = [v for v in versions() if v.startswith(minor + ".")]
    return python(matching[-1]) if matching else None
