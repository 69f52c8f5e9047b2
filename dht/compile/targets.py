"""Target platforms: which wheels run there, and how markers evaluate there.

A target is a platform name and the lock's Python version (CPython). The
baselines are a product decision, chosen to cover what teams run today; a
wheel is locked for a platform only when it runs on the baseline:

- `linux-x86_64`, `linux-aarch64`: glibc 2.28 or newer (manylinux_2_28:
  Debian 10+, Ubuntu 18.10+, RHEL 8+). Wheels for older glibc run there too:
  manylinux_2_5 .. 2_28 and the legacy names manylinux2014 (both arches),
  manylinux2010 and manylinux1 (x86_64 only). Bare `linux_*` wheels are
  never chosen: they are not portable.
- `linux-musl-x86_64`: musl 1.2 (Alpine 3.13+): musllinux_1_0 .. 1_2.
- `macos-arm64`: macOS 12.0 or newer on Apple silicon: arm64 wheels built
  for 11.0 .. 12.0, and universal2 wheels (10.4 .. 12.0).
- `macos-x86_64`: macOS 12.0 or newer on Intel: x86_64, intel, fat64,
  universal and universal2 wheels built for 10.x .. 12.0 (what
  `packaging.tags.mac_platforms` lists).
- `windows-x86_64`, `windows-arm64`: win_amd64, win_arm64.

`PLATFORMS` lists them in the lock's order; `DEFAULT_PLATFORMS` (when
dht.toml names none) leaves out musl and Windows on ARM.

Tags are ordered as pip and uv order them, most preferred first: the exact
CPython ABI (cp311-cp311), then the stable ABI (abi3) of this and older
CPythons, then cp311-none, then generic py3x/py3 wheels for the platform,
then pure wheels (py3-none-any).

Markers: `python_version` is the minor ("3.11"). `python_full_version` and
`implementation_version` are the exact version when the lock gives one
("3.11.7"), else the minor's first release ("3.11" → "3.11.0").
`platform_release` and `platform_version` are empty: they describe one
machine, not a platform.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

import msgspec
from packaging import tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from dht.errors import DhtError, did_you_mean
from dht.model.names import DEFAULT_PLATFORMS, PLATFORMS, is_python_version

# The platform lists live in the model (the executor validates locks without the
# compiler); they are re-exported here, where targets are defined.
__all__ = [
    "DEFAULT_PLATFORMS",
    "PLATFORMS",
    "Target",
    "best_artifact",
    "metadata_artifact",
    "parse_platform",
]


class _Named(Protocol):
    @property
    def filename(self) -> str: ...

    @property
    def is_wheel(self) -> bool: ...


A = TypeVar("A", bound=_Named)


class _Platform(msgspec.Struct, frozen=True):
    os_name: str
    sys_platform: str
    platform_system: str
    platform_machine: str


_PLATFORM_INFO = {
    "linux-x86_64": _Platform("posix", "linux", "Linux", "x86_64"),
    "linux-aarch64": _Platform("posix", "linux", "Linux", "aarch64"),
    "linux-musl-x86_64": _Platform("posix", "linux", "Linux", "x86_64"),
    "macos-arm64": _Platform("posix", "darwin", "Darwin", "arm64"),
    "macos-x86_64": _Platform("posix", "darwin", "Darwin", "x86_64"),
    "windows-x86_64": _Platform("nt", "win32", "Windows", "AMD64"),
    "windows-arm64": _Platform("nt", "win32", "Windows", "ARM64"),
}
_GLIBC = (2, 28)
_MACOS = (12, 0)
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}


def _platform_tags(platform: str) -> list[str]:
    """Platform tags, most specific (newest) first."""
    if platform in ("linux-x86_64", "linux-aarch64"):
        arch = _PLATFORM_INFO[platform].platform_machine
        out: list[str] = []
        for minor in range(_GLIBC[1], 4, -1):
            out.append(f"manylinux_2_{minor}_{arch}")
            legacy = _LEGACY_MANYLINUX.get((2, minor))
            if legacy and (arch == "x86_64" or legacy == "manylinux2014"):
                out.append(f"{legacy}_{arch}")
        return out  # bare linux_* wheels are not portable: never chosen
    if platform == "linux-musl-x86_64":
        return [f"musllinux_1_{minor}_x86_64" for minor in (2, 1, 0)]
    if platform == "macos-arm64":
        return list(tags.mac_platforms(_MACOS, "arm64"))
    if platform == "macos-x86_64":
        return list(tags.mac_platforms(_MACOS, "x86_64"))
    if platform == "windows-x86_64":
        return ["win_amd64"]
    if platform == "windows-arm64":
        return ["win_arm64"]
    raise DhtError(f"unknown platform {platform!r}")


@functools.cache
def _tags(platform: str, minor: int) -> tuple[tags.Tag, ...]:
    plats = _platform_tags(platform)
    version = (3, minor)
    cpython = tags.cpython_tags(version, abis=[f"cp3{minor}"], platforms=plats)
    generic = tags.compatible_tags(version, interpreter=f"cp3{minor}", platforms=plats)
    return tuple(dict.fromkeys([*cpython, *generic]))


@functools.cache
def _ranks(platform: str, minor: int) -> dict[tags.Tag, int]:
    return {tag: rank for rank, tag in enumerate(_tags(platform, minor))}


@functools.cache
def _tag_rank(platform: str, minor: int, triple: str) -> int | None:
    try:
        _, _, _, wheel_tags = parse_wheel_filename(f"x-0-{triple}.whl")
    except InvalidWheelFilename:
        return None
    ranks = _ranks(platform, minor)
    found = [ranks[t] for t in wheel_tags if t in ranks]
    return min(found) if found else None


def metadata_artifact(artifacts: Sequence[A]) -> A:
    """The one file of a release whose metadata stands for all of them, whatever the target.

    All wheels of a release share their metadata (pip and uv assume it too):
    a universal wheel if there is one, else the first wheel by name, else the
    sdist. Being target-independent, it is read once for every platform.
    """
    ordered = sorted(artifacts, key=lambda a: a.filename)
    wheels = [a for a in ordered if a.is_wheel]
    universal = [a for a in wheels if a.filename.endswith("-none-any.whl")]
    return (universal or wheels or ordered)[0]


class Target(msgspec.Struct, frozen=True):
    platform: str
    python: str  # "3.11" or "3.11.7"

    def __post_init__(self) -> None:
        # Fail here, with the list of names, rather than later with a KeyError.
        parse_platform(self.platform)
        if not is_python_version(self.python):
            raise DhtError(
                f"{self.python!r} is not a Python version dht can lock",
                hint='give a minor version ("3.11") or an exact one ("3.11.7")',
            )

    @property
    def minor(self) -> int:
        return int(self.python.split(".")[1])

    @property
    def python_full_version(self) -> str:
        return self.python if self.python.count(".") == 2 else f"{self.python}.0"

    @property
    def tags(self) -> tuple[tags.Tag, ...]:
        return _tags(self.platform, self.minor)

    def marker_environment(self) -> dict[str, str]:
        info = _PLATFORM_INFO[self.platform]
        return {
            "os_name": info.os_name,
            "sys_platform": info.sys_platform,
            "platform_system": info.platform_system,
            "platform_machine": info.platform_machine,
            "platform_release": "",
            "platform_version": "",
            "implementation_name": "cpython",
            "implementation_version": self.python_full_version,
            "platform_python_implementation": "CPython",
            "python_version": f"3.{self.minor}",
            "python_full_version": self.python_full_version,
        }

    def wheel_rank(self, filename: str) -> int | None:
        """Position of the wheel's best tag in this target's preference order; None: does not run."""
        parts = filename.removesuffix(".whl").rsplit("-", 3)
        if len(parts) != 4 or not filename.endswith(".whl"):
            return None
        # Thousands of files share a few tag triples: rank each triple once.
        return _tag_rank(self.platform, self.minor, "-".join(parts[1:]))


def best_artifact(artifacts: Iterable[A], target: Target) -> A | None:
    """The best wheel for the target, else the sdist (.tar.gz first), else None."""
    wheels: list[tuple[int, str, A]] = []
    sdists: list[tuple[int, str, A]] = []
    for artifact in artifacts:
        if artifact.is_wheel:
            rank = target.wheel_rank(artifact.filename)
            if rank is not None:
                wheels.append((rank, artifact.filename, artifact))
        else:
            sdists.append(
                (0 if artifact.filename.endswith(".tar.gz") else 1, artifact.filename, artifact)
            )
    for group in (wheels, sdists):
        if group:
            return min(group, key=lambda item: (item[0], item[1]))[2]
    return None


def parse_platform(name: str) -> str:
    if name in PLATFORMS:
        return name
    close = did_you_mean(name, PLATFORMS)
    raise DhtError(
        f"unknown platform {name!r}",
        hint=f"{close + ' ' if close else ''}known platforms: {', '.join(PLATFORMS)}",
    )
