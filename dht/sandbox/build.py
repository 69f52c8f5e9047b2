"""Build a project's sdist and wheel with its own PEP 517 backend (through `uv build`),
in a copy of the project, under stated conditions.

`reproducible` builds twice: once under a baseline, once with everything a
build should not depend on changed (umask, time zone, locale, hash seed, HOME,
build path, file modification times). Both builds get the same
SOURCE_DATE_EPOCH. The umask is set in the child only (subprocess's umask=, POSIX).

Each copy carries the checkout's git metadata (dht.sandbox.gitmeta), so a version
taken from git (setuptools-scm, hatch-vcs, …) is the one the backend computes in
the checkout, the same in both builds. A failed build says what it most likely
means (no git metadata, a missing build requirement, no compiler) with the last
lines of the backend's output.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import uv

from dht import platform
from dht.errors import DhtError, InputError
from dht.gitrepo import REDIRECTS
from dht.model.toml import parse_toml, read_text
from dht.process import clean_env, run
from dht.projectfiles import copy_entry, project_files
from dht.sandbox import gitmeta

TOUCHED_MTIME = 1_000_000_000  # 2001-09-09T01:46:40Z: every file of the varied copy


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


def backend(root: Path) -> str:
    """The project's build backend; a DhtError when it has none."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = parse_toml(read_text(pyproject, "pyproject.toml"), str(pyproject))
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
        if not copy_entry(source, target):
            continue  # a link or a submodule: as it is
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


def build_env(
    conditions: Conditions, epoch: int, home: Path, dirs: UvDirs, work: Path
) -> dict[str, str]:
    drop = ("LANG", "LANGUAGE", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
    env = {k: v for k, v in clean_env().items() if k not in drop and not k.startswith("LC_")}
    env = {k: v for k, v in env.items() if k not in REDIRECTS}
    env.update(
        TZ=conditions.tz,
        LC_ALL=conditions.locale,
        PYTHONHASHSEED=conditions.hash_seed,
        SOURCE_DATE_EPOCH=str(epoch),
        UV_CACHE_DIR=dirs.cache,
        UV_PYTHON_INSTALL_DIR=dirs.python,
        # git in the copy finds the copy's own .git, or none: never a repository that
        # happens to hold the temporary folder.
        GIT_CEILING_DIRECTORIES=str(work),
    )
    # HOME and, per OS, the profile and temp variables: all point into the build's own folder.
    os_name = platform.current()
    env.update(platform.home_env(home, home.parent / f"tmp-{home.name}", os_name))
    return env


def uv_build(
    source: Path, out: Path, env: dict[str, str], umask: int | None = None, *, explain: Explain
) -> list[Path]:
    """`uv build --sdist --wheel` of `source` into `out`; the files it wrote, sorted."""
    out.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in out.iterdir()}
    argv = [uv.find_uv_bin(), "build", "--sdist", "--wheel", "--out-dir", str(out),
            "--python", sys.executable, "--no-progress"]  # fmt: skip
    if not platform.has_umask(platform.current()):
        umask = None  # Windows has none; file modes do not reach its archives either
    done = run(argv, cwd=source, env=env, timeout=900, check=False, umask=umask)
    if done.code != 0:
        output = done.output.replace(str(source), "<copy>")
        raise DhtError(
            f"the build backend failed (`uv build` exited {done.code}); its last lines:\n"
            + last_lines(output),
            where=str(explain.root),
            hint=explain.cause(output),
        )
    built = sorted(p for p in out.iterdir() if p.name not in before and p.name.endswith((".whl", ".tar.gz")))  # fmt: skip
    if not built:
        raise DhtError("the build wrote no wheel or sdist", where=str(source))
    return built


def last_lines(output: str, count: int = 25) -> str:
    lines = [line.rstrip() for line in output.strip().splitlines() if line.strip()]
    shown = lines[-count:]
    return "\n".join(["  …", *shown] if len(lines) > count else shown)


@dataclass(frozen=True)
class Explain:
    """What a failed build's output most likely means, for this project."""

    root: Path
    versioning: str | None
    """The git-versioning plugin among the build requirements (gitmeta.versioning)."""
    git: bool
    """The build copies carried the checkout's git metadata."""
    describe: str = ""

    def cause(self, output: str) -> str:
        for check in (self._git, self._requirement, self._compiler):
            found = check(output)
            if found:
                return found
        return "the project's build backend failed: its last lines are above"

    def _git(self, output: str) -> str | None:
        if not _NO_VERSION.search(output):
            return None
        plugin = self.versioning or "the build backend"
        if not self.git:
            return (
                f"no git metadata: the version comes from git ({plugin}) and {self.root} is not"
                " in a git checkout (dht gives the build copies the checkout's .git when there is"
                " one); build from a git clone with its tags, or set the backend's pretend version"
                " (SETUPTOOLS_SCM_PRETEND_VERSION=X.Y.Z for setuptools-scm and hatch-vcs)"
            )
        seen = f" (git describe: {self.describe})" if self.describe else ""
        return (
            f"the version comes from git ({plugin}) and it found no usable tag{seen}: fetch the"
            " tags (`git fetch --tags`; `git fetch --unshallow --tags` in a shallow clone)"
        )

    def _requirement(self, output: str) -> str | None:
        found = _UNRESOLVED.search(output)
        if found:
            detail = _CAUSE.findall(output[found.start() :])
            said = f" ({detail[-1].strip()})" if detail else ""
            return (
                f"a build requirement could not be installed{said}: check [build-system]"
                " requires in pyproject.toml, and that the index is in reach"
            )
        module = _UNDECLARED.search(output)
        if module:
            return (
                f"missing build requirement: the build imports {module.group(1)!r}, which"
                " [build-system] requires in pyproject.toml does not list: add its distribution"
                " there"
            )
        return None

    def _compiler(self, output: str) -> str | None:
        if _HEADERS.search(output):
            return (
                "Python's C headers are missing (Python.h): install them (Debian/Ubuntu:"
                " python3-dev, Fedora: python3-devel) or use a Python that has them"
            )
        found = _COMPILER.search(output)
        if found is None:
            return None
        if "rust" in found.group(0).lower() or "linker `cc`" in found.group(0):
            return "compiler missing: the build needs Rust (rustup.rs) and a C linker (cc)"
        return (
            "compiler missing: the build compiles C/C++ and found no compiler"
            f" ({found.group(0).strip()}); install one (Debian/Ubuntu: build-essential, Fedora:"
            " gcc, macOS: xcode-select --install), or declare it in [system] of dht.toml"
        )


_NO_VERSION = re.compile(
    r"unable to detect version|Error getting the version from source `vcs`|NotVCSError"
    r"|NoTagError|not appear to be a Git project|Cannot find the version from SCM"
    r"|fatal: not a git repository|No names found, cannot describe anything",
    re.IGNORECASE,
)
_UNRESOLVED = re.compile(r"Failed to (?:resolve|install) requirements from `build-system.requires`")
_CAUSE = re.compile(r"^\s*(?:cause:|Caused by:|╰─▶)\s*(.+)$", re.MULTILINE)
_UNDECLARED = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
_HEADERS = re.compile(r"Python\.h: No such file or directory")
_COMPILER = re.compile(
    r"command '[^']*(?:gcc|cc|clang|g\+\+|c\+\+)' failed|unable to execute '[^']+'"
    r"|\[Errno 2\] No such file or directory: '[^']*(?:gcc|cc|clang|g\+\+|c\+\+|cl\.exe)'"
    r"|error: linker `cc` not found|can't find Rust compiler|Microsoft Visual C\+\+ [\d.]+ or greater"
    r"|No CMAKE_C(?:XX)?_COMPILER could be found|(?:gcc|cc|clang): (?:command )?not found"
)


@dataclass(frozen=True)
class Copies:
    """The copies of one build run: each project folder, and what their git says."""

    projects: tuple[Path, ...]
    explain: Explain


def _tops(
    work: Path, root: Path, conditions: Conditions, snap: gitmeta.Snapshot | None
) -> tuple[Path, Path]:
    """(the copy's repository top, the project folder in it): the same layout as the checkout."""
    base = work / conditions.folder
    if snap is None:
        project = base / (root.resolve().name or "project")
        return project, project
    top = base / (snap.top.name or "project")
    return top, (top / snap.prefix if snap.prefix else top)


def make_copies(root: Path, work: Path, conditions: tuple[Conditions, ...]) -> Copies:
    """A fresh copy per condition, each with the checkout's git metadata. Copies after the
    first are made from the first, so all see the same bytes even while someone edits the
    project."""
    backend(root)
    files = project_files(root)
    snap = gitmeta.read(root)
    git_home = work / "git-home"
    git_home.mkdir()
    projects: list[Path] = []
    for cond in conditions:
        top, project = _tops(work, root, cond, snap)
        copy_project(projects[0] if projects else root, files, project, cond)
        if snap is not None:
            gitmeta.plant(snap, top, git_home)
        projects.append(project)
    describe = gitmeta.describe(projects[0], git_home) if snap is not None else ""
    explain = Explain(root, gitmeta.versioning(root), snap is not None, describe)
    return Copies(tuple(projects), explain)


def build_copy(
    source: Path, work: Path, conditions: Conditions, epoch: int, dirs: UvDirs, explain: Explain
) -> Path:
    """One build of the copy `source` under `conditions`; the folder holding its sdist and wheel."""
    home = work / f"home-{conditions.label}"
    home.mkdir()
    (work / f"tmp-{home.name}").mkdir()
    for folder in platform.home_folders(home, platform.current()):
        folder.mkdir(parents=True)
    out = work / f"out-{conditions.label}"
    env = build_env(conditions, epoch, home, dirs, work)
    uv_build(source, out, env, conditions.umask, explain=explain)
    return out


def build_baseline(root: Path, work: Path, epoch: int) -> tuple[Path, Explain]:
    """One build of a fresh copy under the baseline: what `--reproducible` calls build A."""
    copies = make_copies(root, work, (BASELINE,))
    out = build_copy(copies.projects[0], work, BASELINE, epoch, UvDirs.read(), copies.explain)
    return out, copies.explain


def build_twice(root: Path, work: Path, epoch: int) -> tuple[Path, Path, Explain]:
    """The baseline and the varied build, each in its own folder under `work`."""
    copies = make_copies(root, work, (BASELINE, VARIED))
    dirs = UvDirs.read()
    copy_a, copy_b = copies.projects
    return (
        build_copy(copy_a, work, BASELINE, epoch, dirs, copies.explain),
        build_copy(copy_b, work, VARIED, epoch, dirs, copies.explain),
        copies.explain,
    )
