"""The lock's Python environments in standard formats: hash-pinned requirements, JSON."""

from __future__ import annotations

import json

import msgspec

from dht.errors import DhtError, UsageError, did_you_mean
from dht.model.lock import PROJECT_ENVIRONMENT, Artifact, Lock, Package

FORMATS = ("requirements", "pylock", "json")


def selected(
    lock: Lock, environment: str | None, platform: str | None
) -> tuple[str, str, list[tuple[Package, Artifact]]]:
    """The environment, the platform and their (package, artifact) pairs. `None` means the
    default (the `project` environment, this machine's platform); a value the user gave that
    the lock does not have is a usage error (exit 2), as a typo in an option is."""
    envs = sorted({p.environment for p in lock.packages} | {t.environment for t in lock.tools})
    chosen_env = environment or PROJECT_ENVIRONMENT
    if chosen_env not in envs:
        listing = f"environments: {', '.join(envs)}" if envs else "it has no Python environments"
        if environment is None:
            raise DhtError(
                f"dht.lock has no {PROJECT_ENVIRONMENT!r} environment",
                hint=f"choose one with --environment; {listing}",
            )
        close = did_you_mean(environment, envs)
        raise UsageError(
            f"--environment: no environment {environment!r} in dht.lock",
            hint=f"{close + ' ' if close else ''}{listing}",
        )
    if platform is None:
        from dht.host import current_platform

        here = current_platform()
        if here not in lock.platforms:
            raise DhtError(
                f"dht.lock is not locked for this machine ({here})",
                hint=f"choose one with --platform: {', '.join(lock.platforms)};"
                f" or add {here} to targets.platforms in dht.toml and run `dht lock`",
            )
        platform = here
    elif platform not in lock.platforms:
        close = did_you_mean(platform, lock.platforms)
        raise UsageError(
            f"--platform: dht.lock is not locked for {platform!r}",
            hint=f"{close + ' ' if close else ''}platforms: {', '.join(lock.platforms)};"
            f" add {platform} to targets.platforms in dht.toml and run `dht lock` to export it",
        )
    out = []
    for package in lock.packages:
        if package.environment == chosen_env and platform in package.targets:
            artifact = next(a for a in package.artifacts if platform in a.targets)
            out.append((package, artifact))
    return chosen_env, platform, out


def pylock(lock: Lock, environment: str | None = None, platform: str | None = None) -> str:
    """A PEP 751 `pylock.toml` for one environment on one platform: a projection of the lock's
    package tables (the artifact of that platform only), validated with packaging.pylock."""
    import tomlkit
    from packaging.pylock import Pylock

    environment, platform, chosen = selected(lock, environment, platform)
    packages: list[dict[str, object]] = []
    for package, artifact in chosen:
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


def requirements(lock: Lock, environment: str | None = None, platform: str | None = None) -> str:
    """`name @ url --hash=sha256:…` for every package of one environment on one platform:
    exactly the artifacts of the lock, installable with `--require-hashes --no-deps`."""
    environment, platform, chosen = selected(lock, environment, platform)
    lines = [f"# dht export: environment {environment}, platform {platform}, Python {lock.python}"]
    for package, artifact in chosen:
        lines.append(f"{package.name} @ {artifact.url} --hash=sha256:{artifact.hashes.sha256}")
    return "\n".join(lines) + "\n"


def as_json(lock: Lock) -> str:
    return json.dumps(msgspec.to_builtins(lock), indent=2, sort_keys=True) + "\n"
