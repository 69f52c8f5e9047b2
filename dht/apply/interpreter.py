"""The exact interpreter the lock pins, found on this machine or installed by uv.

Looked for in this order: the interpreter running dht (when it is the one),
pyenv's versions folder (pyenv shims hide the versions that are not selected,
and uv stops at a broken shim), what uv finds (its managed Pythons, the search
path), then uv's own build for this platform, which the lock names
(`uv python install KEY`).
"""

from __future__ import annotations

import platform as _platform
import sys
from pathlib import Path

from dht import pyenv
from dht.errors import DhtError
from dht.process import clean_env, run
from dht.uvbackend import uv_bin


def find_interpreter(version: str, download: str | None) -> str:
    """A path (or uv request) for an interpreter of exactly `version`; installs uv's build if needed."""
    found = _running(version) or pyenv.python(version) or _uv_find(version)
    if found:
        return found
    if download is None:
        raise DhtError(
            f"Python {version} is not on this machine, and uv has no build of it for this platform",
            hint=_ways(version, None),
        )
    result = run(
        [uv_bin(), "python", "install", "--no-config", download],
        env=clean_env(),
        timeout=1800,
        check=False,
    )
    found = _uv_find(version) if result.code == 0 else None
    if found is None:
        detail = _last_cause(result.output)
        raise DhtError(
            f"Python {version} is not on this machine, and uv could not install {download}"
            + (f": {detail}" if detail else ""),
            hint=_ways(version, download),
        )
    return found


def local_version(minor: str) -> str | None:
    """The exact version of a CPython `minor` on this machine: what uv finds, else the
    newest in pyenv's folder; None when there is none (nothing is downloaded)."""
    path = _uv_find(minor)
    if path is not None:
        probe = run([path, "-c", "import platform; print(platform.python_version())"],
                    check=False, timeout=60)  # fmt: skip
        version = probe.output.strip()
        return version if probe.code == 0 and version.startswith(minor + ".") else None
    matching = [v for v in pyenv.versions() if v.startswith(minor + ".")]
    return matching[-1] if matching else None


def _running(version: str) -> str | None:
    """The interpreter running dht, when it is the one: no search at all."""
    if _platform.python_implementation() != "CPython" or _platform.python_version() != version:
        return None
    base = getattr(sys, "_base_executable", None) or sys.executable
    return base if base and Path(base).is_file() else None


def _uv_find(version: str) -> str | None:
    result = run(
        [uv_bin(), "python", "find", "--no-project", "--no-config", f"cpython@{version}"],
        env={**clean_env(), "UV_PYTHON_DOWNLOADS": "never"},
        timeout=120,
        check=False,
    )
    lines = [line for line in result.output.splitlines() if line.strip()]
    if result.code != 0 or not lines or not Path(lines[-1].strip()).exists():
        return None
    return lines[-1].strip()


def _last_cause(output: str) -> str:
    causes = [line.strip() for line in output.splitlines() if line.strip()]
    return causes[-1].removeprefix("cause: ") if causes else ""


def _ways(version: str, download: str | None) -> str:
    ways = [f"`uv python install {download or version}` where the network allows"]
    ways.append(f"`pyenv install {version}`, or any CPython {version} on PATH")
    ways.append(
        "or pin a version this machine has in dht.toml (project.python), then `dht lock`"
        " (`uv python list --only-installed` shows them)"
    )
    return "; ".join(ways)
