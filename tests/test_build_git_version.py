"""`dht build` of projects whose version comes from git: the build copies carry the
checkout's git metadata, so the backend computes the version it computes in the checkout.

Real git repositories in tmp folders. The metadata tests run git only (offline); the
builds take hatch-vcs, setuptools-scm and setuptools from the real index (`online`).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.gitrepo import REDIRECTS
from dht.sandbox import gitmeta
from dht.sandbox.build import Explain
from tests.support.network import SKIP_REASON, pypi_reachable

COMMIT_TIME = 1767225600  # 2026-01-01T00:00:00Z
GIT_ENV = {
    **{k: v for k, v in os.environ.items() if k not in REDIRECTS},
    "GIT_AUTHOR_DATE": f"@{COMMIT_TIME} +0000",
    "GIT_COMMITTER_DATE": f"@{COMMIT_TIME} +0000",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root, env=GIT_ENV, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def repository(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    return root


def commit(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")
    git(root, "add", name)
    git(root, "commit", "-qm", f"change {name}")


# The copy's .git, offline


def _planted(root: Path, tmp: Path, project: Path | None = None) -> Path:
    """A copy of the checkout's files (as `dht build` copies them) with a planted .git."""
    snap = gitmeta.read(project or root)
    assert snap is not None
    copy = tmp / "copy" / snap.top.name
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    for name in listed:
        if (root / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).write_bytes((root / name).read_bytes())
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    gitmeta.plant(snap, copy, home)
    return copy


def _seen(folder: Path, home: Path | None = None) -> tuple[str, str, str]:
    """What a git-versioning backend asks git: describe, dirty files, branch."""
    env = gitmeta.plant_env(home) if home else {**GIT_ENV, "GIT_OPTIONAL_LOCKS": "0"}

    def ask(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip

    return (
        ask("describe", "--dirty", "--tags", "--long", "--match", "*[0-9]*"),
        ask("status", "--porcelain", "--untracked-files=no"),
        ask("rev-parse", "--abbrev-ref", "HEAD"),
    )


def test_the_copy_sees_what_the_checkout_sees(tmp_path: Path) -> None:
    root = repository(tmp_path / "repo", {"pyproject.toml": "", "src/m.py": "x = 1\n"})
    git(root, "tag", "v1.0.0")
    commit(root, "README", "two\n")
    states = []
    for step in ("clean", "modified", "staged new file", "detached"):
        if step == "modified":
            (root / "src" / "m.py").write_text("x = 2\n", encoding="utf-8")
        elif step == "staged new file":
            git(root, "checkout", "-q", "--", "src/m.py")
            (root / "NEW").write_text("new\n", encoding="utf-8")
            git(root, "add", "NEW")
        elif step == "detached":
            git(root, "reset", "-q", "--hard")
            git(root, "checkout", "-q", "--detach", "v1.0.0")
        work = tmp_path / step.replace(" ", "-")
        index = (root / ".git" / "index").read_bytes()
        copy = _planted(root, work)
        # Only read: the checkout's index is the same file, byte for byte.
        assert (root / ".git" / "index").read_bytes() == index
        states.append((step, _seen(copy, work / "home")))
        assert states[-1][1] == _seen(root), step
    assert [s[1][0] for s in states] == [
        f"v1.0.0-1-g{git(root, 'rev-parse', '--short', 'main')}",
        f"v1.0.0-1-g{git(root, 'rev-parse', '--short', 'main')}-dirty",
        f"v1.0.0-1-g{git(root, 'rev-parse', '--short', 'main')}-dirty",
        f"v1.0.0-0-g{git(root, 'rev-parse', '--short', 'v1.0.0')}",
    ]
    assert states[0][1][2] == "main" and states[3][1][2] == "HEAD"


def test_a_project_in_a_subfolder_of_its_repository(tmp_path: Path) -> None:
    root = repository(
        tmp_path / "mono",
        {"other/big.txt": "elsewhere\n", "pkg/pyproject.toml": "", "pkg/src/m.py": ""},
    )
    git(root, "tag", "v2.0")
    snap = gitmeta.read(root / "pkg")
    assert snap is not None and snap.prefix == "pkg" and snap.skip == ("other/big.txt",)
    copy = tmp_path / "copy" / "mono"
    for name in ("pyproject.toml", "src/m.py"):  # only the project's folder is copied
        (copy / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / "pkg" / name).write_text("", encoding="utf-8")
    (tmp_path / "home").mkdir()
    gitmeta.plant(snap, copy, tmp_path / "home")
    assert _seen(copy / "pkg", tmp_path / "home")[:2] == (
        f"v2.0-0-g{git(root, 'rev-parse', '--short', 'HEAD')}",
        "",
    )


def test_outside_git_there_is_nothing_to_plant(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    assert gitmeta.read(tmp_path) is None


@pytest.mark.parametrize(
    ("requires", "extra", "found"),
    [
        (["hatchling", "hatch-vcs>=0.4"], "", "hatch-vcs"),
        (["setuptools>=64", "setuptools_scm[toml]>=8"], "", "setuptools-scm"),
        (["setuptools", "versioningit"], "", "versioningit"),
        (["poetry-core", "poetry-dynamic-versioning"], "", "poetry-dynamic-versioning"),
        (["pdm-backend"], '[tool.pdm.version]\nsource = "scm"\n', "pdm-backend (scm)"),
        (["hatchling"], "", None),
    ],
)
def test_git_versioning_plugins_are_named(
    tmp_path: Path, requires: list[str], extra: str, found: str | None
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f"[build-system]\nrequires = {json.dumps(requires)}\n{extra}", encoding="utf-8"
    )
    assert gitmeta.versioning(tmp_path) == found


# Why a backend failed: each cause from a real build's output


def build(root: Path, *args: str) -> tuple[int, dict[str, object], str]:
    # Verification (dht.buildcheck) has tests of its own: here only the builds.
    result = CliRunner().invoke(app, ["-C", str(root), "build", *args, "--json", "--no-verify"])
    data = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, data, result.stderr


@pytest.fixture(autouse=True)
def _no_inherited_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.chdir(Path.cwd())


def test_a_backend_importing_an_undeclared_module_names_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        encoding="utf-8",
    )
    (tmp_path / "backend.py").write_text(
        "def build_sdist(*args, **kwargs):\n    import cython_that_is_not_declared\n",
        encoding="utf-8",
    )
    code, _, err = build(tmp_path, "--reproducible")
    assert code == 1
    assert "the build backend failed (`uv build` exited" in err
    assert "ModuleNotFoundError: No module named 'cython_that_is_not_declared'" in err
    assert (
        "hint: missing build requirement: the build imports 'cython_that_is_not_declared',"
        " which [build-system] requires in pyproject.toml does not list" in err
    )
    assert str(tmp_path / "a") not in err  # the copy's path is <copy>


def test_failure_causes_from_their_output() -> None:
    explain = Explain(Path("/p"), "setuptools-scm", git=True, describe="1a2b3c4")
    assert "found no usable tag (git describe: 1a2b3c4)" in explain.cause(
        "LookupError: setuptools-scm was unable to detect version for <copy>."
    )
    assert "Python's C headers are missing" in explain.cause(
        "src/ext.c:1:10: fatal error: Python.h: No such file or directory"
    )
    assert "the build needs Rust" in explain.cause("error: linker `cc` not found")
    assert explain.cause("something else broke") == (
        "the project's build backend failed: its last lines are above"
    )


# Real builds with real backends from the index


@pytest.fixture
def _network() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)


online = pytest.mark.usefixtures("_network")

BACKENDS = {
    "hatch-vcs": (
        '"hatchling", "hatch-vcs"',
        "hatchling.build",
        '[tool.hatch.version]\nsource = "vcs"\n',
    ),
    "setuptools-scm": (
        '"setuptools>=64", "setuptools-scm>=8"',
        "setuptools.build_meta",
        "[tool.setuptools_scm]\n",
    ),
}


def git_project(root: Path, plugin: str, *, in_git: bool = True) -> Path:
    requires, backend, config = BACKENDS[plugin]
    files = {
        "pyproject.toml": f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n'
        f'\n[project]\nname = "gitproj"\ndynamic = ["version"]\nrequires-python = ">=3.9"\n\n{config}',
        "src/gitproj/__init__.py": '"""Demo."""\n',
    }
    if not in_git:
        root.mkdir(parents=True)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        return root
    return repository(root, files)


def _names(report: dict[str, object]) -> list[str]:
    artifacts = report["artifacts"]
    assert isinstance(artifacts, list)
    return sorted(a["name"] for a in artifacts)


def _backend_in_checkout(root: Path, out: Path) -> list[str]:
    """What the backend builds in the checkout itself (uv build there), for comparison."""
    import uv

    env = {k: v for k, v in os.environ.items() if k not in REDIRECTS}
    env["SOURCE_DATE_EPOCH"] = str(COMMIT_TIME)
    subprocess.run([uv.find_uv_bin(), "build", "--out-dir", str(out), "--no-progress"], cwd=root,
                   env=env, capture_output=True, check=True)  # fmt: skip
    return sorted(p.name for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz")))


@pytest.mark.online
@online
@pytest.mark.parametrize("plugin", ["hatch-vcs", "setuptools-scm"])
def test_a_version_from_git_at_a_tag_and_after_it(tmp_path: Path, plugin: str) -> None:
    root = git_project(tmp_path / "gitproj", plugin)
    git(root, "tag", "v1.2.0")
    wanted = {"hatch-vcs": "identical", "setuptools-scm": "identical-after-normalizing"}[plugin]

    code, report, err = build(root, "--reproducible")
    assert code in (0, 3), err
    assert {a["verdict"] for a in report["artifacts"]} == {wanted}  # type: ignore[union-attr]
    assert _names(report) == ["gitproj-1.2.0-py3-none-any.whl", "gitproj-1.2.0.tar.gz"]
    assert report["git"] == {
        "versioning": plugin,
        "metadata": True,
        "describe": f"v1.2.0-0-g{git(root, 'rev-parse', '--short', 'HEAD')}",
        "notes": [],
    }

    commit(root, "README", "after the tag\n")
    sha = git(root, "rev-parse", "--short=9", "HEAD")
    head = (root / ".git" / "index").read_bytes(), git(root, "status", "--porcelain")
    code, report, err = build(root, "--reproducible")
    assert code in (0, 3), err
    version = f"1.2.1.dev1+g{sha}"
    assert _names(report) == [f"gitproj-{version}-py3-none-any.whl", f"gitproj-{version}.tar.gz"]
    assert {a["verdict"] for a in report["artifacts"]} == {wanted}  # type: ignore[union-attr]
    # The checkout is only read.
    assert ((root / ".git" / "index").read_bytes(), git(root, "status", "--porcelain")) == head
    # The version the backend computes in the checkout itself.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], env=GIT_ENV, check=True)
    assert _backend_in_checkout(clone, tmp_path / "real") == _names(report)

    text = (
        CliRunner().invoke(app, ["-C", str(root), "build", "--reproducible", "--no-verify"]).stdout
    )
    assert f"version from git ({plugin}): v1.2.0-1-g" in text


@pytest.mark.online
@online
def test_a_dirty_tree_gives_the_dirty_version_in_both_builds(tmp_path: Path) -> None:
    root = git_project(tmp_path / "gitproj", "hatch-vcs")
    git(root, "tag", "v1.2.0")
    (root / "src" / "gitproj" / "__init__.py").write_text('"""Edited."""\n', encoding="utf-8")
    code, report, err = build(root, "--reproducible")
    assert code == 0, err
    sha = git(root, "rev-parse", "--short=9", "HEAD")
    # setuptools-scm dates a dirty version from SOURCE_DATE_EPOCH (the last commit), in UTC.
    day = time.strftime("%Y%m%d", time.gmtime(COMMIT_TIME))
    version = f"1.2.1.dev0+g{sha}.d{day}"
    assert _names(report) == [f"gitproj-{version}-py3-none-any.whl", f"gitproj-{version}.tar.gz"]
    assert report["git"]["describe"].endswith("-dirty")  # type: ignore[index]
    assert _backend_in_checkout(root, tmp_path / "real") == _names(report)


@pytest.mark.online
@online
def test_outside_git_the_failure_says_no_git_metadata(tmp_path: Path) -> None:
    root = git_project(tmp_path / "gitproj", "hatch-vcs", in_git=False)
    code, _, err = build(root, "--reproducible")
    assert code == 1
    assert "setuptools-scm was unable to detect version" in err
    assert "hint: no git metadata: the version comes from git (hatch-vcs)" in err
    assert "Traceback (most recent call last)" not in err.split("its last lines:")[0]


@pytest.mark.online
@online
def test_an_unknown_build_requirement_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling", "dht-test-no-such-distribution-x7"]\n'
        'build-backend = "hatchling.build"\n[project]\nname = "x"\nversion = "1"\n',
        encoding="utf-8",
    )
    code, _, err = build(tmp_path)
    assert code == 1
    assert "hint: a build requirement could not be installed" in err
    assert "dht-test-no-such-distribution-x7" in err


@pytest.mark.online
@online
def test_a_missing_compiler_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "ext"\nversion = "1"\n',
        encoding="utf-8",
    )
    (tmp_path / "setup.py").write_text(
        "from setuptools import Extension, setup\n"
        "setup(ext_modules=[Extension('ext', ['ext.c'])])\n",
        encoding="utf-8",
    )
    (tmp_path / "ext.c").write_text("int x;\n", encoding="utf-8")
    # The compiler setuptools calls, as on a machine without one.
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    code, _, err = build(tmp_path)
    assert code == 1
    assert "hint: compiler missing: the build compiles C/C++ and found no compiler" in err


OTHER_PLUGINS = {
    "versioningit": ('"setuptools>=64", "versioningit"', "setuptools.build_meta", "[tool.versioningit]\n"),
    "pdm-backend": ('"pdm-backend"', "pdm.backend", '[tool.pdm.version]\nsource = "scm"\n'),
}  # fmt: skip


@pytest.mark.online
@online
@pytest.mark.parametrize("plugin", sorted(OTHER_PLUGINS))
def test_other_git_versioning_backends_get_the_checkouts_version(
    tmp_path: Path, plugin: str
) -> None:
    """No scheme is known to dht: whatever the backend computes in the checkout."""
    requires, backend, config = OTHER_PLUGINS[plugin]
    root = repository(
        tmp_path / "gitproj",
        {
            "pyproject.toml": f"[build-system]\nrequires = [{requires}]\n"
            f'build-backend = "{backend}"\n\n[project]\nname = "gitproj"\n'
            f'dynamic = ["version"]\nrequires-python = ">=3.9"\n\n{config}',
            "src/gitproj/__init__.py": "",
        },
    )
    git(root, "tag", "v0.3.0")
    commit(root, "README", "after the tag\n")
    code, report, err = build(root, "--reproducible", "--normalize")
    assert code == 0, err
    names = _names(report)
    assert all(git(root, "rev-parse", "--short", "HEAD") in name for name in names), names
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], env=GIT_ENV, check=True)
    assert _backend_in_checkout(clone, tmp_path / "real") == names
