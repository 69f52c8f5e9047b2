"""`dht merge-driver %O %A %B`: git's merge driver for dht.lock.

Set up once per clone (documented in the README):
    git config merge.dht.name "dht lock merge" && git config merge.dht.driver "dht merge-driver %O %A %B"
    echo "dht.lock merge=dht" >> .gitattributes
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from dht.compile.staleness import check_lock
from dht.errors import DhtError
from dht.gitrepo import git, try_git
from dht.model.intent import parse_intent
from dht.model.lock import Lock, dumps, parse_lock, write_lock
from dht.model.toml import read_text
from dht.review.merge import Conflict, merge


def _merged_intent(root: Path) -> str:
    """dht.toml as this merge will leave it: git may merge dht.lock before dht.toml, so
    merge dht.toml's three versions here (git exports the other head as GITHEAD_<sha>)."""
    head = git(root, "rev-parse", "HEAD").strip()
    heads = [k.removeprefix("GITHEAD_") for k in os.environ if k.startswith("GITHEAD_")]
    theirs = [h for h in heads if h != head]
    if not theirs:
        raise DhtError("cannot tell which commit is being merged (no GITHEAD_ variable from git)")
    base = git(root, "merge-base", "HEAD", theirs[0]).strip()
    prefix = git(root, "rev-parse", "--show-prefix").strip()
    with tempfile.TemporaryDirectory(prefix="dht-merge-") as temp:
        paths = []
        for label, rev in (("ours", "HEAD"), ("base", base), ("theirs", theirs[0])):
            path = Path(temp) / label
            path.write_text(git(root, "show", f"{rev}:{prefix}dht.toml"), encoding="utf-8")
            paths.append(str(path))
        result = try_git(root, "merge-file", "-p", *paths)
    if result is None or result.code != 0:
        raise DhtError(
            "both branches changed the same lines of dht.toml: the lock is re-made from it, so resolve it first",
            hint="resolve dht.toml, then run `dht lock` and add dht.lock",
        )
    return result.output


def _relock(root: Path, ours: Lock, intent: str | None = None) -> Lock:
    from dht.commands.lock import LockRequest, run_lock

    intent = intent if intent is not None else _merged_intent(root)
    with tempfile.TemporaryDirectory(prefix="dht-merge-") as temp:
        work = Path(temp)
        (work / "dht.toml").write_text(intent, encoding="utf-8")
        if (root / "pyproject.toml").exists():  # system dependencies are inferred from it
            shutil.copy(root / "pyproject.toml", work / "pyproject.toml")
        write_lock(work / "dht.lock", ours)  # our pins as preferences: minimal churn
        run_lock(LockRequest(root=work))
        return parse_lock(read_text(work / "dht.lock", "lock file"))


def merge_driver(root: Path, base: Path, ours: Path, theirs: Path) -> str:
    """Merge into `ours` (git's %A); re-lock from dht.toml when entries conflict."""
    locks = [parse_lock(read_text(p, "lock file"), str(p)) for p in (base, ours, theirs)]
    try:
        merged = merge(*locks)
        how = "merged entry by entry"
        # Never write what `dht lock --check` would reject: checked against the merged
        # dht.toml, as CI will check it; anything stale or inconsistent is re-locked.
        intent = _merged_intent(root)
        findings = check_lock(parse_intent(intent), merged, dumps(merged), root)
        if findings:
            merged = _relock(root, locks[1], intent)
            how = f"re-locked from the merged dht.toml (the entry-by-entry merge was not current: {findings[0]})"
    except Conflict as conflict:
        merged = _relock(root, locks[1])
        how = f"re-locked from the merged dht.toml ({', '.join(conflict.entries[:5])} changed on both sides)"
    write_lock(ours, merged)
    print(f"dht merge-driver: dht.lock {how}", file=sys.stderr)
    return how
