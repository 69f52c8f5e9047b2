"""A project page's files grouped by the release they belong to, newest first.

Big pages list thousands of files (coverage: 9,500) over a few hundred releases,
and a resolution reads one or two releases of each. So a page is grouped once,
by file name alone, and a release's files are made into artifacts (checked,
their URLs joined) and held to `exclude-newer` only when something reads that
release: the index client's walk ahead, or the resolver of any target.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Generic, Protocol, TypeVar

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


class FileLike(Protocol):
    @property
    def filename(self) -> str: ...
    @property
    def upload_time(self) -> str | None: ...


F = TypeVar("F", bound=FileLike)
A = TypeVar("A")


@functools.lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    return canonicalize_name(name)


@functools.lru_cache(maxsize=65536)
def parse_version(text: str) -> Version | None:
    if len(text) > 100:  # no release is spelled that long: what an index says is bounded
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def version_of(name: str, filename: str) -> Version | None:
    """The version in a wheel or sdist filename of project `name`; None when it is not one."""
    text = _version_text(name, filename)
    return None if text is None else parse_version(text)


def _version_text(name: str, filename: str) -> str | None:
    """The version as a wheel or sdist filename of `name` spells it, when it is one (as
    `parse_wheel_filename`/`parse_sdist_filename` read them; the version parsed once
    per spelling, not once per file)."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        if len(parts) not in (5, 6) or canonical(parts[0]) != name:
            return None
        text = parts[1]
    elif len(filename) > 255:
        return None
    else:
        stem = (
            filename[:-7]
            if filename.endswith(".tar.gz")
            else filename[:-4]
            if filename.endswith(".zip")
            else ""
        )
        found, dash, text = stem.rpartition("-")
        if not dash or canonical(found) != name:
            return None
    return text if parse_version(text) is not None else None


def uploaded(text: str) -> dt.datetime | None:
    """An ISO 8601 time, aware (UTC when no zone is given); None when unreadable."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def in_time(file: FileLike, exclude_newer: dt.datetime | None) -> bool:
    """Whether the file may be used under `exclude-newer`: uploaded by then, and saying
    when (a file without an upload time cannot be proven old enough)."""
    if exclude_newer is None:
        return True
    text = file.upload_time
    if not text:
        return False
    try:
        moment = dt.datetime.fromisoformat(text)  # PyPI's form, "Z" included
    except ValueError:
        found = uploaded(text)
        if found is None:
            return False
        moment = found
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment <= exclude_newer


def _same(files: Sequence[F]) -> list[F]:
    return list(files)


class Releases(Mapping[Version, list[A]], Generic[F, A]):
    """Versions, newest first, each with its files as `make` turns them into artifacts,
    made on first read. Reads from several threads at once may both make a release's
    list; they make the same one."""

    __slots__ = ("_exclude_newer", "_groups", "_made", "_make")

    def __init__(
        self,
        groups: dict[Version, list[F]],
        make: Callable[[Sequence[F]], list[A]],
        exclude_newer: dt.datetime | None,
    ) -> None:
        self._groups = groups
        self._make = make
        self._exclude_newer = exclude_newer
        self._made: dict[Version, list[A]] = {}

    def __getitem__(self, version: Version) -> list[A]:
        made = self._made.get(version)
        if made is None:
            files = self._groups[version]
            bound = self._exclude_newer
            made = self._make(files if bound is None else [f for f in files if in_time(f, bound)])
            self._made[version] = made
        return made

    def __contains__(self, version: object) -> bool:
        return version in self._groups

    def __iter__(self) -> Iterator[Version]:
        return iter(self._groups)

    def __len__(self) -> int:
        return len(self._groups)


def group(
    name: str,
    files: Iterable[F],
    exclude_newer: dt.datetime | None = None,
    make: Callable[[Sequence[F]], list[A]] = _same,  # type: ignore[assignment]
) -> Releases[F, A]:
    """`name`'s files by version, newest first: a version is listed when one of its
    files is in time (`in_time`); its files are held to that, and made, when read.

    A release's wheels come one after the other on a sorted page: a wheel that starts
    like the one before ("name-version-") is of its release, so each release name is
    parsed once, not each of its files."""
    by_text: dict[str, list[F]] = {}  # by the version as the file names spell it
    spelled: dict[str, str | None] = {}  # release name -> its version's spelling, if name's
    same = "\0"  # no file name starts with it
    bucket: list[F] | None = None  # the list of the release of the file before
    for file in files:
        filename = file.filename
        if filename.startswith(same) and filename.endswith(".whl"):
            if bucket is not None:
                bucket.append(file)
            continue
        if filename.endswith(".whl"):
            parts = filename.split("-", 2)
            key = f"{parts[0]}-{parts[1]}" if len(parts) == 3 else filename
            same = f"{key}-" if len(parts) == 3 else "\0"
        else:
            key, same = filename, "\0"
        if key in spelled:
            text = spelled[key]
        else:
            text = spelled[key] = _version_text(name, filename)
        if text is None:
            bucket = None
            continue
        bucket = by_text.get(text)
        if bucket is None:
            bucket = by_text[text] = []
        bucket.append(file)
    by_version: dict[Version, list[F]] = {}
    for text, found in by_text.items():
        version = parse_version(text)
        assert version is not None  # _version_text spells only versions that parse
        if version in by_version:
            by_version[version].extend(found)  # "1.0" and "1.0.0": one release
        else:
            by_version[version] = found
    ordered = {
        v: by_version[v]
        for v in sorted(by_version, reverse=True)
        if any(in_time(f, exclude_newer) for f in by_version[v])
    }
    return Releases(ordered, make, exclude_newer)
