"""Configs that claim what is not theirs: one case per file in
tests/data/security/configs/. Each is refused in dht.toml (nothing locked) and in a
hand-edited dht.lock (apply refuses before any write), and the user's files keep every
byte."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from dht.model.lock import LockConfig, dumps, parse_lock

CASES = Path(__file__).parent / "data" / "security" / "configs"
PYPROJECT = '[project]\nname = "demo"  # mine\nversion = "1.0"\n\n[tool.black]\nline-length = 99\n'
SETUP_CFG = "[metadata]\nname = demo\n\n[flake8]\nmax-line-length = 99\n"


def cases() -> list[Any]:
    return [
        pytest.param(tomllib.loads(path.read_text(encoding="utf-8")), id=path.stem)
        for path in sorted(CASES.glob("*.toml"))
    ]


def dht(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dht", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120)  # fmt: skip


def project(root: Path, config: str) -> dict[str, bytes]:
    (root / "sub").mkdir(parents=True, exist_ok=True)
    files = {"pyproject.toml": PYPROJECT, "setup.cfg": SETUP_CFG, "tox.ini": "[tox]\nenvlist = py311\n",
             "sub/tox.ini": "[tox]\n"}  # fmt: skip
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\ninstall = false\n[config.x]\n{config}',
        encoding="utf-8",
    )
    return {name: (root / name).read_bytes() for name in files}


def test_there_are_cases() -> None:
    assert len(cases()) >= 9


@pytest.mark.parametrize("case", cases())
def test_refused_in_dht_toml(case: dict[str, Any], tmp_path: Path) -> None:
    before = project(tmp_path, case["config"])
    result = dht(tmp_path, "lock")
    assert result.returncode == 1, result.stderr
    assert case["message"] in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "dht.lock").exists()
    assert {n: (tmp_path / n).read_bytes() for n in before} == before


@pytest.mark.parametrize("case", cases())
def test_refused_in_a_hand_edited_lock(case: dict[str, Any], tmp_path: Path) -> None:
    before = project(tmp_path, 'file = "pyproject.toml"\ntable = "tool.x"\nset = { x = 1 }\n')
    assert dht(tmp_path, "lock").returncode == 0
    lock = parse_lock((tmp_path / "dht.lock").read_text(encoding="utf-8"))
    claim = tomllib.loads(case["config"])
    file = claim["file"]
    fmt = claim.get("format") or ("toml" if file.endswith(".toml") else "ini")
    hostile = LockConfig(
        name="x", file=file, format=fmt, table=claim.get("table"),
        values=claim.get("set", {}) if fmt != "file" else {},
        text=claim.get("text"), sha256=lock.configs[0].sha256,
    )  # fmt: skip
    (tmp_path / "dht.lock").write_text(dumps(msgspec.structs.replace(lock, configs=(hostile,))))
    for command in (["apply"], ["verify"], ["lock", "--check"]):
        result = dht(tmp_path, *command)
        assert result.returncode == 1, (command, result.stderr)
        assert case["message"] in result.stderr, command
    assert {n: (tmp_path / n).read_bytes() for n in before} == before
    assert not (tmp_path / ".dht").exists()


def _intent(root: Path, config: str) -> None:
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\ninstall = false\n{config}',
        encoding="utf-8",
    )


def test_a_change_of_kind_is_a_new_entry_and_never_deletes_the_users_file(tmp_path: Path) -> None:
    """table -> whole file -> removed, on a file the user had before: the table era's
    `created` does not carry over, so removing the entry leaves the file in place."""
    mine = "# mine\n[tool.other]\nkeep = 1\n"
    (tmp_path / "lint.toml").write_text(mine, encoding="utf-8")
    _intent(tmp_path, '[config.x]\nfile = "lint.toml"\ntable = "tool.x"\nset = { a = 1 }\n')
    assert dht(tmp_path, "lock").returncode == 0
    assert dht(tmp_path, "apply").returncode == 0
    assert (tmp_path / "lint.toml").read_text().startswith(mine)
    _intent(tmp_path, '[config.x]\nfile = "lint.toml"\nformat = "file"\ntext = "whole = 1\\n"\n')
    assert dht(tmp_path, "lock").returncode == 0
    applied = dht(tmp_path, "apply")
    assert applied.returncode == 0, applied.stderr
    assert (tmp_path / "lint.toml").read_text() == "whole = 1\n"
    _intent(tmp_path, "")
    assert dht(tmp_path, "lock").returncode == 0
    removed = dht(tmp_path, "apply")
    assert removed.returncode == 0, removed.stderr
    assert (tmp_path / "lint.toml").read_text() == "whole = 1\n"  # left in place, reported
    assert "left in place" in removed.stderr


def test_a_region_moved_to_another_file_removes_only_what_dht_created(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("# a\n", encoding="utf-8")
    _intent(tmp_path, '[config.x]\nfile = "a.toml"\ntable = "tool.x"\nset = { a = 1 }\n')
    assert dht(tmp_path, "lock").returncode == 0
    assert dht(tmp_path, "apply").returncode == 0
    assert "[tool.x]" in (tmp_path / "a.toml").read_text()
    _intent(tmp_path, '[config.x]\nfile = "b.toml"\ntable = "tool.x"\nset = { a = 1 }\n')
    assert dht(tmp_path, "lock").returncode == 0
    moved = dht(tmp_path, "apply")
    assert moved.returncode == 0, moved.stderr
    assert (tmp_path / "a.toml").read_text() == "# a\n"  # dht's table gone, the user's line kept
    assert "[tool.x]" in (tmp_path / "b.toml").read_text()
    again = dht(tmp_path, "verify")
    assert again.returncode == 0, again.stderr
