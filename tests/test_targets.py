"""Target platforms: which wheels run where, and what markers see."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from packaging.markers import Marker

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


def test_tag_order_most_specific_first() -> None:
    order = [str(t) for t in Target("macos-arm64", "3.11").tags]
    expected = [
        "cp311-cp311-macosx_12_0_arm64",
        "cp311-abi3-macosx_12_0_arm64",
        "cp310-abi3-macosx_12_0_arm64",
        "py311-none-macosx_12_0_arm64",
        "py3-none-macosx_12_0_arm64",
        "py311-none-any",
        "py3-none-any",
    ]
    positions = [order.index(tag) for tag in expected]
    assert positions == sorted(positions)
    assert "cp311-cp311-macosx_13_0_arm64" not in order
    # An exact Python version ranks wheels as its minor does.
    assert Target("macos-arm64", "3.11.7").tags == Target("macos-arm64", "3.11").tags


def test_linux_glibc_baseline() -> None:
    order = [str(t) for t in Target("linux-x86_64", "3.12").tags]
    assert "cp312-cp312-manylinux_2_28_x86_64" in order
    assert "cp312-cp312-manylinux_2_34_x86_64" not in order
    assert order.index("cp312-cp312-manylinux_2_28_x86_64") < order.index(
        "cp312-cp312-manylinux2014_x86_64"
    )
    assert "cp312-cp312-manylinux1_x86_64" in order
    assert Target("linux-x86_64", "3.12").wheel_rank("x-1.0.tar.gz") is None


def test_markers_evaluate_per_platform() -> None:
    marker = Marker('sys_platform == "win32" and python_full_version >= "3.11.5"')
    assert marker.evaluate(Target("windows-arm64", "3.11.7").marker_environment())
    assert not marker.evaluate(Target("windows-arm64", "3.11").marker_environment())
    assert not marker.evaluate(Target("linux-musl-x86_64", "3.11.7").marker_environment())
    env = Target("linux-musl-x86_64", "3.13").marker_environment()
    assert env["implementation_name"] == "cpython"
    assert env["platform_python_implementation"] == "CPython"
    assert env["implementation_version"] == "3.13.0"
    assert env["platform_release"] == env["platform_version"] == ""


def test_target_rejects_unknown_platform_and_python() -> None:
    with pytest.raises(DhtError) as info:
        Target("linux-amd64", "3.11")
    assert info.value.hint is not None and "linux-x86_64" in info.value.hint
    with pytest.raises(DhtError, match="not a Python version"):
        Target("linux-x86_64", "3")
    assert hash(Target("linux-x86_64", "3.11")) == hash(Target("linux-x86_64", "3.11"))
