"""`dht diff [OLD] [NEW]`: two locks, each a file or a git revision, compared for review."""

from __future__ import annotations

from pathlib import Path

from dht.gitrepo import exists, git
from dht.model.lock import LOCK_FILE, LOCK_VERSION, Lock, LockIndex, parse_lock, read_lock
from dht.review.diff import LockDiff, diff

# What a revision without dht.lock holds: nothing, so every entry of the other side is added.
EMPTY = Lock(lock_version=LOCK_VERSION, python="", platforms=(), index=LockIndex(url=""))


def load(root: Path, spec: str, notes: list[str] | None = None) -> Lock:
    """A lock from a file path, or `dht.lock` as of a git revision (HEAD, origin/main, a sha).
    A revision that has no dht.lock (the lock's first commit is still to come) gives the
    empty lock, with a note; a revision that does not exist is an error."""
    path = root / spec
    if path.is_file():
        return read_lock(path)[0]
    prefix = git(root, "rev-parse", "--show-prefix", hint=_HINT).strip()
    at = f"{spec}:{prefix}{LOCK_FILE}"
    if (spec == "HEAD" or exists(root, f"{spec}^{{commit}}")) and not exists(root, at):
        if notes is not None:
            fresh = spec == "HEAD" and not exists(root, "HEAD")
            notes.append(
                f"{spec} has no {prefix}{LOCK_FILE}"
                + (" (no commit yet)" if fresh else "")
                + ": compared with an empty lock"
            )
        return EMPTY
    text = git(root, "show", at, what=f"{LOCK_FILE} at {spec!r}", hint=_HINT)
    return parse_lock(text, at)


_HINT = "give a lock file path, or a git revision that exists (HEAD, origin/main, a commit)"


def run_diff(root: Path, old: str | None, new: str | None) -> LockDiff:
    notes: list[str] = []
    before = load(root, old or "HEAD", notes)
    after = load(root, new or LOCK_FILE, notes)
    result = diff(before, after)
    result.notes.extend(notes)
    return result
