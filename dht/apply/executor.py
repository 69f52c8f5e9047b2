"""Plan, then act: probe -> classify (pure) -> apply -> verify, for every entry.

Reads only dht.lock, which may come from a pull request: every path, name and
value is checked before anything is written or run. Holds the project's apply
lock for the whole run, recovers what an interrupted run left (the journal),
and rebuilds nothing that is already right (a no-op run spawns no installer).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from pathlib import Path

import msgspec

from dht.apply import leftovers, managed, probes, shells, state
from dht.apply.machine import require_target
from dht.apply.paths import safe_path
from dht.apply.plan import Record, Status, classify
from dht.apply.probe_cache import ProbeCache, Stats, fingerprint
from dht.apply.resources import (
    ConfigResource,
    EnvironmentResource,
    EnvScriptsResource,
    LauncherResource,
    ProjectResource,
    Receipts,
    Resource,
    SystemResource,
    ToolResource,
    console_scripts,
    observing,
)
from dht.apply.system import machine_system
from dht.errors import InputError
from dht.model.lock import (
    BUILD_ENVIRONMENT,
    LOCK_FILE,
    PROJECT_ENVIRONMENT,
    Lock,
    read_lock_cached,
    remember_lock,
    tool_closure,
)
from dht.uvbackend import Wheel, bin_dir

KINDS = ("system", "environment", "project", "tool", "launcher", "env", "config")
PROJECT = PROJECT_ENVIRONMENT


class Options(msgspec.Struct, frozen=True):
    check: bool = False  # probe and classify only: change nothing
    dry_run: bool = False  # print the plan: change nothing
    only: frozenset[str] = frozenset()  # kinds; empty: all
    probes: bool = True
    rerun_probes: bool = False  # run every probe, even one whose fingerprint is unchanged


class Report(msgspec.Struct):
    records: list[Record]
    changed: int
    probed: list[str] = msgspec.field(default_factory=list)  # tools whose probe ran
    trusted: list[str] = msgspec.field(default_factory=list)  # tools checked by their fingerprint

    @property
    def pending(self) -> list[Record]:
        return [r for r in self.records if r.status != Status.OK]


def build(root: Path, lock: Lock, platform: str) -> list[Resource]:
    """The entries of the lock for this platform, in the order they are applied."""
    receipts = Receipts(root)
    envs: dict[str, EnvironmentResource] = {}
    build: list[Wheel] = []
    download = lock.interpreter.downloads.get(platform) if lock.interpreter else None
    names = sorted({p.environment for p in lock.packages} | {t.environment for t in lock.tools})
    for name in names:
        wheels: list[tuple[Wheel, str]] = []
        for package in lock.packages:
            if package.environment != name or platform not in package.targets:
                continue
            artifact = next(
                (a for a in package.artifacts if platform in a.targets),
                None,
            )
            if artifact is None:
                raise InputError(
                    f"packages.{package.name}: no artifact for {platform}", where=LOCK_FILE
                )
            wheels.append(
                (
                    Wheel(
                        package.name,
                        artifact.url,
                        artifact.hashes.sha256,
                        package.version,
                        package.index,
                    ),
                    package.version,
                )
            )
        if name == BUILD_ENVIRONMENT:
            build = [w for w, _ in wheels]  # constraints of the project's editable build
            continue
        path = root / ".venv" if name == PROJECT else root / state.STATE / "envs" / name
        envs[name] = EnvironmentResource(name, path, lock.python, wheels, download)
    if (lock.tools or lock.project) and PROJECT not in envs:
        envs[PROJECT] = EnvironmentResource(PROJECT, root / ".venv", lock.python, [], download)

    resources: list[Resource] = []
    if lock.system:
        # System packages first: source builds in the environments may need them.
        here = machine_system(lock.systems)
        if here is None:
            resources.append(SystemResource("this-machine", "", None, receipts, lock.systems))
        else:
            for entry in lock.system:
                packages = entry.packages.get(here)
                resources.append(
                    SystemResource(
                        entry.id,
                        here,
                        None if packages is None else tuple(packages),
                        receipts,
                        version=entry.versions.get(here),
                    )
                )
    resources += [envs[n] for n in sorted(envs, key=lambda n: (n == PROJECT, n))]
    project = lock.project
    if project is not None and project.install == "editable" and project.name:
        entry = msgspec.to_builtins(project)
        resources.append(ProjectResource(root, project.name, envs[PROJECT], build, entry, receipts))
    for tool in lock.tools:
        closure = tool_closure(lock, tool.name, tool.environment)
        resources.append(ToolResource(tool.name, tool.version, envs[tool.environment], closure))
    for tool in lock.tools:
        if tool.environment != PROJECT:
            resources.append(LauncherResource(tool.name, envs[tool.environment], envs[PROJECT]))
    if lock.env is not None:
        for key, value in lock.env.values.items():
            shells.validate_env(key, value, where=f"{LOCK_FILE}: env.values.{key}")
        prepend = [bin_dir(envs[PROJECT].path)] if PROJECT in envs else []
        resources.append(EnvScriptsResource(root, dict(lock.env.values), prepend, receipts))
    for config in lock.configs:
        safe_path(root, config.file, where=f"{LOCK_FILE}: configs.{config.name}.file")
        region = managed.Region(config.file, config.format, config.table)
        body: dict[str, object] | str = (
            config.text if config.format == "file" and config.text else dict(config.values)
        )
        resources.append(ConfigResource(root, config.name, region, body, config.sha256, receipts))
    return resources


def _probe_commands(lock: Lock) -> dict[str, tuple[str, ...] | None]:
    out: dict[str, tuple[str, ...] | None] = {}
    for tool in lock.tools:
        argv = tool.request.probe
        if argv is not None:
            if "/" in argv[0] or "\\" in argv[0]:
                raise InputError(
                    f"tools.{tool.name}.request.probe: {argv[0]!r} is a path; a probe runs one of the tool's commands",
                    where=LOCK_FILE,
                )
            for arg in argv:
                if "\0" in arg or "\n" in arg or len(arg) > 1000:
                    raise InputError(
                        f"tools.{tool.name}.request.probe: an argument is not allowed",
                        where=LOCK_FILE,
                    )
        out[tool.name] = argv
    return out


def _record(resource: Resource) -> Record:
    started = time.perf_counter()
    observed = resource.probe()
    verdict = classify(resource.fingerprint, resource.desired(), observed)
    reason = verdict.reason
    if isinstance(resource, ConfigResource) and verdict.status in (Status.DRIFTED, Status.CHANGED):
        reason = resource.reason(verdict)
    elif verdict.status == Status.DRIFTED and " missing" in reason:
        reason += _removed_by_uv_sync(resource)
    shown = (
        ", ".join(f"{k} {v}" for k, v in sorted(observed.content.items()))
        if resource.kind == "tool"
        else ""
    )
    return Record(
        id=resource.id,
        kind=resource.kind,
        desired=resource.summary(),
        observed=shown or ("present" if observed.present else "absent"),
        status=verdict.status,
        reason=reason,
        repair=None
        if verdict.status == Status.OK
        else (
            resource.repair()
            if isinstance(resource, SystemResource)
            else f"dht apply --only {resource.kind}"
        ),
        duration=time.perf_counter() - started,
    )


def _removed_by_uv_sync(resource: Resource) -> str:
    """Packages gone from the shared environment of a uv project: most likely a plain `uv sync`."""
    env = resource.env if isinstance(resource, ToolResource) else resource
    if not isinstance(env, EnvironmentResource) or not env.shared:
        return ""
    if not (env.path.parent / "uv.lock").exists():
        return ""
    return (
        " (a plain `uv sync` removes what uv.lock does not list, such as the tools dht adds:"
        " `dht apply` puts them back; `uv sync --inexact` keeps them)"
    )


def run_probes(
    resources: Sequence[Resource],
    lock: Lock,
    cache: ProbeCache | None = None,
    *,
    fresh: frozenset[str] = frozenset(),
    record: bool = True,
) -> tuple[list[str], list[str]]:
    """Behaviour probes (a real use of each known tool) and the intent's argv probes, in
    parallel. With a `cache`, a tool whose fingerprint is the one its last passing probe
    recorded is trusted without running, unless it is in `fresh` (just installed or
    repaired). Returns (probed, trusted) tool ids."""
    commands = _probe_commands(lock)
    # An isolated tool is used through its launcher: probe that, not its environment.
    launched = {
        r.tool: r.project_env.path
        for r in resources
        if isinstance(r, LauncherResource) and r.probe().present
    }
    todo: list[tuple[ToolResource, probes.Probe, str | None]] = []
    trusted: list[str] = []
    seen = Stats()  # files read for one fingerprint serve the others of this run
    for resource in resources:
        if (
            not isinstance(resource, ToolResource)
            or resource.name not in resource.env.probe().content
        ):
            continue
        argv = commands.get(resource.name)
        if argv:
            own = console_scripts(resource.env.path, resource.name)
            if argv[0] not in own:
                # A lock names the program a probe runs: only the tool's own commands.
                listed = ", ".join(own) or "none"
                resource.probe_problems = [
                    f"probe command {argv[0]!r} is not one of {resource.name}'s commands ({listed})"
                ]
                continue
        probe = (
            probes.argv_probe(resource.name, argv)
            if argv
            else probes.behaviour_probe(resource.name)
        )
        if probe is None:
            continue
        print_ = None
        if cache is not None:
            print_ = fingerprint(resource.env.path, {*resource.closure, resource.name}, probe, seen)
            if resource.id not in fresh and cache.trusted(resource.id, print_):
                resource.probe_problems = []
                trusted.append(resource.id)
                continue
        todo.append((resource, probe, print_))
    by_env: dict[Path, list[tuple[ToolResource, probes.Probe, str | None]]] = {}
    for item in todo:
        by_env.setdefault(launched.get(item[0].name, item[0].env.path), []).append(item)
    outcome: dict[str, str | None] = {}
    for env_path, items in sorted(by_env.items()):
        results = probes.run_probes([p for _, p, _ in items], bin_dir(env_path))
        for (resource, _, print_), result in zip(items, results, strict=True):
            resource.probe_problems = [] if result.ok else [f"probe failed: {result.detail}"]
            if print_ is not None:
                outcome[resource.id] = print_ if result.ok else None
    if cache is not None and record:
        cache.update(outcome)
    return sorted(r.id for r, _, _ in todo), sorted(trusted)


def apply(root: Path, options: Options) -> Report:
    read_only = options.check or options.dry_run
    lock_cache = state.lock_cache(root)
    lock, validated = read_lock_cached(root / LOCK_FILE, lock_cache)
    platform = require_target(lock.platforms)
    resources = build(root, lock, platform)  # refuses a hostile lock before any write
    _probe_commands(lock)
    selected = [r for r in resources if not options.only or r.kind in options.only]
    prune = leftovers.find(root, resources, options.only)
    cache = None if options.rerun_probes else ProbeCache(root)
    if read_only:
        probed: list[str] = []
        trusted: list[str] = []
        with observing():  # nothing changes here: each environment is read once
            if options.probes:
                # verify changes nothing, the probe record included: it only reads it.
                probed, trusted = run_probes(selected, lock, cache, record=False)
            planned = [*(_record(r) for r in selected), *(p.record() for p in prune)]
        return Report(planned, changed=0, probed=probed, trusted=trusted)

    with state.apply_lock(root):
        journal = state.Journal(root)
        journal.recover()
        changed = 0
        records: list[Record] = []
        receipts = Receipts(root)
        # Launchers into environments the lock no longer has go first: the tool may now
        # install its own command at the same path (isolated -> shared), and a stale
        # link there would take its place, or have the install write through it.
        early = [item for item in prune if item.path is not None and item.path.is_symlink()]
        for item in early:
            action = item.remove(root, receipts)
            records.append(
                Record(item.id, item.kind, "absent", "removed", Status.OK, "", action=action)
            )
            changed += 1
        prune = [item for item in prune if item not in early]
        with contextlib.ExitStack() as stack, observing() as seen:
            scratch: Path | None = None  # made when a step first needs one
            for resource in selected:
                # Probed right before acting: an earlier step may have fixed (or undone) it.
                record = _record(resource)
                if record.status != Status.OK:
                    started = time.perf_counter()
                    target = resource.path if isinstance(resource, EnvironmentResource) else None
                    journal.begin(resource.id, target)
                    seen.clear()
                    if scratch is None:
                        import tempfile  # here: a no-op never needs it

                        scratch = Path(
                            stack.enter_context(tempfile.TemporaryDirectory(prefix="dht-apply-"))
                        )
                    try:
                        record.action = resource.apply(scratch)
                    finally:
                        seen.clear()  # what was read before this step is stale now
                    journal.end(resource.id)
                    record.duration += time.perf_counter() - started
                    changed += 1
                elif isinstance(resource, ConfigResource):
                    record.action = resource.adopt()  # bookkeeping only: no file changes
                records.append(record)
            for item in prune:  # after the lock's own entries are in place
                action = item.remove(root, receipts)
                records.append(
                    Record(item.id, item.kind, "absent", "removed", Status.OK, "", action=action)
                )
                changed += 1
                seen.clear()
            # Verify: every entry again, probes included; what is still not ok fails the run.
            # What this run installed or repaired is probed whatever its fingerprint says.
            # Nothing changes from here on, and what was read after the last change still
            # holds: a no-op reads each environment once.
            fresh = _fresh(records, selected)
            probed, trusted = [], []
            if options.probes:
                probed, trusted = run_probes(
                    selected, lock, cache if cache is not None else ProbeCache(root), fresh=fresh
                )
            final = {r.id: _record(r) for r in selected}
        for record in records:
            after = final.get(record.id)
            if after is None:
                continue  # a removed leftover
            if after.status != Status.OK or record.action is None:
                record.status, record.reason, record.observed = (
                    after.status,
                    after.reason,
                    after.observed,
                )
                record.repair = after.repair
            elif record.action:
                record.status = Status.OK
        remember_lock(lock_cache, validated)
        return Report(records, changed, probed=probed, trusted=trusted)


def _fresh(records: Sequence[Record], resources: Sequence[Resource]) -> frozenset[str]:
    """Tools whose environment (or themselves) this run changed."""
    acted = {r.id for r in records if r.action}
    out = set()
    for resource in resources:
        if isinstance(resource, ToolResource) and (
            resource.id in acted or resource.env.id in acted
        ):
            out.add(resource.id)
    return frozenset(out)
