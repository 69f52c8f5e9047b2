"""Which part of which file a config entry owns, and when two entries would own the same.

Used by dht.toml (two entries), dht.lock (an edited lock) and the merge driver (two
branches' entries, each fine alone): one region, one config.
"""

from __future__ import annotations

import posixpath
import tomllib
from typing import Any


def toml_table_path(table: str) -> tuple[str, ...] | None:
    """The keys of a dotted TOML table name (`tool."a.b"` -> tool, a.b); None when not one."""
    return _key_path(f"[{table}]", arrays=False)


def header_path(line: str) -> tuple[str, ...] | None:
    """The keys of a `[a."b.c"]` or `[[a.b]]` header line; None when not one."""
    return _key_path(line, arrays=True)


def _key_path(header: str, *, arrays: bool) -> tuple[str, ...] | None:
    # tomllib decodes the quoting; a header alone parses to nested one-key tables.
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
