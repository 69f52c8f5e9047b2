"""Python environments through uv's own binary (from the `uv` package): venvs and installs.

Installs take exact artifacts from the lock by URL with their sha256 required,
and no dependencies: nothing is resolved at apply time.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dht.errors import DhtError
from dht.process import ProcessError, clean_env, run


@dataclass(frozen=True)
class Wheel:
    name: str
    url: str
    sha256: str


def uv_bin() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())


def bin_dir(env: Path) -> Path:
    return env / ("Scripts" if sys.platform == "win32" else "bin")


def python_of(env: Path) -> Path:
    return bin_dir(env) / ("python.exe" if sys.platform == "win32" else "python")


def create_venv(path: Path, python: str) -> None:
    """A relocatable venv (scripts find their interpreter relative to themselves),
    so it can be built aside and renamed into place."""
    argv = [
        uv_bin(),
        "venv",
        "--quiet",
        "--relocatable",
        "--no-project",
        "--python",
        python,
        str(path),
    ]
    try:
        run(argv, env=clean_env(), timeout=600)
    except ProcessError as exc:
        raise DhtError(
            f"no Python {python} for the environment: {exc.message}",
            hint=f"install it (`uv python install {python}`), or let uv download it where the network allows",
        ) from None


def install(env: Path, wheels: Sequence[Wheel], scratch: Path) -> None:
    if not wheels:
        return
    requirements = scratch / "requirements.txt"
    requirements.write_text(
        "".join(f"{w.name} @ {w.url} --hash=sha256:{w.sha256}\n" for w in wheels), encoding="utf-8"
    )
    argv = [
        uv_bin(), "pip", "install", "--quiet", "--python", str(python_of(env)),
        "--require-hashes", "--no-deps", "--no-config", "--reinstall",
        "-r", str(requirements),
    ]  # fmt: skip
    run(argv, env=clean_env(), timeout=1800)


def uninstall(env: Path, names: Sequence[str]) -> None:
    if names:
        run(
            [uv_bin(), "pip", "uninstall", "--quiet", "--python", str(python_of(env)), *names],
            env=clean_env(),
        )
