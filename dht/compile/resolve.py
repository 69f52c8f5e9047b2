"""Resolution of one environment for one target, with resolvelib.

The resolver does no I/O: the provider asks a `PackageSource` (the index
client in production, an in-memory index in tests) for project pages and
core metadata. The source may fetch ahead: the provider tells it which
pages and metadata it will want next (`prefetch`, `prefetch_metadata`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
import resolvelib
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    canonicalize_name,
    parse_sdist_filename,
)
from packaging.version import InvalidVersion, Version

from dht.compile.targets import Target, best_artifact, metadata_artifact
from dht.errors import ResolutionError

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
    def metadata(self, artifact: Any) -> MetadataLike: ...


@dataclass(frozen=True)
class RootRequirement:
    requirement: Requirement
    origin: str  # the intent entry that asked, e.g. "tools.black"


class Pin(msgspec.Struct, frozen=True):
    name: str
    version: str
    extras: tuple[str, ...]
    artifact: Any  # the source's artifact: the best one for the target
    dependencies: tuple[str, ...]
    required_by: tuple[str, ...]


@dataclass(frozen=True)
class Resolution:
    target: Target
    pins: dict[str, Pin]


# Resolver vocabulary


@dataclass(frozen=True)
class _Req:
    name: str  # normalized, or PYTHON
    extras: frozenset[str]
    specifier: SpecifierSet
    text: str  # as written, for messages
    origin: str | None = None  # set on root requirements

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


@dataclass(frozen=True)
class _Release:
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

    @property
    def identifier(self) -> str:
        return _identifier(self.name, self.extras)


def _identifier(name: str, extras: frozenset[str]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


@functools.lru_cache(maxsize=4096)
def _canonical(name: str) -> str:
    return canonicalize_name(name)


@functools.lru_cache(maxsize=65536)
def _parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _version_of(name: str, filename: str) -> Version | None:
    """The version in a wheel or sdist filename of project `name`; None when it is not one."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        if len(parts) not in (5, 6) or _canonical(parts[0]) != name:
            return None
        return _parse_version(parts[1])
    try:
        found, version = parse_sdist_filename(filename)
    except InvalidSdistFilename:
        return None
    return version if found == name else None


@functools.lru_cache(maxsize=4096)
def _python_ok(spec: str | None, version: str) -> bool:
    if not spec:
        return True
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except InvalidSpecifier:
        return True  # an unreadable requires-python does not exclude (as pip)


class _Provider(resolvelib.AbstractProvider[_Req, _Cand, str]):
    def __init__(
        self,
        target: Target,
        source: PackageSource,
        preferences: Mapping[str, Version],
    ) -> None:
        self.target = target
        self.source = source
        self.preferences = preferences
        self.environment = target.marker_environment()
        self._versions: dict[str, dict[Version, list[Any]]] = {}
        self._release: dict[tuple[str, Version], _Release | None] = {}
        self._excluded: dict[tuple[str, Version], str] = {}
        self._deps: dict[tuple[str, Version], list[Requirement]] = {}

    # The source's pages, reduced to what runs on the target.

    def versions(self, name: str) -> dict[Version, list[Any]]:
        """The page's files grouped by version, newest first."""
        if name not in self._versions:
            page = self.source.project(name)
            by_version: dict[Version, list[Any]] = {}
            for artifact in page.artifacts:
                version = _version_of(name, artifact.filename)
                if version is not None:
                    by_version.setdefault(version, []).append(artifact)
            self._versions[name] = {v: by_version[v] for v in sorted(by_version, reverse=True)}
        return self._versions[name]

    def release(self, name: str, version: Version) -> _Release | None:
        """What of a version runs on the target; None (and the reason recorded) when nothing."""
        key = (name, version)
        if key in self._release:
            return self._release[key]
        files = sorted(self.versions(name)[version], key=lambda a: a.filename)
        runnable = [
            a for a in files if not a.is_wheel or self.target.wheel_rank(a.filename) is not None
        ]
        fitting = [
            a for a in runnable if _python_ok(a.requires_python, self.target.python_full_version)
        ]
        live = [a for a in fitting if a.yanked is None]
        result: _Release | None = None
        if not runnable:
            self._excluded[key] = f"no wheel for {self.target.platform} and no sdist"
        elif not fitting:
            spec = runnable[0].requires_python
            self._excluded[key] = f"needs Python {spec}; the lock targets {self.target.python}"
        else:
            if not live:
                self._excluded[key] = "yanked"
            unyanked = [a for a in files if a.yanked is None]
            meta = metadata_artifact(unyanked or files)
            result = _Release(version, tuple(live or fitting), not live, meta)
        self._release[key] = result
        return result

    def releases(self, name: str) -> list[_Release]:
        """Every usable release (evaluates all versions: for messages, not the hot path)."""
        found = [self.release(name, v) for v in self.versions(name)]
        return [r for r in found if r is not None]

    def excluded(self, name: str) -> list[tuple[Version, str]]:
        self.releases(name)
        return [(v, why) for (n, v), why in self._excluded.items() if n == name]

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
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[int, int, str]:
        infos = list(information[identifier])
        pinned = any(i.requirement.exact() is not None for i in infos)
        root = any(i.parent is None for i in infos)
        return (0 if identifier == PYTHON else 1, 0 if pinned or root else 1, identifier)

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
        exact = {v for r in reqs if (v := r.exact()) is not None}
        versions = [v for v in self.versions(name) if v not in bad]
        # One combined set: packaging's filter then admits pre-releases only when a
        # specifier names one, or when nothing else matches.
        combined = SpecifierSet(",".join(str(q.specifier) for q in reqs if str(q.specifier)))
        allowed = set(combined.filter(versions))
        ordered = [v for v in versions if v in allowed]
        preferred = self.preferences.get(name)
        ordered.sort(key=lambda v: v != preferred)  # stable: newest first otherwise

        def candidates() -> Iterator[_Cand]:
            # Lazy: most resolutions look at one or two versions of a project with hundreds.
            for version in ordered:
                release = self.release(name, version)
                if release is not None and (not release.yanked or version in exact):
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
        if candidate.name == PYTHON or candidate.release is None:
            return []
        parent = f"{candidate.name}=={candidate.version}"
        out: list[_Req] = []
        if candidate.extras:
            # The package itself, at the same version, carries the files.
            out.append(
                _Req(candidate.name, frozenset(), SpecifierSet(f"=={candidate.version}"), parent)
            )
        for req in self.dependencies_of(candidate.name, candidate.release):
            if req.name == PYTHON:
                out.append(_Req(PYTHON, frozenset(), req.specifier, f"Python {req.specifier}"))
                continue
            if not self.applies(req, candidate.extras):
                continue
            out.append(
                _Req(
                    canonicalize_name(req.name),
                    frozenset(canonicalize_name(e) for e in req.extras),
                    req.specifier,
                    str(req),
                )
            )
        prefetch = getattr(self.source, "prefetch", None)
        if prefetch is not None:
            prefetch(sorted({r.name for r in out if r.name != PYTHON}))
        return out


def _python_requirement(spec: str) -> Requirement:
    req = Requirement("python")
    req.name = PYTHON
    req.specifier = SpecifierSet(spec)
    return req


def resolve(
    roots: Sequence[RootRequirement],
    target: Target,
    source: PackageSource,
    *,
    preferences: Mapping[str, str] | None = None,
    upgrade: bool | Collection[str] = False,
    reporter: Any = None,
    max_rounds: int = 2000,
) -> Resolution:
    """Pin every package the roots need on the target, or explain why not."""
    prefs: dict[str, Version] = {}
    if upgrade is not True:
        moving = {canonicalize_name(n) for n in upgrade} if upgrade else set()
        for name, version in (preferences or {}).items():
            if canonicalize_name(name) not in moving:
                prefs[canonicalize_name(name)] = Version(version)
    provider = _Provider(target, source, prefs)
    requirements = [
        _Req(
            canonicalize_name(r.requirement.name),
            frozenset(canonicalize_name(e) for e in r.requirement.extras),
            r.requirement.specifier,
            str(r.requirement),
            r.origin,
        )
        for r in roots
        if r.requirement.marker is None or provider.applies(r.requirement, ())
    ]
    prefetch = getattr(source, "prefetch", None)
    if prefetch is not None:
        prefetch(sorted({r.name for r in requirements}))
    resolver = resolvelib.Resolver(provider, reporter or resolvelib.BaseReporter())
    try:
        result = resolver.resolve(requirements, max_rounds=max_rounds)
    except resolvelib.ResolutionImpossible as exc:
        raise _explain(exc, provider, target) from None
    except resolvelib.ResolutionTooDeep:
        raise ResolutionError(
            f"resolution for {target.platform} did not settle within {max_rounds} rounds",
            hint="narrow the version ranges of the tools in dht.toml",
        ) from None
    return _pins(result, provider)


def _who(info: Any) -> str:
    if info.parent is None:
        return str(info.requirement.origin)
    return f"{info.parent.name}=={info.parent.version}"


def _pins(result: Any, provider: _Provider) -> Resolution:
    extras: dict[str, set[str]] = {}
    required_by: dict[str, set[str]] = {}
    chosen: dict[str, _Cand] = {}
    for identifier, candidate in result.mapping.items():
        if candidate.name == PYTHON:
            continue
        extras.setdefault(candidate.name, set()).update(candidate.extras)
        if not candidate.extras:
            chosen[candidate.name] = candidate
        for info in result.criteria[identifier].information:
            if info.parent is not None and info.parent.name == candidate.name:
                continue  # name[extra] -> name: not a reason of its own
            required_by.setdefault(candidate.name, set()).add(_who(info))
    for candidate in result.mapping.values():
        if candidate.name != PYTHON and candidate.name not in chosen:
            chosen[candidate.name] = candidate
    pins: dict[str, Pin] = {}
    for name in sorted(chosen):
        cand = chosen[name]
        assert cand.release is not None
        artifact = best_artifact(cand.release.artifacts, provider.target)
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


def _explain(exc: Any, provider: _Provider, target: Target) -> ResolutionError:
    causes = list(exc.causes)
    names = sorted({c.requirement.name for c in causes})
    asks = sorted({f"{c.requirement.text} (asked by {_who(c)})" for c in causes})
    where = f"for {target.platform} (Python {target.python})"
    if len(names) == 1 and names[0] == PYTHON:
        return ResolutionError(
            f"no release fits Python {target.python} {where}: " + "; ".join(asks),
            hint="pin an older version of the tool, or raise project.python",
        )
    lines = [f"cannot pin {', '.join(n for n in names if n != PYTHON)} {where}:"]
    lines.extend(f"  - {a}" for a in asks)
    if len(names) == 1 and len({c.requirement.text for c in causes}) == 1:
        name = names[0]
        why = provider.excluded(name)
        available = [str(r.version) for r in provider.releases(name) if not r.yanked]
        if available:
            lines.append(
                f"  available: {', '.join(available[:8])}{' …' if len(available) > 8 else ''}"
            )
        specifier = causes[0].requirement.specifier
        relevant = [(v, r) for v, r in why if specifier.contains(v, prereleases=True)]
        for version, reason in relevant[:6]:
            lines.append(f"  {version}: {reason}")
        if not relevant:
            lines.append(f"  no release on the index matches {specifier or 'any version'}")
        return ResolutionError(
            "\n".join(lines),
            hint="loosen the version in dht.toml (with index.exclude-newer set, later releases are hidden)",
        )
    return ResolutionError(
        "\n".join(lines),
        hint="loosen one of these, or give one tool its own environment with `isolated = true`",
    )
