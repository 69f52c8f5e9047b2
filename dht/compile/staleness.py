"""`dht lock --check`: is the lock current, complete and canonical? No network.

Staleness is read from what each lock entry recorded of its request, so a
change to one tool makes only that tool stale. Completeness and hand edits
are caught by checking the lock against itself: every tool's closure is
present for every target, every artifact matches its package and serves the
platforms it claims, nothing is orphaned, and the text is canonical.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from dht.compile.settings import compile_configs, compile_env
from dht.compile.system import compile_system
from dht.compile.targets import Target
from dht.model.intent import Intent
from dht.model.lock import Lock, Package, dumps


@dataclass(frozen=True, order=True)
class Finding:
    entry: str  # a dotted key of the intent, or a lock entry like "packages.black (env black)"
    message: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}"


def check_lock(intent: Intent, lock: Lock, text: str, root: Path | None = None) -> list[Finding]:
    findings = [*stale_entries(intent, lock, root), *inconsistencies(lock)]
    if not findings and dumps(lock) != text:
        findings.append(
            Finding("dht.lock", "not in canonical form (edited by hand or by another tool)")
        )
    return sorted(set(findings))


def stale_entries(intent: Intent, lock: Lock, root: Path | None = None) -> list[Finding]:
    out: list[Finding] = []
    if lock.systems != intent.systems:
        out.append(
            Finding(
                "targets.systems",
                f"dht.toml asks for {', '.join(intent.systems)}; the lock covers {', '.join(lock.systems)}",
            )
        )
    out += _entry_changes(
        "system",
        {e.id: e for e in compile_system(intent, lock.packages, root)},
        {e.id: e for e in lock.system},
        gone="in the lock but no longer needed",
    )
    if lock.python != intent.python:
        out.append(
            Finding(
                "project.python", f"dht.toml asks for {intent.python}, the lock has {lock.python}"
            )
        )
    if lock.platforms != intent.platforms:
        out.append(
            Finding(
                "targets.platforms",
                f"dht.toml asks for {', '.join(intent.platforms)}; the lock covers {', '.join(lock.platforms)}",
            )
        )
    if lock.index.url != intent.index_url:
        out.append(
            Finding("index.url", f"dht.toml names {intent.index_url}, the lock {lock.index.url}")
        )
    if lock.index.exclude_newer != intent.exclude_newer:
        out.append(
            Finding(
                "index.exclude-newer",
                f"dht.toml has {intent.exclude_newer or 'none'}, the lock {lock.index.exclude_newer or 'none'}",
            )
        )
    if lock.env != compile_env(intent):
        out.append(Finding("env", "changed in dht.toml since the lock was made"))
    out += _entry_changes(
        "config",
        {c.name: c for c in compile_configs(intent)},
        {c.name: c for c in lock.configs},
        gone="in the lock but no longer in dht.toml",
    )
    locked = {t.name: t for t in lock.tools}
    wanted = {t.name: t for t in intent.tools}
    for name in sorted(wanted.keys() - locked.keys()):
        out.append(Finding(f"tools.{name}", "in dht.toml but not in the lock"))
    for name in sorted(locked.keys() - wanted.keys()):
        out.append(Finding(f"tools.{name}", "in the lock but no longer in dht.toml"))
    for name in sorted(wanted.keys() & locked.keys()):
        if wanted[name].request != locked[name].request:
            out.append(Finding(f"tools.{name}", "changed in dht.toml since the lock was made"))
    return out


def _entry_changes(
    kind: str, want: dict[str, Any], have: dict[str, Any], *, gone: str
) -> list[Finding]:
    """Entries the intent compiles to (offline) against what the lock recorded, one finding per change."""
    out = []
    for key in sorted(want.keys() | have.keys()):
        if want.get(key) == have.get(key):
            continue
        if key not in have:
            state = "not in the lock"
        elif key not in want:
            state = gone
        else:
            state = "changed since the lock was made"
        out.append(Finding(f"{kind}.{key}", state))
    return out


def inconsistencies(lock: Lock) -> list[Finding]:
    out: list[Finding] = []
    by_env: dict[str, dict[str, list[Package]]] = defaultdict(lambda: defaultdict(list))
    for package in lock.packages:
        by_env[package.environment][package.name].append(package)
        out.extend(_artifact_findings(lock, package))
    reached: set[tuple[str, str, str]] = set()
    for tool in lock.tools:
        entry = f"tools.{tool.name}"
        if tool.request.version and not _contains(tool.request.version, tool.version):
            out.append(
                Finding(
                    entry,
                    f"locked version {tool.version} does not satisfy {tool.request.version!r}",
                )
            )
        for platform in lock.platforms:
            target = Target(platform, lock.python)
            main = _requirement(f"{tool.name}{_extras(tool.request.extras)}{tool.request.version}")
            roots = [r for r in [main, *map(_requirement, tool.request.with_)] if r is not None]
            out.extend(_closure(by_env[tool.environment], target, roots, entry, reached))
            versions = [
                p.version for p in by_env[tool.environment][tool.name] if platform in p.targets
            ]
            if versions and tool.version not in versions:
                out.append(
                    Finding(
                        entry, f"records version {tool.version}, but {platform} has {versions[0]}"
                    )
                )
    for package in lock.packages:
        if (package.environment, package.name, package.version) not in reached:
            out.append(Finding(_where(package), "not needed by any locked tool"))
    return out


def _closure(
    env: dict[str, list[Package]],
    target: Target,
    roots: list[Requirement],
    origin: str,
    reached: set[tuple[str, str, str]],
) -> list[Finding]:
    out: list[Finding] = []
    environment = target.marker_environment()
    todo: list[tuple[Requirement, str, tuple[str, ...]]] = [(r, origin, ("",)) for r in roots]
    seen: set[tuple[str, str]] = set()
    while todo:
        req, parent, parent_extras = todo.pop()
        if req.marker is not None and not any(
            req.marker.evaluate({**environment, "extra": e}) for e in parent_extras
        ):
            continue
        name = canonicalize_name(req.name)
        here = [p for p in env.get(name, []) if target.platform in p.targets]
        if not here:
            out.append(
                Finding(
                    f"{origin}", f"{name} (needed by {parent}) has no entry for {target.platform}"
                )
            )
            continue
        if len(here) > 1:
            out.append(Finding(_where(here[0]), f"two versions serve {target.platform}"))
        package = here[0]
        if not req.specifier.contains(package.version, prereleases=True):
            out.append(
                Finding(_where(package), f"{package.version} does not satisfy {parent}'s {req}")
            )
        missing = {canonicalize_name(e) for e in req.extras} - set(package.extras)
        if missing:
            out.append(
                Finding(_where(package), f"lacks extra {sorted(missing)[0]!r} asked by {parent}")
            )
        reached.add((package.environment, package.name, package.version))
        if (name, target.platform) in seen:
            continue
        seen.add((name, target.platform))
        extras = ("", *package.extras)
        for dep in package.dependencies:
            parsed = _requirement(dep)
            if parsed is None:
                out.append(
                    Finding(_where(package), f"dependency {dep!r} is not a valid requirement")
                )
                continue
            todo.append((parsed, f"{package.name}=={package.version}", extras))
    return out


def _artifact_findings(lock: Lock, package: Package) -> list[Finding]:
    out: list[Finding] = []
    where = _where(package)
    if package.index != lock.index.url:
        out.append(
            Finding(where, f"comes from {package.index}, not the lock's index {lock.index.url}")
        )
    served: dict[str, int] = defaultdict(int)
    version = Version(package.version)
    for wheel in package.wheels:
        try:
            name, wversion, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            out.append(Finding(where, f"{wheel.name} is not a wheel filename"))
            continue
        if name != package.name or wversion != version:
            out.append(Finding(where, f"{wheel.name} is not {package.name} {package.version}"))
        for platform in wheel.targets:
            served[platform] += 1
            if Target(platform, lock.python).wheel_rank(wheel.name) is None:
                out.append(Finding(where, f"{wheel.name} does not run on {platform}"))
    if package.sdist is not None:
        try:
            name, sversion = parse_sdist_filename(package.sdist.name)
        except InvalidSdistFilename:
            out.append(Finding(where, f"{package.sdist.name} is not an sdist filename"))
        else:
            if name != package.name or sversion != version:
                out.append(
                    Finding(where, f"{package.sdist.name} is not {package.name} {package.version}")
                )
        for platform in package.sdist.targets:
            served[platform] += 1
    for platform in package.targets:
        if served[platform] == 0:
            out.append(Finding(where, f"no artifact for {platform}"))
        elif served[platform] > 1:
            out.append(Finding(where, f"{served[platform]} artifacts claim {platform}"))
    return out


def _where(package: Package) -> str:
    return f"packages.{package.name}=={package.version} ({package.environment})"


def _requirement(text: str) -> Requirement | None:
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _extras(extras: tuple[str, ...]) -> str:
    return f"[{','.join(extras)}]" if extras else ""


def _contains(spec: str, version: str) -> bool:
    req = _requirement(f"x{spec}")
    return req is not None and req.specifier.contains(version, prereleases=True)


def index_mismatches(lock: Lock, source: Any) -> list[Finding]:
    """Every artifact as the index lists it now: same URL, size and sha256 (network).

    What the offline check cannot see: a hand edit that swaps a wheel's URL and
    hash for another file's, keeping the lock canonical."""
    out: list[Finding] = []
    for package in lock.packages:
        listed = {a.filename: a for a in source.project(package.name).artifacts}
        for artifact in (*package.wheels, *([package.sdist] if package.sdist else [])):
            found = listed.get(artifact.name)
            where = _where(package)
            if found is None:
                out.append(Finding(where, f"{artifact.name} is not on the index"))
            elif found.url != artifact.url:
                out.append(
                    Finding(
                        where,
                        f"{artifact.name}: the index serves it from {found.url}, the lock says {artifact.url}",
                    )
                )
            elif found.sha256 != artifact.hashes.sha256 or (
                found.size is not None and found.size != artifact.size
            ):
                out.append(
                    Finding(where, f"{artifact.name}: size or sha256 differs from the index")
                )
    return out
