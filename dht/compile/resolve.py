"""Resolution of one environment for one target, with resolvelib.

The resolver does no I/O: the provider asks a `PackageSource` (the index
client in production, an in-memory index in tests) for project pages and
core metadata. The source may fetch ahead: the provider tells it which
pages and metadata it will want next (`prefetch`, `prefetch_metadata`).

The rules, as users see them in the lock:

- Candidates are tried newest first, except the version the previous lock
  pinned (`preferences`), which is tried first while still allowed, so that
  a re-lock changes as little as it can (`upgrade` turns that off).
- A version is usable on the target when it has a wheel whose tags the
  target accepts, or an sdist, and its files' requires-python admit the
  target's `python_full_version`. Yanked files count only for dht.toml's own
  requirement pinning that exact version (`==1.2.3`, no wildcard), or uv.lock's
  pin of it, as PEP 592 says and uv does; a dependency's `==` pin does not
  select them.
- A project the index has no page for (404), or a release whose metadata
  cannot be read, is a reason to drop the candidate that needs it and try an
  older one (as uv), shown in the message when nothing else fits; only a
  dht.toml entry naming such a project is an error of its own.
- Pre-releases: packaging's rule, applied to all the requirements on a name
  together and to the whole page: only when a specifier names a pre-release
  (`>=2.0b1`), or when no final release on the page matches at all.
- Dependencies come from one file's core metadata per release, read once:
  a `none-any` wheel, else the first wheel by name, else the sdist. All
  wheels of a release share their metadata (pip and uv assume it too), and a
  target-independent choice means one read serves every platform.
- Order never depends on hash seeds: every choice ends on a sorted name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

import msgspec
import resolvelib
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    canonicalize_name,
)
from packaging.version import Version
from resolvelib.structs import RequirementInformation

from dht.compile.index import ProjectNotFound
from dht.compile.releases import canonical, parse_version
from dht.compile.targets import Target, best_artifact, metadata_artifact
from dht.errors import IndexError_, IntegrityError, NetworkError, ResolutionError

PYTHON = "<python>"  # a pseudo package: requires-python from metadata becomes a requirement on it


class ArtifactLike(Protocol):
    @property
    def filename(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def sha256(self) -> str | None: ...
    @property
    def size(self) -> int | None: ...
    @property
    def requires_python(self) -> str | None: ...
    @property
    def yanked(self) -> str | None: ...
    @property
    def is_wheel(self) -> bool: ...


class PageLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def artifacts(self) -> Sequence[Any]: ...


class MetadataLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def requires_dist(self) -> Sequence[str]: ...
    @property
    def requires_python(self) -> str | None: ...


class PackageSource(Protocol):
    def project(self, name: str) -> PageLike: ...
    def releases(self, name: str) -> Mapping[Version, list[Any]]:
        """The page's files by version, newest first: `releases.group`'s grouping."""
        ...

    def metadata(self, artifact: Any) -> MetadataLike: ...


class LocalProject(msgspec.Struct, frozen=True):
    """The project being developed: any requirement on its name is met by its folder,
    never by the index. Its metadata comes from pyproject.toml or its build backend."""

    name: str  # normalized
    version: str
    requires_dist: tuple[str, ...]
    requires_python: str | None = None


class RootRequirement(msgspec.Struct, frozen=True):
    requirement: Requirement
    origin: str  # the intent entry that asked, e.g. "tools.black"


class Pin(msgspec.Struct, frozen=True):
    name: str
    version: str
    extras: tuple[str, ...]
    artifact: ArtifactLike  # the source's own artifact: the best one for the target
    dependencies: tuple[str, ...]
    required_by: tuple[str, ...]


class Resolution(msgspec.Struct, frozen=True):
    target: Target
    pins: dict[str, Pin]


# Resolver vocabulary


class _Req(msgspec.Struct, frozen=True):
    name: str  # normalized, or PYTHON
    extras: frozenset[str]
    specifier: SpecifierSet
    text: str  # as written, for messages
    origin: str | None = None  # set on root requirements
    # May select a yanked release: dht.toml's own exact pin (PEP 592), or the
    # name[extra] -> name link, which repeats a version already chosen.
    allows_yanked: bool = False

    @property
    def identifier(self) -> str:
        return _identifier(self.name, self.extras)

    def exact(self) -> Version | None:
        specs = list(self.specifier)
        if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
            try:
                return Version(specs[0].version)
            except ValueError:
                return None
        return None


class _Release(msgspec.Struct, frozen=True):
    version: Version
    artifacts: tuple[Any, ...]  # usable on the target, yanked ones included
    yanked: bool  # every usable artifact is yanked
    metadata_artifact: Any


@dataclass(frozen=True)
class _Cand:
    name: str
    version: Version
    extras: frozenset[str] = frozenset()
    release: _Release | None = field(default=None, compare=False)
    local: bool = field(default=False, compare=False)  # the project's own folder

    @property
    def identifier(self) -> str:
        return _identifier(self.name, self.extras)


def _identifier(name: str, extras: frozenset[str]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


@functools.lru_cache(maxsize=4096)
def _python_ok(spec: str | None, version: str) -> bool:
    if not spec:
        return True
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except InvalidSpecifier:
        return True  # an unreadable requires-python does not exclude (as pip)


VersionTable = dict[str, Mapping[Version, list[Any]]]
"""A project's index files grouped by version, newest first, by project name."""


class _Provider(resolvelib.AbstractProvider[_Req, _Cand, str]):
    def __init__(
        self,
        target: Target,
        source: PackageSource,
        preferences: Mapping[str, Version],
        versions: VersionTable,
        local: LocalProject | None = None,
        pinned: Mapping[str, tuple[Version, str]] | None = None,
    ) -> None:
        self.target = target
        self.source = source
        self.preferences = preferences
        self.local = local
        self.local_requires: list[Requirement] = (
            [Requirement(r) for r in local.requires_dist] if local else []
        )
        # name -> (the only version allowed, who says so): uv.lock's pins.
        self.pinned = dict(pinned or {})
        # Names whose sdists may be built (dht.toml's index.build-from-source; "*": any).
        self.from_source: frozenset[str] = frozenset({"*"})
        self.environment = target.marker_environment()
        # Grouping a page by version does not depend on the target: shareable.
        self._versions = versions
        self._release: dict[tuple[str, Version], _Release | None] = {}
        self._excluded: dict[tuple[str, Version], str] = {}
        self._deps: dict[tuple[str, Version], list[Requirement]] = {}
        # Projects the index has no page for: a reason to drop whoever needs them
        # (uv backtracks past them too); fatal only when dht.toml asks for one.
        self.missing: set[str] = set()
        self.unreadable: set[tuple[str, Version]] = set()  # releases whose metadata failed
        # Who asked for what, kept across backtracking: names the dht.toml
        # entries behind a conflict found deep in the graph.
        self.asked_by: dict[str, set[str]] = {}  # name -> parent names
        self.origins: dict[str, set[str]] = {}  # name -> root origins ("tools.black")
        # What resolvelib reported while backtracking, for messages: why each candidate
        # was dropped (the first conflict it met), and which versions of each name it tried.
        self.rejected: dict[tuple[str, Version], list[RequirementInformation[_Req, _Cand]]] = {}
        self.tried: dict[str, set[Version]] = {}
        self.roots: list[_Req] = []  # dht.toml's requirements, as the resolver got them
        self.ranges: dict[str, set[SpecifierSet]] = {}  # what dependencies asked of a name
        # Who took part in each conflict met: the asking package, or the dht.toml entry.
        self.conflict_parents: set[str] = set()
        self.conflict_roots: set[str] = set()

    def origins_of(self, name: str) -> list[str]:
        """The dht.toml entries whose closure reached `name`, sorted."""
        found: set[str] = set()
        seen = {name}
        queue = [name]
        while queue:
            current = queue.pop()
            found.update(self.origins.get(current, ()))
            for parent in sorted(self.asked_by.get(current, ())):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return sorted(found)

    # The source's pages, reduced to what runs on the target.

    def versions(self, name: str) -> Mapping[Version, list[Any]]:
        """The page's files grouped by version, newest first."""
        if name not in self._versions:
            try:
                found = self.source.releases(name)
            except ProjectNotFound:
                self.missing.add(name)
                return {}
            self._versions[name] = found
        return self._versions[name]

    def release(self, name: str, version: Version) -> _Release | None:
        """What of a version runs on the target; None (and the reason recorded) when nothing."""
        key = (name, version)
        if key in self._release:
            return self._release[key]
        files = sorted(self.versions(name)[version], key=lambda a: a.filename)
        buildable = "*" in self.from_source or name in self.from_source
        runnable = [
            a
            for a in files
            if (a.is_wheel and self.target.wheel_rank(a.filename) is not None)
            or (not a.is_wheel and buildable)
        ]
        fitting = [
            a for a in runnable if _python_ok(a.requires_python, self.target.python_full_version)
        ]
        live = [a for a in fitting if a.yanked is None]
        result: _Release | None = None
        if not runnable and any(not a.is_wheel for a in files):
            self._excluded[key] = (
                f"no wheel for {self.target.platform}, only an sdist, and index.build-from-source "
                f"does not list {name} (its build backend would run on every machine)"
            )
        elif not runnable:
            self._excluded[key] = f"no wheel for {self.target.platform} and no sdist"
        elif not fitting:
            spec = runnable[0].requires_python
            self._excluded[key] = f"needs Python {spec}; the lock targets {self.target.python}"
        else:
            if not live:
                reason = next((a.yanked for a in fitting if a.yanked), "")
                self._excluded[key] = f"yanked ({reason})" if reason else "yanked"
            unyanked = [a for a in files if a.yanked is None]
            meta = metadata_artifact(unyanked or files)
            result = _Release(version, tuple(live or fitting), not live, meta)
        self._release[key] = result
        return result

    def releases(self, name: str) -> list[_Release]:
        """Every usable release (evaluates all versions: for messages, not the hot path)."""
        found = [self.release(name, v) for v in self.versions(name)]
        return [r for r in found if r is not None]

    def usable(self, name: str, release: _Release) -> bool:
        """Whether the release's dependencies can be read; the reason recorded when not."""
        try:
            self.dependencies_of(name, release)
        except (NetworkError, IntegrityError):
            raise  # the network or a tampered file: never a reason to pick another version
        except IndexError_ as exc:
            self._excluded[(name, release.version)] = f"its metadata is unavailable ({exc.message})"
            self.unreadable.add((name, release.version))
            return False
        return True

    def excluded(self, name: str) -> list[tuple[Version, str]]:
        """Versions that cannot be used on the target and why, newest first."""
        self.releases(name)
        # Sorted: evaluation order depends on which versions were tried first.
        found = [(v, why) for (n, v), why in self._excluded.items() if n == name]
        return sorted(found, key=lambda item: item[0], reverse=True)

    def dependencies_of(self, name: str, release: _Release) -> list[Requirement]:
        key = (name, release.version)
        if key in self._deps:
            return self._deps[key]
        meta = self.source.metadata(release.metadata_artifact)
        if canonicalize_name(meta.name) != name or Version(meta.version) != release.version:
            raise ResolutionError(
                f"{release.metadata_artifact.filename} says it is {meta.name} {meta.version}",
                where=release.metadata_artifact.url,
                hint="the index serves a file under the wrong name; report it to the index",
            )
        reqs: list[Requirement] = []
        for text in meta.requires_dist:
            try:
                reqs.append(Requirement(text))
            except InvalidRequirement as exc:
                raise ResolutionError(
                    f"{name} {release.version} declares an invalid requirement {text!r}: {exc}",
                    where=release.metadata_artifact.url,
                ) from None
        if meta.requires_python:
            try:
                SpecifierSet(meta.requires_python)
            except InvalidSpecifier:
                pass
            else:
                reqs.append(_python_requirement(meta.requires_python))
        self._deps[key] = reqs
        return reqs

    def applies(self, req: Requirement, extras: Iterable[str]) -> bool:
        if req.marker is None:
            return True
        return any(req.marker.evaluate({**self.environment, "extra": e}) for e in ("", *extras))

    # resolvelib's interface

    def identify(self, requirement_or_candidate: _Req | _Cand) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, _Cand],
        candidates: Mapping[str, Iterator[_Cand]],
        information: Mapping[str, Iterator[RequirementInformation[_Req, _Cand]]],
        backtrack_causes: Sequence[RequirementInformation[_Req, _Cand]],
    ) -> tuple[bool, bool, bool, str]:
        infos = list(information[identifier])
        pinned = any(i.requirement.exact() is not None for i in infos)
        root = any(i.parent is None for i in infos)
        # Deciding the packages of the last conflict first keeps backtracking short (as pip).
        name = infos[0].requirement.name if infos else identifier
        conflicting = any(
            c.requirement.name == name or (c.parent is not None and c.parent.name == name)
            for c in backtrack_causes
        )
        # The identifier last: a total order, which no hash seed can change.
        return (identifier != PYTHON, not conflicting, not (pinned or root), identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[_Req]],
        incompatibilities: Mapping[str, Iterator[_Cand]],
    ) -> Callable[[], Iterator[_Cand]] | list[_Cand]:
        reqs = list(requirements[identifier])
        bad = {c.version for c in incompatibilities[identifier]}
        if identifier == PYTHON:
            here = Version(self.target.python_full_version)
            ok = all(r.specifier.contains(here, prereleases=True) for r in reqs)
            return [_Cand(PYTHON, here)] if ok and here not in bad else []
        name = reqs[0].name
        extras = frozenset().union(*(r.extras for r in reqs))
        if self.local is not None and name == self.local.name:
            here = Version(self.local.version)
            fits = all(r.specifier.contains(here, prereleases=True) for r in reqs)
            return [_Cand(name, here, extras, local=True)] if fits and here not in bad else []
        exact = {v for r in reqs if r.allows_yanked and (v := r.exact()) is not None}
        if name in self.pinned:
            # uv.lock's pin is the user's exact choice too (uv keeps it): yanked or not.
            exact.add(self.pinned[name][0])
        # One combined set: packaging's filter then admits pre-releases only when a
        # specifier names one, or when nothing else matches. Versions ruled out by
        # backtracking are dropped after, so they never let pre-releases in.
        combined = SpecifierSet()
        for q in reqs:
            combined &= q.specifier
        allowed = set(combined.filter(self.versions(name)))
        ordered = [v for v in self.versions(name) if v in allowed and v not in bad]
        if name in self.pinned:
            ordered = [v for v in ordered if v == self.pinned[name][0]]
        preferred = self.preferences.get(name)
        ordered.sort(key=lambda v: v != preferred)  # stable: newest first otherwise

        def candidates() -> Iterator[_Cand]:
            # Lazy: most resolutions look at one or two versions of a project with hundreds.
            for version in ordered:
                release = self.release(name, version)
                if (
                    release is not None
                    and (not release.yanked or version in exact)
                    and self.usable(name, release)
                ):
                    yield _Cand(name, version, extras, release)

        first = next(candidates(), None)
        if (
            first is not None
            and first.release is not None
            and hasattr(self.source, "prefetch_metadata")
        ):
            self.source.prefetch_metadata([first.release.metadata_artifact])
        return candidates

    def is_satisfied_by(self, requirement: _Req, candidate: _Cand) -> bool:
        return requirement.specifier.contains(candidate.version, prereleases=True)

    def get_dependencies(self, candidate: _Cand) -> list[_Req]:
        if candidate.name == PYTHON or (candidate.release is None and not candidate.local):
            return []
        parent = f"{candidate.name}=={candidate.version}"
        out: list[_Req] = []
        if candidate.extras:
            # The package itself, at the same version, carries the files.
            out.append(
                _Req(
                    candidate.name,
                    frozenset(),
                    SpecifierSet(f"=={candidate.version}"),
                    parent,
                    allows_yanked=True,
                )
            )
        if candidate.local:
            requires = list(self.local_requires)
            if self.local is not None and self.local.requires_python:
                requires.append(_python_requirement(self.local.requires_python))
        else:
            assert candidate.release is not None
            requires = self.dependencies_of(candidate.name, candidate.release)
        for req in requires:
            if req.name == PYTHON:
                out.append(_Req(PYTHON, frozenset(), req.specifier, f"Python {req.specifier}"))
                continue
            if not self.applies(req, candidate.extras):
                continue
            # Only edges that apply here: a conflict names the entries that really reach it.
            self.asked_by.setdefault(canonical(req.name), set()).add(candidate.name)
            self.ranges.setdefault(canonical(req.name), set()).add(req.specifier)
            out.append(
                _Req(
                    canonicalize_name(req.name),
                    frozenset(canonicalize_name(e) for e in req.extras),
                    req.specifier,
                    str(req),
                    # The project's own requirements are the user's: an exact pin there
                    # may select a yanked release (PEP 592), as uv lets it.
                    allows_yanked=candidate.local,
                )
            )
        prefetch = getattr(self.source, "prefetch", None)
        if prefetch is not None:
            prefetch(sorted({r.name for r in out if r.name != PYTHON}))
        return out


class _Recorder(resolvelib.BaseReporter[_Req, _Cand, str]):
    """Keeps what the messages need from the resolver's progress; passes it all on."""

    def __init__(self, provider: _Provider, inner: resolvelib.BaseReporter[Any, Any, str]) -> None:
        self.provider = provider
        self.inner = inner

    def starting(self) -> None:
        self.inner.starting()

    def starting_round(self, index: int) -> None:
        self.inner.starting_round(index)

    def ending_round(self, index: int, state: Any) -> None:
        self.inner.ending_round(index, state)

    def ending(self, state: Any) -> None:
        self.inner.ending(state)

    def adding_requirement(self, requirement: _Req, parent: _Cand | None) -> None:
        self.inner.adding_requirement(requirement, parent)

    def pinning(self, candidate: _Cand) -> None:
        self.provider.tried.setdefault(candidate.name, set()).add(candidate.version)
        self.inner.pinning(candidate)

    def resolving_conflicts(self, causes: Collection[RequirementInformation[_Req, _Cand]]) -> None:
        for cause in causes:
            # Names only: the entries behind them are looked up if a message needs them.
            if cause.parent is None:
                self.provider.conflict_roots.add(str(cause.requirement.origin))
            else:
                self.provider.conflict_parents.add(cause.parent.name)
        self.inner.resolving_conflicts(causes)

    def rejecting_candidate(self, criterion: Any, candidate: _Cand) -> None:
        key = (candidate.name, candidate.version)
        if key not in self.provider.rejected:
            self.provider.rejected[key] = list(criterion.information)
        self.provider.tried.setdefault(candidate.name, set()).add(candidate.version)
        self.inner.rejecting_candidate(criterion, candidate)


def _python_requirement(spec: str) -> Requirement:
    req = Requirement("python")
    req.name = PYTHON
    req.specifier = SpecifierSet(spec)
    return req


_NO_PREFERENCES: Mapping[str, str] = MappingProxyType({})


def resolve(
    roots: Sequence[RootRequirement],
    target: Target,
    source: PackageSource,
    *,
    preferences: Mapping[str, str] | None = _NO_PREFERENCES,
    upgrade: bool | Collection[str] = False,
    reporter: resolvelib.BaseReporter[Any, Any, str] | None = None,
    max_rounds: int = 2000,
    shared: VersionTable | None = None,
    local: LocalProject | None = None,
    pinned: Mapping[str, tuple[str, str]] | None = None,
    from_source: Collection[str] = ("*",),
) -> Resolution:
    """Pin every package the roots need on the target, or explain why not.

    `preferences` (name -> version, from the previous lock) are tried first so
    that a re-lock changes as little as it can; `upgrade=True` ignores them
    all, a collection of names ignores those. Resolutions of one source for
    several targets may pass one `shared` table: pages are grouped once.
    `local` is the project being developed (met by its folder, never the index);
    `pinned` (name -> (version, who pins it)) allows only that version of a name,
    as uv.lock's pins do. `from_source` names the packages whose sdists may be
    locked (built at install); "*" allows any.
    """
    if isinstance(upgrade, str):  # one name, not its letters
        upgrade = [upgrade]
    prefs: dict[str, Version] = {}
    if upgrade is not True:
        moving = {canonical(n) for n in upgrade} if upgrade else set()
        for name, text in sorted((preferences or {}).items()):
            version = parse_version(text)
            # An unreadable previous pin is no reason to fail: it is just not preferred.
            if version is not None and canonical(name) not in moving:
                prefs[canonical(name)] = version
    pins_of: dict[str, tuple[Version, str]] = {}
    for name, (text, who) in sorted((pinned or {}).items()):
        version = parse_version(text)
        if version is not None:
            pins_of[canonical(name)] = (version, who)
    provider = _Provider(target, source, prefs, {} if shared is None else shared, local, pins_of)
    provider.from_source = frozenset(canonical(n) if n != "*" else n for n in from_source)
    requirements: list[_Req] = []
    for root in roots:
        req = root.requirement
        if req.marker is not None and not provider.applies(req, ()):
            continue
        name = canonical(req.name)
        requirements.append(
            _Req(
                name,
                frozenset(canonical(e) for e in req.extras),
                req.specifier,
                str(req),
                root.origin,
                allows_yanked=True,
            )
        )
        provider.origins.setdefault(name, set()).add(root.origin)
    provider.roots = list(requirements)
    prefetch = getattr(source, "prefetch", None)
    if prefetch is not None:
        prefetch(sorted({r.name for r in requirements}))
    recorder = _Recorder(provider, reporter or resolvelib.BaseReporter())
    try:
        try:
            result = resolvelib.Resolver(provider, recorder).resolve(
                requirements, max_rounds=max_rounds
            )
        except resolvelib.ResolutionImpossible:
            result = _resolve_without_optimism(provider, recorder, requirements, max_rounds)
            if result is None:
                raise
    except resolvelib.ResolutionImpossible as exc:
        raise _explain(list(exc.causes), provider, target) from None
    except resolvelib.ResolutionTooDeep:
        raise _too_deep(provider, target, max_rounds) from None
    return _pins(result, provider)


def _resolve_without_optimism(
    provider: _Provider, reporter: _Recorder, requirements: list[_Req], max_rounds: int
) -> Any:
    """resolvelib 1.2's optimistic backjumping can skip the one version that works and
    call a solvable graph impossible (sarugaku/resolvelib#206 and its kin); before dht says
    "conflict", it tries again with that off. Its state is private: a resolvelib without
    it (1.1) gets None: what it found stands."""
    from resolvelib.resolvers import resolution

    attempt = resolution.Resolution(provider, reporter)
    if not hasattr(attempt, "_optimistic_backjumping_ratio"):
        return None
    attempt._optimistic_backjumping_ratio = 0.0
    return resolution._build_result(attempt.resolve(requirements, max_rounds=max_rounds))


def _who(info: Any) -> str:
    if info.parent is None:
        return str(info.requirement.origin)
    if info.parent.local:
        return "project"  # the intent entry: its version may change with every commit
    return f"{info.parent.name}=={info.parent.version}"


def _pins(result: Any, provider: _Provider) -> Resolution:
    extras: dict[str, set[str]] = {}
    required_by: dict[str, set[str]] = {}
    chosen: dict[str, _Cand] = {}
    for identifier, candidate in result.mapping.items():
        if candidate.name == PYTHON or candidate.local:
            continue
        extras.setdefault(candidate.name, set()).update(candidate.extras)
        if not candidate.extras:
            chosen[candidate.name] = candidate
        for info in result.criteria[identifier].information:
            if info.parent is not None and info.parent.name == candidate.name:
                continue  # name[extra] -> name: not a reason of its own
            required_by.setdefault(candidate.name, set()).add(_who(info))
    for candidate in result.mapping.values():
        if candidate.name != PYTHON and not candidate.local and candidate.name not in chosen:
            chosen[candidate.name] = candidate
    pins: dict[str, Pin] = {}
    for name in sorted(chosen):
        cand = chosen[name]
        assert cand.release is not None
        artifact = best_artifact(cand.release.artifacts, provider.target)
        if artifact is None:  # cannot happen: a release is usable only with such a file
            raise ResolutionError(
                f"{name} {cand.version} has no file for {provider.target.platform}"
            )
        deps = [
            str(r)
            for r in provider.dependencies_of(name, cand.release)
            if r.name != PYTHON and provider.applies(r, sorted(extras[name]))
        ]
        pins[name] = Pin(
            name=name,
            version=str(cand.version),
            extras=tuple(sorted(extras[name])),
            artifact=artifact,
            dependencies=tuple(sorted(set(deps))),
            required_by=tuple(sorted(required_by.get(name, ()))),
        )
    return Resolution(target=provider.target, pins=pins)


def _path_up(name: str, provider: _Provider) -> list[tuple[str, str]]:
    """(origin, path) for each dht.toml entry whose closure reached `name`: the shortest
    chain of package names from that entry's package down to `name`, both included."""
    paths: dict[str, list[str]] = {}
    seen = {name}
    level = [[name]]
    while level:
        following: list[list[str]] = []
        for path in level:
            for origin in sorted(provider.origins.get(path[0], ())):
                paths.setdefault(origin, path)
            for parent in sorted(provider.asked_by.get(path[0], ())):
                if parent not in seen:
                    seen.add(parent)
                    following.append([parent, *path])
        level = following
    return sorted((origin, " -> ".join(path)) for origin, path in paths.items())


def _asked(info: RequirementInformation[_Req, _Cand], provider: _Provider) -> str:
    """`tools.a -> a -> b==1.0 -> c<2`: from each dht.toml entry down to the requirement."""
    req = info.requirement
    if info.parent is None:
        return f"{req.origin} -> {req.text}"
    if info.parent.local:
        return f"project -> {req.text}"
    here = f"{info.parent.name}=={info.parent.version}"
    chains = []
    for origin, path in _path_up(info.parent.name, provider):
        above = path.rsplit(" -> ", 1)[0] + " -> " if " -> " in path else ""
        chains.append(f"{origin} -> {above}{here} -> {req.text}")
    return "; ".join(chains) or f"{here} -> {req.text}"


def _origins(info: RequirementInformation[_Req, _Cand], provider: _Provider) -> set[str]:
    if info.parent is None:
        return {str(info.requirement.origin)}
    if info.parent.local:
        return {"project"}
    return set(provider.origins_of(info.parent.name))


def _origin_of(cause: RequirementInformation[_Req, _Cand], provider: _Provider) -> str:
    if cause.parent is None:
        return str(cause.requirement.origin)
    return ", ".join(provider.origins_of(cause.parent.name)) or "the tool"


def _has_match(req: _Req, provider: _Provider) -> bool:
    if provider.local is not None and req.name == provider.local.name:
        return req.specifier.contains(provider.local.version, prereleases=True)
    if req.name in provider.pinned:
        return req.specifier.contains(provider.pinned[req.name][0], prereleases=True)
    usable = [
        r.version
        for r in provider.releases(req.name)
        if (req.name, r.version) not in provider.unreadable
        and (not r.yanked or (req.allows_yanked and r.version == req.exact()))
    ]
    return any(True for _ in req.specifier.filter(usable))


def _explain(
    causes: list[RequirementInformation[_Req, _Cand]], provider: _Provider, target: Target
) -> ResolutionError:
    where = f"for {target.platform} (Python {target.python})"
    python = [c for c in causes if c.requirement.name == PYTHON]
    others = [c for c in causes if c.requirement.name != PYTHON]
    if python and not others:
        asks = sorted({_asked(c, provider) for c in python})
        return ResolutionError(
            f"no release fits Python {target.python} {where}: " + "; ".join(asks),
            hint="pin an older version of the tool in dht.toml, or raise project.python",
        )
    names = sorted({c.requirement.name for c in others})
    for name in names:
        # A pin of uv.lock that the index, as this lock sees it, does not offer.
        if name in provider.pinned:
            version, who = provider.pinned[name]
            release = (
                provider.release(name, version) if version in provider.versions(name) else None
            )
            if release is None:
                why = dict(provider.excluded(name)).get(version, "the index does not list it")
                cutoff = getattr(provider.source, "exclude_newer", None)
                hint = f"move {who} (`uv lock --upgrade-package {name}`)"
                if cutoff:
                    stamp = (
                        cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")
                        if hasattr(cutoff, "strftime")
                        else cutoff
                    )
                    why = f"the index has no file of it uploaded by {stamp} (index.exclude-newer)"
                    hint = (
                        f"index.exclude-newer in dht.toml hides later uploads: move it past the"
                        f" day {who} was made, or remove it; or {hint}"
                    )
                return ResolutionError(
                    f"{who} pins {name} {version}, which dht cannot lock {where}: {why}",
                    hint=hint,
                )
    # Every version of one project failed, for reasons of their own: list them all.
    walked = _walked(causes) or _root_walked(causes, provider, target)
    if walked is not None:
        return _every_version_out(walked, causes, provider, target, where)
    # A requirement nothing on the index can meet: say what exists and why each is out.
    for cause in sorted(others, key=lambda c: (c.requirement.name, c.requirement.text)):
        if not _has_match(cause.requirement, provider):
            return _no_version(cause, provider, where)
    lines = [f"cannot pin {', '.join(names)} {where}: these requirements conflict"]
    lines.extend(f"  - {a}" for a in sorted({_asked(c, provider) for c in others}))
    lines.extend(
        f"  - {provider.pinned[n][1]} pins {n} {provider.pinned[n][0]}"
        for n in names
        if n in provider.pinned
    )
    for name in names:
        if name not in provider.pinned and name not in provider.missing:
            # What each side could have had: which of them to loosen, and to what.
            lines.append(f"  {name} usable here: {_usable_list(name, provider)}")
    hint = "loosen one of these in dht.toml"
    tools = [{_tool(o) for o in _origins(c, provider)} for c in others]
    if len(tools) > 1 and not set.intersection(*tools):
        # Isolation helps only when the sides come from different tools.
        hint += ", or give one tool its own environment with `isolated = true`"
    return ResolutionError("\n".join(lines), hint=hint + _cutoff_note(provider))


def _usable(name: str, provider: _Provider) -> list[str]:
    """The versions of `name` that run on the target, newest first."""
    if provider.local is not None and name == provider.local.name:
        return [provider.local.version]
    return [
        str(r.version)
        for r in provider.releases(name)
        if not r.yanked and (name, r.version) not in provider.unreadable
    ]


def _usable_list(name: str, provider: _Provider) -> str:
    available = _usable(name, provider)
    if not available:
        return "none"
    more = f" and {len(available) - 8} more" if len(available) > 8 else ""
    return ", ".join(available[:8]) + more


def _tool(origin: str) -> str:
    """`tools.black.with` -> `tools.black`: the entry `isolated = true` would apply to."""
    parts = origin.split(".")
    return ".".join(parts[:2]) if parts[0] == "tools" else origin


def _cutoff_note(provider: _Provider) -> str:
    cutoff = getattr(provider.source, "exclude_newer", None)
    return " (index.exclude-newer is set: later releases are hidden)" if cutoff else ""


def _no_version(
    cause: RequirementInformation[_Req, _Cand], provider: _Provider, where: str
) -> ResolutionError:
    req = cause.requirement
    local = provider.local
    if local is not None and req.name == local.name:
        return ResolutionError(
            f"{req.name} is the project in this folder, at {local.version}, and"
            f" {_asked(cause, provider)} does not allow that {where}",
            hint="a requirement on the project is met by its own folder, never the index:"
            " pin another version of the tool that asks for it in dht.toml",
        )
    if req.name in provider.pinned:
        version, who = provider.pinned[req.name]
        return ResolutionError(
            f"{who} pins {req.name} {version}, and {_asked(cause, provider)} does not allow it"
            f" {where}",
            hint=f"dht takes the versions of the project's packages from {who}: change"
            f" {_origin_of(cause, provider)} in dht.toml to allow {version}, or move {who}"
            f" (`uv lock --upgrade-package {req.name}`)",
        )
    if req.name in provider.missing:
        if cause.parent is None:
            return ResolutionError(
                f"no project named {req.name!r} on the index ({req.origin} asks for {req.text})",
                hint=f"check the name of {req.origin} in dht.toml (as on PyPI) and index.url",
            )
        return ResolutionError(
            f"no project named {req.name!r} on the index, and every version dht could use"
            f" {where} needs it: {_asked(cause, provider)}",
            hint=f"pin a version of {_origin_of(cause, provider)} in dht.toml that does not"
            f" need {req.name}, or add an index that has it (index.url)",
        )
    lines = [f"no version of {req.name} matches {_asked(cause, provider)} {where}"]
    if _usable(req.name, provider):
        lines.append(f"  usable here: {_usable_list(req.name, provider)}")
    else:
        lines.append(f"  no version of {req.name} on the index is usable here")
    relevant = _reasons(req.name, [req], [], provider, provider.target)
    lines.extend(f"  {line}" for line in _grouped(relevant))
    elsewhere, python = _elsewhere(req.name, relevant, provider, provider.target)
    if elsewhere:
        lines.append(f"  {elsewhere}")
    if not relevant:
        lines.append(f"  no release on the index matches {req.specifier or 'any version'}")
    usable = _usable(req.name, provider)
    if cause.parent is None:
        hint = f"change the version of {req.origin} in dht.toml"
        if usable and req.name not in provider.pinned:
            hint += f" to allow one usable here ({usable[0]} is the newest)"
    else:
        hint = (
            f"pin another version of {_origin_of(cause, provider)} in dht.toml, one whose"
            f" {cause.parent.name if cause.parent is not None else req.name} does not need"
            f" {req.text}"
        )
    changes = _target_changes(relevant, provider.target, python)
    if not usable and changes:
        # No release runs on this target at all: another version pin cannot help.
        hint = f"no release of {req.name} runs here: {' or '.join(changes)}"
    else:
        hint += "".join(f", or {c}" for c in changes if "python" in c)
    return ResolutionError("\n".join(lines), hint=hint + _cutoff_note(provider))


def _target_changes(
    reasons: Sequence[tuple[Version, str]], target: Target, python: str | None = None
) -> list[str]:
    """What to change about the target when versions are out because of it; `python`:
    a Python the newest such version has wheels for."""
    out = []
    if any(why.startswith("needs Python") for _, why in reasons):
        out.append("raise project.python")
    if python is not None:
        out.append(f"lock Python {python} (project.python)")
    if any(why.startswith(f"no wheel for {target.platform}") for _, why in reasons):
        out.append(f"leave {target.platform} out of targets.platforms")
    return out


def _walked(causes: Sequence[RequirementInformation[_Req, _Cand]]) -> str | None:
    """The project whose versions were all tried and failed for different reasons (two
    versions or more of it ask for different things), or None."""
    asks: dict[str, dict[Version, set[str]]] = {}
    for cause in causes:
        parent = cause.parent
        if parent is not None and not parent.local and parent.name != PYTHON:
            versions = asks.setdefault(parent.name, {})
            versions.setdefault(parent.version, set()).add(cause.requirement.name)
    found = [
        (-len(versions), name)
        for name, versions in asks.items()
        if len(versions) > 1 and len(set().union(*versions.values())) > 1
    ]
    return min(found)[1] if found else None


def _root_walked(
    causes: Sequence[RequirementInformation[_Req, _Cand]], provider: _Provider, target: Target
) -> str | None:
    """A dht.toml project one of whose versions failed in the final conflict while its
    other versions are out for other kinds of reason (yanked, no wheel, Python, `!=`):
    the last conflict alone would hide those."""
    for name in sorted({c.parent.name for c in causes if c.parent and not c.parent.local}):
        asked = [r for r in provider.roots if r.name == name]
        if asked:
            reasons = _reasons(name, asked, causes, provider, target)
            if len(reasons) > 1 and len({_kind(why) for _, why in reasons}) > 1:
                return name
    return None


def _kind(why: str) -> str:
    """`needs b>=5; …` and `needs b<1, but …` are one kind (b); a yank, a missing wheel,
    another Python are kinds of their own."""
    words = why.replace(",", " ").replace(";", " ").split()
    if words[0] == "needs" and len(words) > 1:
        return "needs " + re.split(r"[<>=!~\[ ]", words[1])[0]
    return " ".join(words[:2])


def _reasons(
    name: str,
    asked: Sequence[_Req],
    causes: Sequence[RequirementInformation[_Req, _Cand]],
    provider: _Provider,
    target: Target,
) -> list[tuple[Version, str]]:
    """Why each version of `name` the index lists is out, newest first. Versions outside
    the asked range are left out (the range says why), except those a `!=` removes."""
    excluded = dict(provider.excluded(name))
    out: list[tuple[Version, str]] = []
    for version in provider.versions(name):
        refused = [r for r in asked if _refuses(r, version)]
        if refused:
            out.append((version, f"excluded by {_asked_root(refused[0])}"))
        elif not all(r.specifier.contains(version, prereleases=True) for r in asked):
            continue
        elif version in excluded:
            out.append((version, excluded[version]))
        else:
            # The final conflict when it involves this version; else the first one it met.
            why = _conflict_reason(name, version, causes, provider, target)
            if why is None:
                infos = provider.rejected.get((name, version), [])
                why = _conflict_reason(name, version, infos, provider, target)
            if why is not None:
                out.append((version, why))
    return out


def _elsewhere(
    name: str, reasons: Sequence[tuple[Version, str]], provider: _Provider, target: Target
) -> tuple[str | None, str | None]:
    """For the newest version out for want of a wheel here: where its wheels do install
    (`1.25.2 has wheels for Python 3.10, 3.11 on linux-x86_64`), and the newest such
    Python, as uv's hint says which platforms have wheels."""
    from dht.model.names import PLATFORMS

    version = next(
        (v for v, why in reasons if why.startswith(f"no wheel for {target.platform}")), None
    )
    if version is None:
        return None, None
    wheels = [a.filename for a in provider.versions(name)[version] if a.is_wheel]

    def fits(platform: str, python: str) -> bool:
        return any(Target(platform, python).wheel_rank(w) is not None for w in wheels)

    minors = [
        f"3.{m}" for m in range(8, 16) if m != target.minor and fits(target.platform, f"3.{m}")
    ]
    platforms = [p for p in PLATFORMS if p != target.platform and fits(p, target.python)]
    found = [f"Python {', '.join(minors)} on {target.platform}"] if minors else []
    found += [", ".join(platforms)] if platforms else []
    if not found:
        return None, None
    return f"{version} has wheels for {', and for '.join(found)}", (minors[-1] if minors else None)


def _refuses(req: _Req, version: Version) -> bool:
    """Whether one of the requirement's `!=` clauses removes this version."""
    return any(
        s.operator == "!=" and not s.contains(version, prereleases=True) for s in req.specifier
    )


def _asked_root(req: _Req) -> str:
    return f"{req.origin} -> {req.text}" if req.origin else req.text


def _conflict_reason(
    name: str,
    version: Version,
    infos: Sequence[RequirementInformation[_Req, _Cand]],
    provider: _Provider,
    target: Target,
) -> str | None:
    """`needs b>=5; b usable here: 1.0`: what this version asked that could not be met."""
    mine = [
        i
        for i in infos
        if i.parent is not None and (i.parent.name, i.parent.version) == (name, version)
    ]
    if not mine:
        return None
    needs = sorted({i.requirement.name for i in mine})
    req = min((i.requirement for i in mine), key=lambda r: (r.name, r.text))
    if req.name == PYTHON:
        return f"needs Python {req.specifier}; the lock targets {target.python}"
    if req.name in provider.missing:
        return f"needs {req.text}, which the index does not have"
    # Other versions of the same project never stand beside this one: not a conflict.
    against = sorted(
        {
            _asked(i, provider)
            for i in infos
            if i.requirement.name in needs and (i.parent is None or i.parent.name != name)
        }
    )
    if against:
        return f"needs {req.text}, but {'; '.join(against)}"
    return f"needs {req.text}; {req.name} usable here: {_usable_list(req.name, provider)}"


_MAX_LINES = 8
_MAX_VERSIONS = 4  # on one line


def _grouped(reasons: Sequence[tuple[Version, str]]) -> list[str]:
    """`1.1, 1.0: needs Python >=3.12`: versions sharing a reason on one line, lines in the
    order of their newest version, at most _MAX_LINES of them."""
    groups: dict[str, list[Version]] = {}
    for version, why in reasons:
        groups.setdefault(why, []).append(version)
    lines = []
    for why, versions in groups.items():
        shown = ", ".join(str(v) for v in versions[:_MAX_VERSIONS])
        if len(versions) > _MAX_VERSIONS:
            shown += f" and {len(versions) - _MAX_VERSIONS} more"
        lines.append(f"{shown}: {why}")
    if len(lines) > _MAX_LINES:
        rest = sum(len(v) for v in list(groups.values())[_MAX_LINES - 1 :])
        lines[_MAX_LINES - 1 :] = [f"… and {rest} more versions, for other reasons"]
    return lines


def _every_version_out(
    name: str,
    causes: Sequence[RequirementInformation[_Req, _Cand]],
    provider: _Provider,
    target: Target,
    where: str,
) -> ResolutionError:
    roots = [r for r in provider.roots if r.name == name]
    reasons = _reasons(name, roots, causes, provider, target)
    if not roots:
        # A dependency: only the versions some dependent's range let in.
        ranges = provider.ranges.get(name, set())
        reasons = [
            (v, why) for v, why in reasons if any(r.contains(v, prereleases=True) for r in ranges)
        ]
    if roots:
        by = "; ".join(sorted({_asked_root(r) for r in roots}))
        hint = (
            f"change the version of {', '.join(sorted({str(r.origin) for r in roots}))} in dht.toml"
        )
    else:
        by = "; ".join(f"{o} -> {chain}" for o, chain in _path_up(name, provider)) or name
        hint = f"pin another version of {', '.join(provider.origins_of(name)) or name} in dht.toml"
    # The other side of a conflict: the dht.toml entries that are not the asker's.
    own = {_tool(o) for o in (provider.origins_of(name) if not roots else [])} | {
        _tool(str(r.origin)) for r in roots
    }
    infos = [
        *causes,
        *(i for (n, _), found in provider.rejected.items() if n == name for i in found),
    ]
    against = sorted({_tool(o) for i in infos for o in _origins(i, provider)} - own)
    elsewhere, python = _elsewhere(name, reasons, provider, target)
    options = (
        [f"loosen {', '.join(against)}"]
        if against and any(", but " in w for _, w in reasons)
        else []
    )
    options += [c for c in _target_changes(reasons, target, python) if "python" in c]
    if (
        roots
        and len(reasons) == len(provider.versions(name))
        and not any(w.startswith("excluded by") for _, w in reasons)
    ):
        # Every release on the index is listed: another version in dht.toml cannot help.
        yanked = next((v for v, w in reasons if w.startswith("yanked")), None)
        if yanked is not None:
            options.append(f'pin the yanked {yanked} exactly ("=={yanked}") if you accept it')
        hint = (
            f"no release of {name} fits as things stand: {'; or '.join(options)}"
            if options
            else f"no release of {name} fits as things stand: see what each one needs above"
        )
    else:
        hint += "".join(f", or {o}" for o in options)
    lines = [f"no usable version of {name} {where}, asked by {by}:"]
    lines.extend(f"  {line}" for line in _grouped(reasons))
    if elsewhere:
        lines.append(f"  {elsewhere}")
    return ResolutionError("\n".join(lines), hint=hint + _cutoff_note(provider))


def _too_deep(provider: _Provider, target: Target, max_rounds: int) -> ResolutionError:
    """The hint follows the cause: isolation only when tools of one shared environment
    pull against each other; else the requirement behind the most backtracking."""
    message = (
        f"the versions for {target.platform} did not settle within {max_rounds} rounds"
        " of backtracking"
    )
    walked = {n: len(v) for n, v in provider.tried.items() if len(v) > 1 and n != PYTHON}
    if not walked:
        origins = sorted({str(r.origin) for r in provider.roots})
        return ResolutionError(
            f"{message} (asked by {', '.join(origins)})",
            hint=f"narrow the version ranges in dht.toml (lower bounds){_or_cutoff(provider)}",
        )
    name = min(walked, key=lambda n: (-walked[n], n))
    roots = sorted({_asked_root(r) for r in provider.roots if r.name == name})
    chains = roots or [f"{o} -> {chain}" for o, chain in _path_up(name, provider)]
    message += f"; {walked[name]} versions of {name} tried, asked by {'; '.join(chains)}"
    tools = sorted(
        {_tool(o) for o in provider.conflict_roots}
        | {_tool(o) for n in provider.conflict_parents for o in provider.origins_of(n)}
    )
    if len(tools) > 1 and any(t.startswith("tools.") for t in tools):
        hint = (
            f"{' and '.join(tools)} pull against each other in one environment: give one of"
            " the tools its own with `isolated = true`, or narrow its range in dht.toml"
        )
    else:
        if roots:
            owners = sorted({str(r.origin) for r in provider.roots if r.name == name})
            hint = f"tighten {', '.join(owners)} in dht.toml so that fewer versions of {name} are"
        else:
            tool = next(iter(_tool(o) for o in provider.origins_of(name)), "")
            hint = (
                f'add "{name}>=…" to {tool}.with in dht.toml so that fewer versions are'
                if tool.startswith("tools.")
                else f"give {name} a lower bound in pyproject.toml so that fewer versions are"
            )
        hint += f" tried (a lower bound){_or_cutoff(provider)}"
    return ResolutionError(message, hint=hint)


def _or_cutoff(provider: _Provider) -> str:
    if getattr(provider.source, "exclude_newer", None):
        return ", or move index.exclude-newer earlier"
    return ", or set index.exclude-newer to leave later releases out"
