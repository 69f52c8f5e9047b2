"""The lock's Python environments in standard formats: hash-pinned requirements, JSON."""

from __future__ import annotations

import json

import msgspec

from dht.errors import DhtError, did_you_mean
from dht.model.lock import Artifact, Lock, Package

FORMATS = ("requirements", "pylock", "json")


def _selected(lock: Lock, environment: str, platform: str) -> list[tuple[Package, Artifact]]:
    envs = sorted({p.environment for p in lock.packages})
    if environment not in envs:
        close = did_you_mean(environment, envs)
        raise DhtError(
            f"no environment {environment!r} in dht.lock",
            hint=f"{close + ' ' if close else ''}environments: {', '.join(envs)}",
        )
    if platform not in lock.platforms:
        close = did_you_mean(platform, lock.platforms)
        raise DhtError(
            f"{platform!r} is not a platform of dht.lock",
            hint=f"{close + ' ' if close else ''}platforms: {', '.join(lock.platforms)}",
        )
    out = []
    for package in lock.packages:
        if package.environment == environment and platform in package.targets:
            artifact = next(a for a in package.artifacts if platform in a.targets)
            out.append((package, artifact))
    return out


def pylock(lock: Lock, environment: str, platform: str) -> str:
    """A PEP 751 `pylock.toml` for one environment on one platform: a projection of the lock's
    package tables (the artifact of that platform only), validated with packaging.pylock."""
    import tomlkit
    from packaging.pylock import Pylock

    packages: list[dict[str, object]] = []
    for package, artifact in _selected(lock, environment, platform):
        entry: dict[str, object] = {
            "name": package.name,
            "version": package.version,
            "index": package.index,
        }
        if package.requires_python:
            entry["requires-python"] = package.requires_python
        file = {
            "name": artifact.name,
            "url": artifact.url,
            "size": artifact.size,
            "hashes": {"sha256": artifact.hashes.sha256},
        }
        if artifact.name.endswith(".whl"):
            entry["wheels"] = [file]
        else:
            entry["sdist"] = file
        packages.append(entry)
    minor = ".".join(lock.python.split(".")[:2])
    data = {
        "lock-version": "1.0",
        "requires-python": f"=={minor}.*",
        "created-by": "dht",
        "packages": packages,
    }
    Pylock.from_dict(data)  # raises on anything PEP 751 does not allow
    header = f"# dht export: environment {environment}, platform {platform}\n"
    return header + tomlkit.dumps(data)


def requirements(lock: Lock, environment: str, platform: str) -> str:
    """`name @ url --hash=sha256:…` for every package of one environment on one platform:
    exactly the artifacts of the lock, installable with `--require-hashes --no-deps`."""
    lines = [f"# dht export: environment {environment}, platform {platform}, Python {lock.python}"]
    for package, artifact in _selected(lock, environment, platform):
        lines.append(f"{package.name} @ {artifact.url} --hash=sha256:{artifact.hashes.sha256}")
    return "\n".join(lines) + "\n"


def as_json(lock: Lock) -> str:
    return json.dumps(msgspec.to_builtins(lock), indent=2, sort_keys=True) + "\n"
