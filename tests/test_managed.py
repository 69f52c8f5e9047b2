"""Managed regions: only the table, section or file dht owns changes; every other byte stays."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dht.apply.managed import Region, desired_text, read_region, region_diff, write_region
from dht.apply.paths import UnsafePath
from dht.errors import InputError

PYPROJECT = """\
# top comment
[project]
name    =   "demo"     # spaced
dependencies = [ "a",
   "b" ]

[tool.ruff]   # old managed table
line-length = 120
extend-exclude = ["x"]

[tool.ruff.lint]
select = ["E"]

# a comment between tables
[tool.black]
line-length = 99
"""

RUFF = Region("pyproject.toml", "toml", "tool.ruff")


def test_toml_table_replaced_and_everything_else_kept(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT)
    values = {"line-length": 88, "lint": {"select": ["E", "F"]}}
    assert write_region(tmp_path, RUFF, values) is True
    text = path.read_text()
    assert text.startswith(PYPROJECT[: PYPROJECT.index("[tool.ruff]")])
    assert text.endswith(PYPROJECT[PYPROJECT.index("# a comment between tables") :])
    assert (
        "line-length = 88" in text
        and "extend-exclude" not in text
        and 'select = ["E", "F"]' in text
    )
    assert read_region(tmp_path, RUFF) == desired_text(RUFF, values)
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    before = path.stat().st_mtime_ns
    assert write_region(tmp_path, RUFF, values) is False
    assert path.stat().st_mtime_ns == before


def test_formatting_is_not_drift_but_a_value_is(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.ruff]\nline-length = 88\n")
    assert region_diff(tmp_path, RUFF, {"line-length": 88}) == ""
    path.write_text("[tool.ruff]\nline-length   =   88   # spacing only\n")
    assert region_diff(tmp_path, RUFF, {"line-length": 88}) == ""
    path.write_text("[tool.ruff]\nline-length = 100\n")
    diff = region_diff(tmp_path, RUFF, {"line-length": 88})
    assert "-line-length = 88" in diff and "+line-length = 100" in diff


def test_toml_table_and_file_created(tmp_path: Path) -> None:
    assert read_region(tmp_path, RUFF) is None
    assert write_region(tmp_path, RUFF, {"line-length": 88}) is True
    assert (tmp_path / "pyproject.toml").read_text() == "[tool.ruff]\nline-length = 88\n"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    write_region(tmp_path, RUFF, {"line-length": 88})
    assert (
        (tmp_path / "pyproject.toml")
        .read_text()
        .startswith('[project]\nname = "x"\n\n[tool.ruff]\n')
    )


SETUP_CFG = """\
# setup.cfg with comments
[metadata]
name = demo  ; inline

[flake8]
max-line-length = 120
exclude =
    build

[tool:pytest]
addopts = -q
"""


def test_ini_section(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(SETUP_CFG)
    region = Region("setup.cfg", "ini", "flake8")
    values = {"max-line-length": "88", "exclude": ["build", "dist"]}
    assert write_region(tmp_path, region, values) is True
    text = (tmp_path / "setup.cfg").read_text()
    assert text.startswith(
        "# setup.cfg with comments\n[metadata]\nname = demo  ; inline\n\n[flake8]\n"
    )
    assert text.endswith("\n[tool:pytest]\naddopts = -q\n")
    assert "max-line-length = 88" in text and "    dist" in text
    assert read_region(tmp_path, region) == desired_text(region, values)
    assert write_region(tmp_path, region, values) is False
    other = Region("setup.cfg", "ini", "isort")
    write_region(tmp_path, other, {"profile": "black"})
    assert (
        (tmp_path / "setup.cfg").read_text().endswith("addopts = -q\n\n[isort]\nprofile = black\n")
    )


def test_whole_file(tmp_path: Path) -> None:
    region = Region(".gitattributes", "file", None)
    assert write_region(tmp_path, region, "* text=auto eol=lf") is True
    assert (tmp_path / ".gitattributes").read_bytes() == b"* text=auto eol=lf\n"
    assert write_region(tmp_path, region, "* text=auto eol=lf") is False


@pytest.mark.parametrize("file", ["../outside.toml", "/etc/passwd", "a/../../b.toml", "x\\..\\y"])
def test_paths_outside_are_refused(tmp_path: Path, file: str) -> None:
    with pytest.raises(UnsafePath):
        write_region(tmp_path, Region(file, "toml", "tool.x"), {"a": 1})


def test_symlink_out_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "cfg").symlink_to(outside)
    with pytest.raises(UnsafePath, match="symlink"):
        write_region(root, Region("cfg/pyproject.toml", "toml", "tool.x"), {"a": 1})
    assert not (outside / "pyproject.toml").exists()


def test_invalid_toml_is_reported_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project\nname = 1\n")
    with pytest.raises(InputError) as info:
        write_region(tmp_path, RUFF, {"a": 1})
    assert info.value.where is not None and info.value.where.startswith("pyproject.toml:")
    assert path.read_text() == "[project\nname = 1\n"
