"""The exact interpreter: chosen at lock time from the intent's spec and uv's list of
builds (pure), found or installed at apply time (real uv, real interpreters)."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from dht.apply.interpreter import find_interpreter
from dht.compile.cache import Cache
from dht.compile.interpreter import UV_PLATFORMS, Build, builds, choose, uv_builds
from dht.errors import DhtError
from dht.model.lock import LockInterpreter
from dht.model.names import DEFAULT_PLATFORMS, PLATFORMS


def _builds(version: str, date: str, platforms: tuple[str, ...] = DEFAULT_PLATFORMS) -> list[Build]:
    return [
        Build(Version(version), p, f"cpython-{version}-{'-'.join(UV_PLATFORMS[p])}", date)
        for p in platforms
    ]


AVAILABLE = [
    *_builds("3.11.7", "20240107", (*DEFAULT_PLATFORMS, "linux-musl-x86_64")),
    *_builds("3.11.13", "20250712"),
    *_builds("3.11.18", "20261110", ("linux-x86_64", "macos-arm64")),  # not everywhere yet
    *_builds("3.12.1", "20240107"),
    *_builds("3.13.0rc1", "20240801"),
]


def test_a_minor_becomes_the_newest_patch_every_target_can_install() -> None:
    version, interp = choose("3.11", DEFAULT_PLATFORMS, AVAILABLE)
    assert version == "3.11.13"  # 3.11.18 lacks builds for three targets
    assert interp.request == "3.11"
    assert interp.downloads["linux-aarch64"] == "cpython-3.11.13-linux-aarch64-gnu"
    assert interp.downloads["macos-arm64"] == "cpython-3.11.13-macos-aarch64-none"
    assert set(interp.downloads) == set(DEFAULT_PLATFORMS)


def test_targets_that_all_have_the_newest_get_it() -> None:
    version, _ = choose("3.11", ("linux-x86_64", "macos-arm64"), AVAILABLE)
    assert version == "3.11.18"


def test_exclude_newer_bounds_the_build_date() -> None:
    version, _ = choose("3.11", DEFAULT_PLATFORMS, AVAILABLE, exclude_newer="2025-01-01T00:00:00Z")
    assert version == "3.11.7"


def test_an_exact_spec_is_kept_and_keys_only_where_uv_has_a_build() -> None:
    targets = ("linux-x86_64", "windows-arm64")
    version, interp = choose("3.11.7", targets, AVAILABLE)
    assert version == "3.11.7"
    assert interp.downloads == {"linux-x86_64": "cpython-3.11.7-linux-x86_64-gnu"}


def test_a_relock_keeps_the_previous_patch_unless_upgraded() -> None:
    previous = ("3.11.7", LockInterpreter(request="3.11", downloads={"linux-x86_64": "k"}))
    version, interp = choose("3.11", DEFAULT_PLATFORMS, AVAILABLE, previous=previous)
    assert version == "3.11.7"
    assert interp.downloads["linux-x86_64"] == "cpython-3.11.7-linux-x86_64-gnu"
    # A previous pin of another minor is no preference.
    version, _ = choose("3.12", DEFAULT_PLATFORMS, AVAILABLE, previous=previous)
    assert version == "3.12.1"


def test_prereleases_are_never_chosen_for_a_minor() -> None:
    with pytest.raises(DhtError, match=r"uv knows no CPython 3\.13 build"):
        choose("3.13", DEFAULT_PLATFORMS, AVAILABLE)


def test_uvs_listing_is_reduced_to_dhts_targets() -> None:
    listing = [
        {"key": "cpython-3.11.7-linux-aarch64-gnu", "version": "3.11.7", "os": "linux",
         "arch": "aarch64", "libc": "gnu", "variant": "default", "implementation": "cpython",
         "url": "https://x/releases/download/20240107/cpython-3.11.7.tar.gz"},
        {"key": "cpython-3.11.7+freethreaded-linux-aarch64-gnu", "version": "3.11.7",
         "os": "linux", "arch": "aarch64", "libc": "gnu", "variant": "freethreaded",
         "implementation": "cpython", "url": ""},
        {"key": "pypy-3.11.7-linux-aarch64-gnu", "version": "3.11.7", "os": "linux",
         "arch": "aarch64", "libc": "gnu", "variant": "default", "implementation": "pypy"},
        {"key": "cpython-3.11.7-linux-s390x-gnu", "version": "3.11.7", "os": "linux",
         "arch": "s390x", "libc": "gnu", "variant": "default", "implementation": "cpython"},
    ]  # fmt: skip
    found = builds(listing)
    assert found == [
        Build(Version("3.11.7"), "linux-aarch64", "cpython-3.11.7-linux-aarch64-gnu", "20240107")
    ]


def test_the_real_uv_lists_builds_for_every_target_and_caches_them(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    found = uv_builds(cache)
    assert {b.platform for b in found} >= set(DEFAULT_PLATFORMS)
    assert all(b.platform in PLATFORMS and b.key.startswith("cpython-") for b in found)
    assert list((tmp_path / "v1" / "blobs" / "uv_python").iterdir())
    assert uv_builds(cache) == found  # from the cache, the same


def test_the_list_of_one_minor_is_that_minor_of_the_whole_list(tmp_path: Path) -> None:
    """A lock asks uv for its minor's builds only (a tenth of the JSON): the same
    builds, in the same order, as the whole list gives for that minor."""
    whole = uv_builds(Cache(tmp_path / "whole"))
    cache = Cache(tmp_path / "one")
    one = uv_builds(cache, minor="3.11")
    assert one and one == [b for b in whole if str(b.version).startswith("3.11.")]
    assert len(one) < len(whole)
    assert uv_builds(cache, minor="3.11") == one  # from the cache
    assert uv_builds(cache, minor="3.12") != one  # a cache entry per minor


def test_the_running_interpreter_is_found_by_its_exact_version() -> None:
    found = find_interpreter(platform.python_version(), None)
    assert Path(found).exists()


def test_a_version_nobody_has_names_it_and_the_ways_to_get_it() -> None:
    with pytest.raises(DhtError) as info:
        find_interpreter("3.11.99", None)
    assert "Python 3.11.99 is not on this machine" in info.value.message
    assert "uv python install 3.11.99" in str(info.value.hint)
    assert "project.python" in str(info.value.hint)


@pytest.mark.skipif(sys.platform == "win32", reason="pyenv's folder layout is POSIX")
def test_pyenv_versions_are_found_when_shims_hide_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pyenv root whose 3.11.98 is the running interpreter under another name: uv does
    # not look there (its shims are not on PATH), dht does.
    folder = tmp_path / "versions" / "3.11.98" / "bin"
    folder.mkdir(parents=True)
    (folder / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    assert find_interpreter("3.11.98", None) == str(folder / "python3")


@pytest.mark.skipif(sys.platform == "win32", reason="pyenv's folder layout is POSIX")
def test_the_newest_pyenv_python_of_a_minor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a lock's build environment takes when the running Python is another minor."""
    from dht import pyenv

    for version in ("3.11.98", "3.11.100", "3.12.0", "3.11.99"):
        folder = tmp_path / "versions" / version / "bin"
        folder.mkdir(parents=True)
        (folder / "python3").symlink_to(sys.executable)
    (tmp_path / "versions" / "3.11.101").mkdir()  # a folder without an interpreter
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    assert pyenv.versions() == ["3.11.98", "3.11.99", "3.11.100", "3.12.0"]
    assert pyenv.newest("3.11") == str(tmp_path / "versions" / "3.11.100" / "bin" / "python3")
    assert pyenv.newest("3.13") is None
