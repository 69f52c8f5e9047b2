"""One rule for what a project copy holds (test sandbox and build copies alike)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dht.projectfiles import copy_entry, project_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _tree(root: Path) -> None:
    for name, text in {
        "pyproject.toml": "[project]\nname='p'\n",
        "src/p/__init__.py": "",
        "src/p/build/__init__.py": "",  # a package named build, not build output
        "build/lib/p/__init__.py": "",  # top-level build output
        "dist/p-1.tar.gz": "x",
        "env/pyvenv.cfg": "home = /usr/bin\n",  # a virtualenv under any name
        "env/lib/site.py": "",
        "src/p.egg-info/PKG-INFO": "",
        ".tox/py/x": "",
        "src/p/__pycache__/a.pyc": "",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    os.symlink("src/p", root / "link")


WANTED = ["link", "pyproject.toml", "src/p/__init__.py", "src/p/build/__init__.py"]


def test_walk_and_git_listing_agree(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _tree(root)
    assert project_files(root) == WANTED  # outside git: the walk
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert project_files(root) == WANTED  # untracked, not ignored: git lists the venv; dropped
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    assert project_files(root) == WANTED  # tracked, the same


def test_copy_entry_keeps_links_and_modes(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _tree(root)
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    for name in ("link", "run.sh"):
        copy_entry(root / name, out / name)
    assert os.readlink(out / "link") == "src/p"
    assert os.stat(out / "run.sh").st_mode & 0o111
