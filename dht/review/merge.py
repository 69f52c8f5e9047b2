"""Three-way merge of dht.lock, entry by entry, for git's merge driver.

Entries two branches changed differently cannot be merged by value: then the
lock is compiled again from the merged dht.toml (the union of both sides'
pins kept as preferences), so no conflict markers ever land in a lock.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import msgspec

from dht.model.lock import Lock, canonical
from dht.model.regions import region_clash

K = TypeVar("K", bound=Hashable)


class Conflict(Exception):
    """Both sides changed the same entry differently."""

    def __init__(self, entries: list[str]) -> None:
        super().__init__(", ".join(entries))
        self.entries = entries


def _three(base: Any, ours: Any, theirs: Any, name: str, conflicts: list[str]) -> Any:
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    conflicts.append(name)
    return ours


def _merge_entries(
    base: tuple[Any, ...],
    ours: tuple[Any, ...],
    theirs: tuple[Any, ...],
    key: Callable[[Any], Any],
    label: str,
    conflicts: list[str],
) -> tuple[Any, ...]:
    b, o, t = ({key(e): e for e in side} for side in (base, ours, theirs))
    out = []
    for k in sorted(b.keys() | o.keys() | t.keys(), key=str):
        merged = _three(b.get(k), o.get(k), t.get(k), f"{label}.{k}", conflicts)
        if merged is not None:
            out.append(merged)
    return tuple(out)


def merge(base: Lock, ours: Lock, theirs: Lock) -> Lock:
    """The merged lock, or Conflict naming the entries both sides changed differently."""
    conflicts: list[str] = []
    fields: dict[str, Any] = {}
    for name in ("python", "platforms", "systems", "index", "env"):
        fields[name] = _three(
            getattr(base, name), getattr(ours, name), getattr(theirs, name), name, conflicts
        )
    fields["tools"] = _merge_entries(
        base.tools, ours.tools, theirs.tools, lambda e: e.name, "tools", conflicts
    )
    fields["configs"] = _merge_entries(
        base.configs, ours.configs, theirs.configs, lambda e: e.name, "config", conflicts
    )
    # Each side's configs may be fine alone and clash together: then re-lock, where the
    # merged dht.toml's check names the clash.
    if region_clash([(f"configs.{c.name}", c.file, c.format, c.table) for c in fields["configs"]]):
        conflicts.append("configs (two entries would write the same region)")
    fields["system"] = _merge_entries(
        base.system, ours.system, theirs.system, lambda e: e.id, "system", conflicts
    )
    fields["packages"] = _merge_entries(
        base.packages,
        ours.packages,
        theirs.packages,
        lambda e: (e.environment, e.name, e.version),
        "packages",
        conflicts,
    )
    # Each side may have moved one package to a different version: both would stay.
    seen: dict[tuple[str, str], set[str]] = {}
    for package in fields["packages"]:
        targets = seen.setdefault((package.environment, package.name), set())
        if targets & set(package.targets):
            conflicts.append(f"packages.{package.name} (two versions for one platform)")
        targets |= set(package.targets)
    if conflicts:
        raise Conflict(sorted(set(conflicts)))
    return canonical(msgspec.structs.replace(ours, **fields))
