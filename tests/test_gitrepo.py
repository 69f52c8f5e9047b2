"""The one git helper and the one SOURCE_DATE_EPOCH rule, shared by builds and `dht run`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dht.commands.run import locked_env
from dht.errors import DhtError, InputError
from dht.gitrepo import FALLBACK_EPOCH, exists, git, source_date
from dht.model.lock import LOCK_FILE, LOCK_VERSION, Lock, LockEnv, LockIndex, write_lock

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
COMMIT_TIME = 1_700_000_000


def _repo(root: Path, commit: bool) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"@{COMMIT_TIME} +0000", "GIT_COMMITTER_DATE": f"@{COMMIT_TIME} +0000",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    if commit:
        (root / "f").write_text("x")
        subprocess.run(["git", "-C", str(root), "add", "f"], check=True)
        subprocess.run(["git", "-C", str(root), "commit", "-qm", "c"], check=True, env=env)


def test_source_date_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date(tmp_path).source in ("fixed (no git commit)", "fixed (no git)")
    _repo(tmp_path, commit=False)
    assert source_date(tmp_path) == source_date(tmp_path)
    assert source_date(tmp_path).epoch == FALLBACK_EPOCH
    _repo(tmp_path, commit=True)
    assert (source_date(tmp_path).epoch, source_date(tmp_path).source) == (
        COMMIT_TIME,
        "last commit",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "42")
    assert source_date(tmp_path).epoch == 42
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="not a number of seconds"):
        source_date(tmp_path)


def test_dht_run_takes_the_builds_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    env = LockEnv(source_date_epoch=True, values={"A": "1"}, sha256="0" * 64)
    lock = Lock(
        lock_version=LOCK_VERSION,
        python="3.11.7",
        platforms=("linux-x86_64",),
        index=LockIndex(url="https://pypi.org/simple/"),
        env=env,
    )
    write_lock(tmp_path / LOCK_FILE, lock)
    assert locked_env(tmp_path)[0]["SOURCE_DATE_EPOCH"] == str(
        FALLBACK_EPOCH
    )  # no git: 1980, not an error
    _repo(tmp_path, commit=True)
    assert locked_env(tmp_path)[0] == {"A": "1", "SOURCE_DATE_EPOCH": str(COMMIT_TIME)}


def test_git_failure_names_what_and_the_last_line(tmp_path: Path) -> None:
    _repo(tmp_path, commit=True)
    assert exists(tmp_path, "HEAD") and not exists(tmp_path, "HEAD:missing")
    with pytest.raises(DhtError) as caught:
        git(tmp_path, "show", "nope:dht.lock", what="dht.lock at 'nope'", hint="give a revision")
    text = str(caught.value)
    assert text.startswith("cannot read dht.lock at 'nope' (git show nope:dht.lock): ")
    assert "hint: give a revision" in text


def test_only_a_missing_git_reads_as_no_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dht.gitrepo import try_git

    with pytest.raises(DhtError, match=r"working folder .* does not exist"):
        try_git(tmp_path / "gone", "status")  # not "git is not installed"
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on it
    assert try_git(tmp_path, "status") is None
    with pytest.raises(DhtError, match="git is not installed"):
        git(tmp_path, "status")
