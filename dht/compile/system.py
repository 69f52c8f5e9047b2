"""System dependencies: abstract ids (PEP 725 style) compiled to exact package
names for every declared system, from dht's mapping table.

Entries come from `[system]` in the intent and, unless switched off, from
inference: a Python package the project depends on whose source build needs a
system library (psycopg2 -> libpq) brings that dependency, saying why.
"""

from __future__ import annotations

import functools
import json
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dht.errors import InputError, did_you_mean
from dht.model.intent import Intent
from dht.model.lock import LockSystem, Package


class SystemTable(msgspec.Struct, frozen=True):
    ids: dict[str, dict[str, Any]]
    aliases: dict[str, str]  # alias -> id


@functools.cache
def mapping() -> SystemTable:
    data = json.loads(
        resources.files("dht.data").joinpath("system_deps.json").read_text(encoding="utf-8")
    )
    ids: dict[str, dict[str, Any]] = data["deps"]
    aliases = {alias: dep_id for dep_id, entry in ids.items() for alias in entry.get("aliases", ())}
    return SystemTable(ids, aliases)


@functools.cache
def external() -> dict[str, list[str]]:
    data = json.loads(
        resources.files("dht.data").joinpath("external_deps.json").read_text(encoding="utf-8")
    )
    return {name: entry["build"] for name, entry in data["packages"].items()}


def resolve_id(name: str) -> str | None:
    table = mapping()
    if name in table.ids:
        return name
    return table.aliases.get(name.lower())


def lookup(dep_id: str, system: str) -> tuple[str, ...] | bool | None:
    """Packages for a system (the release-specific entry wins); None: unavailable; False: not covered."""
    build: Mapping[str, Any] = mapping().ids.get(dep_id, {}).get("build", {})
    for key in (system, system.split("+", 1)[0]):
        if key in build:
            value = build[key]
            return None if value is None else tuple(value)
    return False


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def project_requirements(root: Path) -> list[tuple[str, str]]:
    """(normalized name, where) for the project's own Python dependencies in pyproject.toml."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # not ours to report: the project read says it
        return []
    found: list[tuple[str, str]] = []
    # pyproject.toml is the user's file: a wrong type means nothing to infer, not a crash.
    project = _table(data.get("project"))
    groups: list[tuple[str, Iterable[Any]]] = [
        ("project.dependencies", project.get("dependencies", []))
    ]
    groups += [
        (f"project.optional-dependencies.{k}", v)
        for k, v in _table(project.get("optional-dependencies")).items()
    ]
    groups += [
        (f"dependency-groups.{k}", v) for k, v in _table(data.get("dependency-groups")).items()
    ]
    for where, items in groups:
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, str):
                continue  # an include-group table
            try:
                found.append((canonicalize_name(Requirement(item).name), where))
            except InvalidRequirement:
                continue
    return found


def compile_system(
    intent: Intent, packages: Iterable[Package], root: Path | None
) -> tuple[LockSystem, ...]:
    entries: dict[str, tuple[set[str], dict[str, tuple[str, ...] | None]]] = {}
    pins: dict[str, dict[str, str]] = {}

    def add(
        dep_id: str, why: str, overrides: Mapping[str, tuple[str, ...] | None] | None = None
    ) -> None:
        reasons, own = entries.setdefault(dep_id, (set(), {}))
        reasons.add(why)
        own.update(overrides or {})

    excluded = set()
    for name in intent.exclude_system:
        dep_id = resolve_id(name)
        if dep_id is None:
            raise _unknown(name, "system.exclude")
        excluded.add(dep_id)

    if intent.infer_system:
        packages = list(packages)
        # A locked package is built on the machine only where some target gets its sdist;
        # with wheels for every target (coverage, lxml today) it needs nothing from the system.
        from_source = {p.name for p in packages if p.sdist is not None}
        wheels_only = {p.name for p in packages} - from_source
        needs: list[tuple[str, str]] = []
        if root is not None:
            needs += [(n, w) for n, w in project_requirements(root) if n not in wheels_only]
        needs += [(p.name, f"{p.environment} environment") for p in packages if p.sdist is not None]
        table = external()
        for name, where in needs:
            for dep_id in table.get(name, ()):
                if dep_id not in excluded:
                    add(dep_id, f"{name} ({where})")

    declared = {*intent.systems, *(s.split("+", 1)[0] for s in intent.systems)}
    for request in intent.system:
        for system, _ in request.overrides:
            if system not in declared:
                raise InputError(
                    f"system.{request.name}.{system}: {system!r} is not one of targets.systems",
                    where="dht.toml",
                    hint=f"add it to targets.systems, or drop the override (declared: {', '.join(intent.systems)})",
                )
        dep_id = resolve_id(request.name)
        if dep_id is None:
            if not request.overrides:
                raise _unknown(request.name, f"system.{request.name}")
            dep_id = request.name  # a custom dependency: its overrides are the whole mapping
        add(dep_id, f"system.{request.name}", dict(request.overrides))
        pins.setdefault(dep_id, {}).update(dict(request.versions))

    out = []
    for dep_id in sorted(entries):
        reasons, overrides = entries[dep_id]
        resolved: dict[str, tuple[str, ...]] = {}
        versions: dict[str, str] = {}
        unavailable: list[str] = []
        for system in intent.systems:
            if system in overrides or system.split("+", 1)[0] in overrides:
                found = overrides.get(system, overrides.get(system.split("+", 1)[0]))
            else:
                mapped = lookup(dep_id, system)
                # Not covered by the table: nothing dht can install there.
                found = mapped if isinstance(mapped, tuple) else None
            if found is None:
                unavailable.append(system)
            else:
                resolved[system] = tuple(found)
                wanted = pins.get(dep_id, {})
                version = wanted.get(system, wanted.get(system.split("+", 1)[0]))
                if version is not None and found:
                    versions[system] = version
        out.append(
            LockSystem(
                id=dep_id,
                why=tuple(sorted(reasons)),
                packages=resolved,
                unavailable=tuple(unavailable),
                versions=versions,
            )
        )
    return tuple(out)


def _unknown(name: str, where: str) -> InputError:
    table = mapping()
    close = did_you_mean(name, [*table.ids, *table.aliases])
    return InputError(
        f"{where}: unknown system dependency {name!r}",
        where="dht.toml",
        hint=(f"{close} " if close else "")
        + 'or give the packages yourself: NAME = { debian = ["pkg"], fedora = ["pkg"], … }',
    )
