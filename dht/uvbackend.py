"""Python environments through uv's own binary (from the `uv` package): venvs and installs.

Installs take exact artifacts from the lock, with their sha256 required and no
dependencies: nothing is resolved at apply time. Each is asked for as
`name==version --hash=sha256:…` from the lock's index, not by URL: the hash
selects the very file the lock names, and uv records the package as coming
from the index, as `uv sync` does, so `uv sync --check` agrees with dht.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec

from dht import platform
from dht.errors import DhtError
from dht.process import ProcessError, clean_env, run


class Wheel(msgspec.Struct, frozen=True):
    """A locked artifact (a wheel, or an sdist uv builds)."""

    name: str
    url: str
    sha256: str
    version: str = ""
    index: str = ""


def uv_bin() -> str:
    """uv's binary. In a virtual environment (how dht is installed) it lies in the
    environment's own scripts folder, the first place `find_uv_bin` looks: found there
    without importing the `uv` package, whose search loads sysconfig's data (~10 ms
    before a cold lock's first request)."""
    if sys.prefix != sys.base_prefix:
        os_name = platform.current()
        beside = platform.executable(Path(sys.prefix), "uv", os_name)
        if beside.is_file():
            return str(beside)
    from uv import find_uv_bin

    return str(find_uv_bin())


def bin_dir(env: Path) -> Path:
    return platform.bin_dir(env, platform.current())


def python_of(env: Path) -> Path:
    return platform.python_of(env, platform.current())


def site_packages(env: Path) -> list[Path]:
    """The venv's site-packages folders that exist, sorted."""
    patterns = platform.site_packages_patterns(platform.current())
    return sorted(path for pattern in patterns for path in env.glob(pattern) if path.is_dir())


def create_venv(path: Path, python: str, *, download: bool = True) -> None:
    """A relocatable venv (scripts find their interpreter relative to themselves),
    so it can be built aside and renamed into place. Without `download`, only a Python
    already on this machine will do (uv fails at once instead of fetching one)."""
    argv = [
        uv_bin(),
        "venv",
        "--quiet",
        "--relocatable",
        "--no-project",
        *([] if download else ["--no-python-downloads"]),
        "--python",
        python,
        str(path),
    ]
    try:
        run(argv, env=clean_env(), timeout=600)
    except ProcessError as exc:
        raise _venv_failure(path, python, exc) from None


# What uv says when the interpreter itself is missing; anything else is another cause.
_NO_INTERPRETER = ("no interpreter found", "no download found", "failed to inspect python")


def _venv_failure(path: Path, python: str, exc: ProcessError) -> DhtError:
    """The real cause: uv's last lines, and a hint about Python only when Python is what is missing."""
    said = [line.strip() for line in exc.output.splitlines() if line.strip()]
    cause = "\n".join(said[-3:]) or ("timed out" if exc.code is None else f"uv exited {exc.code}")
    missing = any(marker in exc.output.lower() for marker in _NO_INTERPRETER)
    shown_python = python if Path(python).is_absolute() else f"Python {python}"
    message = f"could not create the environment {path.name} with {shown_python}:\n{cause}"
    if not missing:
        return DhtError(message, hint="check that its folder is writable and has free space")
    if Path(python).is_absolute():
        return DhtError(message, hint="check that this interpreter runs")
    return DhtError(
        message,
        hint=f"install it (`uv python install {python}`), or let uv download it where the network allows",
    )


def requirement_lines(wheels: Sequence[Wheel]) -> str:
    """A requirements file that names exactly these artifacts (by version and hash)."""
    return "".join(
        f"{w.name}=={w.version} --hash=sha256:{w.sha256}\n"
        if w.version and w.index
        else f"{w.name} @ {w.url} --hash=sha256:{w.sha256}\n"
        for w in wheels
    )


def index_options(wheels: Sequence[Wheel]) -> list[str]:
    indexes = sorted({w.index for w in wheels if w.index})
    if not indexes:
        return []
    return ["--index-url", indexes[0], *(a for i in indexes[1:] for a in ("--extra-index-url", i))]


def install(env: Path, wheels: Sequence[Wheel], scratch: Path) -> None:
    if not wheels:
        return
    requirements = scratch / "requirements.txt"
    requirements.write_text(requirement_lines(wheels), encoding="utf-8")
    argv = [
        uv_bin(), "pip", "install", "--quiet", "--python", str(python_of(env)),
        "--require-hashes", "--no-deps", "--no-config", "--reinstall",
        *index_options(wheels), "-r", str(requirements),
    ]  # fmt: skip
    run_cache_first(argv)


def run_cache_first(argv: list[str]) -> None:
    """uv offline first: with every file in its cache (the usual re-apply) it asks the
    index nothing (each page would cost a round trip); else the same, online."""
    try:
        run([*argv, "--offline"], env=clean_env(), timeout=1800)
    except ProcessError:
        run(argv, env=clean_env(), timeout=1800)


def uninstall(env: Path, names: Sequence[str]) -> None:
    if names:
        run(
            [uv_bin(), "pip", "uninstall", "--quiet", "--python", str(python_of(env)), *names],
            env=clean_env(),
        )
