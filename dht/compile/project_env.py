"""The project in the lock: what it is, what it needs, and what uv.lock says of it.

- Its metadata: from pyproject.toml when static; from its build backend's own
  hooks (PEP 517/660) when the backend computes any of it (a version from git,
  dependencies from a file), run in a build environment dht caches by the hash
  of its pins. The backend's answer is cached by the hash of its inputs.
- Its build requirements: build-system.requires and what the backend asks
  for an editable build, resolved like any environment (`project-build`), so
  the editable install at apply time builds with exactly those files.
- The roots it adds to the shared environment: the project itself (met by its
  folder, never the index) with its extras, and its dependency groups.
- uv.lock's pins for everything the project reaches: the versions dht must lock.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

import dht.compile.project as meta
from dht import pyenv
from dht.compile.cache import Cache
from dht.compile.uvlock import UV_LOCK, UvLock, read_uv_lock
from dht.errors import DhtError, InputError
from dht.model.intent import Intent
from dht.model.lock import BUILD_ENVIRONMENT, LockProject

if TYPE_CHECKING:  # `lock --check` reads this module: no resolver at run time
    from dht.compile.resolve import LocalProject, Pin, RootRequirement
    from dht.compile.targets import Target

__all__ = ["BUILD_ENVIRONMENT", "ProjectPlan", "plan_project"]

# Metadata fields that, when the backend computes them, make the lock depend on more
# than pyproject.toml's tables: their inputs' hash is recorded for `lock --check`.
_DYNAMIC_REQUIREMENTS = frozenset({"dependencies", "optional-dependencies"})

ResolveBuild = Callable[["Sequence[RootRequirement]", "Sequence[Target]"], "list[dict[str, Pin]]"]
"""Resolves build roots for targets: one pin table per target, in order."""


class ProjectPlan(msgspec.Struct, frozen=True):
    entry: LockProject | None
    local: LocalProject | None = None
    roots: tuple[RootRequirement, ...] = ()  # into the shared environment
    build: list[dict[str, Pin]] = msgspec.field(
        default_factory=list
    )  # per target, the build closure
    uv_lock: UvLock | None = None

    def pinned(self, target: Target) -> dict[str, tuple[str, str]]:
        """uv.lock's versions for what the project reaches on this target (name -> (version, "uv.lock"))."""
        if self.uv_lock is None or self.entry is None:
            return {}
        request = self.entry.request
        pins = self.uv_lock.pins(
            target.marker_environment(), extras=request.extras, groups=request.groups
        )
        out: dict[str, tuple[str, str]] = {}
        for name, pin in sorted(pins.items()):
            if pin.source != "registry" or pin.version is None:
                raise InputError(
                    f"uv.lock takes {name} from a {pin.source} source ({pin.location}),"
                    f" reached through {' -> '.join(pin.via)}",
                    where=UV_LOCK,
                    hint="dht locks packages from the index only, with a hash per platform:"
                    " publish it to an index, or leave the group that needs it out of project.groups",
                )
            out[name] = (pin.version, UV_LOCK)
        return out


def normalized(text: str, where: str) -> str:
    """One spelling of a requirement (names normalized), so locks compare by value."""
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise InputError(f"{where}: {text!r} is not a valid requirement: {exc}") from None
    req.name = canonicalize_name(req.name)
    return str(req)


def static_dependencies(project: meta.PyProject) -> tuple[str, ...]:
    """Requires-Dist as pyproject.toml states it, every extra included."""
    out = [normalized(r, "pyproject.toml: project.dependencies") for r in project.dependencies]
    for extra, reqs in sorted(project.optional_dependencies.items()):
        for text in reqs:
            req = Requirement(
                normalized(text, f"pyproject.toml: project.optional-dependencies.{extra}")
            )
            condition = f'extra == "{extra}"'
            marker = f"({req.marker}) and {condition}" if req.marker else condition
            req.marker = None
            out.append(f"{req}; {marker}")
    return tuple(sorted(set(out)))


def groups_of(project: meta.PyProject, names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    expanded = meta.group_requirements(project, names)
    return {
        name: tuple(sorted({normalized(r, f"dependency-groups.{name}") for r in reqs}))
        for name, reqs in expanded.items()
    }


def inputs_hash(root: Path, project: meta.PyProject) -> str:
    """What a backend computes dependencies from: the tables and files dht can name."""
    import tomllib

    data: dict[str, Any] = {}
    try:
        parsed = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        parsed = {}
    data["project"] = parsed.get("project", {})
    data["build-system"] = parsed.get("build-system", {})
    tool = parsed.get("tool", {}) if isinstance(parsed.get("tool"), dict) else {}
    data["tool"] = {
        k: tool[k] for k in ("setuptools", "hatch", "flit", "poetry", "pdm") if k in tool
    }
    files = ["setup.py", "setup.cfg", *_dynamic_files(tool)]
    for name in sorted(set(files)):
        path = root / name
        if path.is_file():
            data[f"file:{name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _dynamic_files(tool: Mapping[str, Any]) -> list[str]:
    """Files setuptools reads dynamic metadata from (`{file = [...]}`, at any depth)."""
    setuptools = tool.get("setuptools")
    out: list[str] = []
    todo: list[Any] = [setuptools.get("dynamic") if isinstance(setuptools, dict) else None]
    while todo:
        value = todo.pop()
        if not isinstance(value, dict):
            continue
        files = value.get("file", [])
        for file in [files] if isinstance(files, str) else files if isinstance(files, list) else []:
            if isinstance(file, str) and ".." not in file and not file.startswith("/"):
                out.append(file)
        todo.extend(v for k, v in value.items() if k != "file")
    return out


def installs(project: meta.PyProject | None, request_install: str) -> bool:
    if request_install == "none":
        return False
    if request_install == "editable":
        if project is None or (project.name is None and not project.has_setup_py):
            raise InputError(
                "project.install: the project cannot be installed: there is no pyproject.toml"
                " with a [project] table (nor a setup.py) in this folder",
                where="dht.toml",
                hint="set install = false under [project] when the folder is not a package",
            )
        return True
    return project is not None and project.installable()


def plan_project(
    intent: Intent,
    root: Path | None,
    targets: Sequence[Target],
    resolve_build: ResolveBuild,
    host: Target,
    *,
    cache: Cache | None = None,
    progress: Callable[[str], None] | None = None,
) -> ProjectPlan:
    from dht.compile.resolve import LocalProject, RootRequirement

    request = intent.project
    if root is None:
        return ProjectPlan(entry=None)
    project = meta.read_pyproject(root)
    install = installs(project, request.install)
    uv_lock = read_uv_lock(root / UV_LOCK)
    if project is None:
        if request.groups:
            raise InputError(
                "project.groups: there is no pyproject.toml in this folder to take groups from",
                where="dht.toml",
                hint="remove project.groups, or add [dependency-groups] to a pyproject.toml",
            )
        return ProjectPlan(entry=None)
    groups = groups_of(project, request.groups)
    roots = [
        RootRequirement(Requirement(r), origin=f"project.groups.{name}")
        for name, reqs in sorted(groups.items())
        for r in reqs
    ]
    if not install:
        if request.extras:
            raise InputError(
                "project.extras: the project is not installed, so it has no extras",
                where="dht.toml",
            )
        if not groups:
            return ProjectPlan(entry=None, uv_lock=uv_lock)  # nothing of the project to install
        entry = LockProject(install="none", request=request, groups=groups)
        return ProjectPlan(entry=entry, roots=tuple(roots), uv_lock=uv_lock)

    python = targets[0].python
    _check_python(project, python)
    build = project.build
    static_build = tuple(
        normalized(r, "pyproject.toml: build-system.requires") for r in build.requires
    )
    if progress:
        progress("resolving the project's build requirements")
    build_roots = [
        RootRequirement(Requirement(r), origin="project.build-system") for r in static_build
    ]
    every = [*targets, *([host] if host.platform not in {t.platform for t in targets} else [])]
    pins = resolve_build(build_roots, every)
    hooks = _Hooks(root, project, intent.index_url, python, cache or Cache(), progress)
    dynamic_build = tuple(
        normalized(r, f"{build.backend}: build requirements")
        for r in hooks.build_requires(pins[every.index(host)])
    )
    requires = tuple(sorted(set(static_build) | set(dynamic_build)))
    if set(dynamic_build) - set(static_build):
        build_roots = [
            RootRequirement(Requirement(r), origin="project.build-system") for r in requires
        ]
        pins = resolve_build(build_roots, every)
    metadata = hooks.metadata(pins[every.index(host)])
    if project.name is not None and metadata.name != project.name:
        raise InputError(
            f"the build backend says the project is {metadata.name!r}; pyproject.toml says {project.name!r}",
            where="pyproject.toml",
        )
    meta.check_extras(project, request.extras, metadata.provides_extra)
    # A setup.py-only project: the backend computes all of it.
    dynamic = ("metadata",) if project.name is None else project.dynamic
    from_backend = project.name is None or bool(_DYNAMIC_REQUIREMENTS & set(project.dynamic))
    dependencies = (
        tuple(sorted({normalized(r, f"{metadata.name} metadata") for r in metadata.requires_dist}))
        if from_backend
        else static_dependencies(project)
    )
    requires_python = metadata.requires_python or project.requires_python
    if requires_python and not _python_fits(requires_python, python):
        raise InputError(
            f"project.python: the lock would pin Python {python}, outside the project's"
            f" requires-python {requires_python}",
            where="dht.toml",
            hint="set project.python in dht.toml to a version the project supports",
        )
    static_version = project.version if "version" not in project.dynamic else None
    entry = LockProject(
        name=metadata.name,
        version=static_version,
        dynamic=dynamic,
        install="editable",
        request=request,
        requires_python=requires_python,
        build_backend=build.backend,
        build_requires=requires,
        inputs=inputs_hash(root, project) if from_backend else None,
        dependencies=dependencies,
        groups=groups,
    )
    extras = f"[{','.join(request.extras)}]" if request.extras else ""
    local = LocalProject(metadata.name, metadata.version, dependencies, requires_python)
    roots.insert(0, RootRequirement(Requirement(f"{metadata.name}{extras}"), origin="project"))
    return ProjectPlan(
        entry=entry,
        local=local,
        roots=tuple(roots),
        build=pins[: len(targets)],
        uv_lock=uv_lock,
    )


def _check_python(project: meta.PyProject, python: str) -> None:
    spec = project.requires_python
    if spec and not _python_fits(spec, python):
        raise InputError(
            f"project.python: the lock pins Python {python}, outside the project's"
            f" requires-python {spec!r} (pyproject.toml)",
            where="dht.toml",
            hint="set project.python in dht.toml to a version the project supports",
        )


def _python_fits(spec: str, python: str) -> bool:
    try:
        return SpecifierSet(spec).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True


class _Hooks(msgspec.Struct):
    """The backend's answers (editable build requirements, metadata), cached by their inputs."""

    root: Path
    project: meta.PyProject
    index_url: str
    python: str
    cache: Cache
    progress: Callable[[str], None] | None

    def _key(self, step: str, pins: Mapping[str, Pin]) -> str:
        build = self.project.build
        data: dict[str, Any] = {
            "step": step,
            "inputs": inputs_hash(self.root, self.project),
            "backend": [build.backend, list(build.backend_path)],
            "pins": sorted((p.name, p.version, p.artifact.sha256 or "") for p in pins.values()),
            "python": _minor(self.python),
        }
        if "version" in self.project.dynamic or self.project.name is None:
            data["head"] = _git_head(self.root)  # a version from git moves with the commit
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def _env(self, pins: Mapping[str, Pin]) -> Path:
        if self.progress:
            self.progress(f"asking the build backend {self.project.build.backend}")
        return _build_env(self.cache, pins, self.index_url, _minor(self.python))

    def build_requires(self, pins: Mapping[str, Pin]) -> tuple[str, ...]:
        key = self._key("requires", pins)
        cached = self.cache.read_blob("project_hooks", key)
        if cached is not None:
            try:
                found = json.loads(cached)
                if isinstance(found, list) and all(isinstance(r, str) for r in found):
                    return tuple(found)
            except ValueError:
                pass  # a damaged entry is a miss
        from dht.uvbackend import python_of

        requires = meta.build_requires(self.root, python_of(self._env(pins)), self.project.build)
        self.cache.write_blob("project_hooks", key, json.dumps(list(requires)).encode())
        return tuple(requires)

    def metadata(self, pins: Mapping[str, Pin]) -> meta.CoreMetadata:
        key = self._key("metadata", pins)
        cached = self.cache.read_blob("project_hooks", key)
        if cached is not None:
            try:
                return meta.parse_metadata(cached.decode("utf-8"))
            except (UnicodeDecodeError, DhtError):
                pass
        from dht.uvbackend import python_of

        interpreter = python_of(self._env(pins))
        with tempfile.TemporaryDirectory(prefix="dht-metadata-") as scratch:
            found = meta.prepare_metadata(self.root, interpreter, self.project.build, Path(scratch))
            text = _metadata_text(Path(scratch))
        if text:
            self.cache.write_blob("project_hooks", key, text.encode("utf-8"))
        return found


def _minor(python: str) -> str:
    return ".".join(python.split(".")[:2])


def _metadata_text(scratch: Path) -> str:
    found = sorted(scratch.rglob("*.dist-info/METADATA"))
    return found[0].read_text(encoding="utf-8") if found else ""


def _git_head(root: Path) -> str:
    from dht.process import run

    result = run(["git", "rev-parse", "HEAD"], cwd=root, check=False, timeout=30)
    return result.output.strip() if result.code == 0 else ""


_MISSING_MINORS: set[str] = set()  # minors uv found no interpreter of, in this process


def _build_env(cache: Cache, pins: Mapping[str, Pin], index_url: str, python: str) -> Path:
    """A venv with the build requirements installed, shared by every lock that pins the same."""
    from dht.process import ProcessError
    from dht.uvbackend import Wheel, create_venv, install

    key = hashlib.sha256(
        json.dumps(
            [
                python,
                index_url,
                sorted((p.name, p.version, p.artifact.sha256) for p in pins.values()),
            ]
        ).encode()
    ).hexdigest()
    env = cache.build_env(key)
    if (env / ".dht-ready").exists():
        return env
    env.parent.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix=f"{env.name}.", suffix=".tmp", dir=env.parent))
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    try:
        # The lock's minor answers best (a setup.py may branch on it) when this machine has
        # it; any Python can answer, so none is downloaded for this (seconds, on a first
        # lock; where the download host is unreachable, seconds of retries every time), and
        # a minor found missing is not looked for again (uv's search runs pyenv's shims).
        if running != python and python in _MISSING_MINORS:
            raise DhtError(f"no Python {python} here")
        chosen = sys.executable if running == python else (pyenv.newest(python) or python)
        create_venv(aside, chosen, download=False)
    except DhtError:
        _MISSING_MINORS.add(python)
        create_venv(aside, sys.executable)
    wheels = [
        Wheel(p.name, p.artifact.url, p.artifact.sha256 or "", p.version, index_url)
        for p in sorted(pins.values(), key=lambda p: p.name)
    ]
    with tempfile.TemporaryDirectory(prefix="dht-build-env-") as scratch:
        try:
            install(aside, wheels, Path(scratch))
        except ProcessError as exc:
            shutil.rmtree(aside, ignore_errors=True)
            raise DhtError(
                f"could not install the project's build requirements: {exc.message}",
                hint="check build-system.requires in pyproject.toml",
            ) from None
    (aside / ".dht-ready").write_text("", encoding="utf-8")
    try:
        aside.rename(env)
    except OSError:
        shutil.rmtree(aside, ignore_errors=True)  # another dht made it meanwhile
    return env
