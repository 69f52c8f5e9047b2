"""Build a project's sdist and wheel with its own PEP 517 backend (through `uv build`),
in a copy of the project, under stated conditions.

`reproducible` builds twice: once under a baseline, once with everything a
build should not depend on changed (umask, time zone, locale, hash seed, HOME,
build path, file modification times). Both builds get the same
SOURCE_DATE_EPOCH. The umask is set in the child only, by a small wrapper.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import uv

from dht.errors import DhtError, InputError
from dht.process import clean_env, run

FALLBACK_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the zip epoch, used when there is no commit
TOUCHED_MTIME = 1_000_000_000  # 2001-09-09T01:46:40Z: every file of the varied copy
SKIPPED = {".git", ".hg", ".svn", ".venv", "venv", ".dht", "dist", "build", "__pycache__",
           ".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox", ".nox"}  # fmt: skip
_UMASK_EXEC = "import os, sys; os.umask(int(sys.argv[1], 8)); os.execv(sys.argv[2], sys.argv[2:])"


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


@dataclass(frozen=True)
class Conditions:
    label: str
    umask: int
    tz: str
    locale: str
    hash_seed: str
    folder: str  # the copy's parent folder inside the temporary directory
    touch: int | None  # mtime given to every file of the copy; None keeps the project's

    def describe(self) -> dict[str, str]:
        return {
            "umask": f"{self.umask:03o}",
            "TZ": self.tz,
            "LC_ALL": self.locale,
            "PYTHONHASHSEED": self.hash_seed,
            "HOME": f"private ({self.label})",
            "path": f"<tmp>/{self.folder}",
            "mtimes": "as in the project" if self.touch is None else f"all {_iso(self.touch)}",
        }


BASELINE = Conditions("A", 0o022, "UTC", "C.UTF-8", "0", "a", None)
VARIED = Conditions("B", 0o002, "Pacific/Kiritimati", "C", "1",
                    "b/a-longer-build-path-than-the-first-one", TOUCHED_MTIME)  # fmt: skip


@dataclass(frozen=True)
class SourceDate:
    epoch: int
    source: str  # "SOURCE_DATE_EPOCH", "last commit" or "fixed (no git commit)"


def source_date(root: Path) -> SourceDate:
    """SOURCE_DATE_EPOCH from the environment, else the last commit's time, else 1980-01-01."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given is not None:
        if not given.strip().isdigit():
            raise InputError(
                f"SOURCE_DATE_EPOCH={given!r} is not a number of seconds",
                where="environment",
                hint="unset it to use the last commit's time",
            )
        return SourceDate(int(given), "SOURCE_DATE_EPOCH")
    try:
        out = run(["git", "log", "-1", "--format=%ct"], cwd=root, timeout=30, check=False)
    except DhtError:  # git is not installed
        return SourceDate(FALLBACK_EPOCH, "fixed (no git)")
    text = out.output.strip()
    if out.code == 0 and text.isdigit():
        return SourceDate(int(text), "last commit")
    return SourceDate(FALLBACK_EPOCH, "fixed (no git commit)")


def backend(root: Path) -> str:
    """The project's build backend; a DhtError when it has none."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"not valid TOML: {exc}", where=str(pyproject)) from None
        system = data.get("build-system", {})
        if isinstance(system, dict) and isinstance(system.get("build-backend"), str):
            return str(system["build-backend"])
    if (root / "setup.py").is_file():
        return "setuptools.build_meta:__legacy__"
    raise InputError(
        "no build backend: "
        + ("pyproject.toml has no [build-system]" if pyproject.is_file() else "no pyproject.toml or setup.py"),
        where=str(root),
        hint='declare one in pyproject.toml: [build-system] requires = ["hatchling"], build-backend = "hatchling.build"',
    )  # fmt: skip


def project_files(root: Path) -> list[str]:
    """What a build from this working tree sees: git's tracked and untracked-but-not-ignored
    files; outside git, everything but VCS folders, virtualenvs, build output and caches."""
    try:
        listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                     cwd=root, timeout=60, check=False)  # fmt: skip
    except DhtError:
        listed = None
    if listed is not None and listed.code == 0:
        names = {n for n in listed.output.split("\0") if n}
        return sorted(n for n in names if os.path.lexists(root / n))
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.endswith(".egg-info"))
        base = Path(folder).relative_to(root)
        out.extend((base / f).as_posix() for f in files)
    return sorted(out)


def copy_project(root: Path, files: list[str], dest: Path, conditions: Conditions) -> None:
    """A fresh checkout as git would make it under the umask: modes from the execute bit only."""
    dirmode = 0o777 & ~conditions.umask
    dest.mkdir(parents=True)
    os.chmod(dest, dirmode)
    for name in files:
        source, target = root / name, dest / name
        if not target.parent.exists():
            target.parent.mkdir(parents=True)
            for parent in [target.parent, *target.parent.parents]:
                if parent == dest:
                    break
                os.chmod(parent, dirmode)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
            continue
        if source.is_dir():  # a git submodule
            shutil.copytree(source, target, symlinks=True)
            continue
        shutil.copy2(source, target)
        executable = os.stat(source).st_mode & 0o111
        os.chmod(target, (0o777 if executable else 0o666) & ~conditions.umask)
    if conditions.touch is not None:
        for folder, _, names in os.walk(dest):
            for name in [*names, "."]:
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    os.utime(path, (conditions.touch, conditions.touch))


@dataclass(frozen=True)
class UvDirs:
    """uv's cache and Python folders, read before HOME is changed, so builds reuse them."""

    cache: str
    python: str

    @classmethod
    def read(cls) -> UvDirs:
        binary = uv.find_uv_bin()
        cache = run([binary, "cache", "dir"], env=clean_env(), timeout=60).output.strip()
        python = run([binary, "python", "dir"], env=clean_env(), timeout=60).output.strip()
        if not cache or not python:
            raise DhtError("`uv cache dir` or `uv python dir` printed nothing")
        return cls(cache.splitlines()[-1], python.splitlines()[-1])


def build_env(conditions: Conditions, epoch: int, home: Path, dirs: UvDirs) -> dict[str, str]:
    drop = ("LANG", "LANGUAGE", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
    env = {k: v for k, v in clean_env().items() if k not in drop and not k.startswith("LC_")}
    env.update(
        HOME=str(home),
        TZ=conditions.tz,
        LC_ALL=conditions.locale,
        PYTHONHASHSEED=conditions.hash_seed,
        SOURCE_DATE_EPOCH=str(epoch),
        UV_CACHE_DIR=dirs.cache,
        UV_PYTHON_INSTALL_DIR=dirs.python,
    )
    return env


def uv_build(source: Path, out: Path, env: dict[str, str], umask: int | None = None) -> list[Path]:
    """`uv build --sdist --wheel` of `source` into `out`; the files it wrote, sorted."""
    out.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in out.iterdir()}
    argv = [uv.find_uv_bin(), "build", "--sdist", "--wheel", "--out-dir", str(out),
            "--python", sys.executable, "--no-progress"]  # fmt: skip
    if umask is not None:
        argv = [sys.executable, "-c", _UMASK_EXEC, f"{umask:03o}", *argv]
    try:
        run(argv, cwd=source, env=env, timeout=900)
    except DhtError as exc:
        exc.hint = exc.hint or "the project's build backend failed: see its output above"
        raise
    built = sorted(p for p in out.iterdir() if p.name not in before and p.name.endswith((".whl", ".tar.gz")))  # fmt: skip
    if not built:
        raise DhtError("the build wrote no wheel or sdist", where=str(source))
    return built


def _copy_path(work: Path, root: Path, conditions: Conditions) -> Path:
    return work / conditions.folder / (root.resolve().name or "project")


def build_copy(source: Path, work: Path, conditions: Conditions, epoch: int, dirs: UvDirs) -> Path:
    """One build of the copy `source` under `conditions`; the folder holding its sdist and wheel."""
    home = work / f"home-{conditions.label}"
    home.mkdir()
    out = work / f"out-{conditions.label}"
    uv_build(source, out, build_env(conditions, epoch, home, dirs), conditions.umask)
    return out


def build_baseline(root: Path, work: Path, epoch: int) -> Path:
    """One build of a fresh copy under the baseline: what `--reproducible` calls build A."""
    backend(root)
    copy = _copy_path(work, root, BASELINE)
    copy_project(root, project_files(root), copy, BASELINE)
    return build_copy(copy, work, BASELINE, epoch, UvDirs.read())


def build_twice(root: Path, work: Path, epoch: int) -> tuple[Path, Path]:
    """The baseline and the varied build, each in its own folder under `work`. Both copies
    are made before either build, the second from the first, so both see the same bytes
    even while someone edits the project."""
    backend(root)
    files = project_files(root)
    dirs = UvDirs.read()
    copy_a, copy_b = _copy_path(work, root, BASELINE), _copy_path(work, root, VARIED)
    copy_project(root, files, copy_a, BASELINE)
    copy_project(copy_a, files, copy_b, VARIED)
    return (
        build_copy(copy_a, work, BASELINE, epoch, dirs),
        build_copy(copy_b, work, VARIED, epoch, dirs),
    )
