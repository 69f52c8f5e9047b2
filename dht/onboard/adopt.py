"""An adopted table as dht.toml writes it: in the layout the project wrote it.

`dht init` moves a `[tool.ruff]` table (or a setup.cfg `[flake8]` section) into a
`[config.NAME.set]` table of dht.toml. The user's comments, key order, array layout
(a multi-line list stays multi-line) and quoting come along: the TOML table is
re-rooted in tomlkit's document model, an INI section is translated line by line
(its comments become TOML comments, a multi-line value a multi-line array).

Each text is parsed back and must hold exactly the adopted values; where it does
not (a table split over the file, dotted keys tomlkit cannot re-root), the caller
renders the values plainly instead.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dht.apply.ini_edit import key_blocks
from dht.apply.managed import Region, region_span
from dht.model.regions import same, toml_table_path

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def adopted_text(
    root: Path, file: str, fmt: str, table: str, name: str, values: Mapping[str, Any]
) -> str:
    """The `[config.NAME.set]` table for the region `table` of `file`, in the file's own
    layout; "" when that cannot be kept (the caller renders the values plainly)."""
    if not values:
        return ""
    try:
        source = (root / file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    header = f"config.{toml_key(name)}.set"
    if fmt == "toml":
        return toml_set_text(source, file, table, header) or ""
    return ini_set_text(source, file, table, header, values) or ""


def toml_set_text(source: str, file: str, table: str, header: str) -> str | None:
    """The table `table` of the TOML document `source`, re-rooted at `header`
    (`config.ruff.set`), with the comment lines right above it; None when that text
    would not hold exactly the table's values."""
    import tomlkit
    import tomlkit.exceptions
    from tomlkit.items import Table

    from dht.apply.toml_edit import forget_headers, nested, strip_trailing

    path = toml_table_path(table)
    target = toml_table_path(header)
    if path is None or target is None:
        return None
    try:
        doc = tomlkit.parse(source)
        node: Any = doc
        for key in path:
            node = node[key]
    except (tomlkit.exceptions.TOMLKitError, KeyError):
        return None
    if not isinstance(node, Table):
        return None  # an inline table, or parts spread over the file
    values = node.unwrap()
    strip_trailing(node)  # the comments before the next table introduce that table
    forget_headers(node)
    out = nested(target, node)
    try:
        text = out.as_string().strip("\r\n")
    except (tomlkit.exceptions.TOMLKitError, ValueError):
        return None
    span = region_span(source, Region(file, "toml", table))
    lead = _comments_above(source, span[0]) if span else []
    text = "\n".join([*lead, text]).replace("\r\n", "\n") + "\n"
    return text if _holds(text, target, values) else None


def ini_set_text(
    source: str, file: str, section: str, header: str, values: Mapping[str, Any]
) -> str | None:
    """The INI section as a TOML table at `header`: its comments as TOML comments, its
    keys in their order, a multi-line value as a multi-line array (comment lines between
    the items kept). None when that text would not hold exactly `values`."""
    target = toml_table_path(header)
    span = region_span(source, Region(file, "ini", section))
    if target is None or span is None:
        return None
    lines = source[span[0] : span[1]].splitlines()
    try:
        keys = key_blocks(lines)
    except ValueError:
        return None
    out = [*_comments_above(source, span[0]), f"[{header}]"]
    owner = {line: key for key in keys for line in range(key.first, key.last + 1)}
    index = 1
    while index < len(lines):
        key = owner.get(index)
        if key is None:
            out.append(_comment(lines[index]))
            index += 1
            continue
        if key.name not in values:
            return None
        value = values[key.name]
        inside = [
            (line, _comment(lines[line]))
            for line in range(key.first + 1, key.last + 1)
            if line not in {item for item, _ in key.items}
        ]
        if isinstance(value, list):
            out.append(f"{toml_key(key.name)} = [")
            comments = dict(inside)
            for line in range(key.first, key.last + 1):
                if line in comments:
                    out.append(f"    {comments[line]}" if comments[line] else "")
                text = next((t for at, t in key.items if at == line), None)
                if text is not None:
                    out.append(f"    {_string(text)},")
            out.append("]")
        else:
            out += [comment for _, comment in inside if comment]
            out.append(f"{toml_key(key.name)} = {_string(str(value))}")
        index = key.last + 1
    while out and not out[-1]:
        out.pop()
    text = "\n".join(out) + "\n"
    return text if _holds(text, target, values) else None


def _comments_above(source: str, start: int) -> list[str]:
    """The comment lines right above the line at `start` (no blank line between)."""
    lines = source[:start].splitlines()
    found: list[str] = []
    while lines and lines[-1].strip()[:1] in ("#", ";") and lines[-1].strip():
        found.insert(0, _comment(lines.pop()))
    return found


def _comment(line: str) -> str:
    """An INI or TOML comment line as a TOML comment; a blank line stays blank."""
    stripped = line.strip()
    if stripped.startswith(";"):
        return "#" + stripped[1:]
    return stripped


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _string(text: str) -> str:
    import tomlkit

    rendered: str = tomlkit.item(text).as_string()
    return rendered


def _holds(text: str, target: tuple[str, ...], values: Any) -> bool:
    try:
        node: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    for key in target:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return same(node, values)
