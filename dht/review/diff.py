"""A semantic difference of two locks, for review: what changes on every machine, and why.

`diff` is pure (two Lock values in, a LockDiff out); `render_*` turn it into
text for a terminal, Markdown for a pull request, or JSON (a stable shape).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import msgspec
from packaging.version import InvalidVersion, Version

from dht.model.lock import Lock, Package

FORMAT_VERSION = 1


@dataclass(frozen=True, order=True)
class Change:
    section: str  # tools, packages, artifacts, system, env, config, settings
    name: str  # "black", "click (black)", "dep:generic/libpq", "APP_MODE", "ruff.line-length"
    kind: str  # added, removed, upgraded, downgraded, changed, hash-changed
    old: str | None = None
    new: str | None = None
    jump: str | None = None  # major, minor, patch, other (versions only)
    cause: tuple[str, ...] = ()  # the intent entries behind it


@dataclass
class LockDiff:
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the reader should know about the comparison itself (a side with no lock)."""

    @property
    def equal(self) -> bool:
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "equal": self.equal,
            "changes": [asdict(c) for c in self.changes],
            "notes": list(self.notes),
        }


def _jump(old: str, new: str) -> tuple[str, str]:
    try:
        a, b = Version(old), Version(new)
    except InvalidVersion:
        return "changed", "other"
    kind = "upgraded" if b > a else "downgraded"
    for index, label in enumerate(("major", "minor", "patch")):
        if (*a.release, 0, 0, 0)[index] != (*b.release, 0, 0, 0)[index]:
            return kind, label
    return kind, "other"


def _roots(package: Package, lock: Lock) -> tuple[str, ...]:
    """The intent entries (tools.X) whose closure holds the package, through its parents."""
    by_name = {p.name: p for p in lock.packages if p.environment == package.environment}
    found: set[str] = set()
    todo, seen = [package], {package.name}
    while todo:
        current = todo.pop()
        for reason in current.required_by:
            if reason.startswith("tools."):
                found.add(reason.removesuffix(".with"))
                continue
            if reason == "project" or reason.startswith("project."):
                found.add(reason)
                continue
            parent = by_name.get(reason.split("==", 1)[0])
            if parent is not None and parent.name not in seen:
                seen.add(parent.name)
                todo.append(parent)
    return tuple(sorted(found))


def diff(old: Lock, new: Lock) -> LockDiff:
    return LockDiff(
        [
            *_settings(old, new),
            *_tools(old, new),
            *_packages(old, new),
            *_system(old, new),
            *_env(old, new),
            *_configs(old, new),
        ]
    )


def _settings(old: Lock, new: Lock) -> list[Change]:
    pairs = (
        ("python", old.python, new.python),
        ("platforms", ", ".join(old.platforms), ", ".join(new.platforms)),
        ("systems", ", ".join(old.systems), ", ".join(new.systems)),
        ("index", old.index.url, new.index.url),
        ("exclude-newer", old.index.exclude_newer or "", new.index.exclude_newer or ""),
    )
    out = [
        Change("settings", name, "changed", a or None, b or None) for name, a, b in pairs if a != b
    ]
    # What builds the environments: the interpreter each target gets, the project entry.
    for prefix, before, after in (
        ("python.", old.interpreter, new.interpreter),
        ("project.", old.project, new.project),
    ):
        a = _flatten(_joined(msgspec.to_builtins(before)), prefix) if before is not None else {}
        b = _flatten(_joined(msgspec.to_builtins(after)), prefix) if after is not None else {}
        for key in sorted(a.keys() | b.keys()):
            if a.get(key) != b.get(key):
                kind = "added" if key not in a else "removed" if key not in b else "changed"
                out.append(Change("settings", key, kind, a.get(key), b.get(key)))
    return out


def _tools(old: Lock, new: Lock) -> list[Change]:
    out: list[Change] = []
    before, after = {t.name: t for t in old.tools}, {t.name: t for t in new.tools}
    for name in sorted(before.keys() | after.keys()):
        ta, tb = before.get(name), after.get(name)
        cause = (f"tools.{name}",)
        if ta is None and tb is not None:
            out.append(Change("tools", name, "added", None, tb.version, cause=cause))
        elif tb is None and ta is not None:
            out.append(Change("tools", name, "removed", ta.version, None, cause=cause))
        elif ta is not None and tb is not None and ta.version != tb.version:
            kind, jump = _jump(ta.version, tb.version)
            out.append(Change("tools", name, kind, ta.version, tb.version, jump, cause))
        elif ta is not None and tb is not None and ta != tb:
            out.append(
                Change(
                    "tools",
                    name,
                    "changed",
                    ta.request.version or "any",
                    tb.request.version or "any",
                    cause=cause,
                )
            )
    return out


def _hashes(package: Package) -> dict[str, str]:
    return {
        a.name: a.hashes.sha256
        for a in (*package.wheels, *([package.sdist] if package.sdist else []))
    }


def _packages(old: Lock, new: Lock) -> list[Change]:
    out: list[Change] = []
    before = {(p.environment, p.name): p for p in old.packages}
    after = {(p.environment, p.name): p for p in new.packages}
    for key in sorted(before.keys() | after.keys()):
        pa, pb = before.get(key), after.get(key)
        label = key[1] if key[0] == "project" else f"{key[1]} ({key[0]})"
        if pb is not None and pa is None:
            out.append(Change("packages", label, "added", None, pb.version, cause=_roots(pb, new)))
        elif pa is not None and pb is None:
            out.append(
                Change("packages", label, "removed", pa.version, None, cause=_roots(pa, old))
            )
        elif pa is not None and pb is not None and pa.version != pb.version:
            kind, jump = _jump(pa.version, pb.version)
            out.append(
                Change("packages", label, kind, pa.version, pb.version, jump, _roots(pb, new))
            )
        elif pa is not None and pb is not None:
            ha, hb = _hashes(pa), _hashes(pb)
            for filename in sorted(ha.keys() & hb.keys()):
                if ha[filename] != hb[filename]:
                    # The same file name with other bytes: an index should never do this.
                    out.append(Change("artifacts", filename, "hash-changed", ha[filename][:12], hb[filename][:12],
                                      cause=_roots(pb, new)))  # fmt: skip
    return out


def _system(old: Lock, new: Lock) -> list[Change]:
    out: list[Change] = []
    before, after = {e.id: e for e in old.system}, {e.id: e for e in new.system}
    for dep in sorted(before.keys() | after.keys()):
        sa, sb = before.get(dep), after.get(dep)
        if sa is None or sb is None:
            entry = sb or sa
            assert entry is not None
            out.append(
                Change("system", dep, "added" if sa is None else "removed", cause=tuple(entry.why))
            )
            continue
        for system in sorted(sa.packages.keys() | sb.packages.keys()):
            xa, xb = sa.packages.get(system), sb.packages.get(system)
            if xa != xb:
                out.append(Change("system", f"{dep} on {system}", "changed",
                                  " ".join(xa) if xa is not None else None,
                                  " ".join(xb) if xb is not None else None, cause=tuple(sb.why)))  # fmt: skip
    return out


def _env(old: Lock, new: Lock) -> list[Change]:
    before = dict(old.env.values) if old.env else {}
    after = dict(new.env.values) if new.env else {}
    out = []
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) != after.get(key):
            kind = "added" if key not in before else "removed" if key not in after else "changed"
            out.append(Change("env", key, kind, before.get(key), after.get(key), cause=("env",)))
    return out


def _configs(old: Lock, new: Lock) -> list[Change]:
    out: list[Change] = []
    before, after = {c.name: c for c in old.configs}, {c.name: c for c in new.configs}
    for name in sorted(before.keys() | after.keys()):
        ca, cb = before.get(name), after.get(name)
        cause = (f"config.{name}",)
        if ca is None or cb is None:
            entry = cb or ca
            assert entry is not None
            out.append(
                Change(
                    "config",
                    f"{name} ({entry.file})",
                    "added" if ca is None else "removed",
                    cause=cause,
                )
            )
            continue
        if ca.text != cb.text or ca.file != cb.file or ca.table != cb.table:
            out.append(
                Change("config", f"{name} ({cb.file})", "changed", ca.file, cb.file, cause=cause)
            )
        flat_a, flat_b = _flatten(ca.values), _flatten(cb.values)
        for key in sorted(flat_a.keys() | flat_b.keys()):
            if flat_a.get(key) != flat_b.get(key):
                kind = (
                    "added" if key not in flat_a else "removed" if key not in flat_b else "changed"
                )
                out.append(
                    Change(
                        "config",
                        f"{name}.{key}",
                        kind,
                        flat_a.get(key),
                        flat_b.get(key),
                        cause=cause,
                    )
                )
    return out


def _joined(value: Any) -> Any:
    """Lists as one comma-separated string, at any depth (requirements, groups)."""
    if isinstance(value, dict):
        return {k: _joined(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _flatten(values: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = (
                value
                if isinstance(value, str)
                else value.isoformat()
                if isinstance(value, dt.date | dt.time)  # a TOML date or time, as TOML spells it
                else repr(value)
            )
    return out


SECTIONS = ("settings", "tools", "packages", "artifacts", "system", "env", "config")
TITLES = {
    "settings": "Settings", "tools": "Tools", "packages": "Python packages",
    "artifacts": "Artifacts whose hash changed at the same version (should not happen)",
    "system": "System packages", "env": "Environment variables", "config": "Config",
}  # fmt: skip


def _line(change: Change) -> str:
    if change.kind == "added":
        body = f"+ {change.name}" + (f" {change.new}" if change.new else "")
    elif change.kind == "removed":
        body = f"- {change.name}" + (f" {change.old}" if change.old else "")
    else:
        jump = f" ({change.jump})" if change.jump and change.jump != "other" else ""
        body = f"~ {change.name}: {change.old or '∅'} -> {change.new or '∅'}{jump}"
        if change.kind in ("downgraded", "hash-changed"):
            body += f"  [{change.kind.upper()}]"
    cause = f"  <- {', '.join(change.cause)}" if change.cause and change.section != "tools" else ""
    return body + cause


def render_text(result: LockDiff) -> str:
    if result.equal:
        return "the locks are the same\n"
    lines: list[str] = []
    for section in SECTIONS:
        items = [c for c in result.changes if c.section == section]
        if items:
            lines.append(f"{TITLES[section]}:")
            lines.extend(f"  {_line(c)}" for c in items)
    return "\n".join(lines) + "\n"


def render_markdown(result: LockDiff, *, fold_after: int = 10) -> str:
    if result.equal:
        return "**dht.lock**: no changes.\n"
    counts = {s: sum(1 for c in result.changes if c.section == s) for s in SECTIONS}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [f"### dht.lock changes ({summary})", ""]
    for section in SECTIONS:
        items = [c for c in result.changes if c.section == section]
        if not items:
            continue
        body = [f"- `{_line(c)}`" for c in items]
        if len(items) > fold_after:
            lines += [
                f"<details><summary>{TITLES[section]} ({len(items)})</summary>",
                "",
                *body,
                "",
                "</details>",
                "",
            ]
        else:
            lines += [f"**{TITLES[section]}**", "", *body, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def sections(changes: Iterable[Change]) -> list[str]:
    return sorted({c.section for c in changes}, key=SECTIONS.index)
