"""The project environment for real: a project with a build backend from the loopback
index (tinybuild), locked with its dependencies, groups and build requirements, installed
editable by uv, verified; uv.lock made by the real uv agrees with dht.lock, both ways."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.host import current_platform
from dht.model.lock import read_lock
from dht.uvbackend import uv_bin

pytestmark = pytest.mark.skipif(
    current_platform() not in ("linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64"),
    reason="these tests build POSIX venvs",
)

PYTHON = platform.python_version()  # an exact version this machine has: the lock pins it

PYPROJECT = """\
# A package of its own, developed here.
[project]
name = "mylib"
version = "0.3.0"
requires-python = ">=3.8"
dependencies = ["beta>=1"]

[project.optional-dependencies]
fast = ["extras-pkg"]

[dependency-groups]
tests = ["toolish>=1.1", { include-group = "Lint" }]
lint = ["clicky"]
docs = ["alpha"]

[build-system]
requires = ["tinybuild"]
build-backend = "tinybuild"
"""


def dht(root: Path, *args: str) -> Any:
    old = Path.cwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)


def _project(root: Path, server: Any, *, pyproject: str = PYPROJECT, project: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "src" / "mylib").mkdir(parents=True, exist_ok=True)
    (root / "src" / "mylib" / "__init__.py").write_text("VALUE = 42\n", encoding="utf-8")
    chosen = project or 'groups = ["tests"]'
    (root / "dht.toml").write_text(
        f'[project]\npython = "{PYTHON}"\n{chosen}\n'
        f'[targets]\nplatforms = ["{current_platform()}", "windows-x86_64"]\n'
        f'[index]\nurl = "{server.url}"\n',
        encoding="utf-8",
    )
    return root


def _venv_python(root: Path) -> str:
    return str(root / ".venv" / "bin" / "python")


def _uv(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    proc = subprocess.run(
        [uv_bin(), *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def locked(tmp_path: Path, index_server: Callable[..., Any]) -> Path:
    server = index_server()
    root = _project(tmp_path / "proj", server)
    result = dht(root, "lock")
    assert result.exit_code == 0, result.output
    return root


def test_the_lock_holds_the_project_its_groups_and_its_build(locked: Path) -> None:
    lock, _ = read_lock(locked / "dht.lock")
    assert lock.python == PYTHON and lock.interpreter is not None
    project = lock.project
    assert project is not None
    assert (project.name, project.version, project.install) == ("mylib", "0.3.0", "editable")
    assert project.build_backend == "tinybuild"
    # build-system.requires, and what the backend asked for an editable build
    assert project.build_requires == ("tinybuild", "tinybuild-editables")
    assert project.groups == {"tests": ("clicky", "toolish>=1.1")}  # include-group followed
    assert 'extras-pkg; extra == "fast"' in project.dependencies
    envs: dict[str, set[str]] = {}
    for package in lock.packages:
        envs.setdefault(package.environment, set()).add(package.name)
    assert envs["project"] == {
        "beta",
        "clicky",
        "toolish",
        "winonly-dep",
    }  # no docs group, no extra
    assert envs["project-build"] == {"tinybuild", "tinybuild-editables"}
    beta = next(p for p in lock.packages if p.name == "beta")
    assert "project" in beta.required_by
    assert dht(locked, "lock", "--check").exit_code == 0


def test_apply_installs_the_project_editable_and_verify_accepts_it(locked: Path) -> None:
    result = dht(locked, "apply")
    assert result.exit_code == 0, result.output
    assert "project:mylib" in result.output
    out = subprocess.run(
        [_venv_python(locked), "-c", "import mylib, toolish, beta; print(mylib.__file__)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert (
        Path(out.stdout.strip()).resolve() == (locked / "src" / "mylib" / "__init__.py").resolve()
    )
    info = next((locked / ".venv").glob("lib/python3*/site-packages/mylib-0.3.0.dist-info"))
    direct = json.loads((info / "direct_url.json").read_text())
    assert direct["dir_info"] == {"editable": True}
    verify = dht(locked, "verify")
    assert verify.exit_code == 0, verify.output
    again = dht(locked, "apply")
    assert again.exit_code == 0 and "0 changed" in again.output, again.output


def test_the_project_replaced_by_a_plain_install_is_drift_and_apply_repairs(locked: Path) -> None:
    assert dht(locked, "apply").exit_code == 0
    index = read_lock(locked / "dht.lock")[0].index.url
    _uv(locked, "pip", "install", "--python", _venv_python(locked), "--no-deps", "--no-config",
        "--index-url", index, "--reinstall", str(locked))  # fmt: skip
    verify = dht(locked, "verify")
    assert verify.exit_code == 3
    assert (
        "project:mylib" in verify.output
        and "installed (not editable) from this folder" in verify.output
    )
    assert dht(locked, "apply").exit_code == 0
    assert dht(locked, "verify").exit_code == 0
    # The index's release of the same name in its place (mylib 0.2): drift too.
    _uv(locked, "pip", "install", "--python", _venv_python(locked), "--no-deps", "--no-config",
        "--index-url", index, "--reinstall", "mylib==0.2")  # fmt: skip
    verify = dht(locked, "verify")
    assert verify.exit_code == 3 and "installed from an index" in verify.output
    assert dht(locked, "apply").exit_code == 0
    assert dht(locked, "verify").exit_code == 0


def test_a_tool_that_needs_the_project_is_met_by_the_folder(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = _project(tmp_path / "p", server)
    with (root / "dht.toml").open("a", encoding="utf-8") as handle:
        handle.write('[tools]\nuses-mylib = "==1.0"\n')
    assert dht(root, "lock").exit_code == 0
    lock, _ = read_lock(root / "dht.lock")
    assert "mylib" not in {p.name for p in lock.packages}  # never the index's mylib 0.2
    assert dht(root, "lock", "--check").exit_code == 0
    assert dht(root, "apply").exit_code == 0
    verify = dht(root, "verify")
    assert verify.exit_code == 0, verify.output  # the editable install is not "drift"


def test_a_version_the_backend_computes_is_not_locked(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    dynamic = PYPROJECT.replace('version = "0.3.0"', 'dynamic = ["version"]')
    root = _project(tmp_path / "p", server, pyproject=dynamic)
    (root / "VERSION").write_text("0.4.dev7\n", encoding="utf-8")
    with (root / "dht.toml").open("a", encoding="utf-8") as handle:
        handle.write('[tools]\nuses-mylib = "==1.0"\n')
    result = dht(root, "lock")
    assert result.exit_code == 0, result.output
    lock, text = read_lock(root / "dht.lock")
    assert lock.project is not None and lock.project.version is None
    assert lock.project.dynamic == ("version",)
    assert "0.4.dev7" not in text
    (root / "VERSION").write_text("0.4.dev8\n", encoding="utf-8")  # a new commit, say
    assert dht(root, "lock", "--check").exit_code == 0  # the lock does not move with it
    assert dht(root, "apply").exit_code == 0
    out = subprocess.run(
        [_venv_python(root), "-c", "import importlib.metadata as m; print(m.version('mylib'))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == "0.4.dev8"


def test_a_changed_pyproject_makes_the_lock_stale(locked: Path) -> None:
    text = (locked / "pyproject.toml").read_text(encoding="utf-8")
    (locked / "pyproject.toml").write_text(text.replace('"beta>=1"', '"beta>=1", "alpha"'))
    result = dht(locked, "lock", "--check")
    assert result.exit_code == 3
    assert "project.dependencies" in result.output
    (locked / "pyproject.toml").write_text(
        text.replace('lint = ["clicky"]', 'lint = ["clicky", "alpha"]')
    )
    result = dht(locked, "lock", "--check")
    assert result.exit_code == 3 and "dependency-groups.tests" in result.output


def test_unknown_group_and_extra_say_what_exists(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = _project(tmp_path / "p", server, project='groups = ["test"]')
    result = dht(root, "lock")
    assert result.exit_code == 1
    assert "'test'" in result.output and "tests" in result.output  # did you mean
    assert not (root / "dht.lock").exists()
    (root / "dht.toml").write_text(
        (root / "dht.toml").read_text().replace('groups = ["test"]', 'extras = ["fats"]')
    )
    result = dht(root, "lock")
    assert result.exit_code == 1 and "fast" in result.output
    assert not (root / "dht.lock").exists()


def test_an_editable_install_asked_for_without_a_package_is_refused(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = _project(tmp_path / "p", server, project='install = "editable"')
    (root / "pyproject.toml").unlink()
    result = dht(root, "lock")
    assert result.exit_code == 1
    assert "project.install" in result.output and "install = false" in result.output
    assert not (root / "dht.lock").exists()


def test_a_folder_that_is_not_a_package_gets_its_groups_only(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    scripts = PYPROJECT.split("[build-system]")[0]  # no build system: not a package, as uv says
    root = _project(tmp_path / "p", server, pyproject=scripts)
    assert dht(root, "lock").exit_code == 0
    lock, _ = read_lock(root / "dht.lock")
    assert lock.project is not None and lock.project.install == "none"
    # The groups only: not the project's own dependencies (beta), as it is not installed.
    assert {p.name for p in lock.packages} == {"clicky", "toolish", "winonly-dep"}
    assert dht(root, "apply").exit_code == 0
    assert dht(root, "verify").exit_code == 0


# uv.lock


def _uv_lock(root: Path, server: Any) -> None:
    # beta 1.5 is newer than this date: uv.lock pins beta 1.0, and so must dht.
    _uv(root, "lock", "--index-url", server.url, "--exclude-newer-package",
        "beta=2026-01-01T12:00:00Z", "--no-config", "--python", sys.executable)  # fmt: skip


def test_uv_lock_pins_are_what_dht_locks_and_uv_sync_agrees(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = _project(tmp_path / "p", server, project='groups = ["lint", "tests"]')
    _uv_lock(root, server)
    with (root / "dht.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '[tools]\nalpha = "==2.0"\n'
        )  # a tool uv.lock does not know (alpha 2.0 needs beta)
    result = dht(root, "lock")
    assert result.exit_code == 0, result.output
    lock, _ = read_lock(root / "dht.lock")
    versions = {p.name: p.version for p in lock.packages if p.environment == "project"}
    assert versions["beta"] == "1.0"  # the newest is 1.5
    assert dht(root, "apply").exit_code == 0
    check = _uv(root, "sync", "--inexact", "--check", "--frozen", "--group", "tests", check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    # uv sync --inexact keeps what dht added, and changes nothing dht checks.
    _uv(root, "sync", "--inexact", "--frozen", "--group", "tests")
    verify = dht(root, "verify")
    assert verify.exit_code == 0, verify.output
    # A plain uv sync removes what uv.lock does not list: dht says so, and how to restore.
    _uv(root, "sync", "--frozen", "--group", "tests")
    verify = dht(root, "verify")
    assert verify.exit_code == 3
    assert "alpha" in verify.output and "uv sync --inexact" in verify.output
    assert dht(root, "apply").exit_code == 0
    assert dht(root, "verify").exit_code == 0


def test_a_changed_uv_lock_makes_dht_lock_stale(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = _project(tmp_path / "p", server)
    _uv_lock(root, server)
    assert dht(root, "lock").exit_code == 0
    assert dht(root, "lock", "--check").exit_code == 0
    _uv(
        root,
        "lock",
        "--index-url",
        server.url,
        "--upgrade",
        "--no-config",
        "--python",
        sys.executable,
    )
    result = dht(root, "lock", "--check")
    assert result.exit_code == 3
    assert "uv.lock pins 1.5, dht.lock has 1.0" in result.output


def test_a_tool_against_a_uv_lock_pin_names_both_sides(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = _project(tmp_path / "p", server)
    _uv_lock(root, server)
    with (root / "dht.toml").open("a", encoding="utf-8") as handle:
        handle.write('[tools]\nbeta = ">=1.5"\n')
    result = dht(root, "lock")
    assert result.exit_code == 1
    assert "uv.lock pins beta 1.0" in result.output
    assert "tools.beta" in result.output and "uv lock --upgrade-package beta" in result.output
    assert not (root / "dht.lock").exists()


# The interpreter


def _other_python() -> str | None:
    """Another CPython on this machine: from pyenv's folder (its shims hide the versions
    not selected), else what uv finds."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = sorted(str(p) for p in root.glob("3.1[0-9].*/bin/python3"))
    for minor in ("3.12", "3.10", "3.13"):
        proc = subprocess.run(
            [uv_bin(), "python", "find", "--no-project", "--no-config", f"cpython@{minor}"],
            capture_output=True, text=True, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        )  # fmt: skip
        if proc.returncode == 0 and proc.stdout.strip():
            candidates.append(proc.stdout.strip())
    for path in candidates:
        version = subprocess.run(
            [path, "-c", "import platform; print(platform.python_version())"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        if version.startswith("3.1") and version != PYTHON:
            return path
    return None


def test_an_environment_on_another_python_is_drift_and_apply_rebuilds_it(locked: Path) -> None:
    other = _other_python()
    if other is None:
        pytest.skip("needs a second CPython on this machine (CI's image has several)")
    _uv(locked, "venv", "--python", other, "--no-config", ".venv")
    verify = dht(locked, "verify")
    assert verify.exit_code == 3
    assert f"instead of {PYTHON}" in verify.output and "environment:project" in verify.output
    result = dht(locked, "apply")
    assert result.exit_code == 0, result.output
    assert f"rebuilt on Python {PYTHON}" in result.output
    assert dht(locked, "verify").exit_code == 0


# dht test: what the tests miss, named with the group that has it


def test_a_module_the_tests_miss_is_named_with_its_group(tmp_path: Path) -> None:
    from dht.commands.test import missing_module_hints
    from dht.sandbox.isolation import Isolation
    from dht.sandbox.testrun import Condition, Report, RunResult

    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT.replace('docs = ["alpha"]', 'docs = ["Hypothesis>=6"]')
    )
    output = (
        "ImportError while importing test module 'tests/test_x.py'.\n"
        "E   ModuleNotFoundError: No module named 'hypothesis'\n"
        "E   ModuleNotFoundError: No module named 'yaml.loader'\n"
    )
    run = RunResult(1, Condition(), 2, (), output)
    report = Report("f", {}, Isolation("off"), (run,))
    hints = missing_module_hints(tmp_path, report)
    assert len(hints) == 2
    assert "'hypothesis'" in hints[0] and 'add "docs" to project.groups' in hints[0]
    assert "'yaml'" in hints[1] and "pyyaml" in hints[1] and "no dependency group" in hints[1]
