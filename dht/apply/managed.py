"""Managed regions of project files: a TOML table, an INI section, or a whole file.

A region is compared by its values (layout, comments, quoting and key order are
the file's own), so a formatting-only change is not drift, and a hand edit shows
as the keys it changed. A repair changes those keys and nothing else: TOML in
tomlkit's document model (dht/apply/toml_edit.py), INI line by line
(dht/apply/ini_edit.py); a file whose one key was edited gets its exact bytes
back. Only a region that does not exist yet is written whole, by splicing its
canonical text in, and every write is re-parsed to prove nothing else changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from tomlkit import TOMLDocument
    from tomlkit.items import Table

import msgspec

from dht.apply import ini_edit
from dht.apply.paths import safe_path
from dht.errors import InputError
from dht.files import atomic_write
from dht.model.regions import Change, changes, header_path, same, toml_table_path

Format = Literal["toml", "ini", "file"]

_LOCK_HINT = "fix the config entry in dht.toml and run `dht lock` again"


class Region(msgspec.Struct, frozen=True):
    file: str  # relative to the project root
    format: Format
    table: str | None  # dotted TOML table, INI section name, None for "file"


# Rendering


def desired_text(region: Region, values: Mapping[str, Any] | str) -> str:
    """The canonical text of the region holding `values`."""
    if region.format == "file":
        if not isinstance(values, str):
            raise InputError("a whole managed file needs text, not a table", where=_where(region))
        text = values.replace("\r\n", "\n")
        return text if text.endswith("\n") else text + "\n"
    if not isinstance(values, Mapping):
        raise InputError(f"{region.format} region needs a table of values", where=_where(region))
    if region.format == "toml":
        return _toml_text(_toml_path(region), values)
    return _ini_text(_ini_section_name(region), values)


def _where(region: Region) -> str:
    return f"{region.file} [{region.table}]" if region.table else region.file


def _toml_path(region: Region) -> tuple[str, ...]:
    table = region.table or ""
    if not table.strip() or "\n" in table or "\r" in table:
        raise InputError(f"bad TOML table name {table!r}", where=region.file, hint=_LOCK_HINT)
    path = toml_table_path(table)
    if path is None:
        raise InputError(f"bad TOML table name {table!r}", where=region.file, hint=_LOCK_HINT)
    return path


def _toml_table(values: Mapping[str, Any]) -> Table:
    import tomlkit  # loaded only where a TOML region is rendered or parsed: apply's no-op on a
    # project without TOML configs never pays for it

    # Plain keys first, then sub-tables: that is the order a parse gives back,
    # so a table read from disk renders the same as the one we wrote.
    table = tomlkit.table()
    for key, value in values.items():
        if not _is_table_like(value):
            table.add(key, value)
    for key, value in values.items():
        if isinstance(value, Mapping):
            table.add(key, _toml_table(value))
        elif _is_table_like(value):
            array = tomlkit.aot()
            for item in value:
                array.append(_toml_table(item))
            table.add(key, array)
    return table


def _is_table_like(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _toml_text(path: tuple[str, ...], values: Mapping[str, Any]) -> str:
    import tomlkit

    from dht.apply.toml_edit import nested

    return tomlkit.dumps(nested(path, _toml_table(values))).strip("\n") + "\n"


def _ini_section_name(region: Region) -> str:
    name = region.table or ""
    if not name.strip() or name != name.strip() or any(c in name for c in "[]\r\n"):
        raise InputError(f"bad INI section name {name!r}", where=region.file, hint=_LOCK_HINT)
    return name


def _ini_scalar(region_where: str, key: str, value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | int | float):
        text = str(value)
    else:
        raise InputError(
            f"INI value for {key!r} must be text, a number, a boolean or a list of those",
            where=region_where,
            hint=_LOCK_HINT,
        )
    # A newline would let a value write keys or sections of its own.
    if "\n" in text or "\r" in text:
        raise InputError(f"INI value for {key!r} has a line break", where=region_where)
    return text.strip()


def _ini_text(section: str, values: Mapping[str, Any]) -> str:
    where = f"[{section}]"
    lines = [f"[{section}]"]
    for key, value in values.items():
        if (
            not isinstance(key, str)
            or not key.strip()
            or key != key.strip()
            or key.startswith(("[", "#", ";"))
            or any(c in key for c in "=:\r\n")
        ):
            raise InputError(f"bad INI key {key!r}", where=where, hint=_LOCK_HINT)
        items = (
            [_ini_scalar(where, key, v) for v in value]
            if isinstance(value, list | tuple)
            else [_ini_scalar(where, key, value)]
        )
        items = [item for item in items if item]
        if len(items) > 1:
            # The setup.cfg way; one item stays inline so that `key = x` on disk
            # and a one-item list are the same thing.
            lines.append(f"{key} =" + "".join(f"\n    {item}" for item in items))
        elif items:
            lines.append(f"{key} = {items[0]}")
        else:
            lines.append(f"{key} =")
    return "\n".join(lines) + "\n"


# Reading


def _read_file(root: Path, region: Region) -> tuple[Path, str | None]:
    path = safe_path(root, region.file, where=f"config file {region.file}")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return path, None
    except OSError as exc:
        raise InputError(f"cannot read {region.file}: {exc}", where=region.file) from None
    if region.format == "file":
        # Compared byte for byte; undecodable bytes still show up as drift.
        return path, data.decode("utf-8", errors="surrogateescape")
    try:
        # No newline translation: CRLF bytes outside the region must survive.
        return path, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{region.file} is not UTF-8: {exc}", where=region.file) from None


def _parse_toml(text: str, file: str) -> TOMLDocument:
    import tomlkit
    import tomlkit.exceptions

    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as exc:
        # ParseError knows the line; the semantic checks (a table defined twice) do not.
        line = getattr(exc, "line", None)
        raise InputError(
            f"not valid TOML: {exc}",
            where=f"{file}:{line}" if line else file,
            hint="fix the file; dht changes nothing in it until then",
        ) from None


def _toml_data(text: str, file: str) -> dict[str, Any]:
    """The values of a TOML file: tomllib reads them several times faster than tomlkit,
    which is left the files tomllib refuses (its errors name the line)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _parse_toml(text, file).unwrap()


def _lookup(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def read_region(root: Path, region: Region) -> str | None:
    """Canonical text of the region on disk, None when the file or region is absent."""
    _, text = _read_file(root, region)
    if text is None:
        return None
    return _canonical(region, text)


def _canonical(region: Region, text: str) -> str | None:
    if region.format == "file":
        return text
    if region.format == "toml":
        path = _toml_path(region)
        node = _lookup(_toml_data(text, region.file), path)
        return _toml_text(path, node) if isinstance(node, Mapping) else None
    values = _ini_values(region, text)
    return None if values is None else _ini_text(_ini_section_name(region), values)


def _ini_values(region: Region, text: str) -> dict[str, Any] | None:
    section = _ini_section_name(region)
    span = _ini_span(text, section)
    if span is None:
        return None
    import configparser  # here: a no-op apply without INI regions never needs it

    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    try:
        parser.read_string(text[span[0] : span[1]])
    except configparser.Error as exc:
        raise InputError(f"not a valid INI section: {exc}", where=_where(region)) from None
    values: dict[str, Any] = {}
    for key, value in parser[section].items():
        items = [line.strip() for line in value.splitlines() if line.strip()]
        values[key] = items if len(items) > 1 else (items[0] if items else "")
    return values


def read_ini_values(root: Path, region: Region) -> dict[str, Any] | None:
    """The values of an INI section as dht manages them (what `dht apply` would compare);
    None when the file or the section is absent."""
    _, text = _read_file(root, region)
    return None if text is None else _ini_values(region, text)


# Comparing: by value, key by key


def _ini_lines(region: Region, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """key -> value lines, the form in which an INI value on disk and in the lock compare."""
    where = _where(region)
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        out[key] = [text for text in (_ini_scalar(where, key, v) for v in items) if text]
    return out


def _show_toml(value: Any) -> str:
    from dht.apply.toml_edit import new_item

    return new_item(value).as_string()


def _show_ini(value: str | list[str]) -> str:
    """A value's lines as INI has them: `E203`, or `[E203, W503]` for several."""
    if isinstance(value, str):
        return value  # one line of a long value, told item by item
    if len(value) == 1:
        return value[0]
    return "[" + ", ".join(value) + "]"


def _changes(region: Region, text: str, values: Mapping[str, Any] | str) -> list[Change] | None:
    """What differs between the region in `text` and `values`, key by key; None when the
    region is absent. A whole file differs as one change."""
    if region.format == "file":
        return [] if text == desired_text(region, values) else [Change(region.file, None, None)]
    if not isinstance(values, Mapping):
        raise InputError(f"{region.format} region needs a table of values", where=_where(region))
    if region.format == "toml":
        node = _lookup(_toml_data(text, region.file), _toml_path(region))
        return changes(node, values, _show_toml) if isinstance(node, Mapping) else None
    have = _ini_values(region, text)
    if have is None:
        return None
    desired_text(region, values)  # refuses values no INI file can hold
    return changes(_ini_lines(region, have), _ini_lines(region, values), _show_ini)


def region_changes(
    root: Path, region: Region, values: Mapping[str, Any] | str
) -> list[Change] | None:
    """The keys `dht apply` would change, with the value on disk and the locked one;
    [] when the region already holds the locked values, None when it is absent."""
    _, text = _read_file(root, region)
    return None if text is None else _changes(region, text, values)


def region_holds(root: Path, region: Region, text: str) -> bool:
    """Whether the region on disk holds the values of `text` (a region as dht wrote it)."""
    _, have = _read_file(root, region)
    if have is None:
        return False
    if region.format == "file":
        return have == text
    if region.format == "toml":
        path = _toml_path(region)
        written = _lookup(_toml_data(text, region.file), path)
        now = _lookup(_toml_data(have, region.file), path)
        return isinstance(now, Mapping) and same(now, written)
    written_ini, now_ini = _ini_values(region, text), _ini_values(region, have)
    if written_ini is None or now_ini is None:
        return False
    return _ini_lines(region, now_ini) == _ini_lines(region, written_ini)


# Writing


class Repair(msgspec.Struct, frozen=True):
    wrote: bool  # False: the file was left untouched
    created: bool  # the region was not there, and was written whole
    changes: tuple[Change, ...] = ()  # key by key, when an existing region was repaired


def write_region(root: Path, region: Region, values: Mapping[str, Any] | str) -> bool:
    """Make the region equal to `values`; False (file untouched) when it already is."""
    return repair_region(root, region, values).wrote


def repair_region(root: Path, region: Region, values: Mapping[str, Any] | str) -> Repair:
    """Make the region hold `values`, changing only the keys that differ."""
    want = desired_text(region, values)
    path, text = _read_file(root, region)
    found = None if text is None else _changes(region, text, values)
    if found == []:
        return Repair(wrote=False, created=False)
    if region.format == "file":
        new = want
    else:
        assert isinstance(values, Mapping)
        source = text or ""
        newline = "\r\n" if "\r\n" in source.split("\n", 1)[0] + "\n" else "\n"
        if found is None:
            splice = _splice_toml if region.format == "toml" else _splice_ini
            new = splice(region, source, want, newline)
        elif region.format == "toml":
            new = _edit_toml(region, source, values, newline) or _splice_toml(
                region, source, want, newline
            )
        else:
            new = _edit_ini(region, source, values, newline) or _splice_ini(
                region, source, want, newline
            )
    # Through a symlink that stays inside the project (safe_path checked it),
    # the file it points at is written, not the link replaced.
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, new.encode("utf-8", errors="surrogateescape"))
    return Repair(wrote=True, created=found is None, changes=tuple(found or ()))


def _edit_toml(region: Region, source: str, values: Mapping[str, Any], newline: str) -> str | None:
    """The file with the table's differing keys edited in place; None when tomlkit cannot
    place an edit so that only those keys change (the caller writes the whole table)."""
    import tomlkit.exceptions

    from dht.apply import toml_edit

    path = _toml_path(region)
    doc = _parse_toml(source, region.file)
    old = doc.unwrap()
    have = _lookup(old, path)
    if not isinstance(have, Mapping):
        return None
    try:
        node: Any = doc
        for key in path:
            node = node[key]
        toml_edit.sync_table(node, have, values, newline)
        new = doc.as_string()
    # tomlkit's model refuses some placements with its own errors, others with Python's.
    except (toml_edit.CannotEdit, tomlkit.exceptions.TOMLKitError, KeyError, IndexError,
            ValueError, TypeError, AttributeError):  # fmt: skip
        return None
    new = _same_newlines(source, new, newline)
    return new if _toml_holds(path, old, new, values) else None


def _same_newlines(source: str, new: str, newline: str) -> str:
    """Lines tomlkit added end like the file's other lines; a file that ended with one
    newline still does."""
    if newline == "\r\n" and "\n" not in source.replace("\r\n", ""):
        new = re.sub(r"(?<!\r)\n", "\r\n", new)
    stripped = source.rstrip("\r\n")
    if source[len(stripped) :] == newline:
        kept = new.rstrip("\r\n")
        new = kept + newline
    return new


def _edit_ini(region: Region, source: str, values: Mapping[str, Any], newline: str) -> str | None:
    span = _ini_span(source, _ini_section_name(region))
    if span is None:
        return None
    want = _ini_lines(region, values)
    try:
        section = ini_edit.edit_section(source[span[0] : span[1]], want, newline)
    except ValueError:
        return None
    new = source[: span[0]] + section + source[span[1] :]
    try:
        after = _ini_values(region, new)
    except InputError:
        return None
    return new if after is not None and _ini_lines(region, after) == want else None


def _append(source: str, block: str, newline: str) -> str:
    """`block` as a new paragraph at the end of `source`."""
    if not source:
        return block
    base = source if source.endswith("\n") else source + newline
    return base + ("" if base.endswith(newline * 2) else newline) + block


def _replace(source: str, start: int, end: int, block: str) -> str:
    # A file that ended without a final newline keeps ending without one.
    if end == len(source) and not source.endswith("\n"):
        block = block.rstrip("\r\n")
    return source[:start] + block + source[end:]


def _trim(source: str, start: int, end: int, comments: set[int]) -> int:
    """Pull `end` back over blank and comment lines: they introduce what follows."""
    while end > start:
        line_start = source.rfind("\n", start, end - 1) + 1
        if line_start <= start:
            break
        if source[line_start:end].strip() and line_start not in comments:
            break
        end = line_start
    return end


def _toml_headers(text: str) -> tuple[list[tuple[int, tuple[str, ...]]], set[int]]:
    """Offsets and key paths of table headers, and offsets of comment-only lines.

    A small scanner over text tomlkit already accepted: it only needs to skip
    strings (a `[` or `#` inside one is not markup) and multi-line arrays.
    """
    headers: list[tuple[int, tuple[str, ...]]] = []
    comments: set[int] = set()
    i, n, depth, line_start = 0, len(text), 0, True

    def line_end(at: int) -> int:
        found = text.find("\n", at)
        return n if found < 0 else found

    while i < n:
        char = text[i]
        if char == "\n":
            line_start = True
            i += 1
            continue
        if char in " \t\r":
            i += 1
            continue
        if line_start and char == "#":
            comments.add(text.rfind("\n", 0, i) + 1)
        if line_start and depth == 0 and char == "[":
            end = line_end(i)
            path = header_path(text[i:end].rstrip("\r"))
            if path is not None:
                headers.append((text.rfind("\n", 0, i) + 1, path))
            i = end
            continue
        line_start = False
        if char == "#":
            i = line_end(i)
        elif text.startswith('"""', i) or text.startswith("'''", i):
            i = _multiline_end(text, i)
        elif char == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif char == "'":
            i = text.index("'", i + 1) + 1
        else:
            depth += 1 if char in "[{" else -1 if char in "]}" else 0
            i += 1
    return headers, comments


def _multiline_end(text: str, i: int) -> int:
    quote = text[i]
    i += 3
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
        elif text.startswith(quote * 3, i):
            i += 3
            # Up to two quotes may sit right before the closing delimiter.
            for _ in range(2):
                if i < len(text) and text[i] == quote:
                    i += 1
            return i
        else:
            i += 1
    return i


def _toml_spans(source: str, path: tuple[str, ...]) -> list[tuple[int, int]]:
    """Offsets of the managed table's parts. Runs of consecutive managed headers
    ([tool.ruff], [tool.ruff.lint], ...) form one span, so the lines between them
    go with the table."""
    headers, comments = _toml_headers(source)
    spans: list[tuple[int, int]] = []
    run_start: int | None = None
    for start, header in [*headers, (len(source), ())]:
        managed = header[: len(path)] == path
        if run_start is not None and not managed:
            spans.append((run_start, _trim(source, run_start, start, comments)))
            run_start = None
        elif run_start is None and managed:
            run_start = start
    return spans


def region_span(text: str, region: Region) -> tuple[int, int] | None:
    """Offsets of the region in `text`, from its (first) header line to its last line that
    is not a blank or a comment introducing what follows; None when absent or a whole file."""
    if region.format == "toml":
        spans = _toml_spans(text, _toml_path(region))
        return spans[0] if spans else None
    if region.format == "ini":
        return _ini_span(text, _ini_section_name(region))
    return None


def _splice_toml(region: Region, source: str, want: str, newline: str) -> str:
    path = _toml_path(region)
    old = _parse_toml(source, region.file).unwrap()
    spans = _toml_spans(source, path)
    block = want.replace("\n", newline)
    if spans:
        new = source
        # Back to front so earlier offsets stay valid; the table takes the place
        # of its first header, later out-of-order parts are removed.
        for start, end in reversed(spans[1:]):
            new = new[:start] + new[end:]
        new = _replace(new, spans[0][0], spans[0][1], block)
    elif _lookup(old, path) is not None:
        raise InputError(
            f"[{region.table}] is written with dotted keys or an inline table",
            where=region.file,
            hint=f"rewrite it as a [{region.table}] table so dht can manage it",
        )
    else:
        new = _append(source, block, newline)
    _check_toml(region, path, old, new, want)
    return new


def _check_toml(
    region: Region, path: tuple[str, ...], old: dict[str, Any], new_text: str, want: str
) -> None:
    """Prove the splice changed the managed table and nothing else."""
    values = _lookup(_parse_toml(want, region.file).unwrap(), path)
    if not _toml_holds(path, old, new_text, values):
        raise InputError(
            f"cannot write [{region.table}] without changing other parts of the file",
            where=region.file,
            hint=f"move [{region.table}] into plain [table] sections (no inline tables), "
            "or edit it by hand",
        )


def _toml_holds(path: tuple[str, ...], old: dict[str, Any], new_text: str, values: Any) -> bool:
    """Whether `new_text` holds `values` at `path`, and everything else as `old` had it,
    read by tomllib: a parser other than the one that wrote it."""
    import tomllib

    try:
        new = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        return False
    node = _lookup(new, path)
    return (
        isinstance(node, Mapping)
        and same(node, values)
        and same(_without(old, path), _without(new, path))
    )


def _without(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """`data` without the table at `path`, and without parents left empty by that
    (`data` itself is left as it is)."""
    top = dict(data)
    chain: list[dict[str, Any]] = [top]
    for key in path[:-1]:
        child = chain[-1].get(key)
        if not isinstance(child, dict):
            return top
        child = dict(child)
        chain[-1][key] = child
        chain.append(child)
    chain[-1].pop(path[-1], None)
    for depth in range(len(chain) - 1, 0, -1):
        if not chain[depth]:
            chain[depth - 1].pop(path[depth - 1], None)
    return top


_INI_HEADER = re.compile(r"\[(?P<name>.+)\]")


def _ini_span(text: str, section: str) -> tuple[int, int] | None:
    """Offsets [start, end) of a section: its header up to the next header,
    less the blank and comment lines that introduce the next one."""
    start: int | None = None
    comments: set[int] = set()
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(("#", ";")):
            comments.add(offset)
        # configparser's rule: a header is `[name]` at the start of a line.
        header = _INI_HEADER.match(stripped) if line[:1] not in (" ", "\t") else None
        if header:
            if start is not None:
                return start, _trim(text, start, offset, comments)
            if header.group("name") == section:
                start = offset
        offset += len(line)
    return None if start is None else (start, _trim(text, start, len(text), comments))


def _splice_ini(region: Region, source: str, want: str, newline: str) -> str:
    span = _ini_span(source, _ini_section_name(region))
    block = want.replace("\n", newline)
    if span is None:
        return _append(source, block, newline)
    return _replace(source, span[0], span[1], block)


def remove_region(root: Path, region: Region) -> bool:
    """Take the region out of its file (a whole managed file is deleted); False when absent.

    Like writing, removal proves it touched nothing else in a shared file."""
    import tomlkit
    import tomlkit.exceptions

    path, text = _read_file(root, region)
    if text is None:
        return False
    if region.format == "file":
        path.unlink()
        return True
    if region.format == "toml":
        table = _toml_path(region)
        old = _parse_toml(text, region.file).unwrap()
        spans = _toml_spans(text, table)
        if not spans:
            return False
        new = text
        for start, end in reversed(spans):
            new = new[:start] + new[end:]
        new = _tidy_gap(new, spans[0][0])
        try:
            after = tomlkit.parse(new).unwrap()
        except tomlkit.exceptions.TOMLKitError:
            after = None
        if after is None or not same(_without(old, table), after):
            raise InputError(
                f"cannot remove [{region.table}] without changing other parts of the file",
                where=region.file,
                hint=f"remove [{region.table}] by hand",
            )
    else:
        span = _ini_span(text, _ini_section_name(region))
        if span is None:
            return False
        new = _tidy_gap(text[: span[0]] + text[span[1] :], span[0])
    target = path.resolve() if path.is_symlink() else path
    atomic_write(target, new.encode("utf-8"))
    return True


def _tidy_gap(text: str, at: int) -> str:
    """After a cut at `at`: at most one blank line there, and none at the end of the file."""
    head, tail = text[:at], text[at:]
    if not tail.strip():
        kept = head.rstrip("\r\n")
        if not kept.strip():
            return ""
        return kept + ("\r\n" if head[len(kept) :].startswith("\r\n") else "\n")
    while head.endswith(("\n\n", "\r\n\r\n")) and tail.startswith(("\n", "\r\n")):
        tail = tail[1:] if tail.startswith("\n") else tail[2:]
    return head + tail


def region_diff(root: Path, region: Region, values: Mapping[str, Any] | str) -> str:
    """Unified diff from the locked region to the one on disk (both in the canonical
    rendering); "" when they hold the same values."""
    if region_changes(root, region, values) == []:
        return ""
    import difflib  # here: only drift is shown as a diff

    have = read_region(root, region)
    want = desired_text(region, values)
    return "".join(
        difflib.unified_diff(
            want.splitlines(keepends=True),
            (have or "").splitlines(keepends=True),
            fromfile=f"{_where(region)} (dht.lock)",
            tofile=f"{_where(region)} (on disk)" if have is not None else "(absent)",
        )
    )
