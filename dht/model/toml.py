"""Reading TOML files into msgspec types, with errors that point at the place.

Errors name the file, the dotted key and, where it can be found, the line, and
say what is allowed there. tomllib parses (fast, strict); msgspec validates.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from dht.errors import InputError, did_you_mean

T = TypeVar("T")

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_MSGSPEC_PATH = re.compile(r" - at `\$(.*)`$")
_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `([^`]*)`")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*((?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.\- ]+?))\s*=")


def shown(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it, so
    what dht prints does not depend on where the project lives."""
    # Not resolved: a symlinked dht.toml is named as the user named it.
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(os.getcwd())).as_posix()
    except (ValueError, OSError):
        return str(path)


def read_text(path: Path, what: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found", where=shown(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", where=shown(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} is not UTF-8 text (byte {exc.start})", where=shown(path)
        ) from None


# Limits for files that may come from a stranger (a lock or dht.toml in a pull request,
# a project's pyproject.toml): far above anything real, far below what exhausts memory
# or Python's stack.
MAX_TOML_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 40


def parse_toml(text: str, where: str) -> dict[str, Any]:
    if text.startswith("\ufeff"):
        raise InputError(
            "starts with a byte-order mark, which TOML readers (tomllib, pip, uv) refuse",
            where=where,
            hint="save the file as UTF-8 without a BOM",
        )
    if len(text) > MAX_TOML_BYTES:
        raise InputError(
            f"is {len(text) // (1024 * 1024)} MB, more than dht reads ({MAX_TOML_BYTES // (1024 * 1024)} MB)",
            where=where,
        )
    import tomllib  # here: a lock read from its cache (read_lock_cached) parses no TOML

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise _too_deep(where) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        location = f"{where}:{match.group(1)}" if match else where
        reason = _TOML_POSITION.sub("", message).strip()
        raise InputError(
            f"not valid TOML: {reason}",
            where=location,
            hint="fix the syntax at that line (https://toml.io)",
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise _too_deep(where)
    return data


def _too_deep(where: str) -> InputError:
    return InputError(f"tables and arrays nest deeper than {MAX_DEPTH} levels", where=where,
                      hint="no dht file, lock or pyproject.toml needs that: is it generated?")  # fmt: skip


def _depth(value: Any) -> int:
    """How deep tables and arrays nest, without recursion (the value may be hostile)."""
    deepest = 0
    todo = [(value, 1)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(item, dict):
            todo.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, level + 1) for v in item)
    return deepest


def _split_key(raw: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([^.\s]+)", raw)
    return [a or b or c for a, b, c in parts]


def find_line(text: str, path: Sequence[str]) -> int | None:
    """The 1-based line where the dotted key `path` (or its closest parent) is set.

    Path parts may carry list positions (`packages[3]` or `packages`, `3`): the n-th
    `[[packages]]` table is counted. A light scan of headers and `key =` lines; good
    enough to point a user at the right place, and it never raises.
    """
    wanted = [seg for part in path for seg in _segments(part)] if path else []
    if not wanted:
        return None
    best: tuple[int, int] | None = None  # (matched depth, line)
    table: list[str] = []
    arrays: dict[tuple[str, ...], int] = {}  # [[x]] header -> index of its last table
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _indexed(_split_key(header.group(1)), arrays)
            if line.lstrip().startswith("[["):
                own = tuple(table)
                arrays[own] = arrays.get(own, -1) + 1
                table = [*table, str(arrays[own])]
            keys = table
        else:
            key = _KEY.match(line)
            if not key:
                continue
            keys = [*table, *_split_key(key.group(1))]
        depth = 0
        for have, want in zip(keys, wanted, strict=False):
            if have != want:
                break
            depth += 1
        if depth and depth == min(len(keys), len(wanted)) and (best is None or depth > best[0]):
            best = (depth, number)
    return best[1] if best else None


def _indexed(keys: list[str], arrays: dict[tuple[str, ...], int]) -> list[str]:
    """`[packages.extra]` after `[[packages]]` belongs to the last package: insert its index."""
    out: list[str] = []
    for i, key in enumerate(keys):
        out.append(key)
        position = arrays.get(tuple(out))
        if position is not None and i < len(keys) - 1:
            out.append(str(position))
    return out


def dotted_key(path: Sequence[str]) -> str:
    """`tools.ruff.with[0]`: list positions in brackets, the rest dotted."""
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def _segments(msgspec_path: str) -> list[str]:
    return [s for s in re.split(r"\.|\[(\d+)\]", msgspec_path) if s]


def _known_fields(tp: Any, path: Sequence[str]) -> list[str]:
    """Encoded field names of the Struct reached by following `path` from `tp`."""
    info: Any = msgspec.inspect.type_info(tp)
    for segment in [*path, None]:
        while isinstance(info, msgspec.inspect.UnionType):
            structs = [t for t in info.types if isinstance(t, msgspec.inspect.StructType)]
            if not structs:
                return []
            info = structs[0]
        if segment is None:
            break
        if isinstance(info, msgspec.inspect.StructType):
            match = [f for f in info.fields if f.encode_name == segment]
            if not match:
                return []
            info = match[0].type
        elif isinstance(info, msgspec.inspect.DictType):
            info = info.value_type
        elif isinstance(info, (msgspec.inspect.ListType, msgspec.inspect.TupleType)):
            info = getattr(info, "item_type", None)
        else:
            return []
    if isinstance(info, msgspec.inspect.StructType):
        return [f.encode_name for f in info.fields]
    return []


def convert(
    data: Any,
    tp: type[T],
    *,
    file: str,
    text: str,
    prefix: Sequence[str] = (),
    root: Any = None,
) -> T:
    """msgspec.convert with an InputError naming file, line, dotted key and the allowed keys.

    `prefix` is where `data` sits in the file; `root` is the type the whole
    file decodes to (for listing allowed keys), default `tp`.
    """
    try:
        return msgspec.convert(data, tp)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _MSGSPEC_PATH.search(message)
        inner = _segments(match.group(1)) if match else []
        reason = _MSGSPEC_PATH.sub("", message)
        reason = reason.replace("`", "").replace("Expected", "expected")
        for word, plain in (("object", "a table"), ("array", "a list"), ("str", "a string")):
            reason = re.sub(rf"\b{word}\b", plain, reason)
        path = [*prefix, *inner]
        hint: str | None = None
        unknown = _UNKNOWN_FIELD.match(message)
        if unknown:
            key = unknown.group(1)
            path.append(key)
            if root is not None:
                allowed = _known_fields(root, path[:-1])
            else:
                allowed = _known_fields(tp, inner)
            reason = f"unknown key {key!r}"
            close = did_you_mean(key, allowed)
            listing = ", ".join(sorted(allowed))
            hint = f"{close + ' ' if close else ''}allowed here: {listing}" if allowed else close
        line = find_line(text, path)
        where = f"{file}:{line}" if line else file
        dotted = dotted_key(path)
        raise InputError(
            f"{dotted}: {reason}" if dotted else reason, where=where, hint=hint
        ) from None
