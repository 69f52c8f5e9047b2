"""Exports: hash-pinned requirements that uv installs as they are, and the whole lock as JSON."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.apply.machine import current_platform
from dht.cli import app
from dht.uvbackend import uv_bin


@pytest.fixture
def locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> Path:
    server = index_server()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        f'[project]\npython = "3.11"\n[targets]\nplatforms = ["{current_platform()}", "windows-x86_64"]\n'
        f'[index]\nurl = "{server.url}"\n[tools]\ntoolish = "==1.1"\nclicky = {{ isolated = true }}\n'
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    return tmp_path


def test_requirements_install_with_hashes_required(locked: Path) -> None:
    result = CliRunner().invoke(app, ["export"])
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert [line.split(" @ ")[0] for line in lines] == ["beta", "toolish"]
    assert all("--hash=sha256:" in line for line in lines)
    (locked / "req.txt").write_text(result.stdout)
    subprocess.run([uv_bin(), "venv", "-q", str(locked / "v")], check=True, capture_output=True)
    subprocess.run(
        [uv_bin(), "pip", "install", "-q", "--python", str(locked / "v/bin/python"), "--require-hashes",
         "--no-deps", "-r", str(locked / "req.txt")],
        check=True, capture_output=True,
    )  # fmt: skip
    check = subprocess.run(
        [str(locked / "v/bin/toolish")], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0 and "toolish 1.1" in check.stdout


def test_other_environment_and_platform(locked: Path) -> None:
    windows = (
        CliRunner().invoke(app, ["export", "-e", "clicky", "--platform", "windows-x86_64"]).stdout
    )
    assert "winonly-dep @" in windows and "clicky @" in windows
    here = CliRunner().invoke(app, ["export", "-e", "clicky"]).stdout
    assert "winonly-dep" not in here


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ["-e", "clickyy"],
            "error: --environment: no environment 'clickyy' in dht.lock",
            "  hint: did you mean 'clicky'? environments: clicky, project",
        ),
        (
            ["--environment", "docs", "--format", "pylock"],
            "error: --environment: no environment 'docs' in dht.lock",
            "  hint: environments: clicky, project",
        ),
        (
            ["--platform", "macos-arm64"],
            "error: --platform: dht.lock is not locked for 'macos-arm64'",
            f"  hint: platforms: {', '.join(sorted([current_platform(), 'windows-x86_64']))};",
        ),
        (
            ["--platform", "windows-arm64"],
            "error: --platform: dht.lock is not locked for 'windows-arm64'",
            "  hint: did you mean 'windows-x86_64'? platforms:",
        ),
    ],
)
def test_an_environment_or_platform_the_lock_lacks_is_a_usage_error(
    locked: Path, args: list[str], message: str, hint: str
) -> None:
    result = CliRunner().invoke(app, ["export", *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == message
    assert lines[1].startswith(hint), lines


def test_this_machine_missing_from_the_lock_is_not_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    """No option was given: the lock, not the command line, lacks the platform (exit 1)."""
    server = index_server()
    monkeypatch.chdir(tmp_path)
    other = "windows-x86_64" if current_platform() != "windows-x86_64" else "linux-x86_64"
    (tmp_path / "dht.toml").write_text(
        f'[project]\npython = "3.11"\n[targets]\nplatforms = ["{other}"]\n'
        f'[index]\nurl = "{server.url}"\n[tools]\ntoolish = "==1.1"\n'
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    result = CliRunner().invoke(app, ["export"])
    assert result.exit_code == 1, result.output
    assert f"error: dht.lock is not locked for this machine ({current_platform()})" in (
        result.stderr
    )
    assert f"hint: choose one with --platform: {other}" in result.stderr
    chosen = CliRunner().invoke(app, ["export", "--platform", other])
    assert chosen.exit_code == 0 and "toolish @" in chosen.stdout


def test_json_is_the_whole_lock(locked: Path) -> None:
    data = json.loads(CliRunner().invoke(app, ["export", "--format", "json"]).stdout)
    assert data["lock-version"] == 1
    assert {t["name"] for t in data["tools"]} == {"toolish", "clicky"}


def test_pylock_validates_and_uv_installs_it(locked: Path) -> None:
    import tomllib

    from packaging.pylock import Pylock

    result = CliRunner().invoke(app, ["export", "--format", "pylock"])
    assert result.exit_code == 0, result.output
    data = tomllib.loads(result.stdout)
    lock = Pylock.from_dict(data)
    assert [p.name for p in lock.packages] == ["beta", "toolish"]
    (locked / "pylock.toml").write_text(result.stdout)
    subprocess.run([uv_bin(), "venv", "-q", str(locked / "p")], check=True, capture_output=True)
    subprocess.run(
        [uv_bin(), "pip", "install", "-q", "--python", str(locked / "p/bin/python"), "-r", str(locked / "pylock.toml")],
        check=True, capture_output=True,
    )  # fmt: skip
    check = subprocess.run(
        [str(locked / "p/bin/toolish")], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0 and "toolish 1.1" in check.stdout
