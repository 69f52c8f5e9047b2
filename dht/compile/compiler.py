"""The compiler: intent (+ the previous lock) -> a complete, canonical lock.

One resolution per environment and target platform. The first platform's
pins become preferences for the others, so a package has one version
everywhere unless a platform truly needs another. Pins of the previous lock
are preferred unless upgraded (minimal churn, as pip-tools does).
"""

from __future__ import annotations

import concurrent.futures
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import msgspec

from dht.compile.interpreter import Build, choose, settled, uv_builds
from dht.compile.project_env import BUILD_ENVIRONMENT, ProjectPlan, plan_project
from dht.compile.resolve import PackageSource, Pin, RootRequirement, VersionTable, resolve
from dht.compile.settings import compile_configs, compile_env, raise_unknown_settings
from dht.compile.system import compile_system
from dht.compile.targets import Target
from dht.errors import IndexError_, InputError
from dht.model.artifacts import host
from dht.model.intent import ENVIRONMENT_PROJECT, Intent, Tool
from dht.model.lock import (
    LOCK_VERSION,
    Artifact,
    Hashes,
    Lock,
    LockedTool,
    LockIndex,
    LockInterpreter,
    Package,
    canonical,
    lock_artifact_problem,
)

Progress = Callable[[str], None]


class Upgrade(msgspec.Struct, frozen=True):
    """What may move away from the previous lock's pins."""

    everything: bool = False
    packages: frozenset[str] = msgspec.field(default_factory=frozenset)

    def preferences(self, previous: Mapping[str, str]) -> dict[str, str]:
        if self.everything:
            return {}
        return {name: v for name, v in previous.items() if name not in self.packages}


NO_UPGRADE = Upgrade()


def environments(intent: Intent, with_project: bool = False) -> dict[str, list[Tool]]:
    grouped: dict[str, list[Tool]] = defaultdict(list)
    if with_project:
        grouped[ENVIRONMENT_PROJECT] = []
    for tool in intent.tools:
        grouped[tool.environment].append(tool)
    return {name: grouped[name] for name in sorted(grouped)}


def roots_of(tools: Sequence[Tool]) -> list[RootRequirement]:
    roots: list[RootRequirement] = []
    for tool in tools:
        main, *extra = tool.requirements()
        roots.append(RootRequirement(main, origin=f"tools.{tool.name}"))
        roots.extend(RootRequirement(r, origin=f"tools.{tool.name}.with") for r in extra)
    return roots


def previous_pins(previous: Lock | None, environment: str) -> dict[str, str]:
    if previous is None:
        return {}
    return {p.name: p.version for p in previous.packages if p.environment == environment}


def compile_lock(
    intent: Intent,
    previous: Lock | None,
    source: PackageSource,
    *,
    upgrade: Upgrade = NO_UPGRADE,
    progress: Progress | None = None,
    root: Path | None = None,
    warn: Callable[[str], None] | None = None,
    python_builds: Sequence[Build] | None = None,
) -> Lock:
    # uv's list of builds (a subprocess) is needed first only when a minor spec is
    # pinned for the first time; otherwise it runs beside the resolution.
    known = settled(intent.python, _kept(previous, upgrade))
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    pending = pool.submit(_interpreter, intent, previous, upgrade, python_builds)
    try:
        python = known or pending.result()[0]
        return _compile(intent, previous, source, upgrade, progress, root, warn, python, pending)
    finally:
        pool.shutdown(wait=True)


def _kept(previous: Lock | None, upgrade: Upgrade) -> tuple[str, LockInterpreter] | None:
    """The previous lock's interpreter, unless the lock is upgraded or `-P python`."""
    if previous is None or previous.interpreter is None:
        return None
    if upgrade.everything or "python" in upgrade.packages:
        return None
    return previous.python, previous.interpreter


def _compile(
    intent: Intent,
    previous: Lock | None,
    source: PackageSource,
    upgrade: Upgrade,
    progress: Progress | None,
    root: Path | None,
    warn: Callable[[str], None] | None,
    python: str,
    pending: concurrent.futures.Future[tuple[str, LockInterpreter]],
) -> Lock:
    targets = [Target(platform, python) for platform in intent.platforms]
    grouped: VersionTable = {}

    def resolve_all(
        env: str,
        roots: Sequence[RootRequirement],
        on: Sequence[Target],
        plan: ProjectPlan | None = None,
    ) -> list[dict[str, Pin]]:
        preferences = upgrade.preferences(previous_pins(previous, env))
        out: list[dict[str, Pin]] = []
        for index, target in enumerate(on):
            if progress:
                progress(f"resolving {env} for {target.platform}")
            result = resolve(
                roots,
                target,
                source,
                preferences=preferences,
                upgrade=False,
                shared=grouped,
                local=plan.local if plan else None,
                pinned=plan.pinned(target) if plan else None,
                from_source=intent.build_from_source,
            )
            if index == 0:
                # Align the other platforms on the first one's versions.
                preferences = {**preferences, **{n: p.version for n, p in result.pins.items()}}
            out.append(dict(result.pins))
        return out

    plan = plan_project(
        intent,
        root,
        targets,
        lambda roots, on: resolve_all(BUILD_ENVIRONMENT, roots, on),
        Target(_host(targets), python),
        progress=progress,
    )
    packages: list[Package] = []
    tools: list[LockedTool] = []
    local = plan.local.name if plan.local else None
    for env, env_tools in environments(intent, with_project=bool(plan.roots)).items():
        shared = env == ENVIRONMENT_PROJECT
        for tool in env_tools:
            if shared and tool.name == local:
                raise InputError(
                    f"tools.{tool.name}: {tool.name} is the project in this folder; it is"
                    " installed from its source, not locked as a tool",
                    where="dht.toml",
                    hint=f"remove tools.{tool.name} from dht.toml",
                )
        roots = [*roots_of(env_tools), *(plan.roots if shared else ())]
        pins = resolve_all(env, roots, targets, plan if shared else None)
        resolutions = list(zip(targets, pins, strict=True))
        packages.extend(_packages(env, intent.index_url, resolutions, source))
        tools.extend(
            LockedTool(
                name=t.name, environment=env, version=pins[0][t.name].version, request=t.request
            )
            for t in env_tools
        )
    if plan.build:
        build = list(zip(targets, plan.build, strict=True))
        packages.extend(_packages(BUILD_ENVIRONMENT, intent.index_url, build, source))
    # Before anything is written: a setting the locked tool version does not know.
    raise_unknown_settings(intent, tools, packages, root, warn)
    yanked = [p for p in packages if p.yanked is not None]
    if warn is not None and yanked:
        by_uv = {n for t in targets for n in plan.pinned(t)}  # uv.lock's pins (project env)
        for package in yanked:
            uv = package.environment == ENVIRONMENT_PROJECT and package.name in by_uv
            mine = any(r == "project" or r.startswith("project.") for r in package.required_by)
            pinned_in = "uv.lock" if uv else "pyproject.toml" if mine else "dht.toml"
            warn(
                f"{package.name} {package.version} ({package.environment}) is yanked on the"
                f" index: {package.yanked}; {pinned_in} pins exactly this version"
            )
    chosen, interpreter = pending.result()
    assert chosen == python, (chosen, python)
    lock = Lock(
        lock_version=LOCK_VERSION,
        python=python,
        platforms=intent.platforms,
        index=LockIndex(
            url=intent.index_url,
            exclude_newer=intent.exclude_newer,
            file_hosts=intent.file_hosts,
            build_from_source=intent.build_from_source,
        ),
        interpreter=interpreter,
        project=plan.entry,
        env=compile_env(intent),
        tools=tuple(tools),
        configs=compile_configs(intent),
        systems=intent.systems if intent.systems else (),
        packages=tuple(packages),
    )
    _refuse_foreign_artifacts(lock)
    lock = msgspec.structs.replace(lock, system=compile_system(intent, lock.packages, root))
    return canonical(lock)


def _refuse_foreign_artifacts(lock: Lock) -> None:
    """What the index lists must be what `dht apply` would accept from the lock: a file
    elsewhere than the index's hosts is refused now, not at the first apply."""
    for package in lock.packages:
        for artifact in package.artifacts:
            problem = lock_artifact_problem(lock, package, artifact)
            if problem is not None:
                raise IndexError_(
                    f"the index lists {package.name} {package.version} as {artifact.url}: {problem}",
                    hint="if this index serves its files from that host, add it to dht.toml: "
                    f'[index] file-hosts = ["{host(artifact.url)}"]',
                )


def _interpreter(
    intent: Intent, previous: Lock | None, upgrade: Upgrade, python_builds: Sequence[Build] | None
) -> tuple[str, LockInterpreter]:
    minor = ".".join(intent.python.split(".")[:2])
    available = uv_builds(minor=minor) if python_builds is None else python_builds
    return choose(
        intent.python,
        intent.platforms,
        available,
        previous=_kept(previous, upgrade),
        exclude_newer=intent.exclude_newer,
    )


def _host(targets: Sequence[Target]) -> str:
    """The platform of this machine, where the build backend runs at lock time."""
    from dht.host import current_platform

    try:
        return current_platform()
    except Exception:  # a machine dht has no target for: any target answers for metadata
        return targets[0].platform


def _packages(
    env: str,
    index_url: str,
    resolutions: Sequence[tuple[Target, Mapping[str, Pin]]],
    source: PackageSource,
) -> list[Package]:
    """Merge per-target pins into one package entry per (name, version)."""
    by_version: dict[tuple[str, str], list[tuple[str, Pin]]] = defaultdict(list)
    for target, pins in resolutions:
        for name in sorted(pins):
            by_version[(name, pins[name].version)].append((target.platform, pins[name]))
    result: list[Package] = []
    for (name, version), entries in sorted(by_version.items()):
        artifacts: dict[str, tuple[Pin, list[str]]] = {}
        for platform, pin in entries:
            artifacts.setdefault(pin.artifact.filename, (pin, []))[1].append(platform)
        wheels: list[Artifact] = []
        sdist: Artifact | None = None
        for filename in sorted(artifacts):
            pin, platforms = artifacts[filename]
            locked = _artifact(pin, platforms, source)
            if pin.artifact.is_wheel:
                wheels.append(locked)
            else:
                sdist = locked
        first = entries[0][1]
        yanked = next(
            (p.artifact.yanked for _, p in entries if p.artifact.yanked is not None), None
        )
        result.append(
            Package(
                name=name,
                version=version,
                environment=env,
                index=index_url,
                requires_python=first.artifact.requires_python or None,
                targets=tuple(platform for platform, _ in entries),
                extras=_union(pin.extras for _, pin in entries),
                required_by=_union(pin.required_by for _, pin in entries),
                dependencies=_union(pin.dependencies for _, pin in entries),
                sdist=sdist,
                wheels=tuple(wheels),
                yanked=(yanked or "no reason given") if yanked is not None else None,
            )
        )
    return result


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    merged: set[str] = set()
    for group in groups:
        merged.update(group)
    return tuple(sorted(merged))


def _artifact(pin: Pin, platforms: list[str], source: PackageSource) -> Artifact:
    art = pin.artifact
    if not art.sha256:
        raise IndexError_(
            f"the index gives no sha256 for {art.filename} ({pin.name} {pin.version})",
            where=art.url,
            hint="dht locks only artifacts with hashes; use an index that publishes them (PEP 691/503 hash fragments)",
        )
    size = art.size
    if size is None:
        # PEP 503 HTML pages carry no sizes: ask the server (HEAD), cached by hash.
        sizer = getattr(source, "size", None)
        if sizer is None:
            raise IndexError_(f"the index gives no size for {art.filename}", where=art.url)
        size = int(sizer(art))
    return Artifact(
        name=art.filename,
        url=art.url,
        size=size,
        hashes=Hashes(sha256=art.sha256),
        targets=tuple(platforms),
    )
