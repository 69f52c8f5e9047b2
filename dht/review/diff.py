"""A semantic difference of two locks, for review: what changes on every machine, and why.

`diff` is pure (two Lock values in, a LockDiff out); `render_*` turn it into
text for a terminal, Markdown for a pull request, or JSON (a stable shape).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import msgspec
from packaging.version import InvalidVersion, Version

from dht.errors import shown_safely
from dht.model.lock import Lock, LockConfig, Package

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
    attention: str = ""
    """Why this change runs code or redirects trust (a new sdist, another host, an env
    value…): such changes are shown first, under their own heading."""


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


class _Roots:
    """The intent entries (tools.X, project…) whose closure holds a package, through its
    parents: computed once per package, so a diff stays linear in the lock's size."""

    def __init__(self, lock: Lock) -> None:
        self.packages = {(p.environment, p.name): p for p in lock.packages}
        self.memo: dict[tuple[str, str], frozenset[str]] = {}

    def __call__(self, package: Package) -> tuple[str, ...]:
        return tuple(sorted(self._of(package.environment, package.name, set())))

    def _of(self, env: str, name: str, visiting: set[tuple[str, str]]) -> frozenset[str]:
        key = (env, name)
        if key in self.memo:
            return self.memo[key]
        package = self.packages.get(key)
        if package is None or key in visiting:
            return frozenset()  # a cycle: its other members' roots are found through them
        visiting.add(key)
        found: set[str] = set()
        for reason in package.required_by:
            if reason.startswith("tools."):
                found.add(reason.removesuffix(".with"))
            elif reason == "project" or reason.startswith("project."):
                found.add(reason)
            else:
                found |= self._of(env, reason.split("==", 1)[0], visiting)
        visiting.discard(key)
        result = frozenset(found)
        if not visiting:
            self.memo[key] = result  # only complete answers (outside a cycle) are kept
        return result


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


_SETTING_ATTENTION = {
    "index": "every package comes from another index",
    "file-hosts": "files may come from these hosts",
    "build-from-source": "these packages may be built from source: their build backends run",
    "project.build-backend": "runs at apply: it builds the project editable",
    "project.build-requires": "runs at apply: it builds the project editable",
}


def _settings(old: Lock, new: Lock) -> list[Change]:
    pairs = (
        ("python", old.python, new.python),
        ("platforms", ", ".join(old.platforms), ", ".join(new.platforms)),
        ("systems", ", ".join(old.systems), ", ".join(new.systems)),
        ("index", old.index.url, new.index.url),
        ("exclude-newer", old.index.exclude_newer or "", new.index.exclude_newer or ""),
        ("file-hosts", ", ".join(old.index.file_hosts), ", ".join(new.index.file_hosts)),
        (
            "build-from-source",
            ", ".join(old.index.build_from_source),
            ", ".join(new.index.build_from_source),
        ),
    )
    out = [
        Change("settings", name, "changed", a or None, b or None,
               attention=_SETTING_ATTENTION.get(name, "") if b else "")
        for name, a, b in pairs
        if a != b
    ]  # fmt: skip
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
                why = _SETTING_ATTENTION.get(key, "") if key in b else ""
                out.append(Change("settings", key, kind, a.get(key), b.get(key), attention=why))
    return out


PROBE = "its probe runs on every `dht apply`"
SDIST = "built from source at install: its build backend runs on {targets}"
ELSEWHERE = "downloaded from another URL ({host})"
ENV = "set in every activated shell, `dht run` and `dht test`"


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
        if ta is not None and tb is not None and ta.request.probe != tb.request.probe:
            out.append(
                Change(
                    "tools",
                    f"{name} probe",
                    "changed",
                    " ".join(ta.request.probe or ()) or None,
                    " ".join(tb.request.probe or ()) or None,
                    cause=cause,
                    attention=PROBE,
                )
            )
        elif tb is not None and ta is None and tb.request.probe:
            out.append(Change("tools", f"{name} probe", "added", None, " ".join(tb.request.probe),
                              cause=cause, attention=PROBE))  # fmt: skip
        elif ta is not None and tb is not None and ta.version == tb.version and ta != tb:
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


def _artifacts(package: Package) -> dict[str, tuple[str, str, int, str, tuple[str, ...]]]:
    """filename -> (kind, url, size, sha256, targets): every field review compares."""
    return {
        a.name: ("sdist" if a is package.sdist else "wheel", a.url, a.size, a.hashes.sha256,
                 a.targets)
        for a in package.artifacts
    }  # fmt: skip


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _sdist_attention(package: Package, before: Package | None) -> str:
    if package.sdist is None or (before is not None and before.sdist is not None):
        return ""
    return SDIST.format(targets=", ".join(package.sdist.targets))


def pins(lock: Lock) -> dict[tuple[str, str], dict[str, Package]]:
    """(environment, name) -> version -> its entry: a package may be locked at two
    versions in one environment (one per group of platforms)."""
    found: dict[tuple[str, str], dict[str, Package]] = {}
    for package in lock.packages:
        found.setdefault((package.environment, package.name), {})[package.version] = package
    return found


def _packages(old: Lock, new: Lock) -> list[Change]:
    out: list[Change] = []
    before, after = pins(old), pins(new)
    roots_old, roots_new = _Roots(old), _Roots(new)
    for key in sorted(before.keys() | after.keys()):
        label = key[1] if key[0] == "project" else f"{key[1]} ({key[0]})"
        va, vb = before.get(key, {}), after.get(key, {})
        pairs: list[tuple[Package | None, Package | None]]
        if len(va) == 1 and len(vb) == 1:
            pairs = [(next(iter(va.values())), next(iter(vb.values())))]
        else:  # added, removed, or locked at several versions: version by version
            pairs = [(va.get(v), vb.get(v)) for v in sorted(va.keys() | vb.keys(), key=_order)]
        for pa, pb in pairs:
            out += _package(label, pa, pb, roots_old, roots_new)
    return out


def _order(version: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


def _package(
    label: str, pa: Package | None, pb: Package | None, roots_old: _Roots, roots_new: _Roots
) -> list[Change]:
    out: list[Change] = []
    if pb is not None and pa is None:
        out.append(Change("packages", label, "added", None, pb.version, cause=roots_new(pb),
                          attention=_sdist_attention(pb, None)))  # fmt: skip
    elif pa is not None and pb is None:
        out.append(Change("packages", label, "removed", pa.version, None, cause=roots_old(pa)))
    elif pa is not None and pb is not None:
        cause = roots_new(pb)
        if pa.version != pb.version:
            kind, jump = _jump(pa.version, pb.version)
            out.append(Change("packages", label, kind, pa.version, pb.version, jump, cause,
                              attention=_sdist_attention(pb, pa)))  # fmt: skip
        else:
            out += _same_version(pa, pb, cause)
        if pa.index != pb.index:
            out.append(Change("packages", f"{label} index", "changed", pa.index, pb.index,
                              cause=cause, attention="installs from another index"))  # fmt: skip
    if pb is not None and pb.yanked is not None and (pa is None or pa.yanked != pb.yanked):
        out.append(Change("packages", f"{label} yanked", "changed",
                          pa.yanked if pa is not None else None, pb.yanked, cause=roots_new(pb),
                          attention="the index yanked this release (PEP 592)"))  # fmt: skip
    return out


def _same_version(pa: Package, pb: Package, cause: tuple[str, ...]) -> list[Change]:
    """Every field of every artifact of one release: a swapped, renamed or re-hosted file
    is a change even when the version is not."""
    out: list[Change] = []
    ha, hb = _artifacts(pa), _artifacts(pb)
    for filename in sorted(ha.keys() | hb.keys()):
        a, b = ha.get(filename), hb.get(filename)
        if b is not None and a is None:
            why = SDIST.format(targets=", ".join(b[4])) if b[0] == "sdist" else ""
            if not why and not any(_host(b[1]) == _host(x[1]) for x in ha.values()):
                why = ELSEWHERE.format(host=_host(b[1]))
            out.append(Change("artifacts", filename, "added", None, f"{b[0]} from {b[1]}",
                              cause=cause, attention=why))  # fmt: skip
        elif a is not None and b is None:
            out.append(Change("artifacts", filename, "removed", f"{a[0]} from {a[1]}", None,
                              cause=cause))  # fmt: skip
        elif a is not None and b is not None and a != b:
            if a[3] != b[3]:
                # The same file name with other bytes: an index should never do this.
                out.append(Change("artifacts", filename, "hash-changed", a[3][:12], b[3][:12],
                                  cause=cause, attention="other bytes under the same name"))  # fmt: skip
            if a[1] != b[1]:
                out.append(Change("artifacts", f"{filename} url", "changed", a[1], b[1], cause=cause,
                                  attention=ELSEWHERE.format(host=_host(b[1]))))  # fmt: skip
            if a[2] != b[2]:
                out.append(Change("artifacts", f"{filename} size", "changed", str(a[2]), str(b[2]),
                                  cause=cause))  # fmt: skip
            if a[4] != b[4]:
                out.append(Change("artifacts", f"{filename} targets", "changed", ", ".join(a[4]),
                                  ", ".join(b[4]), cause=cause))  # fmt: skip
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
            out.append(Change("env", key, kind, before.get(key), after.get(key), cause=("env",),
                              attention=ENV))  # fmt: skip
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
                    attention=_config_attention(cb) if cb is not None else "",
                )
            )
            continue
        if (
            ca.text != cb.text
            or ca.file != cb.file
            or ca.table != cb.table
            or ca.format != cb.format
        ):
            out.append(
                Change(
                    "config",
                    f"{name} ({cb.file})",
                    "changed",
                    _where(ca),
                    _where(cb),
                    cause=cause,
                    attention=_config_attention(cb),
                )
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


def _where(config: LockConfig) -> str:
    if config.format == "file":
        return f"{config.file} (the whole file)"
    return f"{config.file} [{config.table}]"


def _config_attention(config: LockConfig) -> str:
    if config.format == "file":
        return "dht writes this whole file"
    if config.format == "toml" and not (config.table or "").startswith("tool."):
        return "a table outside [tool.*]"
    return ""


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
    "artifacts": "Artifacts of an unchanged version", "system": "System packages",
    "env": "Environment variables", "config": "Config",
}  # fmt: skip
FIRST = "Review first: these run code or change whom the machine trusts"


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
    return shown_safely(body + cause)


def _first(change: Change) -> str:
    return f"{_line(change)}  !! {change.attention}"


def _grouped(result: LockDiff) -> list[tuple[str, list[str]]]:
    """(title, lines): the changes that need attention first, then each section's others."""
    out: list[tuple[str, list[str]]] = []
    first = [_first(c) for c in result.changes if c.attention]
    if first:
        out.append((FIRST, first))
    for section in SECTIONS:
        items = [_line(c) for c in result.changes if c.section == section and not c.attention]
        if items:
            out.append((TITLES[section], items))
    return out


def render_text(result: LockDiff) -> str:
    if result.equal:
        return "the locks are the same\n"
    lines: list[str] = []
    for title, items in _grouped(result):
        lines.append(f"{title}:")
        lines.extend(f"  {line}" for line in items)
    return "\n".join(lines) + "\n"


def render_markdown(result: LockDiff, *, fold_after: int = 10) -> str:
    if result.equal:
        return "**dht.lock**: no changes.\n"
    counts = {s: sum(1 for c in result.changes if c.section == s) for s in SECTIONS}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [f"### dht.lock changes ({summary})", ""]
    for title, items in _grouped(result):
        body = ["- `" + line.replace("`", "'") + "`" for line in items]
        if len(items) > fold_after and title != FIRST:  # what needs attention is never folded
            lines += [f"<details><summary>{title} ({len(items)})</summary>", "", *body, "",
                      "</details>", ""]  # fmt: skip
        else:
            lines += [f"**{title}**", "", *body, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def sections(changes: Iterable[Change]) -> list[str]:
    return sorted({c.section for c in changes}, key=SECTIONS.index)
