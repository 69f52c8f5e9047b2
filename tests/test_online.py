"""Locks of real tools from the real index (PyPI). Marked `online`; skipped, with
the reason, where the index is out of reach. CI reaches it, so there they run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.model.lock import parse_lock
from tests.support.network import SKIP_REASON, pypi_reachable

pytestmark = pytest.mark.online


@pytest.fixture(scope="module", autouse=True)
def _need_network() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)


def test_lock_ruff_and_black_for_five_platforms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        '[project]\npython = "3.11"\n'
        '[index]\nexclude-newer = "2026-11-20T00:00:00Z"\n'
        '[tools]\nruff = "==0.17.5"\npytest = "==9.2.0"\nblack = { version = "~=26.10", isolated = true }\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 0, result.output
    lock = parse_lock((tmp_path / "dht.lock").read_text(encoding="utf-8"))
    ruff = next(p for p in lock.packages if p.name == "ruff")
    assert ruff.version == "0.17.5"
    served = {t: w.name for w in ruff.wheels for t in w.targets}
    assert set(served) == set(lock.platforms)
    assert "manylinux" in served["linux-x86_64"] and "x86_64" in served["linux-x86_64"]
    assert "aarch64" in served["linux-aarch64"]
    assert "macosx" in served["macos-arm64"] and "arm64" in served["macos-arm64"]
    assert served["windows-x86_64"].endswith("win_amd64.whl")
    black = [p for p in lock.packages if p.environment == "black"]
    assert {"black", "click", "packaging"} <= {p.name for p in black}
    colorama = [p for p in lock.packages if p.name == "colorama"]
    assert [c.environment for c in colorama] == ["project"]  # pytest needs it on Windows only
    assert colorama[0].targets == ("windows-x86_64",)
    assert CliRunner().invoke(app, ["lock", "--check"]).exit_code == 0
    # Warm cache, unchanged intent: nothing rewritten.
    again = CliRunner().invoke(app, ["lock"])
    assert again.exit_code == 0 and "up to date" in again.output


@pytest.mark.parametrize(
    ("requires", "backend", "config"),
    [
        ('"hatchling", "hatch-vcs"', "hatchling.build", '[tool.hatch.version]\nsource = "vcs"\n'),
        (
            '"setuptools>=64", "setuptools-scm>=8"',
            "setuptools.build_meta",
            "[tool.setuptools_scm]\n",
        ),
    ],
    ids=["hatch-vcs", "setuptools-scm"],
)
def test_a_version_from_git_locks_installs_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, requires: str, backend: str, config: str
) -> None:
    """A real git repository with a tag, its version computed by the backend from the
    index: the lock holds no version, the install has the dev version after the tag."""
    import platform
    import subprocess

    root = tmp_path / "gitproj"
    (root / "src" / "gitproj").mkdir(parents=True)
    (root / "src" / "gitproj" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "gitproj"\ndynamic = ["version"]\nrequires-python = ">=3.10"\n'
        f'dependencies = ["iniconfig"]\n[build-system]\nrequires = [{requires}]\n'
        f'build-backend = "{backend}"\n{config}',
        encoding="utf-8",
    )
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\n'
        '[targets]\nplatforms = ["linux-x86_64"]\n'
        '[index]\nexclude-newer = "2026-11-20T00:00:00Z"\n',
        encoding="utf-8",
    )

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root,
                       check=True, capture_output=True)  # fmt: skip

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    git("tag", "v1.2.0")
    (root / "README").write_text("two\n", encoding="utf-8")
    git("add", "-A")
    git("commit", "-qm", "two")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 0, result.output
    lock = parse_lock((root / "dht.lock").read_text(encoding="utf-8"))
    assert lock.project is not None and lock.project.version is None
    assert lock.project.dynamic == ("version",)
    assert {p.name for p in lock.packages if p.environment == "project"} == {"iniconfig"}
    result = CliRunner().invoke(app, ["apply"])
    assert result.exit_code == 0, result.output
    version = subprocess.run(
        [".venv/bin/python", "-c", "import importlib.metadata as m; print(m.version('gitproj'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert version.startswith("1.2.1.dev1"), version
    assert CliRunner().invoke(app, ["verify"]).exit_code == 0
    assert CliRunner().invoke(app, ["lock", "--check"]).exit_code == 0
