"""`dht doctor`: what it reports about this machine and a project, for real."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.apply.machine import current_platform
from dht.cli import app
from dht.uvbackend import uv_bin

CONFIG_ONLY = f"""\
[project]
python = "{platform.python_version()}"

[config.ruff]
file = "pyproject.toml"
table = "tool.ruff"
set = {{ line-length = 100 }}
"""


def doctor(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["-C", str(root), "doctor", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_outside_a_project_reports_the_machine(tmp_path: Path) -> None:
    cache = Path(os.environ["DHT_CACHE_DIR"])  # the private cache of the tests
    (cache / "v1" / "metadata").mkdir(parents=True, exist_ok=True)
    (cache / "v1" / "metadata" / "a.METADATA").write_bytes(b"x" * 1000)
    (cache / "v1" / "b").write_bytes(b"y" * 24)
    result = doctor(tmp_path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["platform"] == current_platform()
    uv_version = subprocess.run([uv_bin(), "--version"], capture_output=True, text=True, check=True)
    assert data["uv"]["version"] == uv_version.stdout.split()[1]
    assert data["cache"] == {"path": str(cache), "exists": True, "files": 2, "bytes": 1024}
    assert data["project"] == {"root": str(tmp_path), "intent": False}
    assert data["problems"] == []
    assert all(set(i) == {"version", "path", "implementation"} for i in data["interpreters"])
    text = doctor(tmp_path)
    assert text.exit_code == 0
    assert f"platform      {current_platform()}" in text.stdout
    assert "cache         " + str(cache) + ": 2 files, 1.0 KiB" in text.stdout
    assert "no dht.toml here" in text.stdout and "no problems found" in text.stdout


def test_stale_lock_then_drift_then_in_sync(tmp_path: Path) -> None:
    (tmp_path / "dht.toml").write_text(CONFIG_ONLY, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")

    missing = doctor(tmp_path, "--json")
    assert missing.exit_code == 1
    problems = json.loads(missing.stdout)["problems"]
    assert problems == [
        {
            "what": "dht.lock is not current: dht.lock: missing: run `dht lock` to create it",
            "hint": "run `dht lock`",
        }
    ]

    assert CliRunner().invoke(app, ["-C", str(tmp_path), "lock"]).exit_code == 0
    drift = doctor(tmp_path)
    assert drift.exit_code == 1
    assert "lock          current" in drift.stdout
    assert "1 of 1 entries differ from the lock" in drift.stdout
    assert "missing         config:ruff" in drift.stdout

    assert CliRunner().invoke(app, ["-C", str(tmp_path), "apply"]).exit_code == 0
    fine = doctor(tmp_path, "--json")
    assert fine.exit_code == 0, fine.output
    project = json.loads(fine.stdout)["project"]
    assert project["lock"] == "current" and project["sync"] == "in sync (1 entry, probes not run)"
    assert project["pending"] == []


def test_invalid_intent_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "dht.toml").write_text('[project]\npython = "2.7"\n', encoding="utf-8")
    result = doctor(tmp_path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "project.python: '2.7' is not a Python version dht can lock" in result.stdout


def test_a_cache_path_that_is_a_file_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    monkeypatch.setenv("DHT_CACHE_DIR", str(tmp_path / "afile"))
    result = doctor(tmp_path, "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["cache"]["exists"] is False
    assert any("is a file" in p["what"] for p in data["problems"])


def test_an_unreadable_lock_points_at_the_lock(tmp_path: Path) -> None:
    (tmp_path / "dht.toml").write_text('[project]\npython = "3.11"\n', encoding="utf-8")
    (tmp_path / "dht.lock").write_bytes(b"\xff\xfe not utf-8")
    result = doctor(tmp_path, "--json")
    hints = [p["hint"] for p in json.loads(result.stdout)["problems"]]
    assert result.exit_code == 1 and hints and not any("fix dht.toml" in h for h in hints), hints
