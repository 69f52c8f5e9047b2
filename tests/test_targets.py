"""Target platforms: which wheels run where, and what markers see."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from packaging.markers import Marker

from dht.compile.targets import (
    DEFAULT_PLATFORMS,
    PLATFORMS,
    Target,
    best_artifact,
    metadata_artifact,
    parse_platform,
)
from dht.errors import DhtError


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


def test_platform_names_and_defaults() -> None:
    assert PLATFORMS == (
        "linux-x86_64",
        "linux-aarch64",
        "linux-musl-x86_64",
        "macos-arm64",
        "macos-x86_64",
        "windows-x86_64",
        "windows-arm64",
    )
    assert DEFAULT_PLATFORMS == (
        "linux-x86_64",
        "linux-aarch64",
        "macos-arm64",
        "macos-x86_64",
        "windows-x86_64",
    )


_NATIVE = {
    "linux-x86_64": "manylinux_2_28_x86_64",
    "linux-aarch64": "manylinux_2_28_aarch64",
    "linux-musl-x86_64": "musllinux_1_2_x86_64",
    "macos-arm64": "macosx_12_0_arm64",
    "macos-x86_64": "macosx_12_0_x86_64",
    "windows-x86_64": "win_amd64",
    "windows-arm64": "win_arm64",
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_orders_exact_abi_then_abi3_then_generic_then_pure(platform: str) -> None:
    target = Target(platform, "3.12")
    native = _NATIVE[platform]
    ranks = [
        target.wheel_rank(f"x-1.0-{tag}.whl")
        for tag in (
            f"cp312-cp312-{native}",
            f"cp312-abi3-{native}",
            f"cp38-abi3-{native}",
            f"py3-none-{native}",
            "py3-none-any",
        )
    ]
    assert None not in ranks
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    # Another CPython's ABI never runs; every other platform's native tag neither.
    assert target.wheel_rank(f"x-1.0-cp311-cp311-{native}.whl") is None
    for other, tag in _NATIVE.items():
        if _NATIVE[other] != native:
            assert target.wheel_rank(f"x-1.0-cp312-cp312-{tag}.whl") is None, (platform, tag)


def test_musl_and_macos_baselines() -> None:
    musl = Target("linux-musl-x86_64", "3.11")
    assert musl.wheel_rank("x-1.0-cp311-cp311-musllinux_1_1_x86_64.whl") is not None
    assert musl.wheel_rank("x-1.0-cp311-cp311-musllinux_1_3_x86_64.whl") is None
    arm = Target("macos-arm64", "3.11")
    assert arm.wheel_rank("x-1.0-cp311-cp311-macosx_12_0_arm64.whl") is not None
    assert arm.wheel_rank("x-1.0-cp311-cp311-macosx_10_9_x86_64.whl") is None  # no Rosetta
    intel = Target("macos-x86_64", "3.11")
    assert intel.wheel_rank("x-1.0-cp311-cp311-macosx_10_9_x86_64.whl") is not None
    assert intel.wheel_rank("x-1.0-cp311-cp311-macosx_13_0_x86_64.whl") is None


def test_tags_are_cached_per_target() -> None:
    assert Target("linux-x86_64", "3.11").tags is Target("linux-x86_64", "3.11.2").tags


def test_best_artifact_ties_break_by_filename_and_ignores_input_order() -> None:
    target = Target("windows-x86_64", "3.11")
    files = [File("x-1.0-1-py3-none-any.whl"), File("x-1.0-py3-none-any.whl")]
    assert best_artifact(files, target) == File("x-1.0-1-py3-none-any.whl")
    assert best_artifact(list(reversed(files)), target) == File("x-1.0-1-py3-none-any.whl")
    assert best_artifact([File("x-1.0.zip"), File("x-1.0.tar.gz")], target) == File("x-1.0.tar.gz")
    assert best_artifact([], target) is None


def test_metadata_artifact_is_target_independent() -> None:
    files = [
        File("x-1.0-cp311-cp311-win_amd64.whl"),
        File("x-1.0.tar.gz"),
        File("x-1.0-py3-none-any.whl"),
    ]
    assert metadata_artifact(files) == File("x-1.0-py3-none-any.whl")
    assert metadata_artifact(files[:2]) == File("x-1.0-cp311-cp311-win_amd64.whl")
    assert metadata_artifact(files[1:2]) == File("x-1.0.tar.gz")


def test_unknown_platform_lists_the_known_ones() -> None:
    with pytest.raises(DhtError) as info:
        parse_platform("plan9-mips")
    assert info.value.hint is not None
    assert "did you mean" not in info.value.hint
    assert ", ".join(PLATFORMS) in info.value.hint
