"""installable: the artifact's own requirements resolve, on every target platform.

With a dht.lock: the lock's index (and its exclude-newer and build-from-source
rules), each of its platforms and its Python, through dht's own resolver, so "no
artifact" means what it means to `dht lock`: no wheel that runs there (nor an sdist
the lock may build). Without one: PyPI, this machine's platform and Python, said
in the verdict. Only the base requirements are resolved, not those of extras.
"""

from __future__ import annotations

import sys

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from dht.buildcheck import coremeta
from dht.buildcheck.verdict import Context, Subject, Verdict, failed, ok, skipped
from dht.errors import DhtError, IndexError_, NetworkError, ResolutionError

CHECK = "installable"
PYPI = "https://pypi.org/simple"


def check(subject: Subject, ctx: Context) -> Verdict:
    from dht.compile.index import IndexClient
    from dht.compile.resolve import RootRequirement, resolve
    from dht.compile.targets import Target

    try:
        meta = coremeta.read(subject)
    except DhtError as exc:
        return failed(CHECK, [exc.message])
    dynamic = {d.lower() for d in coremeta.fields(meta, "Dynamic")}
    if subject.kind == "sdist" and "requires-dist" in dynamic:
        return skipped(
            CHECK,
            "PKG-INFO marks Requires-Dist dynamic: the wheel's requirements are the ones to check",
        )
    name = coremeta.field(meta, "Name") or subject.path.name
    roots, reasons = [], []
    for text in coremeta.fields(meta, "Requires-Dist"):
        try:
            roots.append(RootRequirement(Requirement(text), origin=name))
        except InvalidRequirement:
            reasons.append(f"Requires-Dist {text!r} is not a requirement")
    if ctx.lock is not None:
        url, python = ctx.lock.index.url, ctx.lock.python
        platforms = list(ctx.lock.platforms)
        exclude_newer, from_source = ctx.lock.index.exclude_newer, ctx.lock.index.build_from_source
        scope = ""
    else:
        from dht.host import current_platform

        url, exclude_newer, from_source = PYPI, None, ()
        python = ".".join(str(p) for p in sys.version_info[:3])
        try:
            platforms = [current_platform()]
        except DhtError as exc:
            return skipped(CHECK, f"no dht.lock, and {exc.message}")
        scope = f" (no dht.lock: checked on PyPI for {platforms[0]} and Python {python} only)"
    spec = coremeta.field(meta, "Requires-Python")
    if spec:
        try:
            if not SpecifierSet(spec).contains(python, prereleases=True):
                reasons.append(f"Requires-Python {spec} excludes the locked Python {python}")
        except InvalidSpecifier:
            reasons.append(f"Requires-Python {spec!r} is not a version specifier")
    if reasons:
        return failed(CHECK, reasons)
    if not roots:
        return _ok(scope)
    try:
        with IndexClient(url, offline=ctx.offline, exclude_newer=exclude_newer) as client:
            for platform in platforms:
                try:
                    resolve(roots, Target(platform, python), client, from_source=from_source)
                except ResolutionError as exc:
                    # The resolver names the dependency, what asked for it, and why each
                    # version is out (no wheel for the platform, no sdist).
                    reasons.append(f"on {platform}: {_one_line(exc.message)}")
    except NetworkError as exc:
        why = "offline and not in the cache" if ctx.offline else "the index is out of reach"
        return skipped(CHECK, f"{why} ({_one_line(exc.message)}): requirements not resolved{scope}")
    except IndexError_ as exc:
        return skipped(
            CHECK, f"the index answered something unusable ({_one_line(exc.message)}){scope}"
        )
    if reasons:
        return failed(CHECK, [r + scope for r in reasons])
    return _ok(scope)


def _ok(scope: str) -> Verdict:
    """ok, with the note of what was checked when there was no dht.lock."""
    return Verdict(CHECK, "ok", (scope.strip(" ()"),)) if scope else ok(CHECK)


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())
