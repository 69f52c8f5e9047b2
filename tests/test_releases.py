"""A page's files by release, in one pass with `exclude-newer`: the grouping the
index client hands to its walk ahead and to the resolver of every target."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence

import pytest
from packaging.version import Version

from dht.compile.index import Artifact
from dht.compile.releases import group, in_time, uploaded, version_of

BOUND = dt.datetime(2026, 1, 2, 12, 0, tzinfo=dt.UTC)


def _file(filename: str, upload_time: str | None = "2025-01-01T00:00:00Z") -> Artifact:
    return Artifact(
        filename=filename,
        url=f"https://files.example/{filename}",
        sha256=None,
        size=None,
        requires_python=None,
        upload_time=upload_time,
    )


PAGE = [
    _file("demo-1.0-py3-none-any.whl"),
    _file("demo-1.0.tar.gz"),
    _file("demo-1.10-cp311-cp311-manylinux_2_28_x86_64.whl"),
    _file("demo-1.10-py3-none-any.whl"),
    _file("demo-1.10.tar.gz"),
    _file("demo-1.2-py3-none-any.whl"),
    _file("demo-2.0rc1-py3-none-any.whl"),
    _file("Demo-2.0-py3-none-any.whl"),  # another spelling of the name: the same project
    _file("demo-2.0-1-py3-none-any.whl"),  # a build tag
    _file("other-3.0-py3-none-any.whl"),  # a foreign name on the page: no release of demo
    _file("demo-notaversion-py3-none-any.whl"),
    _file("demo-9.tar.bz2"),
]


def _reference(files: list[Artifact]) -> dict[Version, list[str]]:
    """Each file's version read on its own, grouped, newest first."""
    found: dict[Version, list[str]] = {}
    for f in files:
        version = version_of("demo", f.filename)
        if version is not None:
            found.setdefault(version, []).append(f.filename)
    return {v: found[v] for v in sorted(found, reverse=True)}


def _names(by_version: Mapping[Version, list[Artifact]]) -> dict[Version, list[str]]:
    return {v: [f.filename for f in files] for v, files in by_version.items()}


def test_files_are_grouped_by_version_newest_first() -> None:
    by_version = group("demo", PAGE)
    assert list(by_version) == [Version(v) for v in ("2.0", "2.0rc1", "1.10", "1.2", "1.0")]
    assert _names(by_version)[Version("2.0")] == [
        "Demo-2.0-py3-none-any.whl",
        "demo-2.0-1-py3-none-any.whl",
    ]
    assert _names(by_version) == _reference(PAGE)


@pytest.mark.parametrize("seed", range(5))
def test_any_order_of_files_gives_the_same_releases(seed: int) -> None:
    """The one-parse-per-release shortcut holds for pages in any order, not only sorted."""
    files = list(PAGE)
    random.Random(seed).shuffle(files)
    by_version = group("demo", files)
    assert _names(by_version) == _reference(files)


@pytest.mark.parametrize(
    ("upload_time", "kept"),
    [
        ("2026-01-02T12:00:00Z", True),  # at the bound
        ("2026-01-02T12:00:00.000001Z", False),
        ("2026-01-02T11:59:59.999999Z", True),
        ("2026-01-02T13:30:00+02:00", True),  # 11:30 UTC
        ("2026-01-02T11:30:00-02:00", False),  # 13:30 UTC
        ("2026-01-02T12:00:00", True),  # no zone: UTC
        ("2026-01-02T12:00:01", False),
        (" 2026-01-01T00:00:00Z ", True),  # padded: read as before
        ("yesterday", False),  # unreadable: cannot be proven old enough
        ("", False),
        (None, False),
    ],
)
def test_exclude_newer_reads_every_form_of_upload_time(upload_time: str | None, kept: bool) -> None:
    file = _file("demo-1.0-py3-none-any.whl", upload_time)
    assert in_time(file, BOUND) is kept
    assert bool(group("demo", [file], BOUND)) is kept
    if upload_time:  # the fast path agrees with the general reader
        moment = uploaded(upload_time)
        assert (moment is not None and moment <= BOUND) is kept


def test_a_release_keeps_only_its_files_uploaded_in_time() -> None:
    files = [
        _file("demo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl", "2026-01-01T00:00:00Z"),
        _file("demo-1.0-cp312-cp312-manylinux_2_28_x86_64.whl", "2026-03-01T00:00:00Z"),
        _file("demo-1.0-py3-none-any.whl", "2026-01-01T00:00:00Z"),
        _file("demo-2.0-py3-none-any.whl", "2026-03-01T00:00:00Z"),
    ]
    by_version = group("demo", files, BOUND)
    assert _names(by_version) == {Version("1.0"): [files[0].filename, files[2].filename]}


def test_a_release_is_made_once_when_first_read() -> None:
    made: list[list[str]] = []

    def make(files: Sequence[Artifact]) -> list[str]:
        made.append([f.filename for f in files])
        return [f.filename.upper() for f in files]

    by_version = group("demo", PAGE, make=make)
    assert made == []  # grouping reads names only
    assert by_version[Version("1.2")] == ["DEMO-1.2-PY3-NONE-ANY.WHL"]
    assert by_version[Version("1.2")] is by_version[Version("1.2")]
    assert made == [["demo-1.2-py3-none-any.whl"]]
    assert Version("1.2") in by_version and Version("7") not in by_version
    with pytest.raises(KeyError):
        by_version[Version("7")]
