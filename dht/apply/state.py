"""What the executor keeps on disk under `.dht/`: receipts, the journal, the apply lock.

A receipt records what was installed for an entry (the entry's fingerprint and
what it contained); "installed" means the receipt matches and the probe passes.
The journal names work in progress, so an interrupted apply is cleaned up and
converges on the next run. Every write is atomic.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dht import platform
from dht.files import atomic_write

STATE = Path(".dht")
ASIDE = ".dht-new"
OLD = ".dht-old"


GITIGNORE = (
    "# Written by dht: this folder is local to this machine; nothing in it is committed.\n*\n"
)


def state_dir(root: Path) -> Path:
    return root / STATE / "state"


def lock_cache(root: Path) -> Path:
    """The last lock an apply validated here (dht.model.lock.read_lock_cached)."""
    return state_dir(root) / "lock.msgpack"


def make_state_folder(root: Path) -> Path:
    """`.dht/state`, with a `.dht/.gitignore` that keeps the whole folder out of git (as uv
    does for `.venv`), so no project has to learn to ignore it."""
    folder = state_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    ignore = root / STATE / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, GITIGNORE.encode())
    return folder


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


class Journal:
    """Entries being changed right now; what an interrupted run leaves is recovered first."""

    def __init__(self, root: Path) -> None:
        self.path = state_dir(root) / "journal.json"

    def begin(self, entry: str, target: Path | None) -> None:
        """Record that `entry` is being changed; `target` is a folder built aside and swapped in."""
        data = read_json(self.path) or {}
        data[entry] = str(target) if target else ""
        write_json(self.path, data)

    def end(self, entry: str) -> None:
        data = read_json(self.path) or {}
        data.pop(entry, None)
        write_json(self.path, data)

    def recover(self) -> list[str]:
        """Undo half-done swaps: an environment moved aside comes back; a half-built one goes."""
        data = read_json(self.path) or {}
        done = []
        for entry, target_text in sorted(data.items()):
            done.append(entry)
            if not target_text:
                continue  # a file entry: its writes were atomic, the next run redoes it
            target = Path(target_text)
            aside, old = target.with_name(target.name + ASIDE), target.with_name(target.name + OLD)
            if not target.exists() and old.exists():
                os.replace(old, target)
            for leftover in (aside, old):
                if leftover.exists():
                    import shutil  # here: only a removal needs it (start-up of a no-op)

                    shutil.rmtree(leftover, ignore_errors=True)
        if data:
            write_json(self.path, {})
        return done


def swap_in(new: Path, target: Path) -> None:
    """Replace `target` with `new`: the old one stays usable until the last rename."""
    import shutil  # here: only a change needs it (start-up of a no-op)

    old = target.with_name(target.name + OLD)
    if old.exists():
        shutil.rmtree(old)
    if target.exists() or target.is_symlink():
        os.replace(target, old)
        crash_point("mid-swap")
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def apply_lock(root: Path) -> Iterator[None]:
    """One apply at a time per project: a second one waits, then finds nothing to do."""
    folder = make_state_folder(root)
    with open(folder / "apply.lock", "a+b") as handle:
        platform.lock_file(handle)  # waits, on every OS
        try:
            yield
        finally:
            platform.unlock_file(handle)


def crash_point(name: str) -> None:
    """Test hook: die here as `kill -9` would, when DHT_TEST_CRASH names this point.
    The crash tests loop over every point and check the next apply converges."""
    if os.environ.get("DHT_TEST_CRASH") == name:
        os._exit(137)
