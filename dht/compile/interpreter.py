"""The exact interpreter a lock pins, chosen at lock time from the intent's spec.

An exact spec ("3.11.7") is taken as written. A minor ("3.11") becomes the
newest CPython patch that uv can install on every target (uv's own list of
python-build-standalone builds, which ships inside uv: no network), built no
later than `index.exclude-newer` when that is set, so a lock made as of a date
stays the same whatever uv is installed. A re-lock keeps the previous lock's
patch while it still matches the spec (minimal churn), unless upgraded.

The machine that runs `dht lock` plays no part: what is installed here does not
change the lock. For each target the lock records uv's key of that build, which
is what `dht apply` installs where no such interpreter is on the machine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import msgspec
from packaging.version import InvalidVersion, Version

from dht.compile.cache import Cache
from dht.errors import DhtError
from dht.model.lock import LockInterpreter

# Target platform -> (os, arch, libc) as uv names its Python builds.
UV_PLATFORMS: dict[str, tuple[str, str, str]] = {
    "linux-x86_64": ("linux", "x86_64", "gnu"),
    "linux-aarch64": ("linux", "aarch64", "gnu"),
    "linux-musl-x86_64": ("linux", "x86_64", "musl"),
    "macos-arm64": ("macos", "aarch64", "none"),
    "macos-x86_64": ("macos", "x86_64", "none"),
    "windows-x86_64": ("windows", "x86_64", "none"),
    "windows-arm64": ("windows", "aarch64", "none"),
}
_BUILD_DATE = re.compile(r"/download/(\d{8})/")


class Build(msgspec.Struct, frozen=True):
    """One CPython build uv can install."""

    version: Version
    platform: str  # a dht target
    key: str  # uv's key: cpython-3.11.7-linux-x86_64-gnu
    date: str  # the python-build-standalone release, YYYYMMDD ("" when unknown)


def builds(listing: Sequence[dict[str, Any]]) -> list[Build]:
    """uv's `python list --output-format json` entries reduced to default CPython builds of dht's targets."""
    by_triple = {triple: platform for platform, triple in UV_PLATFORMS.items()}
    out: list[Build] = []
    for entry in listing:
        if entry.get("implementation") != "cpython" or entry.get("variant") != "default":
            continue
        platform = by_triple.get((entry.get("os"), entry.get("arch"), entry.get("libc")))  # type: ignore[arg-type]
        key, text = entry.get("key"), entry.get("version")
        if platform is None or not isinstance(key, str) or not isinstance(text, str):
            continue
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        found = _BUILD_DATE.search(str(entry.get("url") or ""))
        out.append(Build(version, platform, key, found.group(1) if found else ""))
    return out


def choose(
    spec: str,
    platforms: Sequence[str],
    available: Sequence[Build],
    *,
    previous: tuple[str, LockInterpreter] | None = None,
    exclude_newer: str | None = None,
) -> tuple[str, LockInterpreter]:
    """The exact version for the lock, and how each target gets it."""
    day = exclude_newer[:10].replace("-", "") if exclude_newer else None
    usable = [
        b
        for b in available
        if b.platform in platforms and not b.version.pre and not b.version.dev
        and (day is None or (b.date and b.date <= day))
    ]  # fmt: skip
    version = settled(spec, previous)
    if version is None:
        matching = [b for b in usable if _in_minor(str(b.version), spec)]
        if not matching:
            raise DhtError(
                f"uv knows no CPython {spec} build to pin"
                + (f" released by {exclude_newer}" if exclude_newer else ""),
                hint=f'give an exact version in dht.toml (project.python = "{spec}.N"), or upgrade uv',
            )
        coverage: dict[Version, set[str]] = {}
        for build in matching:
            coverage.setdefault(build.version, set()).add(build.platform)
        everywhere = [v for v, where in coverage.items() if where >= set(platforms)]
        version = str(max(everywhere or coverage))
    downloads = {b.platform: b.key for b in usable if str(b.version) == version}
    if not downloads and previous is not None and previous[0] == version:
        downloads = dict(previous[1].downloads)  # this uv no longer lists it: keep what was found
    return version, LockInterpreter(request=spec, downloads=downloads)


def settled(spec: str, previous: tuple[str, LockInterpreter] | None) -> str | None:
    """The version `choose` takes without uv's list: an exact spec, or the previous pin
    while it is of the spec's minor; None when the list decides."""
    if spec.count(".") == 2:
        return spec
    if previous is not None and _in_minor(previous[0], spec):
        return previous[0]
    return None


def _in_minor(version: str, minor: str) -> bool:
    return version.startswith(minor + ".") and version.count(".") == 2


def uv_builds(cache: Cache | None = None, minor: str | None = None) -> list[Build]:
    """The builds this uv can install (its embedded list), cached per uv version.
    `minor` ("3.11"): only that minor's builds, which is all `choose` looks at (a
    tenth of uv's list, which is 1 MB of JSON with every version)."""
    import hashlib

    from dht.compile.reuse import uv_version
    from dht.process import clean_env, run
    from dht.uvbackend import uv_bin

    if minor is not None and not re.fullmatch(r"\d+\.\d+", minor):
        minor = None  # not a version uv takes as a request: the whole list
    uv = uv_version()
    cache = cache or Cache()
    key = hashlib.sha256(f"uv python list {uv}{f' {minor}' if minor else ''}".encode()).hexdigest()
    data = cache.read_blob("uv_python", key) if uv else None
    if data is None:
        argv = [uv_bin(), "python", "list", *([minor] if minor else []), "--only-downloads",
                "--all-versions", "--all-platforms", "--all-arches", "--output-format", "json",
                "--no-config"]  # fmt: skip
        env = {k: v for k, v in clean_env().items() if not k.startswith("UV_PYTHON")}
        output = run(argv, env=env, timeout=120).output
        # stdout and stderr come interleaved: the JSON is the line that is an array.
        data = next((ln for ln in output.splitlines() if ln.startswith("[")), "[]").encode()
        if uv:
            cache.write_blob("uv_python", key, data)
    try:
        listing = json.loads(data)
    except ValueError:
        raise DhtError(
            "uv printed no list of Python builds", hint="check `uv python list`"
        ) from None
    return builds(listing if isinstance(listing, list) else [])
