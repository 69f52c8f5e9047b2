"""`dht lock`: read the intent, compile, write the lock atomically, summarize."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from packaging.utils import canonicalize_name

from dht.errors import InputError, NewerFormatError
from dht.model.intent import INTENT_FILE, Intent, load_intent
from dht.model.lock import LOCK_FILE, Lock, read_lock, write_lock

if TYPE_CHECKING:
    # The staleness checks import the index client (httpx): `dht lock` loads them only
    # when it checks, so a lock starts its first requests sooner.
    from dht.compile.cache import Cache


class LockRequest(msgspec.Struct, frozen=True):
    root: Path
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    offline: bool = False
    refresh: bool = False
    show_progress: bool = False


class Change(msgspec.Struct, frozen=True, order=True):
    environment: str
    name: str
    old: str | None
    new: str | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "updated"

    def line(self) -> str:
        where = "" if self.environment in ("project", "") else f" ({self.environment})"
        if self.old is None:
            return f" + {self.name}=={self.new}{where}"
        if self.new is None:
            return f" - {self.name}=={self.old}{where}"
        return f" ~ {self.name} {self.old} -> {self.new}{where}"


class LockSummary(msgspec.Struct, frozen=True):
    path: Path
    written: bool
    tools: int
    packages: int
    platforms: tuple[str, ...]
    changes: tuple[Change, ...]
    stats: dict[str, int] = msgspec.field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # settings dht could not prove the locked tools know
    python: str = ""
    project: str = ""  # "click (editable; groups tests)", "" when the lock has none

    def lines(self) -> list[str]:
        tools = f"{self.tools} tool{'s' * (self.tools != 1)}"
        head = (
            f"Locked {f'the project {self.project} and ' if self.project else ''}{tools} "
            f"({self.packages} package entr{'ies' if self.packages != 1 else 'y'}) "
            f"for {len(self.platforms)} platform{'s' * (len(self.platforms) != 1)}"
            + (f", Python {self.python}" if self.python else "")
        )
        warned = [f"warning: {w}" for w in self.warnings]
        if not self.written:
            return [*warned, head, f"{self.path.name} is up to date"]
        return [*warned, head, *(c.line() for c in self.changes), f"wrote {self.path.name}"]

    def to_json(self) -> dict[str, Any]:
        return {
            "lock": self.path.name,
            "written": self.written,
            "tools": self.tools,
            "packages": self.packages,
            "platforms": list(self.platforms),
            "python": self.python,
            "project": self.project or None,
            "warnings": list(self.warnings),
            "changes": [
                {
                    "kind": c.kind,
                    "environment": c.environment,
                    "name": c.name,
                    "old": c.old,
                    "new": c.new,
                }
                for c in self.changes
            ],
        }


def run_lock(request: LockRequest) -> LockSummary:
    from dht.compile import reuse
    from dht.compile.cache import Cache

    intent = load_intent(request.root / INTENT_FILE)
    lock_path = request.root / LOCK_FILE
    previous = _previous(lock_path)
    upgrade_packages = frozenset(canonicalize_name(n) for n in request.upgrade_packages)
    cache = Cache()
    record_key = reuse.key(
        request.root,
        upgrade_all=request.upgrade,
        upgrade_packages=sorted(upgrade_packages),
        intent_file=INTENT_FILE,
        lock_file=LOCK_FILE,
    )
    record = None if request.refresh else reuse.load(cache, record_key, offline=request.offline)
    stats: dict[str, object]
    if record is not None and record.index == intent.index_url.rstrip("/"):
        lock, warnings, stats = record.lock, list(record.warnings), {"reused": 1}
    else:
        lock, warnings, stats = _compile(request, intent, previous, upgrade_packages, cache)
        pages = stats.pop("pages", None)
        if isinstance(pages, dict):
            reuse.store(
                cache,
                record_key,
                index=intent.index_url.rstrip("/"),
                pages=pages,
                lock=lock,
                warnings=warnings,
            )
    written = write_lock(lock_path, lock)
    return LockSummary(
        path=lock_path,
        written=written,
        tools=len(lock.tools),
        packages=len(lock.packages),
        platforms=lock.platforms,
        changes=changes(previous, lock),
        stats={k: v for k, v in stats.items() if isinstance(v, int)},
        warnings=tuple(warnings),
        python=lock.python,
        project=_project_line(lock),
    )


def _compile(
    request: LockRequest,
    intent: Intent,
    previous: Lock | None,
    upgrade_packages: frozenset[str],
    cache: Cache,
) -> tuple[Lock, list[str], dict[str, object]]:
    """A full compilation; its stats carry the versions of the pages it read ("pages")."""
    from dht.compile.index import IndexClient

    with IndexClient(
        intent.index_url,
        cache_dir=cache.root.parent,
        offline=request.offline,
        refresh=request.refresh,
        exclude_newer=intent.exclude_newer,
        guess_for=_marker_environments(intent),
    ) as client:
        # The root pages leave before the compiler is imported: the network's wait
        # overlaps the imports.
        roots = sorted({r.name for t in intent.tools for r in t.requirements()})
        client.prefetch(roots)
        if roots:
            client.wait_under_way()
        from dht.compile.compiler import Upgrade, compile_lock

        upgrade = Upgrade(everything=request.upgrade, packages=upgrade_packages)
        with _progress(request.show_progress) as progress:
            warnings: list[str] = []
            lock = compile_lock(
                intent,
                previous,
                client,
                upgrade=upgrade,
                progress=progress,
                root=request.root,
                warn=warnings.append,
            )
        stats: dict[str, object] = dict(client.stats)
        stats["pages"] = client.page_versions()
    return lock, warnings, stats


def _marker_environments(intent: Intent) -> list[dict[str, str]]:
    """The targets' marker environments, for the index client's guesses of what the
    resolver will ask next; none when the intent names a target dht refuses (the
    compiler says so, with its message)."""
    from dht.compile.targets import Target
    from dht.errors import DhtError

    try:
        return [Target(p, intent.python).marker_environment() for p in intent.platforms]
    except DhtError:
        return []


def _project_line(lock: Lock) -> str:
    project = lock.project
    if project is None:
        return ""
    parts = ["editable" if project.install == "editable" else "not installed"]
    if project.request.groups:
        parts.append(f"groups {', '.join(project.request.groups)}")
    if project.request.extras:
        parts.append(f"extras {', '.join(project.request.extras)}")
    return f"{project.name or '(not a package)'} [{'; '.join(parts)}]"


def changes(old: Lock | None, new: Lock) -> tuple[Change, ...]:
    from dht.review.diff import pins

    def versions(lock: Lock | None) -> dict[tuple[str, str], str]:
        return {k: ", ".join(sorted(v)) for k, v in pins(lock).items()} if lock else {}

    before, after = versions(old), versions(new)
    if old is not None and old.python != new.python:
        before[("", "python")], after[("", "python")] = old.python, new.python
    out = [
        Change(env, name, before.get((env, name)), after.get((env, name)))
        for env, name in sorted(before.keys() | after.keys())
        if before.get((env, name)) != after.get((env, name))
    ]
    return tuple(out)


def _previous(path: Path) -> Lock | None:
    """The existing lock, for its pins. A broken one is re-locked from scratch, except a newer format."""
    if not path.exists():
        return None
    try:
        return read_lock(path)[0]
    except NewerFormatError:
        raise
    except InputError as exc:
        import sys

        print(f"warning: ignoring the pins of the existing lock: {exc}", file=sys.stderr)
        return None


@contextlib.contextmanager
def _progress(show: bool) -> Iterator[Any]:
    if not show:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("resolving") as status:

        def update(message: str) -> None:
            status.update(message)

        yield update
