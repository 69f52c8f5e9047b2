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
from dht.model.intent import INTENT_FILE, Intent, load_intent
from dht.model.lock import LOCK_FILE, Lock, Package, dumps, read_lock
from dht.platform import to_lf


@dataclass(frozen=True, order=True)
class Finding:
    entry: str  # a dotted key of the intent, or a lock entry like "packages.black (env black)"
    message: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}"


def check_lock(intent: Intent, lock: Lock, text: str, root: Path | None = None) -> list[Finding]:
    findings = [*stale_entries(intent, lock, root), *inconsistencies(lock)]
    # Line endings are the checkout's (Git for Windows writes CRLF), not the lock's content.
    if not findings and dumps(lock) != to_lf(text):
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
    out += _python_changes(intent, lock)
    if root is not None:
        out += project_changes(intent, lock, root)
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
    if lock.index.build_from_source != intent.build_from_source:
        out.append(
            Finding(
                "index.build-from-source",
                f"dht.toml has {list(intent.build_from_source)}, the lock {list(lock.index.build_from_source)}",
            )
        )
    if lock.index.file_hosts != intent.file_hosts:
        out.append(
            Finding(
                "index.file-hosts",
                f"dht.toml has {list(intent.file_hosts)}, the lock {list(lock.index.file_hosts)}",
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


def _python_changes(intent: Intent, lock: Lock) -> list[Finding]:
    if lock.interpreter is None:
        return [
            Finding(
                "project.python",
                f"the lock pins no exact Python (it says {lock.python}): run `dht lock`",
            )
        ]
    if lock.interpreter.request != intent.python:
        return [
            Finding(
                "project.python",
                f"dht.toml asks for {intent.python}; the lock was made for {lock.interpreter.request}",
            )
        ]
    if intent.python.count(".") == 2 and lock.python != intent.python:
        return [
            Finding(
                "project.python", f"dht.toml asks for {intent.python}, the lock has {lock.python}"
            )
        ]
    if not lock.python.startswith(intent.python + ".") and lock.python != intent.python:
        return [
            Finding("project.python", f"the lock pins {lock.python}, not a {intent.python} release")
        ]
    return []


def project_changes(intent: Intent, lock: Lock, root: Path) -> list[Finding]:
    """The project's part of the lock against pyproject.toml and uv.lock now (offline)."""
    from dht.compile import project as meta
    from dht.compile.project_env import (
        groups_of,
        inputs_hash,
        installs,
        normalized,
        static_dependencies,
    )
    from dht.compile.uvlock import UV_LOCK, read_uv_lock
    from dht.errors import InputError

    locked = lock.project
    try:
        project = meta.read_pyproject(root)
        install = installs(project, intent.project.install)
    except InputError as exc:
        return [Finding("project", exc.message)]
    if locked is None:
        if install or intent.project.groups:
            return [Finding("project", "not in the lock: run `dht lock`")]
        return []
    if locked.request != intent.project:
        return [Finding("project", "changed in dht.toml since the lock was made")]
    if (locked.install == "editable") != install:
        return [
            Finding(
                "project.install",
                f"the lock installs it {locked.install}; now it is {'editable' if install else 'not installed'}",
            )
        ]
    if project is None:
        return [Finding("project", "pyproject.toml is gone since the lock was made")]
    out: list[Finding] = []
    try:
        groups = groups_of(project, intent.project.groups)
    except InputError as exc:
        return [Finding("project.groups", exc.message)]
    for name in sorted(groups.keys() | locked.groups.keys()):
        if groups.get(name) != locked.groups.get(name):
            out.append(
                Finding(
                    f"dependency-groups.{name}", "changed in pyproject.toml since the lock was made"
                )
            )
    if locked.install == "editable":
        if project.name is not None and locked.name != project.name:
            out.append(
                Finding(
                    "project.name", f"pyproject.toml names {project.name}; the lock {locked.name}"
                )
            )
        if "version" not in project.dynamic and project.version != locked.version:
            out.append(
                Finding(
                    "project.version",
                    f"pyproject.toml says {project.version}; the lock {locked.version}",
                )
            )
        if locked.build_backend != project.build.backend:
            out.append(
                Finding(
                    "build-system.build-backend",
                    f"pyproject.toml says {project.build.backend}; the lock {locked.build_backend}",
                )
            )
        try:
            wanted = {normalized(r, "build-system.requires") for r in project.build.requires}
        except InputError as exc:
            return [*out, Finding("build-system.requires", exc.message)]
        if not wanted <= set(locked.build_requires):
            out.append(
                Finding(
                    "build-system.requires", "changed in pyproject.toml since the lock was made"
                )
            )
        if locked.inputs is not None:
            if inputs_hash(root, project) != locked.inputs:
                out.append(
                    Finding(
                        "project",
                        "what the build backend computes the metadata from changed (pyproject.toml, setup.py, setup.cfg)",
                    )
                )
        elif static_dependencies(project) != locked.dependencies:
            out.append(
                Finding("project.dependencies", "changed in pyproject.toml since the lock was made")
            )
    try:
        uv_lock = read_uv_lock(root / UV_LOCK)
    except InputError as exc:
        return [*out, Finding(UV_LOCK, exc.message)]
    if uv_lock is not None:
        out += _uv_lock_changes(uv_lock, lock)
    return out


def _uv_lock_changes(uv_lock: Any, lock: Lock) -> list[Finding]:
    """Every package uv.lock pins for the project must be locked at that version, per target."""
    from dht.errors import InputError

    assert lock.project is not None
    have: dict[tuple[str, str], str] = {}
    for package in lock.packages:
        if package.environment == "project":
            for platform in package.targets:
                have[(package.name, platform)] = package.version
    out: list[Finding] = []
    for platform in lock.platforms:
        target = Target(platform, lock.python)
        try:
            pins = uv_lock.pins(
                target.marker_environment(),
                extras=lock.project.request.extras,
                groups=lock.project.request.groups,
            )
        except InputError as exc:
            return [Finding("uv.lock", exc.message)]
        for name, pin in sorted(pins.items()):
            locked = have.get((name, platform))
            if (
                pin.source == "registry"
                and pin.version is not None
                and locked is not None
                and locked != pin.version
            ):
                out.append(
                    Finding(
                        f"uv.lock: {name}",
                        f"uv.lock pins {pin.version}, dht.lock has {locked} ({platform}): run `dht lock`",
                    )
                )
    # One finding per package, not per platform.
    seen: dict[str, Finding] = {}
    for finding in out:
        seen.setdefault(finding.entry, finding)
    return list(seen.values())


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
            local = _local_of(lock) if tool.environment == "project" else None
            out.extend(_closure(by_env[tool.environment], target, roots, entry, reached, local))
            versions = [
                p.version for p in by_env[tool.environment][tool.name] if platform in p.targets
            ]
            if versions and tool.version not in versions:
                out.append(
                    Finding(
                        entry, f"records version {tool.version}, but {platform} has {versions[0]}"
                    )
                )
    out += _project_closure(lock, by_env, reached)
    for package in lock.packages:
        if (package.environment, package.name, package.version) not in reached:
            out.append(Finding(_where(package), "not needed by any locked tool nor the project"))
    return out


def _project_closure(
    lock: Lock,
    by_env: dict[str, dict[str, list[Package]]],
    reached: set[tuple[str, str, str]],
) -> list[Finding]:
    project = lock.project
    if project is None:
        return []
    out: list[Finding] = []
    local = None
    roots: list[tuple[Requirement, str]] = []
    if project.install == "editable" and project.name:
        local = _Local(project.name, project.version, project.dependencies)
        extras = _extras(project.request.extras)
        roots.append((Requirement(f"{project.name}{extras}"), "project"))
    for group, reqs in sorted(project.groups.items()):
        for text in reqs:
            parsed = _requirement(text)
            if parsed is None:
                out.append(
                    Finding(f"project.groups.{group}", f"{text!r} is not a valid requirement")
                )
            else:
                roots.append((parsed, f"project.groups.{group}"))
    build = [r for r in map(_requirement, project.build_requires) if r is not None]
    for platform in lock.platforms:
        target = Target(platform, lock.python)
        for req, origin in roots:
            out.extend(_closure(by_env["project"], target, [req], origin, reached, local))
        if build:
            out.extend(
                _closure(by_env["project-build"], target, build, "project.build-requires", reached)
            )
    return out


@dataclass(frozen=True)
class _Local:
    """The project itself in a closure walk: met by its folder, its dependencies followed."""

    name: str
    version: str | None
    dependencies: tuple[str, ...]


def _closure(
    env: dict[str, list[Package]],
    target: Target,
    roots: list[Requirement],
    origin: str,
    reached: set[tuple[str, str, str]],
    local: _Local | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    environment = target.marker_environment()
    todo: list[tuple[Requirement, str, tuple[str, ...]]] = [(r, origin, ("",)) for r in roots]
    seen: set[tuple[str, str]] = set()
    seen_local: set[tuple[str, str, tuple[str, ...]]] = set()
    while todo:
        req, parent, parent_extras = todo.pop()
        if req.marker is not None and not any(
            req.marker.evaluate({**environment, "extra": e}) for e in parent_extras
        ):
            continue
        name = canonicalize_name(req.name)
        if local is not None and name == local.name:
            if local.version and not req.specifier.contains(local.version, prereleases=True):
                out.append(
                    Finding(
                        origin, f"the project {local.version} does not satisfy {parent}'s {req}"
                    )
                )
            asked = ("", *sorted(canonicalize_name(e) for e in req.extras))
            if (name, target.platform, asked) in seen_local:
                continue
            seen_local.add((name, target.platform, asked))
            for dep in local.dependencies:
                parsed = _requirement(dep)
                if parsed is not None:
                    todo.append((parsed, "project", asked))
            continue
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


def _local_of(lock: Lock) -> _Local | None:
    project = lock.project
    if project is None or project.install != "editable" or not project.name:
        return None
    return _Local(project.name, project.version, project.dependencies)


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
        for artifact in package.artifacts:
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


def check_lock_file(
    root: Path, *, verify_index: bool = False, offline: bool = False
) -> list[Finding]:
    """`dht lock --check`: what is stale in dht.lock against dht.toml (and, with
    `verify_index`, against the index), sorted; a missing lock is one finding."""
    intent = load_intent(root / INTENT_FILE)
    lock_path = root / LOCK_FILE
    if not lock_path.exists():
        return [Finding(LOCK_FILE, "missing: run `dht lock` to create it")]
    lock, text = read_lock(lock_path)  # one dht refuses to read is an error (exit 1), as in apply
    findings = check_lock(intent, lock, text, root)
    if verify_index:
        from dht.compile.index import IndexClient

        with IndexClient(lock.index.url, offline=offline) as client:
            client.prefetch(sorted({p.name for p in lock.packages}))
            findings += index_mismatches(lock, client)
    return sorted(set(findings))
