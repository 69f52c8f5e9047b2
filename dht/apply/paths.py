"""Paths from an untrusted lock: only inside the project root, never through a symlink out."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from dht.errors import InputError
from dht.model.names import reserved_path


class UnsafePath(InputError):
    pass


def safe_path(root: Path, relative: str, *, where: str = "dht.lock") -> Path:
    """`root / relative`, refused unless it stays inside `root` (no absolute paths, `..`,
    drive letters, NUL, backslashes, or symlinks that lead out)."""
    hint = "paths in dht.lock must be relative paths inside the project, like pyproject.toml"
    if not relative or "\0" in relative or "\\" in relative or "\n" in relative:
        raise UnsafePath(f"path {relative!r} is not allowed", where=where, hint=hint)
    pure = PurePosixPath(relative)
    if pure.is_absolute() or (len(relative) > 1 and relative[1] == ":") or ".." in pure.parts:
        raise UnsafePath(f"path {relative!r} leaves the project", where=where, hint=hint)
    if reserved_path(relative):
        raise UnsafePath(
            f"path {relative!r} is reserved: configs may not write into .git, .dht, .venv or dht's own files",
            where=where,
            hint=hint,
        )
    base = root.resolve()
    candidate = base.joinpath(*pure.parts)
    # Resolve what exists: a symlink anywhere on the way must stay inside too.
    resolved = Path(os.path.realpath(candidate))
    if resolved != base and base not in resolved.parents:
        raise UnsafePath(
            f"path {relative!r} leads out of the project through a symlink", where=where, hint=hint
        )
    # Where the symlinks lead counts, not how the path is spelt: a link to .git/config
    # must not let a config write git's own settings (which run commands).
    if resolved != candidate and reserved_path(resolved.relative_to(base).as_posix()):
        raise UnsafePath(
            f"path {relative!r} leads into .git, .dht, .venv or dht's own files through a symlink",
            where=where,
            hint=hint,
        )
    return candidate
