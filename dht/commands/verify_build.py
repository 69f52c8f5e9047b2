"""`dht verify-build FILES`, and the verification `dht build` runs after building."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from dht.buildcheck.run import subjects, verify
from dht.buildcheck.verdict import Context, Report
from dht.model.lock import LOCK_FILE, Lock, read_lock


def project_lock(root: Path) -> Lock | None:
    """The dht.lock in `root`, when there is one (its index, platforms and Python)."""
    path = root / LOCK_FILE
    return read_lock(path)[0] if path.exists() else None


def verify_files(
    paths: Sequence[Path], *, root: Path | None, lock_root: Path, offline: bool = False
) -> Report:
    """Verify the artifacts in a private temporary folder, removed afterwards."""
    subjects(paths)  # a bad file name is a usage error before the lock is even read
    lock = project_lock(lock_root)
    with tempfile.TemporaryDirectory(prefix="dht-verify-") as temp:
        return verify(paths, Context(Path(temp), root=root, lock=lock, offline=offline))
