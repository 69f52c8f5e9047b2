"""`dht doctor`: what dht sees on this machine, and what needs attention.

Read-only and offline: the platform and target id, the distribution and its
package manager, the interpreters uv finds (never downloading one), uv, the
cache, and for a project, whether the lock is current (`dht lock --check`,
without the network) and the machine in sync (`dht verify --no-probes`).
Everything wrong is a `Problem` with a hint; nothing here raises for it.
"""

from __future__ import annotations

import json
import os
import platform as platform_module
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dht import __version__
from dht.apply.machine import current_platform
from dht.apply.system import machine_system, manager_for, read_os_release
from dht.errors import DhtError
from dht.model.intent import INTENT_FILE
from dht.model.lock import LOCK_FILE, Lock, read_lock
from dht.model.names import DEFAULT_SYSTEMS
from dht.process import run


@dataclass(frozen=True)
class Problem:
    what: str
    hint: str


@dataclass
class Doctor:
    platform: str | None = None
    python: str = ""  # the interpreter running dht
    distribution: dict[str, Any] | None = None
    system: str | None = None  # the lock's (or default) system this machine is
    manager: dict[str, Any] | None = None
    interpreters: list[dict[str, str]] = field(default_factory=list)
    uv: dict[str, str] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "dht": __version__,
            "platform": self.platform,
            "python": self.python,
            "distribution": self.distribution,
            "system": self.system,
            "manager": self.manager,
            "interpreters": self.interpreters,
            "uv": self.uv,
            "cache": self.cache,
            "project": self.project,
            "problems": [{"what": p.what, "hint": p.hint} for p in self.problems],
        }

    def lines(self) -> list[str]:
        out = [f"dht {__version__}"]
        out.append(f"{'platform':<14}{self.platform or 'none dht targets'}  (Python {self.python})")
        if self.distribution:
            d = self.distribution
            like = f", like {' '.join(d['like'])}" if d["like"] else ""
            out.append(f"{'distribution':<14}{d['id']} {d['version']}{like}".rstrip())
        out.append(f"{'system':<14}{self.system or 'none of the declared systems'}")
        if self.manager:
            where = self.manager["path"] or "not found on PATH"
            out.append(f"{'package mgr':<14}{self.manager['name']} ({where})")
        for i, interp in enumerate(self.interpreters or [{"version": "none found", "path": ""}]):
            out.append(
                f"{'interpreters' if i == 0 else '':<14}{interp['version']:<10}{interp['path']}".rstrip()
            )
        out.append(f"{'uv':<14}{self.uv.get('version', 'not found')}  ({self.uv.get('path', '')})")
        cache = self.cache
        out.append(
            f"{'cache':<14}{cache['path']}: "
            + (
                f"{cache['files']} files, {_size(cache['bytes'])}"
                if cache["exists"]
                else "not a folder"
                if Path(cache["path"]).exists()
                else "empty (not created yet)"
            )
        )
        project = self.project
        if not project.get("intent"):
            out.append(f"{'project':<14}no {INTENT_FILE} here (`dht init` writes one)")
        else:
            out.append(f"{'project':<14}{project['root']}")
            out.append(f"{'lock':<14}{project['lock']}")
            out.append(f"{'machine':<14}{project['sync']}")
            out += [
                f"{'':<14}  {p['status']:<16}{p['id']}" for p in project.get("pending", [])[:10]
            ]
        if self.problems:
            out.append(f"{len(self.problems)} problem{'s' * (len(self.problems) != 1)}:")
            for problem in self.problems:
                out += [f"  - {problem.what}", f"    hint: {problem.hint}"]
        else:
            out.append("no problems found")
        return out


def diagnose(root: Path) -> Doctor:
    doctor = Doctor(python=f"{platform_module.python_version()} at {sys.executable}")
    try:
        doctor.platform = current_platform()
    except DhtError as exc:
        doctor.problems.append(
            Problem(exc.message, "dht locks for linux, macOS and Windows on x86-64 and ARM")
        )
    lock = _read_lock(root, doctor)
    _system(doctor, lock)
    _uv(doctor)
    _cache(doctor)
    _project(root, doctor, lock)
    return doctor


def _read_lock(root: Path, doctor: Doctor) -> Lock | None:
    if not (root / LOCK_FILE).exists():
        return None
    try:
        return read_lock(root / LOCK_FILE)[0]
    except DhtError as exc:
        doctor.problems.append(
            Problem(f"{LOCK_FILE} cannot be read: {exc.message}", "run `dht lock`")
        )
        return None


def _system(doctor: Doctor, lock: Lock | None) -> None:
    release = read_os_release()
    if release is not None:
        doctor.distribution = {
            "id": release.id,
            "version": release.version_id,
            "like": list(release.id_like),
        }
    declared = lock.systems if lock is not None and lock.systems else DEFAULT_SYSTEMS
    doctor.system = machine_system(declared)
    if doctor.system is None:
        if lock is not None and lock.system:
            doctor.problems.append(
                Problem(
                    f"this machine is none of the lock's systems ({', '.join(declared)})",
                    "add this distribution to targets.systems in dht.toml and run `dht lock`",
                )
            )
        return
    manager = manager_for(doctor.system)
    binary = manager.install_argv(["x"])[0]
    found = shutil.which(binary)
    doctor.manager = {"name": manager.name, "command": binary, "path": found or ""}
    if found is None and lock is not None and lock.system:
        doctor.problems.append(
            Problem(
                f"{binary} is not on PATH, and the lock has system packages",
                f"install {manager.name}",
            )
        )


def _uv(doctor: Doctor) -> None:
    from dht.uvbackend import uv_bin

    try:
        path = uv_bin()
        version = run([path, "--version"], timeout=30).output.split()
    except (DhtError, OSError) as exc:
        doctor.problems.append(
            Problem(f"uv cannot run: {exc}", "reinstall dht (uv is one of its dependencies)")
        )
        return
    doctor.uv = {"path": path, "version": version[1] if len(version) > 1 else "unknown"}
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"}
    listed = run(
        [path, "python", "list", "--only-installed", "--output-format", "json"],
        env=env,
        timeout=60,
        check=False,
    )
    # stderr is interleaved (warnings about broken shims); the JSON is one line of its own.
    for line in listed.output.splitlines():
        if line.startswith("["):
            try:
                entries = json.loads(line)
            except ValueError:
                continue
            # One line per interpreter: python, python3 and python3.11 links are the same one.
            by_target: dict[str, dict[str, str]] = {}
            for entry in entries:
                path = str(entry.get("path", ""))
                target = os.path.realpath(path) if path else ""
                found = {
                    "version": str(entry.get("version", "")),
                    "path": path,
                    "implementation": str(entry.get("implementation", "")),
                }
                if target not in by_target or len(path) > len(by_target[target]["path"]):
                    by_target[target] = found  # the most specific name: python3.11
            doctor.interpreters = sorted(
                by_target.values(),
                key=lambda i: (_version_key(i["version"]), i["path"]),
                reverse=True,
            )
            break


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in text.split("."))


def _cache(doctor: Doctor) -> None:
    # The same rule as the compiler's cache (DHT_CACHE_DIR, else the user cache folder).
    from dht.compile.cache import default_root

    root = default_root()
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                size += (Path(folder) / name).lstat().st_size
                files += 1
            except OSError:
                continue
    doctor.cache = {"path": str(root), "exists": root.is_dir(), "files": files, "bytes": size}
    if root.exists() and not root.is_dir():
        doctor.problems.append(
            Problem(f"the cache folder {root} is a file", "point DHT_CACHE_DIR at a folder")
        )


def _project(root: Path, doctor: Doctor, lock: Lock | None) -> None:
    project: dict[str, Any] = {"root": str(root), "intent": (root / INTENT_FILE).is_file()}
    doctor.project = project
    if not project["intent"]:
        return
    from dht.compile.staleness import check_lock_file

    try:
        findings = check_lock_file(root)
    except DhtError as exc:
        project["lock"] = f"not checked: {exc}"
        doctor.problems.append(
            Problem(
                f"{exc.where + ': ' if exc.where else ''}{exc.message}",
                exc.hint or f"fix {exc.where or INTENT_FILE}",
            )
        )
        findings = None
    if findings is not None:
        project["findings"] = [str(f) for f in findings]
        project["lock"] = (
            "current"
            if not findings
            else f"not current ({len(findings)} finding{'s' * (len(findings) != 1)})"
        )
        if findings:
            doctor.problems.append(
                Problem(f"{LOCK_FILE} is not current: {findings[0]}", "run `dht lock`")
            )
    project["sync"] = "not checked (no readable lock)"
    if lock is None:
        return
    if lock.python and not any(i["version"].startswith(lock.python) for i in doctor.interpreters):
        project["python"] = f"no Python {lock.python} installed: `dht apply` lets uv download it"
    from dht.apply.executor import Options, apply

    try:
        report = apply(root, Options(check=True, probes=False))
    except DhtError as exc:
        project["sync"] = f"not checked: {exc.message}"
        doctor.problems.append(Problem(exc.message, exc.hint or "run `dht verify` for details"))
        return
    pending = report.pending
    total = len(report.records)
    project["entries"] = total
    project["pending"] = [{"id": r.id, "status": str(r.status)} for r in pending]
    if pending:
        project["sync"] = f"{len(pending)} of {total} entries differ from the lock"
        doctor.problems.append(
            Problem(project["sync"], "`dht verify` shows them; `dht apply` fixes them")
        )
    else:
        project["sync"] = f"in sync ({total} entr{'y' if total == 1 else 'ies'}, probes not run)"


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"
