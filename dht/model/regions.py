"""Which part of which file a config entry owns, when two entries would own the same,
and how the values of a region compare with the lock's.

Used by dht.toml (two entries), dht.lock (an edited lock) and the merge driver (two
branches' entries, each fine alone): one region, one config.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import posixpath
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import msgspec


def toml_table_path(table: str) -> tuple[str, ...] | None:
    """The keys of a dotted TOML table name (`tool."a.b"` -> tool, a.b); None when not one."""
    return _key_path(f"[{table}]", arrays=False)


def header_path(line: str) -> tuple[str, ...] | None:
    """The keys of a `[a."b.c"]` or `[[a.b]]` header line; None when not one."""
    return _key_path(line, arrays=True)


def _key_path(header: str, *, arrays: bool) -> tuple[str, ...] | None:
    # tomllib decodes the quoting; a header alone parses to nested one-key tables.
    import tomllib  # here: only TOML regions need it

    try:
        node: Any = tomllib.loads(header)
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    while isinstance(node, dict) and len(node) == 1:
        key, node = next(iter(node.items()))
        path.append(key)
        if arrays and isinstance(node, list) and len(node) == 1:
            node = node[0]
    return tuple(path) if node == {} and path else None


def region_clash(entries: list[tuple[str, str, str, str | None]]) -> tuple[str, str] | None:
    """The first entry (label, file, format, table) that writes where an earlier one does:
    the same file as a whole file, the same INI section, the same TOML table or one
    inside the other. Returns the later entry's label and the message."""
    seen: dict[str, list[tuple[str, str, str, str | None]]] = {}
    for label, file, fmt, table in entries:
        key = _same_file(file)
        for other, _, other_fmt, other_table in seen.get(key, []):
            if fmt == other_fmt == "file":
                return label, f"writes {file}, as {other} does"
            if fmt == "file":
                return label, f"writes the whole of {file}, where {other} manages a part"
            if other_fmt == "file":
                return label, f"manages a part of {file}, which {other} writes as a whole file"
            if fmt != other_fmt:
                return (
                    label,
                    f"manages {file} as {fmt.upper()}, but {other} manages it as {other_fmt.upper()}",
                )
            if table is None or other_table is None:
                continue
            if fmt == "ini":
                if table == other_table:
                    return label, f"manages {file} [{table}], as {other} does"
                continue
            mine, theirs = toml_table_path(table), toml_table_path(other_table)
            if mine is None or theirs is None:
                continue
            if mine == theirs:
                return label, f"manages {file} [{table}], as {other} does"
            if mine[: len(theirs)] == theirs:
                return (
                    label,
                    f"manages {file} [{table}], inside [{other_table}] that {other} manages",
                )
            if theirs[: len(mine)] == mine:
                return (
                    label,
                    f"manages {file} [{table}], which holds [{other_table}] that {other} manages",
                )
        seen.setdefault(key, []).append((label, file, fmt, table))
    return None


def _same_file(file: str) -> str:
    """One spelling per file: `./a//b` is `a/b`, and case does not count (macOS, Windows)."""
    return posixpath.normpath(file.replace("\\", "/")).casefold()


# Values of a region, compared as values: layout, comments, quoting and key order are
# the file's own business, not drift.

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _kind(value: Any) -> str:
    # bool before int, datetime before date: Python's equality mixes them, TOML does not.
    for kind in (bool, int, float, str, dt.datetime, dt.date, dt.time):
        if isinstance(value, kind):
            return kind.__name__
    if isinstance(value, Mapping):
        return "table"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def same(a: Any, b: Any) -> bool:
    """Equal as TOML values: 1, 1.0 and true are three different values; key order does not count."""
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "table":
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if kind == "array":
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if kind == "float" and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def fingerprint(value: Any) -> Hashable:
    """A hashable stand-in for a value: equal exactly when `same` says so."""
    kind = _kind(value)
    if kind == "table":
        return kind, tuple(sorted((str(k), fingerprint(v)) for k, v in value.items()))
    if kind == "array":
        return kind, tuple(fingerprint(v) for v in value)
    if kind == "float" and math.isnan(value):
        return kind, "nan"
    return kind, repr(value)


class Change(msgspec.Struct, frozen=True):
    """One key that differs: `old` on disk, `new` in the lock; None where the key is absent."""

    key: str  # "line-length", "lint.per-file-ignores.\"tests/*\"", "overrides[1].module"
    old: str | None  # the value as the file's format writes it
    new: str | None

    def __str__(self) -> str:
        return f"{self.key} {_shown(self.old)} -> {_shown(self.new)}"


_LONGEST = 60


def _shown(text: str | None) -> str:
    if text is None:
        return "(absent)"
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def key_part(key: str) -> str:
    return key if key and set(key) <= _BARE else json.dumps(key, ensure_ascii=False)


def changes(
    have: Mapping[str, Any], want: Mapping[str, Any], show: Callable[[Any], str], prefix: str = ""
) -> list[Change]:
    """Key by key, what turns `have` into `want`: tables and arrays of tables of the same
    length are entered, anything else is one change. Keys in `want`'s order, then the extra ones."""
    out: list[Change] = []
    for key in [*want, *(k for k in have if k not in want)]:
        name = prefix + key_part(key)
        if key not in have:
            out.append(Change(name, None, show(want[key])))
        elif key not in want:
            out.append(Change(name, show(have[key]), None))
        elif not same(have[key], want[key]):
            old, new = have[key], want[key]
            if isinstance(old, Mapping) and isinstance(new, Mapping):
                out += changes(old, new, show, name + ".")
            elif _tables(old) and _tables(new) and len(old) == len(new):
                for i, (a, b) in enumerate(zip(old, new, strict=True)):
                    if not same(a, b):
                        out += changes(a, b, show, f"{name}[{i}].")
            elif _arrays(old, new) and max(len(show(old)), len(show(new))) > _LONGEST:
                out += _item_changes(name, old, new, show)
            else:
                out.append(Change(name, show(old), show(new)))
    return out


def _arrays(old: Any, new: Any) -> bool:
    return isinstance(old, list | tuple) and isinstance(new, list | tuple)


def _item_changes(name: str, old: Any, new: Any, show: Callable[[Any], str]) -> list[Change]:
    """A long array told item by item: `markers[1] "a" -> "b"` (indices in the lock's array,
    or on disk for an item only the disk has)."""
    from difflib import SequenceMatcher  # here: only a changed array needs it

    matcher = SequenceMatcher(
        None, [fingerprint(v) for v in old], [fingerprint(v) for v in new], autojunk=False
    )
    out: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            out += [
                Change(f"{name}[{j1 + k}]", show(old[i1 + k]), show(new[j1 + k]))
                for k in range(i2 - i1)
            ]
            continue
        out += [Change(f"{name}[{i}]", show(old[i]), None) for i in range(i1, i2)]
        out += [Change(f"{name}[{j}]", None, show(new[j])) for j in range(j1, j2)]
    return out


def _tables(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, Mapping) for v in value)


def summary(found: Sequence[Change], most: int = 5) -> str:
    """`line-length 100 -> 88, lint.select ["E"] -> ["E", "F"]`, at most `most` of them."""
    shown = [str(c) for c in found[:most]]
    if len(found) > most:
        shown.append(f"… {len(found) - most} more")
    return ", ".join(shown)
