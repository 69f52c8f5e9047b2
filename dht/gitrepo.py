"""Every question dht asks git, through one helper: the environment git runs in, the
error a failure becomes, the source date, and whether a revision exists."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dht.errors import DhtError, InputError
from dht.process import Completed, ProcessError, run

# Variables that would point git at another repository than the folder's.
REDIRECTS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE",
             "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM")  # fmt: skip
FALLBACK_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the zip epoch, used when there is no commit


def git_env(extra: Mapping[str, str] | None = None, *, redirected: bool = True) -> dict[str, str]:
    """The caller's environment for git, which only reads: no optional locks, no prompt,
    messages in English. Without `redirected`, GIT_DIR and the like are dropped (a build
    copy's git must see the copy's own `.git`, whatever a hook exported)."""
    env = {k: v for k, v in os.environ.items() if redirected or k not in REDIRECTS}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    env.update(extra or {})
    return env


def try_git(
    cwd: Path,
    *args: str,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> Completed | None:
    """`git ARGS` in `cwd`, whatever its exit code; None when git is not installed (a
    timeout or a missing working folder stays the error it is)."""
    try:
        return run(
            ["git", *args], cwd=cwd, env=env or git_env(), timeout=timeout, stdin=stdin, check=False
        )
    except ProcessError as exc:
        if exc.code == 127:
            return None
        raise


def git(
    cwd: Path,
    *args: str,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    what: str | None = None,
    hint: str | None = None,
) -> str:
    """`git ARGS`'s output; a failure says what could not be read, git's last line, and `hint`."""
    result = try_git(cwd, *args, stdin=stdin, env=env)
    if result is None:
        raise DhtError("git is not installed", hint="install git, or run outside a git checkout")
    if result.code != 0:
        last = (
            result.output.strip().splitlines()[-1]
            if result.output.strip()
            else f"exit code {result.code}"
        )
        raise DhtError(
            f"cannot read {what or 'the git repository'} (git {' '.join(args)}): {last}", hint=hint
        )
    return result.output


def exists(cwd: Path, rev: str) -> bool:
    """Whether `rev` names an object in the repository at `cwd`."""
    result = try_git(cwd, "cat-file", "-e", rev, timeout=60)
    return result is not None and result.code == 0


@dataclass(frozen=True)
class SourceDate:
    epoch: int
    source: str  # "SOURCE_DATE_EPOCH", "last commit", "fixed (no git)" or "fixed (no git commit)"


def source_date(root: Path) -> SourceDate:
    """The one SOURCE_DATE_EPOCH rule (builds, `dht run`, `dht env`): the environment's
    value, else the last commit's time, else 1980-01-01."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given is not None:
        if not given.strip().isdigit():
            raise InputError(
                f"SOURCE_DATE_EPOCH={given!r} is not a number of seconds",
                where="environment",
                hint="unset it to use the last commit's time",
            )
        return SourceDate(int(given), "SOURCE_DATE_EPOCH")
    out = try_git(root, "log", "-1", "--format=%ct", timeout=30)
    if out is None:
        return SourceDate(FALLBACK_EPOCH, "fixed (no git)")
    text = out.output.strip()
    if out.code == 0 and text.isdigit():
        return SourceDate(int(text), "last commit")
    return SourceDate(FALLBACK_EPOCH, "fixed (no git commit)")
