"""`dht init`: inspect a project and decide what its starter dht.toml holds.

Every place a project pins its tools is read: `.pre-commit-config.yaml` (revs,
`# frozen:` comments, additional_dependencies), uv.lock, requirements files
(`-r`/`-c` followed), tox.ini deps, noxfile.py installs, pyproject.toml (PEP 735
groups, dev extras, uv's dev-dependencies), then `[tool.X]` tables that name a
tool. An exact pin wins over a range; between exact pins that disagree, the one
the project's CI installs from wins (ci.py), else the first in PIN_ORDER. The
report and the comments say which won and what the others said. Existing
`[tool.X]` tables of the tools dht configures are adopted as they are.
"""

from __future__ import annotations

import configparser
import copy
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from dht.apply.managed import Region, read_ini_values
from dht.errors import DhtError
from dht.files import atomic_write
from dht.model.intent import DEFAULT_INDEX, INTENT_FILE, parse_intent
from dht.model.toml import parse_toml, read_text
from dht.onboard.adopt import adopted_text
from dht.onboard.ci import CiRun, command_runs, precommit_ci, workflow_runs
from dht.onboard.hookmap import sdist_only
from dht.onboard.known import (
    CONFIG_TABLES,
    DEV_TOOLS,
    INI_SECTIONS,
    PIN_ORDER,
    plugin_host,
)
from dht.onboard.runners import NOX_FILE, TOX_FILE, RunnerFile, parse_nox, parse_tox
from dht.onboard.sources import (
    PRECOMMIT_FILE,
    Candidate,
    RequirementsReader,
    Skip,
    parse_precommit,
    pyproject_candidates,
    python_from,
    requirements_files,
    table,
    uv_lock_candidates,
)

SDIST_ONLY = (
    "publishes no wheels (an sdist only, whose build runs its own code), and dht locks"
    " wheels only: install it by hand, or keep running it from pre-commit"
)
NOT_A_TOOL = (
    "not a dev tool dht knows; libraries the tests import stay in the project's own dependencies"
)


@dataclass(frozen=True)
class ToolPlan:
    name: str
    version: str  # a specifier, "" for any
    extras: tuple[str, ...]
    with_: tuple[str, ...]
    sources: tuple[str, ...]  # for the comment: file or table, no line
    wheres: tuple[str, ...]  # for the report: with lines
    notes: tuple[str, ...] = ()
    origin: str = ""  # where the version comes from (a source), "" when unpinned
    origin_ci: bool = False  # CI installs from there
    disagree: tuple[tuple[str, str], ...] = ()  # (source, specifier): pins not taken


@dataclass(frozen=True)
class ConfigPlan:
    name: str
    file: str
    table: str
    values: dict[str, Any]
    format: str = "toml"  # or "ini"
    text: str = ""  # the [config.NAME.set] table in the file's own layout; "": from values


@dataclass(frozen=True)
class ProjectChoice:
    """How the project itself goes into its environment: groups and extras its tests need."""

    installs: bool
    how: str  # why it is (not) installed, for the comment
    groups: tuple[str, ...] = ()
    groups_source: str = ""
    extras: tuple[str, ...] = ()
    extras_source: str = ""


@dataclass(frozen=True)
class InitPlan:
    python: str
    python_source: str
    index_url: str
    index_source: str
    tools: tuple[ToolPlan, ...]
    configs: tuple[ConfigPlan, ...]
    skipped: tuple[Skip, ...]
    notes: tuple[str, ...]
    system: tuple[tuple[str, str], ...]  # (dependency id, why) inferred at lock time
    read: tuple[str, ...]  # the files that were read
    git: bool
    project: ProjectChoice = ProjectChoice(installs=False, how="")
    python_note: str = ""  # how the exact version was found, or that it was not
    ci: tuple[str, ...] = ()  # what CI installs from, described, for the report

    def to_json(self) -> dict[str, Any]:
        return {
            "python": {
                "version": self.python,
                "source": self.python_source,
                "note": self.python_note,
            },
            "project": {
                "install": "editable" if self.project.installs else False,
                "why": self.project.how,
                "groups": list(self.project.groups),
                "extras": list(self.project.extras),
            },
            "index": {"url": self.index_url, "source": self.index_source},
            "tools": [
                {
                    "name": t.name,
                    "version": t.version,
                    "extras": list(t.extras),
                    "with": list(t.with_),
                    "sources": list(t.wheres),
                    "notes": list(t.notes),
                    "from": t.origin,
                    "from-ci": t.origin_ci,
                    "disagree": [{"source": s, "version": v} for s, v in t.disagree],
                }
                for t in self.tools
            ],
            "configs": [{"name": c.name, "file": c.file, "table": c.table} for c in self.configs],
            "not-imported": [
                {"what": s.what, "where": s.where, "reason": s.reason} for s in self.skipped
            ],
            "notes": list(self.notes),
            "ci": list(self.ci),
            "system": [{"id": i, "why": w} for i, w in self.system],
            "read": list(self.read),
            "git": self.git,
        }


@dataclass
class _Gathered:
    tools: list[Candidate] = field(default_factory=list)
    plugins: list[tuple[str, Candidate]] = field(default_factory=list)  # (host, plugin)
    skipped: list[Skip] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    constraints: list[Candidate] = field(default_factory=list)  # -c pins, applied to names found
    ci: list[CiRun] = field(default_factory=list)


def inspect(
    root: Path,
    running: tuple[int, int] | None = None,
    local_python: Callable[[str], str | None] | None = None,
) -> InitPlan:
    """Read the project at `root` (nothing is written) and plan its dht.toml.

    `local_python` maps a minor version to the exact one this machine has (None: none);
    by default uv looks (no downloads)."""
    running = running or (sys.version_info.major, sys.version_info.minor)
    got = _Gathered()
    pyproject: dict[str, Any] = {}
    if (root / "pyproject.toml").is_file():
        pyproject = parse_toml(
            read_text(root / "pyproject.toml", "pyproject.toml"), "pyproject.toml"
        )
        got.read.append("pyproject.toml")
    got.ci = workflow_runs(root)

    if (root / PRECOMMIT_FILE).is_file():
        text = read_text(root / PRECOMMIT_FILE, PRECOMMIT_FILE)
        found, skipped, minimum = parse_precommit(text)
        got.read.append(PRECOMMIT_FILE)
        got.skipped += skipped
        _classify(found, got)
        got.tools.append(
            Candidate(
                name="pre-commit",
                specifier=f">={minimum}" if minimum else "",
                source=PRECOMMIT_FILE,
                note="runs the hooks" + (", from minimum_pre_commit_version" if minimum else ""),
                kind="pre-commit",
                file=PRECOMMIT_FILE,
            )
        )
        got.ci += precommit_ci(root)

    found, skipped = pyproject_candidates(pyproject)
    got.skipped += skipped
    _classify(found, got)

    seen: list[str] = []  # every requirements file read, includes too
    includes: dict[str, list[str]] = {}
    reader = RequirementsReader(root, seen, includes)
    named_by_ci = [run.file for run in got.ci if run.kind == "requirements"]
    for relpath in dict.fromkeys([*requirements_files(root), *named_by_ci]):
        reader.read(relpath, constraint=False)
    runners: dict[str, RunnerFile] = {}
    if (root / TOX_FILE).is_file():
        runners[TOX_FILE] = parse_tox(root, reader)
    if (root / "tox.toml").is_file():
        got.skipped.append(Skip("tox.toml", "tox.toml", "not read: dht init reads tox.ini"))
    if (root / NOX_FILE).is_file():
        runners[NOX_FILE] = parse_nox(root, reader)
    for file, runner in runners.items():
        got.read.append(file)
        got.skipped += runner.skipped
        _classify(runner.found, got)
    got.skipped += reader.skipped
    _classify(reader.found, got)
    got.read += seen
    # CI running tox or nox runs what their environments run, too.
    for file, runner in runners.items():
        if any(run.file == file for run in got.ci):
            for command, where in runner.commands:
                got.ci += [r for r in command_runs(command, where) if r.file != file]
    got.ci = list(dict.fromkeys(got.ci))

    tool_tables = table(pyproject, "tool")
    configs: list[ConfigPlan] = []
    if tool_tables:
        for key in tool_tables:
            name = canonicalize_name(key)
            if name in DEV_TOOLS:
                got.tools.append(
                    Candidate(name=name, specifier="", source=f"[tool.{key}]", kind="tool-table")
                )
            else:
                got.skipped.append(
                    Skip(f"[tool.{key}]", "pyproject.toml", "not a tool dht installs or configures")
                )
        configs = _configs(tool_tables, root)
    configs += _ini_configs(root, got, {c.name for c in configs})
    if (root / "uv.lock").is_file():
        # What `uv sync` installs of every tool and plugin named anywhere (directly, or
        # through what the groups need: a [tool.mypy] table, mypy from pytest-mypy-plugins).
        named = [c.name for c in got.tools] + [p.name for _, p in got.plugins]
        locked, skipped = uv_lock_candidates(root, named)
        got.read.append("uv.lock")
        got.skipped += skipped
        _classify(locked, got)

    if not any(c.name == "pytest" for c in got.tools) and any(
        (root / name).is_dir() for name in ("tests", "test", "testing")
    ):
        # `dht test` runs pytest, which runs unittest test cases too.
        got.tools.append(
            Candidate(
                name="pytest",
                specifier="",
                source="the tests folder",
                note="`dht test` runs the tests with pytest (unittest cases too); the project names no runner",
                kind="tests",
            )
        )
    ci_files = _ci_files(got.ci, includes)
    own = table(pyproject, "project").get("name")
    if isinstance(own, str) and any(c.name == canonicalize_name(own) for c in got.tools):
        # black's own [tool.black]: the project is installed from its source, never as a tool.
        first = next(c for c in got.tools if c.name == canonicalize_name(own))
        got.skipped.append(
            Skip(first.name, first.where, "the project itself: installed from its source")
        )
        got.tools = [c for c in got.tools if c.name != canonicalize_name(own)]
    tools, notes = _merge(got, ci_files)
    python, python_source = python_from(root, pyproject, running)
    if python.count(".") == 1:
        exact = (local_python or find_local_python)(python)
        if exact is not None:
            python_note = f"exact: {exact} is the {python} on this machine"
            python = exact
        else:
            python_note = (
                f"no Python {python} on this machine: `dht lock` pins the newest {python}"
                " uv can install, and `dht apply` downloads it"
            )
    else:
        python_note = ""
    choice = project_choice(root, pyproject, got)
    if (root / ".python-version").is_file():
        got.read.append(".python-version")
    index_url, index_source = _index(pyproject)
    return InitPlan(
        python=python,
        python_source=python_source,
        index_url=index_url,
        index_source=index_source,
        tools=tools,
        configs=tuple(configs),
        skipped=tuple(got.skipped),
        notes=notes,
        system=_system(root),
        read=tuple(got.read),
        git=any((p / ".git").exists() for p in (root.resolve(), *root.resolve().parents)),
        project=choice,
        python_note=python_note,
        ci=_ci_summary(got.ci),
    )


TEST_NAMES = ("test", "tests", "testing")


def project_choice(root: Path, pyproject: Mapping[str, Any], got: _Gathered) -> ProjectChoice:
    """The groups (and extras) that go with the project: what its tests need, and where
    uv.lock exists, what `uv sync` installs (so the two agree on the environment)."""
    from dht.compile.project import read_pyproject

    try:
        project = read_pyproject(root)
    except DhtError:
        project = None  # `dht lock` reports what is wrong with pyproject.toml
    if project is None:
        return ProjectChoice(installs=False, how="")  # no pyproject.toml: nothing to say
    installs = project.installable()
    if installs:
        how = f"it declares a build system ({project.build.backend})"
        if not project.build.declared:
            how = "it has a setup.py"
    else:
        how = "no [build-system] in pyproject.toml, so it is not a package (as uv decides)"
    groups = list(project.groups)
    chosen: list[str] = []
    sources: list[str] = []
    if (root / "uv.lock").is_file():
        default = project.uv_default_groups
        if default is None and "dev" in groups:
            default = ("dev",)
        if default:
            chosen += [canonicalize_name(g) for g in default if canonicalize_name(g) in groups]
            sources.append("what `uv sync` installs (tool.uv.default-groups)"
                           if project.uv_default_groups is not None else "uv's default group")  # fmt: skip
    tests = [g for g in groups if g in TEST_NAMES and g not in chosen]
    if tests:
        chosen += tests
        sources.append("the tests' group")
    if not chosen and "dev" in groups:
        chosen.append("dev")
        sources.append("the dev group (no test group)")
    extras: list[str] = []
    if installs and not any(g in TEST_NAMES for g in chosen):
        extras = [e for e in project.optional_dependencies if e in TEST_NAMES]
    for group in groups:
        if group not in chosen:
            got.skipped.append(
                Skip(
                    f"group {group}",
                    f"dependency-groups.{group}",
                    "not installed with the project; add it to project.groups if the tests need it",
                )
            )
    return ProjectChoice(
        installs=installs,
        how=how,
        groups=tuple(dict.fromkeys(chosen)),
        groups_source="; ".join(sources),
        extras=tuple(extras),
        extras_source="the tests' extra" if extras else "",
    )


def find_local_python(minor: str) -> str | None:
    """The exact version of a CPython `minor` on this machine (no downloads)."""
    from dht.apply.interpreter import local_version

    return local_version(minor)


def _is_tool(candidate: Candidate) -> bool:
    return candidate.tool or candidate.name in DEV_TOOLS


def _classify(found: Iterable[Candidate], got: _Gathered) -> None:
    for candidate in found:
        if candidate.name in {c.name for c in got.tools}:
            # A hook's package (sp-repo-review) is a tool wherever else it is named.
            candidate = replace(candidate, tool=True)
        if candidate.name in sdist_only():
            what = f"{candidate.name} ({candidate.text})" if candidate.text else candidate.name
            got.skipped.append(Skip(what, candidate.where, SDIST_ONLY))
        elif candidate.constraint:
            got.constraints.append(candidate)
        elif _is_tool(candidate):
            got.tools.append(candidate)
        elif (host := plugin_host(candidate.name)) is not None:
            got.plugins.append((host, candidate))
        else:
            got.skipped.append(Skip(candidate.name, candidate.where, NOT_A_TOOL))


def _ci_summary(runs: list[CiRun]) -> tuple[str, ...]:
    """One line per file CI installs from: the first place it does, and how many more."""
    by_file: dict[str, list[CiRun]] = {}
    for run in runs:
        by_file.setdefault(run.file, []).append(run)
    out = []
    for found in by_file.values():
        more = f", and {len(found) - 1} more" if len(found) > 1 else ""
        out.append(f"{found[0].describe()}{more}")
    return tuple(out)


def _ci_files(runs: Iterable[CiRun], includes: Mapping[str, list[str]]) -> frozenset[str]:
    """The files CI installs from: those it names, and what they include (-r, -c)."""
    out: set[str] = set()
    todo = [run.file for run in runs]
    while todo:
        file = todo.pop()
        if file not in out:
            out.add(file)
            todo += includes.get(file, [])
    return frozenset(out)


def _is_exact(spec: str) -> bool:
    parts = list(SpecifierSet(spec)) if spec else []
    return (
        len(parts) == 1
        and parts[0].operator in ("==", "===")
        and not parts[0].version.endswith(".*")
    )


def _satisfies(pin: str, spec: str) -> bool:
    """Whether the version an exact `pin` names is in `spec`."""
    return SpecifierSet(spec).contains(pin.lstrip("="), prereleases=True)


ORDER_TEXT = "pre-commit, uv.lock, requirements files, tox.ini, noxfile.py, pyproject.toml"


def _merge(
    got: _Gathered, ci_files: frozenset[str] = frozenset()
) -> tuple[tuple[ToolPlan, ...], tuple[str, ...]]:
    by_name: dict[str, list[Candidate]] = {}
    for candidate in got.tools:
        by_name.setdefault(candidate.name, []).append(candidate)
    plugin_names = {p.name for _, p in got.plugins}
    for constraint in got.constraints:
        if constraint.name in by_name:
            by_name[constraint.name].append(constraint)
        elif constraint.name in plugin_names:
            host = next(h for h, p in got.plugins if p.name == constraint.name)
            got.plugins.append((host, constraint))
        else:
            got.skipped.append(
                Skip(
                    constraint.name,
                    constraint.where,
                    "a constraint (-c) only: no requirement installs it",
                )
            )
    notes: list[str] = []
    plugins: dict[str, list[Candidate]] = {}
    for host, plugin in got.plugins:
        if host in by_name:
            plugins.setdefault(host, []).append(plugin)
        elif not plugin.constraint:
            got.skipped.append(
                Skip(
                    plugin.name,
                    plugin.where,
                    f"goes with {host} (installed beside it), which is not among the tools",
                )
            )

    def rank(item: tuple[int, Candidate]) -> tuple[bool, bool, int, int]:
        position, c = item
        order = PIN_ORDER.index(c.kind) if c.kind in PIN_ORDER else len(PIN_ORDER)
        return (not _is_exact(c.specifier), c.file not in ci_files, order, position)

    out = []
    for name in sorted(by_name):
        found = by_name[name]
        ranked = sorted((item for item in enumerate(found) if item[1].specifier), key=rank)
        chosen = ranked[0][1] if ranked else None
        version = chosen.specifier if chosen else ""
        exact = chosen is not None and _is_exact(version)
        disagree: list[tuple[str, str]] = []
        for _, other in ranked[1:]:
            assert chosen is not None
            if other.specifier == version:
                continue
            clash = exact and not _satisfies(version, other.specifier)
            why = ""
            if _is_exact(other.specifier):
                disagree.append((other.source, other.specifier))
                chosen_ci, other_ci = chosen.file in ci_files, other.file in ci_files
                if chosen_ci and not other_ci:
                    why = f": CI installs from {chosen.file}"
                else:
                    both = "both" if chosen_ci else "neither"
                    why = f": CI installs from {both}, so the order {ORDER_TEXT} decides"
            elif clash:
                disagree.append((other.source, other.specifier))
            notes.append(
                f"{name}: {version} ({chosen.where}) wins over {other.specifier} ({other.where})"
                + (", which it does not satisfy" if clash else "")
                + why
            )
        extras = sorted({e for c in found for e in c.extras})
        with_ = _dedupe(
            [w for c in found for w in c.with_] + [p.text for p in plugins.get(name, [])]
        )
        sources = _unique([c.source for c in found] + [p.source for p in plugins.get(name, [])])
        wheres = _unique(
            [
                c.where + (f" ({c.text})" if c.source == PRECOMMIT_FILE and c.text else "")
                for c in found
            ]
        )
        out.append(
            ToolPlan(
                name=name,
                version=version,
                extras=tuple(extras),
                with_=with_,
                sources=sources,
                wheres=wheres,
                # "unpinned" notes of the others are moot when a pin came from elsewhere.
                notes=_unique(
                    [
                        c.note
                        for c in found
                        if c.note and (c is chosen or not (chosen and c.note.endswith("unpinned")))
                    ]
                ),
                origin=chosen.source if chosen else "",
                origin_ci=chosen is not None and chosen.file in ci_files,
                disagree=tuple(dict.fromkeys(disagree)),
            )
        )
    return tuple(out), tuple(notes)


def _dedupe(requirements: list[str]) -> tuple[str, ...]:
    """One requirement per package: an exact pin wins, else the first seen."""
    chosen: dict[str, str] = {}
    for text in requirements:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if name not in chosen or (
            _is_exact(str(req.specifier))
            and not _is_exact(str(Requirement(chosen[name]).specifier))
        ):
            chosen[name] = text
    return tuple(sorted(chosen.values()))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _configs(tool: Mapping[str, Any], root: Path) -> list[ConfigPlan]:
    out = []
    for name in CONFIG_TABLES:
        value = tool.get(name)
        if not isinstance(value, dict):
            continue
        managed, values = f"tool.{name}", value
        if (
            name == "pytest"
            and set(value) == {"ini_options"}
            and isinstance(value["ini_options"], dict)
        ):
            managed, values = "tool.pytest.ini_options", value["ini_options"]
        out.append(
            ConfigPlan(
                name=name,
                file="pyproject.toml",
                table=managed,
                values=copy.deepcopy(values),
                text=adopted_text(root, "pyproject.toml", "toml", managed, name, values),
            )
        )
    return out


def _ini_configs(root: Path, got: _Gathered, taken: set[str]) -> list[ConfigPlan]:
    """Sections of setup.cfg, tox.ini, .flake8, … adopted as they are, as `dht apply`
    reads them (so the first apply writes nothing there)."""
    out = []
    problems: dict[str, str | None] = {}
    for tool, file, section in INI_SECTIONS:
        if not (root / file).is_file():
            continue
        if file not in problems:
            problems[file] = _ini_problem(root / file)
            if problems[file]:
                got.skipped.append(Skip(file, file, f"not adopted: {problems[file]}"))
        if problems[file]:
            continue
        try:
            values = read_ini_values(root, Region(file, "ini", section))
        except DhtError as exc:
            got.skipped.append(Skip(f"[{section}]", file, f"not adopted: {exc.message}"))
            continue
        if values is None:
            continue
        if file not in got.read:
            got.read.append(file)
        slug = section.rsplit(":", 1)[-1]
        place = file.strip(".").replace(".", "-")
        names = [tool, *([f"{tool}-{slug}"] if slug != tool else []), f"{tool}-{place}"]
        name = next((n for n in names if n not in taken), f"{tool}-{place}-{slug}")
        taken.add(name)
        text = adopted_text(root, file, "ini", section, name, values)
        out.append(
            ConfigPlan(name=name, file=file, table=section, values=values, format="ini", text=text)
        )
        if tool in DEV_TOOLS:
            got.tools.append(Candidate(name=tool, specifier="", source=f"{file} [{section}]"))
    for file in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        for section in _per_module_mypy(root / file):
            got.skipped.append(
                Skip(
                    f"[{section}]",
                    file,
                    "a per-module mypy section: it stays in its file, unmanaged",
                )
            )
    return out


def _ini_problem(path: Path) -> str | None:
    """Why the tools themselves would not read this INI file as dht would adopt it, if so."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"cannot read it ({exc})"
    if text.startswith("\ufeff"):
        return "it starts with a byte-order mark"
    # The tools' own reading: a section or an option (in any case) twice is an error there.
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path.name)
    except configparser.Error as exc:
        return str(exc).splitlines()[0]
    return None


def _per_module_mypy(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    except (OSError, UnicodeDecodeError):
        return []
    return [
        line.strip()[1:-1]
        for line in lines
        if line.startswith("[mypy-") and line.strip().endswith("]")
    ]


def _index(pyproject: Mapping[str, Any]) -> tuple[str, str]:
    uv = table(table(pyproject, "tool"), "uv")
    if uv:
        for entry in uv.get("index", []) if isinstance(uv.get("index"), list) else []:
            if (
                isinstance(entry, dict)
                and entry.get("default") is True
                and isinstance(entry.get("url"), str)
            ):
                return entry["url"], "[[tool.uv.index]] default = true in pyproject.toml"
        if isinstance(uv.get("index-url"), str):
            return uv["index-url"], "tool.uv.index-url in pyproject.toml"
    return DEFAULT_INDEX, "the default (PyPI)"


def _system(root: Path) -> tuple[tuple[str, str], ...]:
    """What `dht lock` will infer from the project's dependencies (the same function it uses)."""
    from dht.compile.system import external, project_requirements

    try:
        needs = project_requirements(root)
    except (AttributeError, TypeError):
        # A wrongly typed [project] or [dependency-groups]: lock reports it; init lists nothing.
        needs = []
    build_deps = external()
    why: dict[str, set[str]] = {}
    for name, where in needs:
        for dep_id in build_deps.get(name, ()):
            why.setdefault(dep_id, set()).add(f"{name} ({where})")
    return tuple((dep_id, ", ".join(sorted(why[dep_id]))) for dep_id in sorted(why))


# Writing


def write(root: Path, text: str, *, force: bool) -> Path:
    """Write dht.toml atomically after checking dht can read it; refuse to overwrite without force."""
    path = root / INTENT_FILE
    refuse_overwrite(root, force=force)
    check(text)
    atomic_write(path, text.encode("utf-8"))
    return path


def refuse_overwrite(root: Path, *, force: bool) -> None:
    if (root / INTENT_FILE).exists() and not force:
        raise DhtError(
            f"{INTENT_FILE} already exists; nothing written",
            where=INTENT_FILE,
            hint="`dht init --force` replaces it; `dht init --dry-run` prints what it would write",
        )


def check(text: str) -> None:
    """The generated file must be one `dht lock` accepts; anything else is a bug in init."""
    try:
        parse_intent(text, INTENT_FILE)
    except DhtError as exc:
        raise DhtError(
            f"dht init produced a dht.toml it cannot read: {exc}",
            hint="please report this; `dht init --dry-run` shows the file",
        ) from None
