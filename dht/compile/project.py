"""What the project declares, and what its build backend says of it.

Two halves, neither resolving nor installing anything:

- Reading: pyproject.toml's [project] (PEP 621), [dependency-groups] (PEP 735),
  [build-system] (PEP 517/518) and the [tool.uv] keys that decide what uv does,
  validated, with errors that name the line and the dotted key. A folder with a
  setup.py and no pyproject.toml reads as a legacy setuptools project.
- Asking: the backend's hooks (PEP 517/660) run through `pyproject_hooks` in a
  subprocess of the interpreter the caller gives (a build environment made
  elsewhere), in the project's own folder so versions from git work, with the
  output captured through `dht.process.run`.
"""

from __future__ import annotations

import os
import posixpath
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dht.errors import DhtError, InputError, did_you_mean
from dht.model.toml import dotted_key, find_line, parse_toml, read_text
from dht.process import ProcessError, clean_env, run

if TYPE_CHECKING:
    from pyproject_hooks import BuildBackendHookCaller

__all__ = [
    "DEFAULT_BACKEND",
    "DEFAULT_REQUIRES",
    "BackendError",
    "BuildSystem",
    "CoreMetadata",
    "PyProject",
    "build_requires",
    "check_extras",
    "group_requirements",
    "parse_metadata",
    "prepare_metadata",
    "read_pyproject",
]

PYPROJECT = "pyproject.toml"
SETUP_PY = "setup.py"
INTENT = "dht.toml"

# PEP 517: no build-backend means the legacy setuptools backend; PEP 518 leaves the
# default requirements to the frontend: pip and uv use this one.
DEFAULT_BACKEND = "setuptools.build_meta:__legacy__"
DEFAULT_REQUIRES = ("setuptools>=40.8.0",)

TAIL_LINES = 30
_TAIL_CHARS = 4000

# PEP 508 names; PEP 735 group names and PEP 685 extras follow the same rule.
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_BACKEND = re.compile(rf"^{_DOTTED}(?::{_DOTTED})?$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_HEADER_LINE = re.compile(r"^\s*\[")

T = TypeVar("T")


# What pyproject.toml declares.


class BuildSystem(msgspec.Struct, frozen=True):
    requires: tuple[str, ...]
    """As written, each a valid PEP 508 requirement; DEFAULT_REQUIRES when not declared."""
    backend: str
    """"hatchling.build"; DEFAULT_BACKEND when absent (PEP 517)."""
    backend_path: tuple[str, ...]
    """In-tree backends: folders relative to the project, each inside it."""
    declared: bool
    """False when [build-system] is absent (the defaults apply)."""


class PyProject(msgspec.Struct, frozen=True):
    root: Path
    name: str | None
    """Normalized; None when there is no [project] table."""
    version: str | None
    """The static version, normalized (PEP 440); None when dynamic or absent."""
    dynamic: tuple[str, ...]
    """[project].dynamic, lowercased, sorted."""
    dependencies: tuple[str, ...]
    """The static [project].dependencies, as written."""
    optional_dependencies: dict[str, tuple[str, ...]]
    """Extra (normalized) -> its requirements, as written."""
    requires_python: str | None
    groups: dict[str, tuple[object, ...]]
    """[dependency-groups] as written (strings and {include-group = ...} tables), keyed by
    the normalized group name, in file order."""
    build: BuildSystem
    uv_default_groups: tuple[str, ...] | None
    """[tool.uv].default-groups normalized ("all": every group); None when not set."""
    uv_package: bool | None
    """[tool.uv].package; None when not set."""
    has_setup_py: bool

    def installable(self) -> bool:
        """What uv does: a package when tool.uv.package says so, else when [build-system]
        is declared or a setup.py exists."""
        if self.uv_package is not None:
            return self.uv_package
        return self.build.declared or self.has_setup_py


def read_pyproject(root: Path) -> PyProject | None:
    """The project in `root`; None when the folder has neither pyproject.toml nor setup.py.

    Raises InputError for broken TOML or values of the wrong type or form, with
    where="pyproject.toml:LINE" and the dotted key.
    """
    path = root / PYPROJECT
    has_setup_py = (root / SETUP_PY).is_file()
    if not path.is_file():
        if not has_setup_py:
            return None
        return PyProject(
            root=root,
            name=None,
            version=None,
            dynamic=(),
            dependencies=(),
            optional_dependencies={},
            requires_python=None,
            groups={},
            build=BuildSystem(DEFAULT_REQUIRES, DEFAULT_BACKEND, (), declared=False),
            uv_default_groups=None,
            uv_package=None,
            has_setup_py=True,
        )
    text = read_text(path, PYPROJECT)
    data = parse_toml(text, PYPROJECT)
    reader = _Reader(text)

    name: str | None = None
    version: str | None = None
    dynamic: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    optional: dict[str, tuple[str, ...]] = {}
    requires_python: str | None = None
    if "project" in data:
        table = reader.table(data["project"], ["project"])
        name = _project_name(reader, table)
        dynamic = _dynamic(reader, table)
        version = _static_version(reader, table, dynamic)
        dependencies = reader.requirements(
            table.get("dependencies", []), ["project", "dependencies"]
        )
        optional = _optional_dependencies(reader, table)
        requires_python = _requires_python(reader, table)

    groups = _groups(reader, data)
    tool = reader.table(data.get("tool", {}), ["tool"])
    uv = reader.table(tool.get("uv", {}), ["tool", "uv"])
    package = uv.get("package")
    if package is not None and not isinstance(package, bool):
        raise reader.bad(["tool", "uv", "package"], f"must be true or false, not {_kind(package)}")

    return PyProject(
        root=root,
        name=name,
        version=version,
        dynamic=dynamic,
        dependencies=dependencies,
        optional_dependencies=optional,
        requires_python=requires_python,
        groups=groups,
        build=_build_system(reader, data, root),
        uv_default_groups=_default_groups(reader, uv, groups),
        uv_package=package,
        has_setup_py=has_setup_py,
    )


def group_requirements(project: PyProject, names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """PEP 735: each asked group's requirement strings, `{include-group = "..."}` expanded
    (recursively, each requirement once, in order), keyed by the normalized group name."""
    out: dict[str, tuple[str, ...]] = {}
    for asked in names:
        key = canonicalize_name(asked)
        if key not in project.groups:
            close = did_you_mean(key, project.groups)
            listing = (
                f"pyproject.toml's groups: {', '.join(project.groups)}"
                if project.groups
                else "pyproject.toml has no [dependency-groups] table"
            )
            raise InputError(
                f"project.groups: pyproject.toml has no dependency group {asked!r}",
                where=INTENT,
                hint=f"{close} {listing}" if close else listing,
            )
        out[key] = tuple(_expand(project, key, []))
    return out


def check_extras(
    project: PyProject, extras: Sequence[str], metadata_extras: Sequence[str] | None = None
) -> None:
    """Refuse extras the project does not have. `metadata_extras` (Provides-Extra from the
    backend) wins when given: extras can be dynamic. Without it, a project whose extras
    are dynamic (or unknown: no [project] table) is not checked."""
    if metadata_extras is not None:
        known: set[str] = {canonicalize_name(e) for e in metadata_extras}
    elif project.name is None or "optional-dependencies" in project.dynamic:
        return
    else:
        known = set(project.optional_dependencies)
    who = project.name or "the project"
    for extra in extras:
        if canonicalize_name(extra) in known:
            continue
        close = did_you_mean(canonicalize_name(extra), known)
        listing = f"its extras: {', '.join(sorted(known))}" if known else "it declares no extras"
        raise InputError(
            f"project.extras: {who} has no extra {extra!r}",
            where=INTENT,
            hint=f"{close} {listing}" if close else listing,
        )


# Core metadata (METADATA, PKG-INFO).


class CoreMetadata(msgspec.Struct, frozen=True):
    name: str
    """Normalized."""
    version: str
    requires_dist: tuple[str, ...]
    provides_extra: tuple[str, ...]
    """Normalized."""
    requires_python: str | None
    dynamic: tuple[str, ...]
    """The `Dynamic:` fields (metadata 2.2), lowercased."""


def parse_metadata(text: str) -> CoreMetadata:
    """A METADATA / PKG-INFO file (email header format), of any metadata version.

    Raises InputError when Name or Version is missing (or given twice)."""
    from packaging.metadata import parse_email

    try:
        raw, _ = parse_email(text)
    except ValueError as exc:  # pragma: no cover - parse_email collects, rarely raises
        raise InputError(f"unreadable core metadata: {exc}", where="METADATA") from None
    name = (raw.get("name") or "").strip()
    version = (raw.get("version") or "").strip()
    for field, value in (("Name", name), ("Version", version)):
        if not value:
            raise InputError(
                f"the core metadata has no (single) {field} field",
                where="METADATA",
                hint="every METADATA / PKG-INFO states the Name and the Version once",
            )
    requires_python = (raw.get("requires_python") or "").strip() or None
    return CoreMetadata(
        name=canonicalize_name(name),
        version=version,
        requires_dist=tuple(r.strip() for r in raw.get("requires_dist", []) if r.strip()),
        provides_extra=tuple(
            dict.fromkeys(
                canonicalize_name(e.strip()) for e in raw.get("provides_extra", []) if e.strip()
            )
        ),
        requires_python=requires_python,
        dynamic=tuple(d.strip().lower() for d in raw.get("dynamic", []) if d.strip()),
    )


# The backend's hooks.


class BackendError(DhtError):
    """The project's build backend failed, or cannot do what dht asks of it.

    `message` says what failed (with the tail of the backend's output when it
    printed any), `hint` what to do, and `output` holds that tail."""

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        output: str = "",
    ) -> None:
        super().__init__(message, where=where, hint=hint)
        self.output = output


def build_requires(
    root: Path, python: Path, build: BuildSystem, *, editable: bool = True, timeout: float = 600
) -> tuple[str, ...]:
    """What the backend needs beyond build-system.requires to build the project:
    get_requires_for_build_editable (or _wheel when `editable` is False), run with
    `python`, a venv that already has build.requires installed.

    A backend without the hook needs nothing more (PEP 517/660). A backend that
    cannot build editables at all is reported by `prepare_metadata`."""
    hook = "get_requires_for_build_editable" if editable else "get_requires_for_build_wheel"

    def call(hooks: BuildBackendHookCaller) -> Any:
        if editable:
            return hooks.get_requires_for_build_editable()
        return hooks.get_requires_for_build_wheel()

    found = _call_hook(root, python, build, hook, call, timeout)
    if not isinstance(found, list) or not all(isinstance(r, str) for r in found):
        raise BackendError(
            f"the build backend {build.backend!r} answered {hook} with {found!r},"
            " not a list of requirements",
            hint="upgrade the backend in build-system.requires; this is a bug in it",
        )
    for text in found:
        try:
            Requirement(text)
        except InvalidRequirement as exc:
            raise BackendError(
                f"the build backend {build.backend!r} asks for {text!r},"
                f" which is not a valid requirement: {exc}",
                hint="upgrade the backend in build-system.requires, or fix its configuration"
                " in pyproject.toml",
            ) from None
    return tuple(found)


def prepare_metadata(
    root: Path,
    python: Path,
    build: BuildSystem,
    scratch: Path,
    *,
    editable: bool = True,
    timeout: float = 600,
) -> CoreMetadata:
    """The project's core metadata as its backend computes it: the
    prepare_metadata_for_build_editable hook (or _wheel), falling back, as
    pyproject_hooks does, to building the (editable) wheel and reading its METADATA.
    The `*.dist-info` folder is left in `scratch` (best an empty folder)."""
    hook = "prepare_metadata_for_build_editable" if editable else "prepare_metadata_for_build_wheel"
    scratch.mkdir(parents=True, exist_ok=True)

    def call(hooks: BuildBackendHookCaller) -> Any:
        if editable:
            return hooks.prepare_metadata_for_build_editable(str(scratch))
        return hooks.prepare_metadata_for_build_wheel(str(scratch))

    found = _call_hook(root, python, build, hook, call, timeout)
    where = f"the build backend {build.backend!r}"
    if not isinstance(found, str) or not found or found in (".", "..") or "/" in found:
        raise BackendError(
            f"{where} answered {hook} with {found!r}, not the name of a .dist-info folder",
            hint="upgrade the backend in build-system.requires; this is a bug in it",
        )
    try:
        text = (scratch / found / "METADATA").read_text(encoding="utf-8", errors="replace")
    except OSError:
        raise BackendError(
            f"{where} wrote no METADATA file in {found}",
            hint="upgrade the backend in build-system.requires; this is a bug in it",
        ) from None
    try:
        return parse_metadata(text)
    except InputError as exc:
        raise BackendError(
            f"{where} wrote unusable metadata: {exc.message}",
            hint="check [project] in pyproject.toml (name and version), or the backend's"
            " own configuration",
        ) from None


class _Runner:
    """pyproject_hooks' subprocess runner, through dht's one subprocess function: the
    output is captured (kept for the caller), never printed."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.output = ""

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        result = run(
            list(cmd),
            cwd=Path(cwd) if cwd else None,
            env=_hook_env(extra_environ),
            timeout=self.timeout,
        )
        self.output = result.output


def _hook_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    """The caller's environment without what redirects Python (PYTHONPATH, VIRTUAL_ENV, …)
    or pyproject_hooks' own settings; SOURCE_DATE_EPOCH passes through only when set."""
    env = {k: v for k, v in clean_env().items() if not k.startswith("_PYPROJECT_HOOKS_")}
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env.update(extra or {})
    return env


def _call_hook(
    root: Path,
    python: Path,
    build: BuildSystem,
    hook: str,
    call: Callable[[BuildBackendHookCaller], T],
    timeout: float,
) -> T:
    from pyproject_hooks import (
        BackendUnavailable,
        BuildBackendHookCaller,
        BuildBackendWarning,
        HookMissing,
    )

    for entry in build.backend_path:
        reason = _backend_path_problem(root, entry)
        if reason:
            raise InputError(
                f"build-system.backend-path: {entry!r} {reason}",
                where=_where(root, ["build-system", "backend-path"]),
                hint="an in-tree backend lives in a folder of the project, named relative to it",
            )
    if not Path(python).exists():
        raise BackendError(
            f"the build environment's Python is missing: {python}",
            hint="run `dht lock` again: it recreates the build environment",
        )
    runner = _Runner(timeout)
    hooks = BuildBackendHookCaller(
        str(root),
        build.backend,
        backend_path=list(build.backend_path) or None,
        runner=runner,
        python_executable=str(python),
    )
    backend = build.backend
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BuildBackendWarning)
            return call(hooks)
    except BackendUnavailable as exc:
        reason = _last_line(exc.traceback) or _last_line(str(exc).split("\n\nTraceback")[0])
        if build.backend_path:
            hint = (
                f"it is imported from backend-path ({', '.join(build.backend_path)}):"
                " check the module is there, and that build-system.requires lists what it imports"
            )
        else:
            hint = (
                "build-system.requires in pyproject.toml must list the package that provides it"
                ' (hatchling.build comes from requires = ["hatchling"]), and build-backend must'
                " name it exactly"
            )
        raise BackendError(
            f"the build backend {backend!r} could not be imported"
            + (f": {reason}" if reason else ""),
            where=_where(root, ["build-system", "build-backend"]),
            hint=hint,
            output=_tail(exc.traceback),
        ) from None
    except HookMissing as exc:
        if exc.hook_name in ("build_editable", "prepare_metadata_for_build_editable") or (
            "editable" in hook
        ):
            raise BackendError(
                f"the build backend {backend!r} does not support editable installs (PEP 660)",
                where=_where(root, ["build-system", "build-backend"]),
                hint="upgrade the backend in build-system.requires (e.g. setuptools>=64,"
                " flit_core>=3.4, poetry-core>=1.0.8), or set `install = false` under"
                " [project] in dht.toml",
                output=_tail(runner.output),
            ) from None
        raise BackendError(  # pragma: no cover - only the editable hooks can go missing
            f"the build backend {backend!r} lacks the hook {exc.hook_name}",
            hint="upgrade the backend in build-system.requires",
        ) from None
    except ProcessError as exc:
        tail = _tail(exc.output)
        if exc.code is None:
            what = f"the build backend {backend!r} did not finish {hook} within {timeout:g} s"
        else:
            what = f"the build backend {backend!r} failed in {hook} (exit {exc.code})"
        shown = "\n".join(f"    {line}" for line in tail.splitlines())
        raise BackendError(
            what + (f":\n{shown}" if shown else ", printing nothing"),
            hint=f"fix what it reports; to see it all, run the backend by hand: `uv build` in {root}",
            output=tail,
        ) from None
    except (OSError, ValueError) as exc:
        # The hook process ended without writing its answer (output.json).
        raise BackendError(
            f"the build backend {backend!r} gave no answer to {hook}: {exc}",
            hint=f"run the backend by hand to see what happens: `uv build` in {root}",
            output=_tail(runner.output),
        ) from None


def _tail(output: str, lines: int = TAIL_LINES) -> str:
    kept = [line.rstrip() for line in output.strip().splitlines()[-lines:]]
    text = "\n".join(kept)
    return text[-_TAIL_CHARS:]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


# Reading, piece by piece.


class _Reader:
    """Checks values of the parsed file; errors point at the line of the dotted key."""

    def __init__(self, text: str) -> None:
        self.text = text

    def bad(
        self, path: Sequence[str], message: str, hint: str | None = None, *, value: str = ""
    ) -> InputError:
        line = find_line(self.text, path)
        if line is not None and value:
            line = _item_line(self.text, line, value)
        return InputError(
            f"{_dotted(path)}: {message}",
            where=f"{PYPROJECT}:{line}" if line else PYPROJECT,
            hint=hint,
        )

    def table(self, value: Any, path: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.bad(path, f"must be a table, not {_kind(value)}")
        return value

    def string(self, value: Any, path: Sequence[str]) -> str:
        if not isinstance(value, str):
            raise self.bad(path, f"must be a string, not {_kind(value)}")
        return value

    def strings(self, value: Any, path: Sequence[str]) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.bad(path, f"must be a list of strings, not {_kind(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.bad([*path, str(index)], f"must be a string, not {_kind(item)}")
        return tuple(value)

    def requirements(self, value: Any, path: Sequence[str]) -> tuple[str, ...]:
        items = self.strings(value, path)
        for index, text in enumerate(items):
            try:
                Requirement(text)
            except InvalidRequirement as exc:
                raise self.bad(
                    [*path, str(index)],
                    f"{text!r} is not a valid requirement: {_first_line(exc)}",
                    'write a PEP 508 requirement, e.g. "requests>=2.31"',
                    value=text,
                ) from None
        return items


def _project_name(reader: _Reader, table: dict[str, Any]) -> str:
    if "name" not in table:
        raise reader.bad(
            ["project", "name"],
            "is missing",
            'a [project] table names its package (PEP 621): name = "..."',
        )
    name = reader.string(table["name"], ["project", "name"])
    if not _NAME.match(name):
        raise reader.bad(
            ["project", "name"],
            f"{name!r} is not a valid project name",
            "letters, digits, and . _ - between them (PEP 508)",
        )
    return canonicalize_name(name)


def _dynamic(reader: _Reader, table: dict[str, Any]) -> tuple[str, ...]:
    fields = [f.lower() for f in reader.strings(table.get("dynamic", []), ["project", "dynamic"])]
    if "name" in fields:
        raise reader.bad(
            ["project", "dynamic"],
            "lists `name`, which cannot be dynamic (PEP 621)",
            "remove it from dynamic and set name under [project]",
        )
    for field in fields:
        if field in table:
            raise reader.bad(
                ["project", field],
                "is set here and listed in project.dynamic",
                "a field is either static or dynamic (PEP 621): remove one of the two",
            )
    return tuple(sorted(set(fields)))


def _static_version(reader: _Reader, table: dict[str, Any], dynamic: Sequence[str]) -> str | None:
    if "version" not in table or "version" in dynamic:
        return None
    text = reader.string(table["version"], ["project", "version"])
    try:
        return str(Version(text))
    except InvalidVersion:
        raise reader.bad(
            ["project", "version"],
            f"{text!r} is not a valid version",
            'a PEP 440 version, e.g. "1.4.2" or "2.0.0rc1"',
        ) from None


def _optional_dependencies(reader: _Reader, table: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    path = ["project", "optional-dependencies"]
    raw = reader.table(table.get("optional-dependencies", {}), path)
    out: dict[str, tuple[str, ...]] = {}
    for extra, value in raw.items():
        if not _NAME.match(extra):
            raise reader.bad(
                [*path, extra],
                f"{extra!r} is not a valid extra name",
                "letters, digits, and . _ - between them (PEP 685)",
            )
        key = canonicalize_name(extra)
        if key in out:
            raise reader.bad(
                [*path, extra],
                f"names the same extra as another key ({key!r})",
                "extra names compare normalized (PEP 685): merge the two",
            )
        out[key] = reader.requirements(value, [*path, extra])
    return out


def _requires_python(reader: _Reader, table: dict[str, Any]) -> str | None:
    if "requires-python" not in table:
        return None
    path = ["project", "requires-python"]
    text = reader.string(table["requires-python"], path)
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        raise reader.bad(
            path, f"{text!r} is not a version specifier", 'e.g. ">=3.10" or ">=3.9,<4"'
        ) from None
    return text


def _build_system(reader: _Reader, data: dict[str, Any], root: Path) -> BuildSystem:
    if "build-system" not in data:
        return BuildSystem(DEFAULT_REQUIRES, DEFAULT_BACKEND, (), declared=False)
    table = reader.table(data["build-system"], ["build-system"])
    if "requires" not in table:
        raise reader.bad(
            ["build-system", "requires"],
            "is missing",
            'list what building the project needs (PEP 518), e.g. requires = ["hatchling"]',
        )
    requires = reader.requirements(table["requires"], ["build-system", "requires"])
    backend = DEFAULT_BACKEND
    if "build-backend" in table:
        backend = reader.string(table["build-backend"], ["build-system", "build-backend"]).strip()
        if not _BACKEND.match(backend):
            raise reader.bad(
                ["build-system", "build-backend"],
                f"{backend!r} does not name a Python object",
                'write module or module:object (PEP 517), e.g. "hatchling.build"',
            )
    path = ["build-system", "backend-path"]
    backend_path = reader.strings(table.get("backend-path", []), path)
    for index, entry in enumerate(backend_path):
        reason = _backend_path_problem(root, entry)
        if reason:
            raise reader.bad(
                [*path, str(index)],
                f"{entry!r} {reason}",
                "an in-tree backend lives in a folder of the project, named relative to it",
                value=entry,
            )
    return BuildSystem(requires, backend, backend_path, declared=True)


def _backend_path_problem(root: Path, entry: str) -> str | None:
    """Why `entry` is not a folder inside the project (PEP 517 backend-path), or None."""
    posix = entry.replace("\\", "/")
    if not posix.strip() or "\0" in posix:
        return "is not a path"
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or os.path.isabs(entry):
        return "is an absolute path; backend-path must stay inside the project"
    normal = posixpath.normpath(posix)
    if normal == ".." or normal.startswith("../"):
        return "leads out of the project; backend-path must stay inside it"
    try:
        (root / normal).resolve().relative_to(root.resolve())
    except ValueError:
        return "leads out of the project (through a link); backend-path must stay inside it"
    except OSError:  # pragma: no cover - resolve() on a broken file system
        return None
    return None


def _groups(reader: _Reader, data: dict[str, Any]) -> dict[str, tuple[object, ...]]:
    raw = reader.table(data.get("dependency-groups", {}), ["dependency-groups"])
    groups: dict[str, tuple[object, ...]] = {}
    for key, items in raw.items():
        path = ["dependency-groups", key]
        if not _NAME.match(key):
            raise reader.bad(
                path,
                f"{key!r} is not a valid group name",
                "letters, digits, and . _ - between them (PEP 735)",
            )
        name = canonicalize_name(key)
        if name in groups:
            raise reader.bad(
                path,
                f"names the same group as another key ({name!r})",
                "group names compare normalized (PEP 735): Tests_Group is tests-group; merge the two",
            )
        if not isinstance(items, list):
            raise reader.bad(path, f"must be a list, not {_kind(items)}")
        for index, item in enumerate(items):
            if isinstance(item, str):
                continue
            if (
                isinstance(item, dict)
                and list(item) == ["include-group"]
                and isinstance(item["include-group"], str)
            ):
                continue
            raise reader.bad(
                [*path, str(index)],
                f'must be a requirement string or {{include-group = "name"}}, not {_kind(item)}',
                "PEP 735: a group lists requirements and includes of other groups",
            )
        groups[name] = tuple(dict(i) if isinstance(i, dict) else i for i in items)
    return groups


def _default_groups(
    reader: _Reader, uv: dict[str, Any], groups: Mapping[str, object]
) -> tuple[str, ...] | None:
    if "default-groups" not in uv:
        return None
    path = ["tool", "uv", "default-groups"]
    value = uv["default-groups"]
    if value == "all":
        return tuple(groups)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise reader.bad(path, 'must be a list of group names, or "all"')
    out: list[str] = []
    for name in value:
        key = canonicalize_name(name)
        if key not in groups:
            close = did_you_mean(key, groups)
            raise reader.bad(
                path,
                f"names the group {name!r}, which [dependency-groups] does not define",
                close or (f"groups: {', '.join(groups)}" if groups else None),
            )
        if key not in out:
            out.append(key)
    return tuple(out)


# Dependency groups (PEP 735).


def _expand(project: PyProject, group: str, stack: list[str]) -> list[str]:
    if group in stack:
        cycle = [*stack[stack.index(group) :], group]
        where, _ = _group_where(project, cycle[0], _include_value(project, cycle[0], cycle[1]))
        raise InputError(
            f"dependency-groups: the groups include each other in a cycle: {' -> '.join(cycle)}",
            where=where,
            hint="remove one of the include-group entries in that cycle",
        )
    stack.append(group)
    out: dict[str, str] = {}  # normalized requirement -> as written
    for item in project.groups[group]:
        if isinstance(item, str):
            try:
                req = Requirement(item)
            except InvalidRequirement as exc:
                where, key = _group_where(project, group, item)
                raise InputError(
                    f"{_dotted(['dependency-groups', key])}: {item!r} is not a valid requirement:"
                    f" {_first_line(exc)}",
                    where=where,
                    hint='write a PEP 508 requirement, e.g. "pytest>=8"',
                ) from None
            req.name = canonicalize_name(req.name)
            out.setdefault(str(req), item)
            continue
        assert isinstance(item, dict)
        target = str(item["include-group"])
        included = canonicalize_name(target)
        if included not in project.groups:
            where, key = _group_where(project, group, target)
            close = did_you_mean(included, project.groups)
            listing = f"groups: {', '.join(project.groups)}"
            raise InputError(
                f"{_dotted(['dependency-groups', key])}: includes the group {target!r},"
                " which [dependency-groups] does not define",
                where=where,
                hint=f"{close} {listing}" if close else listing,
            )
        for text in _expand(project, included, stack):
            req = Requirement(text)
            req.name = canonicalize_name(req.name)
            out.setdefault(str(req), text)
    stack.pop()
    return list(out.values())


def _include_value(project: PyProject, group: str, included: str) -> str:
    for item in project.groups.get(group, ()):
        if isinstance(item, dict) and canonicalize_name(str(item["include-group"])) == included:
            return str(item["include-group"])
    return ""


def _group_where(project: PyProject, group: str, value: str) -> tuple[str, str]:
    """(where, key as written) for an entry of a group: the file is read again, errors only."""
    import tomllib

    try:
        text = (project.root / PYPROJECT).read_text(encoding="utf-8")
        raw = tomllib.loads(text).get("dependency-groups", {})
    except (OSError, ValueError, RecursionError):
        return PYPROJECT, group
    key = next((k for k in raw if canonicalize_name(k) == group), group)
    line = find_line(text, ["dependency-groups", key])
    if line is not None and value:
        line = _item_line(text, line, value)
    return (f"{PYPROJECT}:{line}" if line else PYPROJECT), key


# Small helpers.


def _where(root: Path, path: Sequence[str]) -> str | None:
    """pyproject.toml:LINE of a key, for errors about the build system; read again."""
    try:
        text = (root / PYPROJECT).read_text(encoding="utf-8")
    except OSError:
        return None
    line = find_line(text, path)
    return f"{PYPROJECT}:{line}" if line else PYPROJECT


def _item_line(text: str, start: int, value: str) -> int:
    """The line of `value` (quoted) in the array that starts at line `start`, else `start`."""
    quoted = (f'"{value}"', f"'{value}'")
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        line = lines[number - 1]
        if number > start and _HEADER_LINE.match(line):
            break
        if any(q in line for q in quoted):
            return number
    return start


def _dotted(path: Sequence[str]) -> str:
    parts = [
        p if p.isdigit() or _BARE_KEY.match(p) or i == 0 else f'"{p}"' for i, p in enumerate(path)
    ]
    return dotted_key(parts)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"
