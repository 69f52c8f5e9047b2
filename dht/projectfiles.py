"""What a copy of the project holds, for the test sandbox and the build copies alike:
git's tracked and untracked-but-not-ignored files (outside git, a walk), without VCS
folders, virtualenvs (any folder with a pyvenv.cfg), caches, egg-info, and the
top-level build output. Symlinks are kept as links; a submodule is a folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from dht.gitrepo import try_git

SKIP_ANYWHERE = frozenset({".git", ".hg", ".svn", ".venv", ".dht", "__pycache__", ".pytest_cache",
                           ".mypy_cache", ".ruff_cache", ".tox", ".nox"})  # fmt: skip
SKIP_TOP = frozenset({"build", "dist"})


def project_files(root: Path) -> list[str]:
    """Relative POSIX paths to copy, sorted."""
    listed = try_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is not None and listed.code == 0:
        names = [n for n in listed.output.split("\0") if n]
    else:
        names = [p.relative_to(root).as_posix() for p in _walk(root, root)]
    venvs = {n.rpartition("/")[0] for n in names if n.rpartition("/")[2] == "pyvenv.cfg"}
    return sorted(
        n for n in set(names) if wanted(n) and not _inside(n, venvs) and os.path.lexists(root / n)
    )


def wanted(relative: str) -> bool:
    parts = relative.split("/")
    return all(_wanted_name(name, i == 0) for i, name in enumerate(parts))


def _wanted_name(name: str, top: bool) -> bool:
    return not (name in SKIP_ANYWHERE or name.endswith(".egg-info") or (top and name in SKIP_TOP))


def _inside(name: str, folders: set[str]) -> bool:
    return any(name == f or name.startswith(f + "/") for f in folders)


def _walk(root: Path, folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir()):
        if not _wanted_name(entry.name, folder == root):
            continue
        if entry.is_dir() and not entry.is_symlink():
            if not (entry / "pyvenv.cfg").is_file():
                yield from _walk(root, entry)
        else:
            yield entry


def copy_entry(source: Path, target: Path) -> bool:
    """One listed entry: a symlink as a link (even dangling), a submodule's folder whole,
    a file with its times and mode. True when it was a regular file."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return False
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
        return False
    shutil.copy2(source, target)
    return True
