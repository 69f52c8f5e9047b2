"""Reading a project's uv.lock: the versions uv pins for what the project reaches.

Where a project keeps a uv.lock, dht locks the versions it pins, so `uv sync`
and `dht apply` agree. This module owns reading the file (uv.lock format
version 1) and walking it for one target: from the project package (the one at
`.`) through its dependencies, the chosen extras and dependency groups, and the
extras entries ask of other packages, with every marker evaluated for that
target, uv's conflict markers included. It resolves nothing: uv already did.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from packaging.markers import InvalidMarker, Marker, UndefinedComparison
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dht.errors import InputError, did_you_mean
from dht.model.toml import find_line, parse_toml, read_text, shown

UV_LOCK = "uv.lock"

SOURCE_KINDS = ("registry", "git", "path", "directory", "editable", "virtual", "url")
_ROOT_KINDS = ("editable", "virtual")
_RELOCK = "run `uv lock` to bring uv.lock up to date"

# uv's conflict markers: `extra == 'extra-5-click-foo'` / `extra == 'group-7-attrs-tests'`
# (the number is the length of the package name). They mean "this extra or group of that
# package is active", which a single-valued `extra` cannot say when several are: they are
# rewritten to the set-valued `extras` / `dependency_groups` of lock-file markers.
_CONFLICT_TERM = re.compile(r"""\bextra\s*(==|!=)\s*(['"])((extra|group)-(\d+)-([^'"]+))\2""")


class UvPin(msgspec.Struct, frozen=True):
    name: str  # normalized
    version: str | None  # None for sources without a version (some path/git entries)
    source: str  # one of SOURCE_KINDS
    location: str  # the registry URL, git URL, path or url as uv.lock gives it
    via: tuple[str, ...]  # one chain that reaches it from the project, for messages


class _Dependency(msgspec.Struct, frozen=True):
    name: str
    version: str | None
    source: tuple[str, str] | None  # (kind, location) when the entry names one
    marker: Marker | None
    extras: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name}[{','.join(self.extras)}]" if self.extras else self.name


class _Package(msgspec.Struct, frozen=True):
    name: str
    version: str | None
    source: str
    location: str
    dependencies: tuple[_Dependency, ...]
    optional: Mapping[str, tuple[_Dependency, ...]]  # extra -> entries
    groups: Mapping[str, tuple[_Dependency, ...]]  # dependency group -> entries
    resolution_markers: tuple[Marker, ...]
    declared_extras: tuple[str, ...]  # metadata.provides-extras: extras without entries too
    declared_groups: tuple[str, ...]  # metadata.requires-dev: groups without entries too
    index: int  # position among the [[package]] tables, for line numbers

    @property
    def key(self) -> tuple[str, str | None, str, str]:
        return (self.name, self.version, self.source, self.location)

    def described(self) -> str:
        return f"{self.name} {self.version}" if self.version else self.name


class _Active(msgspec.Struct, frozen=True):
    """The extras and groups switched on, as conflict-marker tokens."""

    extras: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    def __or__(self, other: _Active) -> _Active:
        return _Active(self.extras | other.extras, self.groups | other.groups)


def _token(kind: str, package: str, name: str) -> str:
    return f"{kind}-{len(package)}-{package}-{name}"


@dataclass(frozen=True)
class UvLock:
    file: str  # the name to show in messages ("uv.lock")
    root: str | None  # normalized name of the project package (source "." ), None if absent
    requires_python: str | None
    packages: Mapping[str, tuple[_Package, ...]] = field(default_factory=dict, repr=False)
    supported_markers: tuple[Marker, ...] = field(default=(), repr=False)
    # Each set: (package, "extra" | "group", name) items of which one at most may be active.
    conflicts: tuple[frozenset[tuple[str, str, str]], ...] = field(default=(), repr=False)
    text: str = field(default="", repr=False, compare=False)

    def groups(self) -> tuple[str, ...]:
        root = self._root()
        return tuple(sorted({*root.groups, *root.declared_groups})) if root else ()

    def extras(self) -> tuple[str, ...]:
        root = self._root()
        return tuple(sorted({*root.optional, *root.declared_extras})) if root else ()

    def pins(
        self,
        environment: Mapping[str, str],
        *,
        extras: Collection[str] = (),
        groups: Collection[str] = (),
    ) -> dict[str, UvPin]:
        """Every package reachable from the root on this marker environment, with the root's
        own dependencies, the given extras and groups, following dependencies (and the extras
        dependency entries ask for) transitively. The root itself is not in the result."""
        root = self._root()
        if root is None:
            raise InputError(
                "uv.lock has no package for the project itself (source `.`)",
                where=self.file,
                hint="dht follows uv.lock from the project in its folder; a workspace root"
                " without [project] has none",
            )
        chosen_extras = self._chosen(root, ("extra", "extras"), extras, self.extras())
        chosen_groups = self._chosen(root, ("dependency group", "groups"), groups, self.groups())
        self._check_covers(environment)
        active = _Active(
            frozenset(_token("extra", root.name, e) for e in chosen_extras),
            frozenset(_token("group", root.name, g) for g in chosen_groups),
        )
        self._check_conflicts(active)
        # A conflict marker can depend on an extra some other entry asks of a package, which
        # is only known after the walk: walk again with what was asked until nothing new is.
        while True:
            found, asked = self._walk(root, environment, chosen_extras, chosen_groups, active)
            if asked.extras <= active.extras and asked.groups <= active.groups:
                break
            active = active | asked
        self._check_conflicts(active)
        return found

    # -- the walk

    def _walk(
        self,
        root: _Package,
        environment: Mapping[str, str],
        extras: Sequence[str],
        groups: Sequence[str],
        active: _Active,
    ) -> tuple[dict[str, UvPin], _Active]:
        """Breadth first, so each `via` is a shortest chain and the order is stable."""
        found: dict[str, tuple[_Package, UvPin]] = {}
        asked: set[str] = set()
        seen: set[tuple[tuple[str, str | None, str, str], str | None]] = {(root.key, None)}
        # (entries, the extra they are for, the chain that reached them, whose entries)
        queue: deque[tuple[tuple[_Dependency, ...], str | None, tuple[str, ...], _Package]]
        queue = deque([(root.dependencies, None, (), root)])
        for name in extras:
            seen.add((root.key, name))
            queue.append((root.optional.get(name, ()), name, (f"extra {name}",), root))
        for group in groups:
            queue.append((root.groups.get(group, ()), None, (f"group {group}",), root))
        while queue:
            entries, extra, via, owner = queue.popleft()
            context = {
                **environment,
                "extra": extra or "",
                "extras": active.extras,
                "dependency_groups": active.groups,
            }
            for entry in entries:
                if entry.marker is not None and not _holds(entry.marker, context):
                    continue
                package = self._pick(entry, context, via, owner)
                chain = (*via, entry.label)
                if package.name != root.name:
                    self._record(found, package, chain)
                for wanted in (None, *entry.extras):
                    if wanted is not None:
                        asked.add(_token("extra", package.name, wanted))
                    if (package.key, wanted) in seen:
                        continue
                    seen.add((package.key, wanted))
                    more = package.dependencies if wanted is None else package.optional.get(wanted)
                    if more:
                        queue.append((more, wanted, chain, package))
        pins = {name: pin for name, (_, pin) in sorted(found.items())}
        return pins, _Active(frozenset(asked))

    def _record(
        self, found: dict[str, tuple[_Package, UvPin]], package: _Package, chain: tuple[str, ...]
    ) -> None:
        if package.name in found:
            first, pin = found[package.name]
            if first.key != package.key:
                raise InputError(
                    f"uv.lock reaches two versions of {package.name} on this target:"
                    f" {first.described()} through {' -> '.join(pin.via)} and {package.described()}"
                    f" through {' -> '.join(chain)}",
                    where=self._where(("package", package.index)),
                    hint="uv installs one version of a package: if these come from extras or"
                    f" groups that conflict, choose one of them; else {_RELOCK}",
                )
            return
        pin = UvPin(package.name, package.version, package.source, package.location, chain)
        found[package.name] = (package, pin)

    def _pick(
        self, entry: _Dependency, context: Mapping[str, Any], via: tuple[str, ...], owner: _Package
    ) -> _Package:
        """The package a dependency entry means: by its version and source when it gives
        them, else by the resolution markers (the forks) that hold on this target."""
        asker = via[-1] if via else "the project"
        candidates = list(self.packages.get(entry.name, ()))
        if entry.version is not None:
            candidates = [c for c in candidates if c.version == entry.version]
        if entry.source is not None:
            candidates = [c for c in candidates if (c.source, c.location) == entry.source]
        if not candidates:
            wanted = f"{entry.name} {entry.version}" if entry.version else entry.name
            raise InputError(
                f"{asker} depends on {wanted}, which uv.lock does not list",
                where=self._where(("package", owner.index)),
                hint=_RELOCK,
            )
        if len(candidates) > 1:
            candidates = [
                c
                for c in candidates
                if not c.resolution_markers or any(_holds(m, context) for m in c.resolution_markers)
            ]
            if len(candidates) != 1:
                versions = ", ".join(
                    c.version or c.location for c in self.packages.get(entry.name, ())
                )
                raise InputError(
                    f"uv.lock lists several versions of {entry.name} ({versions}) and"
                    f" {'none' if not candidates else 'more than one'} of them is for this"
                    f" target (asked by {asker})",
                    where=self._where(("package", self.packages[entry.name][0].index)),
                    hint=_RELOCK,
                )
        return candidates[0]

    # -- checks on what is asked

    def _root(self) -> _Package | None:
        if self.root is None:
            return None
        return next(
            p for p in self.packages[self.root] if p.source in _ROOT_KINDS and p.location == "."
        )

    def _chosen(
        self, root: _Package, kind: tuple[str, str], asked: Iterable[str], have: Sequence[str]
    ) -> list[str]:
        """The extras or groups asked for, normalized; each one the root has in uv.lock."""
        what, plural = kind
        out: list[str] = []
        for word in asked:
            name = canonicalize_name(word)
            if name not in have:
                close = did_you_mean(name, have)
                listing = f"{plural} there: {', '.join(have)}" if have else f"it lists no {plural}"
                raise InputError(
                    f"uv.lock has no {what} {word!r} for {root.name}",
                    where=self.file,
                    hint=f"{close + ' ' if close else ''}{listing};"
                    " run `uv lock` if pyproject.toml has it",
                )
            if name not in out:
                out.append(name)
        return sorted(out)

    def _check_covers(self, environment: Mapping[str, str]) -> None:
        """uv.lock says nothing of targets outside its Python range or its environments:
        its pins there would be wrong, not merely incomplete."""
        python = environment.get("python_full_version")
        if (
            self.requires_python
            and python
            and _valid_version(python)
            and not SpecifierSet(self.requires_python).contains(python, prereleases=True)
        ):
            raise InputError(
                f"uv.lock is for Python {self.requires_python}; this target runs {python}",
                where=self._where(("requires-python",)),
                hint="make project.requires-python in pyproject.toml include it and run"
                " `uv lock`, or lock a Python it covers",
            )
        if self.supported_markers:
            context = {**environment, "extra": ""}
            if not any(_holds(m, context) for m in self.supported_markers):
                listing = "; ".join(str(m) for m in self.supported_markers)
                raise InputError(
                    f"uv.lock covers only the environments {listing}; this target is none of them",
                    where=self._where(("supported-markers",)),
                    hint="add it to tool.uv.environments in pyproject.toml and run `uv lock`",
                )

    def _check_conflicts(self, active: _Active) -> None:
        for conflict in self.conflicts:
            on = sorted(
                (package, kind, name)
                for package, kind, name in conflict
                if _token(kind, package, name)
                in (active.extras if kind == "extra" else active.groups)
            )
            if len(on) > 1:
                items = " and ".join(
                    f"{'extra' if kind == 'extra' else 'group'} {name!r} of {package}"
                    for package, kind, name in on
                )
                raise InputError(
                    f"uv.lock declares {items} conflicting: they cannot be installed together",
                    where=self._where(("conflicts",)),
                    hint="choose one of them (tool.uv.conflicts in pyproject.toml says they conflict)",
                )

    def _where(self, path: Sequence[str | int]) -> str:
        line = _line(self.text, path)
        return f"{self.file}:{line}" if line else self.file


def _holds(marker: Marker, context: Mapping[str, Any]) -> bool:
    try:
        return marker.evaluate(context, context="lock_file")
    except UndefinedComparison:
        # An ordering operator on values that are not versions: PEP 508 leaves it
        # undefined, and a term that cannot be decided does not hold.
        return False


def _valid_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


# -- reading


def read_uv_lock(path: Path) -> UvLock | None:
    """None when the file does not exist. Raises dht.errors.InputError for a file dht cannot use."""
    if not path.exists():
        return None
    file = shown(path)
    text = read_text(path, UV_LOCK)
    return _Reader(text, file).lock(parse_toml(text, file))


class _Reader:
    """Checks the parts of uv.lock dht uses, with errors that point at the line."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.markers: dict[str, Marker] = {}

    def fail(self, message: str, path: Sequence[str | int], hint: str | None = None) -> InputError:
        line = _line(self.text, path)
        return InputError(message, where=f"{self.file}:{line}" if line else self.file, hint=hint)

    def lock(self, data: dict[str, Any]) -> UvLock:
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise self.fail(
                "uv.lock has no format version (`version = 1`): not a lock uv wrote",
                ("version",),
                hint=f"delete it and {_RELOCK}",
            )
        if version != 1:
            raise self.fail(
                f"uv.lock version {version} is not one dht reads",
                ("version",),
                hint="dht reads uv.lock version 1 (uv 0.3 and newer)",
            )
        requires_python = self.optional_str(data, "requires-python", ())
        if requires_python is not None:
            try:
                SpecifierSet(requires_python)
            except InvalidSpecifier:
                raise self.fail(
                    f"requires-python: {requires_python!r} is not a version range",
                    ("requires-python",),
                ) from None
        supported = tuple(
            self.marker(text, ("supported-markers", i))
            for i, text in enumerate(
                self.str_list(data.get("supported-markers", []), ("supported-markers",))
            )
        )
        packages: dict[str, list[_Package]] = {}
        tables = self.list_of_tables(data.get("package", []), ("package",))
        for index, table in enumerate(tables):
            package = self.package(table, index)
            packages.setdefault(package.name, []).append(package)
        roots = [p for group in packages.values() for p in group if p.source in _ROOT_KINDS]
        roots = [p for p in roots if p.location == "."]
        if len(roots) > 1:
            raise self.fail(
                f"uv.lock lists {len(roots)} packages for the project folder (source `.`):"
                f" {', '.join(p.name for p in roots)}",
                ("package", roots[1].index),
                hint=f"delete it and {_RELOCK}",
            )
        return UvLock(
            file=self.file,
            root=roots[0].name if roots else None,
            requires_python=requires_python,
            packages={name: tuple(group) for name, group in packages.items()},
            supported_markers=supported,
            conflicts=self.conflicts(data.get("conflicts", [])),
            text=self.text,
        )

    def package(self, table: dict[str, Any], index: int) -> _Package:
        at: tuple[str | int, ...] = ("package", index)
        name = self.required_str(table, "name", at)
        kind, location = self.source(table.get("source"), (*at, "source"), name)
        metadata = table.get("metadata", {})
        if not isinstance(metadata, dict):
            raise self.fail(f"package {name}: metadata must be a table", (*at, "metadata"))
        requires_dev = metadata.get("requires-dev", {})
        if not isinstance(requires_dev, dict):
            raise self.fail(
                f"package {name}: metadata.requires-dev must be a table",
                (*at, "metadata", "requires-dev"),
            )
        return _Package(
            name=canonicalize_name(name),
            version=self.optional_str(table, "version", at),
            source=kind,
            location=location,
            dependencies=self.entries(table.get("dependencies", []), (*at, "dependencies")),
            optional=self.entry_tables(table, "optional-dependencies", at),
            groups=self.entry_tables(table, "dev-dependencies", at),
            resolution_markers=tuple(
                self.marker(text, (*at, "resolution-markers", i))
                for i, text in enumerate(
                    self.str_list(table.get("resolution-markers", []), (*at, "resolution-markers"))
                )
            ),
            declared_extras=tuple(
                canonicalize_name(e)
                for e in self.str_list(
                    metadata.get("provides-extras", []), (*at, "metadata", "provides-extras")
                )
            ),
            declared_groups=tuple(canonicalize_name(str(g)) for g in requires_dev),
            index=index,
        )

    def source(self, value: Any, at: tuple[str | int, ...], name: str) -> tuple[str, str]:
        if not isinstance(value, dict):
            raise self.fail(
                f"package {name}: source must be a table like {{ registry = URL }}",
                at,
                hint=f"delete it and {_RELOCK}",
            )
        kinds = [k for k in SOURCE_KINDS if k in value]
        if len(kinds) != 1 or not isinstance(value[kinds[0]], str):
            raise self.fail(
                f"package {name}: source must give one of {', '.join(SOURCE_KINDS)} as a string",
                at,
            )
        return kinds[0], value[kinds[0]]

    def entry_tables(
        self, table: dict[str, Any], key: str, at: tuple[str | int, ...]
    ) -> dict[str, tuple[_Dependency, ...]]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"{key} must be a table of lists", (*at, key))
        return {
            canonicalize_name(name): self.entries(entries, (*at, key, name))
            for name, entries in value.items()
        }

    def entries(self, value: Any, at: tuple[str | int, ...]) -> tuple[_Dependency, ...]:
        out = []
        for i, entry in enumerate(self.list_of_tables(value, at)):
            where = (*at, i)
            name = self.required_str(entry, "name", where)
            source = entry.get("source")
            out.append(
                _Dependency(
                    name=canonicalize_name(name),
                    version=self.optional_str(entry, "version", where),
                    source=None if source is None else self.source(source, where, name),
                    marker=(
                        None
                        if entry.get("marker") is None
                        else self.marker(self.required_str(entry, "marker", where), where)
                    ),
                    extras=tuple(
                        sorted(
                            {
                                canonicalize_name(e)
                                for e in self.str_list(entry.get("extra", []), where)
                            }
                        )
                    ),
                )
            )
        return tuple(out)

    def conflicts(self, value: Any) -> tuple[frozenset[tuple[str, str, str]], ...]:
        out = []
        if not isinstance(value, list):
            raise self.fail("conflicts must be a list of lists", ("conflicts",))
        for group in value:
            items = set()
            for item in self.list_of_tables(group, ("conflicts",)):
                package = item.get("package")
                for kind in ("extra", "group"):
                    name = item.get(kind)
                    if isinstance(package, str) and isinstance(name, str):
                        items.add((canonicalize_name(package), kind, canonicalize_name(name)))
            out.append(frozenset(items))
        return tuple(out)

    def marker(self, text: str, at: Sequence[str | int]) -> Marker:
        if text not in self.markers:
            try:
                self.markers[text] = Marker(_CONFLICT_TERM.sub(_set_membership, text))
            except InvalidMarker as exc:
                raise self.fail(f"{text!r} is not a valid marker: {exc}", at) from None
        return self.markers[text]

    # -- typed fields

    def required_str(self, table: dict[str, Any], key: str, at: tuple[str | int, ...]) -> str:
        value = table.get(key)
        if not isinstance(value, str):
            got = "nothing" if value is None else type(value).__name__
            raise self.fail(f"{_dotted((*at, key))}: expected a string, got {got}", (*at, key))
        return value

    def optional_str(
        self, table: dict[str, Any], key: str, at: tuple[str | int, ...]
    ) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            got = type(value).__name__
            raise self.fail(f"{_dotted((*at, key))}: expected a string, got {got}", (*at, key))
        return value

    def str_list(self, value: Any, at: Sequence[str | int]) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{_dotted(at)}: expected a list of strings", at)
        return value

    def list_of_tables(self, value: Any, at: Sequence[str | int]) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{_dotted(at)}: expected a list of tables", at)
        return value


def _set_membership(match: re.Match[str]) -> str:
    operator, _, token, kind, length, rest = match.groups()
    size = int(length)
    if len(rest) <= size + 1 or rest[size] != "-":
        return match.group(0)  # not uv's shape: an ordinary extra that looks like one
    variable = "extras" if kind == "extra" else "dependency_groups"
    return f"'{token}' {'in' if operator == '==' else 'not in'} {variable}"


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _line(text: str, path: Sequence[str | int]) -> int | None:
    """The line of a key in uv.lock: cut out the n-th [[package]] block (then its package 0)
    and find the key there; uv writes one list entry a line."""
    if len(path) < 2 or path[0] != "package" or not isinstance(path[1], int):
        return find_line(text, [p for p in path if isinstance(p, str)]) if path else None
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == "[[package]]"]
    if path[1] >= len(starts):
        return None
    start = starts[path[1]]
    end = starts[path[1] + 1] if path[1] + 1 < len(starts) else len(lines)
    keys: list[str] = ["package", "0"]
    item: int | None = None
    for part in path[2:]:
        if isinstance(part, int):
            item = part
            break
        keys.append(part)
    found = find_line("\n".join(lines[start:end]), keys)
    if found is None:
        return start + 1
    line = start + found
    if item is not None and lines[line - 1].rstrip().endswith("["):
        line += item + 1
    return line
