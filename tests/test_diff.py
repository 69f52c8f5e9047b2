"""`dht diff`: lock pairs from real locks of the fixture index, in a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.cli import app


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


INTENT = """\
[project]
python = "3.11"
[targets]
platforms = ["linux-x86_64", "windows-x86_64"]
[index]
url = "{url}"
[tools]
toolish = "=={toolish}"
clicky = ""
[env]
APP = "{app}"
[config.ruff]
file = "pyproject.toml"
table = "tool.ruff"
set = {{ line-length = {length} }}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]) -> Path:
    server = index_server()
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    (root / "dht.toml").write_text(
        INTENT.format(url=server.url, toolish="1.0", app="one", length=88)
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    (root / "dht.toml").write_text(
        INTENT.format(url=server.url, toolish="1.1", app="two", length=90)
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    return root


def test_text_groups_changes_and_names_their_cause(repo: Path) -> None:
    result = CliRunner().invoke(app, ["diff"])
    assert result.exit_code == 3
    out = result.stdout
    assert "Tools:\n  ~ toolish: 1.0 -> 1.1 (minor)\n" in out
    assert "  + beta 1.5  <- tools.toolish\n" in out
    assert "  ~ ruff.line-length: 88 -> 90  <- config.ruff\n" in out
    # An env value is set in every shell: it leads, under its own heading, with the reason.
    assert out.startswith("Review first: these run code or change whom the machine trusts:\n")
    assert "  ~ APP: one -> two  <- env  !! set in every activated shell" in out
    assert out.index("Review first") < out.index("Tools:") < out.index("Python packages:")
    assert out.index("Python packages:") < out.index("Config:")
    assert "Environment variables:" not in out  # shown once, in the first section


def test_markdown_and_json(repo: Path) -> None:
    markdown = CliRunner().invoke(app, ["diff", "HEAD", "dht.lock", "--format", "markdown"]).stdout
    assert markdown.startswith("### dht.lock changes (")
    assert "**Tools**" in markdown and "- `~ toolish: 1.0 -> 1.1 (minor)`" in markdown
    data = json.loads(CliRunner().invoke(app, ["diff", "--format", "json"]).stdout)
    assert data["format"] == 1 and data["equal"] is False
    toolish = next(c for c in data["changes"] if c["section"] == "tools")
    assert toolish == {"section": "tools", "name": "toolish", "kind": "upgraded", "old": "1.0", "new": "1.1",
                       "jump": "minor", "cause": ["tools.toolish"], "attention": ""}  # fmt: skip
    env = next(c for c in data["changes"] if c["section"] == "env")
    assert env["attention"].startswith("set in every activated shell")


def test_equal_locks_and_revisions(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "second")
    same = CliRunner().invoke(app, ["diff"])
    assert same.exit_code == 0 and "the locks are the same" in same.stdout
    back = CliRunner().invoke(app, ["diff", "HEAD", "HEAD~1"])
    assert back.exit_code == 3 and "~ toolish: 1.1 -> 1.0 (minor)  [DOWNGRADED]" in back.stdout


def test_same_version_new_hash_is_flagged(repo: Path) -> None:
    lock = repo / "dht.lock"
    text = lock.read_text()
    marker = 'clicky-1.0-py3-none-any.whl", url = '
    start = text.index(marker)
    digest_at = text.index('sha256 = "', start) + len('sha256 = "')
    lock.write_text(text[:digest_at] + "f" * 64 + text[digest_at + 64 :])
    result = CliRunner().invoke(app, ["diff"])
    first = result.stdout.split("\nTools:")[0]
    assert first.startswith("Review first")
    assert "~ clicky-1.0-py3-none-any.whl: " in first and "[HASH-CHANGED]" in first
    assert "!! other bytes under the same name" in first


def test_bad_input(repo: Path, tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["diff", "no-such-revision"])
    assert missing.exit_code == 1 and "cannot read dht.lock at 'no-such-revision'" in missing.output
    (tmp_path / "other.toml").write_text('[project]\nname = "x"\n')
    not_a_lock = CliRunner().invoke(app, ["diff", str(tmp_path / "other.toml")])
    assert not_a_lock.exit_code == 1 and "is this a dht lock?" in not_a_lock.output
    (tmp_path / "newer.lock").write_text("lock-version = 9\n")
    newer = CliRunner().invoke(app, ["diff", str(tmp_path / "newer.lock")])
    assert newer.exit_code == 1 and "upgrade dht" in newer.output
    assert CliRunner().invoke(app, ["diff", "--format", "yaml"]).exit_code == 2  # a usage error


def test_explain_shows_the_chain_with_requirements(repo: Path) -> None:
    result = CliRunner().invoke(app, ["explain", "Beta"])
    assert result.exit_code == 0
    assert "beta 1.5 in environment project, for linux-x86_64, windows-x86_64" in result.stdout
    assert "  tools.toolish -> toolish==1.1 needs beta>=1 -> beta==1.5" in result.stdout
    windows_only = CliRunner().invoke(app, ["explain", "winonly-dep"]).stdout
    assert (
        "for windows-x86_64\n" in windows_only
        and 'needs winonly-dep; sys_platform == "win32"' in windows_only
    )
    missing = CliRunner().invoke(app, ["explain", "betta"])
    assert missing.exit_code == 1 and "did you mean 'beta'?" in missing.output


def test_system_settings_and_removals(repo: Path) -> None:
    intent = repo / "dht.toml"
    text = intent.read_text()
    intent.write_text(
        text.replace('clicky = ""\n', "").replace(
            'platforms = ["linux-x86_64", "windows-x86_64"]', 'platforms = ["linux-x86_64"]'
        )
        + '[system]\ntinytool = { debian = ["hello"] }\n'
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    out = CliRunner().invoke(app, ["diff"]).stdout
    assert "Settings:\n  ~ platforms: linux-x86_64, windows-x86_64 -> linux-x86_64\n" in out
    assert "  - clicky 1.0" in out
    assert "System packages:\n  + tinytool  <- system.tinytool\n" in out
    long = CliRunner().invoke(app, ["diff", "--format", "markdown"]).stdout
    assert "**System packages**" in long


def test_config_dates_and_times_read_as_toml_writes_them() -> None:
    import datetime as dt

    from dht.review.diff import _flatten

    flat = _flatten({"run": {"when": dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.UTC), "day": dt.date(2026, 11, 25), "n": 3}})  # fmt: skip
    assert flat == {"run.when": "1979-05-27T07:32:00+00:00", "run.day": "2026-11-25", "run.n": "3"}


def test_the_interpreter_and_the_project_are_reviewed() -> None:
    import msgspec

    from dht.model.lock import LockInterpreter, LockProject, parse_lock
    from dht.model.request import ProjectRequest
    from dht.review.diff import diff, render_text

    root = Path(__file__).resolve().parents[1]
    old = parse_lock((root / "example" / "dht.lock").read_text(encoding="utf-8"))
    assert old.interpreter is not None and old.project is not None
    new = msgspec.structs.replace(
        old,
        python="3.11.9",
        interpreter=LockInterpreter(
            request="3.11.9", downloads={"linux-x86_64": "cpython-3.11.9-linux-x86_64-gnu"}
        ),
        project=msgspec.structs.replace(
            old.project,
            request=ProjectRequest(groups=("docs", "tests")),
            build_requires=("hatchling>=1.27",),
        ),
    )
    text = render_text(diff(old, new))
    assert "~ python: 3.11.7 -> 3.11.9" in text
    assert (
        "python.downloads.linux-x86_64: cpython-3.11.7-linux-x86_64-gnu -> cpython-3.11.9-linux-x86_64-gnu"
        in text
    )
    assert "- python.downloads.macos-arm64" in text
    assert "project.request.groups: tests -> docs, tests" in text
    assert "project.build-requires: editables~=0.3, hatchling>=1.26 -> hatchling>=1.27" in text
    gone = msgspec.structs.replace(old, project=None)
    assert "- project.name example" in render_text(diff(old, gone))
    assert isinstance(old.project, LockProject)


def test_no_lock_at_the_revision_is_an_empty_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = tmp_path / "fresh"
    root.mkdir()
    monkeypatch.chdir(root)
    (root / "dht.toml").write_text(
        INTENT.format(url=server.url, toolish="1.0", app="one", length=88)
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    git(root, "init", "-q")
    first = CliRunner().invoke(app, ["diff"])  # no commit at all yet
    assert first.exit_code == 3, first.output
    assert "note: HEAD has no dht.lock (no commit yet): compared with an empty lock" in first.stderr
    assert "toolish" in first.stdout and "cannot read" not in first.output
    (root / "README").write_text("hello\n")
    git(root, "add", "README")
    git(root, "commit", "-qm", "before dht")
    second = CliRunner().invoke(app, ["diff", "--format", "json"])
    assert second.exit_code == 3
    data = json.loads(second.stdout)
    assert data["notes"] == ["HEAD has no dht.lock: compared with an empty lock"]
    added = {(c["name"], c["kind"]) for c in data["changes"]}
    assert ("toolish", "added") in added and ("clicky", "added") in added
    missing = CliRunner().invoke(app, ["diff", "no-such-revision"])
    assert missing.exit_code == 1 and "cannot read dht.lock at 'no-such-revision'" in missing.output


# What runs code or redirects trust leads the review (a hostile pull request's edits)


def _example() -> Any:
    from dht.model.lock import parse_lock

    root = Path(__file__).resolve().parents[1]
    return parse_lock((root / "example" / "dht.lock").read_text(encoding="utf-8"))


def _review(old: Any, new: Any) -> str:
    from dht.review.diff import diff, render_text

    return render_text(diff(old, new))


def _first(text: str) -> str:
    """The first section's lines; every one of them says why it is there."""
    head, *rest = text.splitlines()
    assert head == "Review first: these run code or change whom the machine trusts:"
    end = next((i for i, line in enumerate(rest) if not line.startswith("  ")), len(rest))
    assert end > 0 and all("  !! " in line for line in rest[:end])
    return "\n".join(rest[:end])


def _replace_package(lock: Any, name: str, **fields: Any) -> Any:
    import msgspec

    packages = tuple(
        msgspec.structs.replace(p, **fields) if p.name == name else p for p in lock.packages
    )
    return msgspec.structs.replace(lock, packages=packages)


def test_a_wheel_swapped_for_an_sdist_is_shown_first() -> None:
    from dht.model.lock import Artifact, Hashes

    old = _example()
    black = next(p for p in old.packages if p.name == "black")
    wheel = black.wheels[0]
    sdist = Artifact(
        name=f"black-{black.version}.tar.gz",
        url=wheel.url.rsplit("/", 1)[0] + f"/black-{black.version}.tar.gz",
        size=1,
        hashes=Hashes(sha256="e" * 64),
        targets=wheel.targets,
    )
    new = _replace_package(old, "black", wheels=black.wheels[1:], sdist=sdist)
    text = _review(old, new)
    first = _first(text)
    assert f"+ black-{black.version}.tar.gz sdist from https://files.pythonhosted.org/" in first
    assert "!! built from source at install: its build backend runs on" in first
    assert f"- {wheel.name} wheel from" in text  # the wheel it replaced, in its section


def test_a_url_or_index_change_at_the_same_version_is_shown_first() -> None:
    import msgspec

    old = _example()
    black = next(p for p in old.packages if p.name == "black")
    wheel = black.wheels[0]
    moved = msgspec.structs.replace(wheel, url=wheel.url.replace("/packages/", "/elsewhere/"))
    new = _replace_package(old, "black", wheels=(moved, *black.wheels[1:]))
    first = _first(_review(old, new))
    assert f"~ {wheel.name} url: {wheel.url} -> {moved.url}" in first
    assert "!! downloaded from another URL (files.pythonhosted.org)" in first
    other = _replace_package(old, "black", index="https://mirror.example.org/simple")
    assert (
        "~ black (black) index: https://pypi.org/simple -> https://mirror.example.org/simple"
        in _first(_review(old, other))
    )


def test_probe_env_and_whole_file_configs_are_shown_first() -> None:
    import msgspec

    from dht.model.lock import LockConfig

    old = _example()
    tools = tuple(
        msgspec.structs.replace(t, request=msgspec.structs.replace(t.request, probe=("ruff", "x")))
        if t.name == "ruff"
        else t
        for t in old.tools
    )
    assert old.env is not None
    env = msgspec.structs.replace(old.env, values={**old.env.values, "APP": "\x1b[2Jgone"})
    file_config = LockConfig(
        name="editorconfig", file=".editorconfig", format="file", table=None, values={},
        text="root = true\n", sha256="0" * 64,
    )  # fmt: skip
    new = msgspec.structs.replace(old, tools=tools, env=env, configs=(*old.configs, file_config))
    text = _review(old, new)
    first = _first(text)
    assert "~ ruff probe: ∅ -> ruff x  !! its probe runs on every `dht apply`" in first
    assert "+ APP \\x1b[2Jgone  <- env  !! set in every activated shell" in first
    assert "\x1b" not in text  # escape sequences are shown, never sent to the terminal
    assert (
        "+ editorconfig (.editorconfig)  <- config.editorconfig  !! dht writes this whole file"
        in first
    )


def test_a_package_locked_at_two_versions_is_compared_version_by_version() -> None:
    import msgspec

    from dht.commands.lock import changes
    from dht.review.diff import diff

    base = _example()
    mypy = next(p for p in base.packages if p.name == "mypy")
    # The same package at a second version for some platforms (as markers or
    # requires-python split a resolution): both entries are compared.
    wheel = mypy.wheels[0]
    second = msgspec.structs.replace(mypy, version="0.1", wheels=(wheel,), targets=wheel.targets)
    moved = msgspec.structs.replace(wheel, url=wheel.url.replace("/packages/", "/other/"))
    old = msgspec.structs.replace(base, packages=(*base.packages, second))
    new = msgspec.structs.replace(
        base, packages=(*base.packages, msgspec.structs.replace(second, wheels=(moved,)))
    )
    found = [c.name for c in diff(old, new).changes if c.section == "artifacts"]
    assert found == [f"{wheel.name} url"]  # the 0.1 entry's change is not lost
    removed = [c for c in diff(old, base).changes if c.section == "packages"]
    assert [(c.kind, c.old) for c in removed] == [("removed", "0.1")]
    summary = [c.line() for c in changes(old, base)]
    assert summary == [f" ~ mypy 0.1, {mypy.version} -> {mypy.version}"]
