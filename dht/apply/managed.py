"""Managed regions of project files: a TOML table, an INI section, or a whole file.

Only the region changes; every other byte of the file stays as it was. A
region is compared in a canonical rendering, so a formatting-only change is
not drift, and a hand edit shows as a diff.
"""

from __future__ import annotations

import configparser
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomlkit
import tomlkit.exceptions

from dht.apply.paths import safe_path
from dht.errors import InputError
from dht.model.lock import atomic_write

Format = Literal["toml", "ini", "file"]


@dataclass(frozen=True)
class Region:
    file: str
    format: Format
    table: str | None


def _keys(table: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', table)
    return [a or b or c for a, b, c in parts]


def _toml_table(values: Mapping[str, Any]) -> Any:
    table = tomlkit.table()
    for key, value in values.items():
        table.add(key, _toml_table(value) if isinstance(value, Mapping) else value)
    return table


def desired_text(region: Region, values: Mapping[str, Any] | str) -> str:
    if region.format == "file":
        assert isinstance(values, str)
        return values if values.endswith("\n") else values + "\n"
    assert isinstance(values, Mapping) and region.table
    if region.format == "toml":
        doc = tomlkit.document()
        keys = _keys(region.table)
        container: Any = doc
        for key in keys[:-1]:
            nested = tomlkit.table(is_super_table=True)
            container.add(key, nested)
            container = nested
        container.add(keys[-1], _toml_table(values))
        return tomlkit.dumps(doc).strip("\n") + "\n"
    lines = [f"[{region.table}]"]
    for key, value in values.items():
        if isinstance(value, list):
            lines.append(f"{key} =" + "".join(f"\n    {item}" for item in value))
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def _read_file(root: Path, region: Region) -> tuple[Path, str | None]:
    path = safe_path(root, region.file, where=f"config file {region.file}")
    try:
        return path, path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return path, None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {region.file}: {exc}", where=region.file) from None


def _parse_toml(text: str, file: str) -> Any:
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise InputError(
            f"not valid TOML: {exc}",
            where=f"{file}:{exc.line}",
            hint="fix the file; dht changes nothing until then",
        ) from None


def _ini_section(text: str, section: str) -> tuple[int, int] | None:
    """Line range [start, end) of a section: its header up to the next header."""
    lines = text.splitlines(keepends=True)
    start = None
    for number, line in enumerate(lines):
        header = re.match(r"^\s*\[([^\]]+)\]\s*$", line)
        if header and start is not None:
            return start, number
        if header and header.group(1).strip() == section:
            start = number
    return (start, len(lines)) if start is not None else None


def read_region(root: Path, region: Region) -> str | None:
    _, text = _read_file(root, region)
    if text is None:
        return None
    if region.format == "file":
        return text
    assert region.table
    if region.format == "toml":
        node: Any = _parse_toml(text, region.file)
        for key in _keys(region.table):
            if not isinstance(node, Mapping) or key not in node:
                return None
            node = node[key]
        if not isinstance(node, Mapping):
            return None
        return desired_text(region, node.unwrap() if hasattr(node, "unwrap") else dict(node))
    span = _ini_section(text, region.table)
    if span is None:
        return None
    body = "".join(text.splitlines(keepends=True)[span[0] : span[1]])
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(body)
    except configparser.Error as exc:
        raise InputError(f"not a valid INI section: {exc}", where=region.file) from None
    values: dict[str, Any] = {}
    for key, value in parser[region.table].items():
        items = [v.strip() for v in value.splitlines() if v.strip()]
        values[key] = items if "\n" in value else value
    return desired_text(region, values)


def write_region(root: Path, region: Region, values: Mapping[str, Any] | str) -> bool:
    """Make the region equal to `values`; False (file untouched) when it already is."""
    want = desired_text(region, values)
    if read_region(root, region) == want:
        return False
    path, text = _read_file(root, region)
    if region.format == "file":
        new = want
    elif region.format == "toml":
        assert isinstance(values, Mapping) and region.table
        doc = _parse_toml(text or "", region.file)
        keys = _keys(region.table)
        container: Any = doc
        for key in keys[:-1]:
            if key not in container:
                container.add(key, tomlkit.table(is_super_table=True))
            container = container[key]
        if keys[-1] in container:
            container[keys[-1]] = _toml_table(values)
        else:
            if text and not text.endswith("\n\n") and doc.body:
                doc.add(tomlkit.nl())
            container.add(keys[-1], _toml_table(values))
        new = tomlkit.dumps(doc)
    else:
        assert region.table
        source = text or ""
        span = _ini_section(source, region.table)
        lines = source.splitlines(keepends=True)
        if span is None:
            prefix = source if not source or source.endswith("\n") else source + "\n"
            new = prefix + ("\n" if prefix.strip() else "") + want
        else:
            tail = lines[span[1] :]
            new = "".join(lines[: span[0]]) + want + ("\n" if tail else "") + "".join(tail)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, new.encode("utf-8"))
    return True


def region_diff(root: Path, region: Region, values: Mapping[str, Any] | str) -> str:
    have = read_region(root, region) or ""
    want = desired_text(region, values)
    if have == want:
        return ""
    return "".join(
        difflib.unified_diff(
            want.splitlines(keepends=True),
            have.splitlines(keepends=True),
            fromfile=f"{region.file} (dht.lock)",
            tofile=f"{region.file} (on disk)",
        )
    )
