"""contents: no stray files (bytecode, VCS folders, caches, build leftovers, editor
droppings), and a wheel installs the top-level packages the project declares, no more
(the checks check-wheel-contents makes: W001, W003, W005, W006, W007, W010, W101)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from dht.buildcheck.archive import Archive
from dht.buildcheck.binaries import inspect
from dht.buildcheck.verdict import Context, Subject, Verdict, failed

CHECK = "contents"
_VCS = {".git", ".hg", ".svn", ".bzr", "CVS", "_darcs", ".jj"}
_LEFTOVER_FOLDERS = {".tox", ".nox", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                     ".hypothesis", ".venv", ".eggs", "node_modules", ".ipynb_checkpoints",
                     ".idea", ".vscode"}  # fmt: skip
_LEFTOVER_FILES = {".DS_Store", "Thumbs.db", ".coverage"}
_LEFTOVER_SUFFIXES = (".swp", ".swo", ".orig", ".rej", "~", ".o", ".obj")
# names that land in site-packages as packages of their own by accident (W005)
_COMMON = {"build", "data", "dist", "doc", "docs", "example", "examples", "src", "test",
           "tests", "venv", "benchmark", "benchmarks"}  # fmt: skip
_MODULE_SUFFIXES = (".py", ".pyi", ".so", ".pyd", ".pth")


def check(subject: Subject, ctx: Context, archive: Archive) -> Verdict:
    reasons = _strays(archive)
    if subject.kind == "wheel":
        reasons += _wheel_tree(archive, ctx.root)
    else:
        reasons += _sdist_binaries(archive)
    return failed(CHECK, reasons)


def _strays(archive: Archive) -> list[str]:
    reasons: set[str] = set()
    where = "wheel" if archive.kind == "wheel" else "sdist"
    for m in archive.members:
        parts = [p for p in m.name.split("/") if p]
        for i, part in enumerate(parts[:-1] if m.kind != "dir" else parts):
            folder = "/".join(parts[: i + 1]) + "/"
            if part in _VCS:
                reasons.add(f"{folder} is a version-control folder packaged in the {where}: exclude it in the build backend's settings")  # fmt: skip
            elif part == "__pycache__":
                reasons.add(f"{folder} is a bytecode cache packaged in the {where}: build from a clean checkout or exclude __pycache__")  # fmt: skip
            elif part in _LEFTOVER_FOLDERS:
                reasons.add(f"{folder} is a tool's cache or environment packaged in the {where}: exclude it")  # fmt: skip
        if m.kind != "file" or not parts:
            continue
        base = parts[-1]
        if "__pycache__" in parts or any(p in _VCS | _LEFTOVER_FOLDERS for p in parts):
            continue  # the folder is already reported
        if base.endswith((".pyc", ".pyo")):
            reasons.add(f"{m.name} is compiled bytecode: installers compile for the Python they install into; leave .pyc files out of the {where}")  # fmt: skip
        elif base in _LEFTOVER_FILES or base.endswith(_LEFTOVER_SUFFIXES):
            reasons.add(f"{m.name} is a leftover (editor, OS or build droppings), not part of the project: exclude it")  # fmt: skip
    return sorted(reasons)


def _sdist_binaries(archive: Archive) -> list[str]:
    return [f"{name} is compiled code in an sdist: a leftover of an in-place build; exclude it so builds start from source" for name, data in sorted(archive.files.items()) if not name.endswith(_LEFTOVER_SUFFIXES) and inspect(data)]  # fmt: skip


def _wheel_tree(archive: Archive, root: Path | None) -> list[str]:
    lib = [m for m in archive.members
           if m.kind == "file" and not m.name.split("/", 1)[0].endswith((".dist-info", ".data"))]  # fmt: skip
    has_data = any(m.name.split("/", 1)[0].endswith(".data") for m in archive.members)
    if not lib and not has_data:
        return ["the wheel installs nothing but its metadata: the build backend did not find the package; check its include settings"]  # fmt: skip
    declared = _declared(root, archive.path.name) if root else None
    reasons = []
    tops: set[str] = set()
    for m in lib:
        if "/" in m.name:
            tops.add(m.name.split("/", 1)[0])
            continue
        if m.name == "__init__.py":
            reasons.append("__init__.py is at the top of the wheel: it would land in site-packages itself; put it inside the package folder")  # fmt: skip
        elif m.name.endswith(_MODULE_SUFFIXES):
            tops.add(m.name.split(".", 1)[0])
        else:
            reasons.append(f"{m.name} is not a module but sits at the top of the wheel: it would land in site-packages itself; move it into the package")  # fmt: skip
    # A project named `example` or `docs` ships that package on purpose.
    own = archive.path.name.split("-", 1)[0].lower()
    for top in sorted(tops & _COMMON):
        if (declared is None or top not in declared) and top.lower() != own:
            reasons.append(f"{top}/ is installed as a top-level package named {top!r}: it clashes with every other project that ships one; leave it out of the wheel or move it inside the package")  # fmt: skip
    if declared:
        source = "the project (pyproject.toml)"
        for top in sorted(declared - tops):
            reasons.append(f"{top} is declared by {source} but is not in the wheel: check the build backend's include settings")  # fmt: skip
        # NAME.libs/: libraries auditwheel or delvewheel bundled, not the project's own
        for top in sorted(t for t in tops - declared - _COMMON if not t.endswith(".libs")):
            reasons.append(f"{top} is in the wheel but {source} does not declare it: a stray folder packaged by accident, or a declaration to add")  # fmt: skip
    return reasons


def _declared(root: Path, filename: str) -> set[str] | None:
    """The top-level import names the project declares, or None when it leaves them to
    its backend's discovery (then only W005 applies)."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    backend = str(_table(data, "build-system").get("build-backend", ""))
    hatch = _table(data, "tool", "hatch", "build", "targets", "wheel").get("packages")
    if backend.startswith("hatchling") and isinstance(hatch, list):
        return {str(p).rstrip("/").rsplit("/", 1)[-1] for p in hatch}
    setuptools = _table(data, "tool", "setuptools")
    packages, modules = setuptools.get("packages"), setuptools.get("py-modules", [])
    if backend.startswith("setuptools") and isinstance(packages, list):
        names = {str(p).split(".", 1)[0] for p in packages}
        return names | ({str(m) for m in modules} if isinstance(modules, list) else set())
    if backend.startswith("flit_core"):
        name = _table(data, "tool", "flit", "module").get("name")
    elif backend == "uv_build":
        name = _table(data, "tool", "uv", "build-backend").get("module-name")
    else:
        return None
    if isinstance(name, str):
        return {name.split(".", 1)[0]}
    try:
        project = parse_wheel_filename(filename)[0]
    except InvalidWheelFilename:
        return None  # well-formed says so
    return {canonicalize_name(project).replace("-", "_")}


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """data[k1][k2]...: {} where a key is missing or not a table (a malformed file)."""
    for key in keys:
        value = data.get(key)
        if not isinstance(value, dict):
            return {}
        data = value
    return data
