"""The lock merge driver in real git repositories: different entries merge by value,
the same entry changed on both sides merges by re-locking; no conflict markers, ever."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.model.lock import parse_lock

INTENT = """\
[project]
python = "3.11"
[targets]
platforms = ["linux-x86_64"]
[index]
url = "{url}"
[tools]
{tools}
"""


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=check, capture_output=True, text=True
    )


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> tuple[Path, str]:
    server = index_server()
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    (root / "dht.toml").write_text(
        INTENT.format(url=server.url, tools='toolish = "==1.0"\nalpha = "<2"')
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    git(root, "init", "-q", "-b", "main")
    driver = f"{sys.executable} -c 'from dht.cli import main; main()' merge-driver %O %A %B"
    git(root, "config", "merge.dht.driver", driver)
    (root / ".gitattributes").write_text("dht.lock merge=dht\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root, server.url


def branch(root: Path, url: str, name: str, tools: str) -> None:
    git(root, "checkout", "-q", "-b", name, "main")
    (root / "dht.toml").write_text(INTENT.format(url=url, tools=tools))
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    git(root, "commit", "-qam", name)


def test_different_entries_merge_without_relocking(repo: tuple[Path, str]) -> None:
    root, url = repo
    branch(root, url, "a", 'toolish = "==1.1"\nalpha = "<2"')
    branch(root, url, "b", 'toolish = "==1.0"\nalpha = "<2"\nclicky = ""')
    git(root, "checkout", "-q", "a")
    # dht.toml changed on both sides in different lines: git merges it; the driver merges the lock.
    result = git(root, "merge", "-q", "b", "-m", "merge", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (root / "dht.lock").read_text()
    assert "<<<<<<<" not in text
    lock = parse_lock(text)
    assert {t.name: t.version for t in lock.tools} == {
        "toolish": "1.1",
        "alpha": "1.1",
        "clicky": "1.0",
    }
    assert CliRunner().invoke(app, ["lock", "--check"]).exit_code == 0


def test_same_entry_on_both_sides_relocks_in_either_order(repo: tuple[Path, str]) -> None:
    root, url = repo
    branch(root, url, "a", 'toolish = "==1.1"\nalpha = "<2"')
    branch(root, url, "b", 'toolish = "==1.0"\nalpha = "<2"\nclicky = ""')
    results = []
    for first, second in (("a", "b"), ("b", "a")):
        git(root, "checkout", "-q", "-B", f"m-{first}", first)
        # Both sides touched the lock's package set; dht.toml merges cleanly by git.
        result = git(root, "merge", "-q", second, "-m", "merge", check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        results.append((root / "dht.lock").read_text())
        assert CliRunner().invoke(app, ["lock", "--check"]).exit_code == 0
    assert results[0] == results[1]  # the same lock whichever order


def test_both_sides_add_the_same_package_for_different_reasons(repo: tuple[Path, str]) -> None:
    root, url = repo
    base_tools = 'toolish = "==1.0"\nclicky = ""\nalpha = "<2"'
    (root / "dht.toml").write_text(INTENT.format(url=url, tools=base_tools))
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    git(root, "commit", "-qam", "base with clicky")
    # a: toolish 1.1 needs beta; b: alpha 2.0 needs beta. Both add the beta entry, differently.
    branch(root, url, "a", 'toolish = "==1.1"\nclicky = ""\nalpha = "<2"')
    branch(root, url, "b", 'toolish = "==1.0"\nclicky = ""\nalpha = ">=2"')
    outcomes = []
    for first, second in (("a", "b"), ("b", "a")):
        git(root, "checkout", "-q", "-B", f"m-{first}", first)
        result = git(root, "merge", second, "-m", "merge", check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        text = (root / "dht.lock").read_text()
        assert "<<<<<<<" not in text
        beta = next(p for p in parse_lock(text).packages if p.name == "beta")
        assert beta.required_by == ("alpha==2.0", "toolish==1.1")  # re-locked: both reasons
        assert CliRunner().invoke(app, ["lock", "--check"]).exit_code == 0
        outcomes.append(text)
    assert outcomes[0] == outcomes[1]


def test_conflicting_intent_leaves_no_markers_in_the_lock(repo: tuple[Path, str]) -> None:
    root, url = repo
    branch(root, url, "a", 'toolish = "==1.1"\nalpha = "<2"')
    branch(root, url, "b", 'toolish = "==2.0"\nalpha = "<2"')
    git(root, "checkout", "-q", "a")
    result = git(root, "merge", "b", "-m", "merge", check=False)
    assert result.returncode != 0  # dht.toml itself conflicts: a person decides
    assert "<<<<<<<" in (root / "dht.toml").read_text()
    assert "<<<<<<<" not in (root / "dht.lock").read_text()
    assert "resolve dht.toml" in result.stderr + result.stdout


def test_configs_clean_alone_that_clash_together_are_a_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    from dht.review.merge import Conflict, merge

    url = index_server().url
    locks = []
    for name, configs in (
        ("base", ""),
        ("ours", '[config.x]\nfile = "pyproject.toml"\ntable = "tool.x"\nset = { a = 1 }\n'),
        ("theirs", '[config.y]\nfile = "pyproject.toml"\ntable = "tool.x.sub"\nset = { b = 2 }\n'),
    ):
        root = tmp_path / name
        root.mkdir()
        monkeypatch.chdir(root)
        (root / "dht.toml").write_text(INTENT.format(url=url, tools='toolish = "==1.0"') + configs)
        assert CliRunner().invoke(app, ["lock"]).exit_code == 0
        locks.append(parse_lock((root / "dht.lock").read_text()))
    with pytest.raises(Conflict) as info:
        merge(*locks)
    assert "configs (two entries would write the same region)" in str(info.value.args)


def test_one_package_moved_to_two_versions_is_a_conflict_not_two_entries() -> None:
    """Each branch moved the same dependency to its own version: an entry-by-entry merge
    would keep both (a lock `dht lock --check` rejects); it is a conflict, so re-locked."""
    import msgspec

    from dht.review.merge import Conflict, merge

    root = Path(__file__).resolve().parents[1]
    base = parse_lock((root / "example" / "dht.lock").read_text(encoding="utf-8"))
    target = next(p for p in base.packages if p.name == "click")

    def moved(version: str) -> Any:
        packages = tuple(
            msgspec.structs.replace(p, version=version) if p is target else p for p in base.packages
        )
        return msgspec.structs.replace(base, packages=packages)

    with pytest.raises(Conflict) as info:
        merge(base, moved("98.0"), moved("99.0"))
    assert info.value.entries == ["packages.click (two versions for one platform)"]
    same = merge(base, moved("98.0"), moved("98.0"))  # both sides agree: merged by value
    assert [p.version for p in same.packages if p.name == "click"] == ["98.0"]
