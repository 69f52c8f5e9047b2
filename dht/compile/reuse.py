"""A warm `dht lock` that reuses the previous resolution when nothing it read changed.

A lock is a function of what the compiler reads: dht.toml, the previous dht.lock
(its pins), the upgrade options, the project's own files (pyproject.toml, uv.lock,
setup.py, setup.cfg, the files setuptools reads dynamic metadata from, the git
commit when the version comes from git: what the backend-answer cache is keyed
on), uv's version (its list of Python builds), this dht's version, and the index's
pages (core metadata is cached by the artifact's hash: it never changes). The
record of a resolution is kept under the hash of the first group, with the
version (ETag, Last-Modified, else a hash) of every page it read. It is reused
only when every one of those pages is in the cache, still fresh (what a full run
would use without asking the index), and of the same version. Then the lock is
the same Lock, written by the same writer: the same bytes.

This module imports no network or resolver code: a reused lock never loads them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import msgspec

from dht import __version__
from dht.compile.cache import PAGE_TTL, Cache
from dht.model.lock import Lock

KIND = "resolution"
FORMAT = 1
_PROJECT_FILES = ("pyproject.toml", "uv.lock", "setup.py", "setup.cfg")


class Record(msgspec.Struct, frozen=True):
    index: str  # the index URL the pages are cached under
    pages: dict[str, str]  # normalized project name -> page_validator
    lock: Lock
    warnings: tuple[str, ...]


def key(
    root: Path,
    *,
    upgrade_all: bool,
    upgrade_packages: Sequence[str],
    intent_file: str,
    lock_file: str,
) -> str:
    """The hash of everything but the index that a lock of `root` is computed from."""
    data: dict[str, object] = {
        "format": FORMAT,
        "dht": __version__,
        "uv": uv_version(),
        "upgrade": [upgrade_all, sorted(upgrade_packages)],
        "intent": _digest(root / intent_file),
        "previous": _digest(root / lock_file),
    }
    for name in _PROJECT_FILES:
        data[name] = _digest(root / name)
    if (root / "pyproject.toml").is_file() or (root / "setup.py").is_file():
        data["project"] = _project_inputs(root)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def load(
    cache: Cache, record_key: str, *, offline: bool, now: float | None = None
) -> Record | None:
    """The recorded resolution, when every page it read is cached, fresh and unchanged."""
    data = cache.read_blob(KIND, record_key)
    if data is None:
        return None
    try:
        record = msgspec.msgpack.decode(data, type=Record)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None  # damaged, or from another format: a miss
    moment = time.time() if now is None else now
    for name, version in record.pages.items():
        try:
            found = cache.page_version(record.index, name)
        except ValueError:
            return None
        if found is None or found[1] != version:
            return None
        if not offline and not 0 <= moment - found[0] < PAGE_TTL:
            return None  # a full run would ask the index again: so must this one
    return record


def store(
    cache: Cache,
    record_key: str,
    *,
    index: str,
    pages: Mapping[str, str],
    lock: Lock,
    warnings: Sequence[str],
) -> None:
    record = Record(index=index, pages=dict(pages), lock=lock, warnings=tuple(warnings))
    cache.write_blob(KIND, record_key, msgspec.msgpack.encode(record))


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _project_inputs(root: Path) -> list[str]:
    """What the build backend's answers are cached by (dht/compile/project_env.py)."""
    import dht.compile.project as meta
    from dht.compile.project_env import inputs_hash
    from dht.errors import DhtError

    try:
        project = meta.read_pyproject(root)
    except DhtError:
        return ["unreadable"]  # the full run reports it; the key only has to differ
    if project is None:
        return []
    inputs = [inputs_hash(root, project)]
    if "version" in project.dynamic or project.name is None:
        inputs.append(_git_head(root))  # a version from git moves with the commit
    return inputs


def _git_head(root: Path) -> str:
    from dht.process import run

    result = run(["git", "rev-parse", "HEAD"], cwd=root, check=False, timeout=30)
    return result.output.strip() if result.code == 0 else ""


def uv_version() -> str:
    """uv's list of Python builds (the interpreter a minor version becomes) is uv's:
    the version of the uv package, as `uv_builds` keys it, found without
    importlib.metadata (13 ms to import)."""
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("uv-") and name.endswith(".dist-info"):
                return name[len("uv-") : -len(".dist-info")]
    return ""
