"""`dht diff [OLD] [NEW]`: two locks, each a file or a git revision, compared for review."""

from __future__ import annotations

from pathlib import Path

from dht.errors import DhtError
from dht.model.lock import LOCK_FILE, Lock, parse_lock, read_lock
from dht.process import run
from dht.review.diff import LockDiff, diff


def load(root: Path, spec: str) -> Lock:
    """A lock from a file path, or `dht.lock` as of a git revision (HEAD, origin/main, a sha)."""
    path = root / spec
    if path.is_file():
        return read_lock(path)[0]
    prefix = _git(root, ["rev-parse", "--show-prefix"]).strip()
    text = _git(root, ["show", f"{spec}:{prefix}{LOCK_FILE}"], what=f"{LOCK_FILE} at {spec!r}")
    return parse_lock(text, f"{spec}:{prefix}{LOCK_FILE}")


def _git(root: Path, args: list[str], what: str | None = None) -> str:
    result = run(["git", *args], cwd=root, check=False, timeout=60)
    if result.code != 0:
        raise DhtError(
            f"cannot read {what or 'the git repository'}: {result.output.strip().splitlines()[-1] if result.output.strip() else 'git failed'}",
            hint="give a lock file path, or a git revision that exists (HEAD, origin/main, a commit)",
        )
    return result.output


def run_diff(root: Path, old: str | None, new: str | None) -> LockDiff:
    before = load(root, old or "HEAD")
    after = load(root, new or LOCK_FILE)
    return diff(before, after)
