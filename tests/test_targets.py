"""Target platforms: which wheels run where, and what markers see."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dht.compile.targets import Target, best_artifact, parse_platform
from dht.errors import DhtError
from dht.model.names import PLATFORMS


@dataclass(frozen=True)
class File:
    filename: str

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


@pytest.mark.parametrize(
    ("platform", "runs", "does_not_run"),
    [
        ("linux-x86_64", ["cp311-cp311-manylinux_2_28_x86_64", "cp311-cp311-manylinux2014_x86_64", "cp39-abi3-manylinux_2_17_x86_64", "py3-none-any"],
         ["cp311-cp311-manylinux_2_34_x86_64", "cp311-cp311-manylinux_2_17_aarch64", "cp311-cp311-musllinux_1_2_x86_64", "cp311-cp311-linux_x86_64", "cp312-cp312-manylinux_2_17_x86_64"]),
        ("linux-aarch64", ["cp311-cp311-manylinux_2_28_aarch64", "cp311-cp311-manylinux2014_aarch64"], ["cp311-cp311-manylinux_2_28_x86_64", "cp311-cp311-manylinux2010_aarch64"]),
        ("linux-musl-x86_64", ["cp311-cp311-musllinux_1_2_x86_64", "py3-none-any"], ["cp311-cp311-manylinux_2_17_x86_64"]),
        ("macos-arm64", ["cp311-cp311-macosx_11_0_arm64", "cp311-cp311-macosx_12_0_universal2", "cp311-cp311-macosx_10_9_universal2"], ["cp311-cp311-macosx_13_0_arm64", "cp311-cp311-macosx_10_12_x86_64"]),
        ("macos-x86_64", ["cp311-cp311-macosx_10_12_x86_64", "cp311-cp311-macosx_12_0_x86_64", "cp311-cp311-macosx_10_9_universal2"], ["cp311-cp311-macosx_14_0_x86_64", "cp311-cp311-macosx_11_0_arm64"]),
        ("windows-x86_64", ["cp311-cp311-win_amd64", "py3-none-any"], ["cp311-cp311-win32", "cp311-cp311-win_arm64"]),
        ("windows-arm64", ["cp311-cp311-win_arm64"], ["cp311-cp311-win_amd64"]),
    ],
)  # fmt: skip
def test_wheel_tags(platform: str, runs: list[str], does_not_run: list[str]) -> None:
    target = Target(platform, "3.11")
    for tag in runs:
        assert target.wheel_rank(f"x-1.0-{tag}.whl") is not None, tag
    for tag in does_not_run:
        assert target.wheel_rank(f"x-1.0-{tag}.whl") is None, tag


def test_specific_wheels_rank_before_generic_ones() -> None:
    target = Target("linux-x86_64", "3.11.7")
    specific = target.wheel_rank("x-1.0-cp311-cp311-manylinux_2_28_x86_64.whl")
    abi3 = target.wheel_rank("x-1.0-cp38-abi3-manylinux_2_17_x86_64.whl")
    generic = target.wheel_rank("x-1.0-py3-none-any.whl")
    assert specific is not None and abi3 is not None and generic is not None
    assert specific < abi3 < generic
    assert target.wheel_rank("not a wheel name.whl") is None


def test_best_artifact_prefers_specific_wheels_then_sdists() -> None:
    target = Target("linux-x86_64", "3.11")
    files = [
        File("x-1.0-py3-none-any.whl"),
        File("x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        File("x-1.0.tar.gz"),
    ]
    assert best_artifact(files, target) == files[1]
    sdists = [File("x-1.0.zip"), File("x-1.0.tar.gz"), File("x-1.0-cp311-cp311-win_amd64.whl")]
    assert best_artifact(sdists, target) == sdists[1]
    assert best_artifact([File("x-1.0-cp311-cp311-win_amd64.whl")], target) is None
    same = [File("x-1.0-py3-none-any.whl"), File("x-1.0-py2.py3-none-any.whl")]
    assert best_artifact(same, target) == best_artifact(list(reversed(same)), target)


@pytest.mark.parametrize(
    ("platform", "sys_platform", "machine", "system"),
    [
        ("linux-x86_64", "linux", "x86_64", "Linux"),
        ("linux-aarch64", "linux", "aarch64", "Linux"),
        ("macos-arm64", "darwin", "arm64", "Darwin"),
        ("windows-x86_64", "win32", "AMD64", "Windows"),
    ],
)
def test_marker_environment(platform: str, sys_platform: str, machine: str, system: str) -> None:
    env = Target(platform, "3.11").marker_environment()
    assert (env["sys_platform"], env["platform_machine"], env["platform_system"]) == (
        sys_platform,
        machine,
        system,
    )
    assert env["python_version"] == "3.11"
    assert env["python_full_version"] == "3.11.0"
    assert Target(platform, "3.12.4").marker_environment()["python_full_version"] == "3.12.4"


def test_every_platform_has_tags() -> None:
    for platform in PLATFORMS:
        assert Target(platform, "3.11").tags


def test_unknown_platform() -> None:
    assert parse_platform("macos-arm64") == "macos-arm64"
    with pytest.raises(DhtError) as info:
        parse_platform("macos-aarch64")
    assert info.value.hint is not None and "did you mean 'macos-arm64'?" in info.value.hint
