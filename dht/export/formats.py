"""The lock's Python environments in standard formats: hash-pinned requirements, JSON."""

from __future__ import annotations

import json

import msgspec

from dht.errors import DhtError, did_you_mean
from dht.model.lock import Lock

FORMATS = ("requirements", "json")


def requirements(lock: Lock, environment: str, platform: str) -> str:
    """`name @ url --hash=sha256:…` for every package of one environment on one platform:
    exactly the artifacts of the lock, installable with `--require-hashes --no-deps`."""
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
    lines = [f"# dht export: environment {environment}, platform {platform}, Python {lock.python}"]
    for package in lock.packages:
        if package.environment != environment or platform not in package.targets:
            continue
        artifact = next(
            a
            for a in (*package.wheels, *([package.sdist] if package.sdist else []))
            if platform in a.targets
        )
        lines.append(f"{package.name} @ {artifact.url} --hash=sha256:{artifact.hashes.sha256}")
    return "\n".join(lines) + "\n"


def as_json(lock: Lock) -> str:
    return json.dumps(msgspec.to_builtins(lock), indent=2, sort_keys=True) + "\n"
