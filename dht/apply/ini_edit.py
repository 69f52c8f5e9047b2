"""Key-by-key repair of an INI section, line by line.

A changed value is rewritten on its own line (the key, its `=` or `:` and the
spacing kept); a multi-line value is edited item by item, so the comment lines
between its items stay; an extra key goes with its continuation lines; a missing
key comes back after the key that precedes it in the lock. Comment lines, blank
lines and every other key keep their bytes.

Lines are read the way configparser reads them: a comment line (`#` or `;`
first) or a blank line never ends a value, a line indented deeper than its key
continues it, anything else starts the next key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import msgspec

_OPTION = re.compile(r"(?P<key>.*?)(?P<sep>\s*[=:]\s*)(?P<value>.*)$")
_DEFAULT_INDENT = "    "


class KeyBlock(msgspec.Struct):
    name: str
    first: int  # the key's line, an index into the section's lines
    last: int  # its last continuation line
    indent: int
    items: list[tuple[int, str]] = msgspec.field(
        default_factory=list
    )  # (line, text) of each value line


def _split(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body) :]


def key_blocks(lines: Sequence[str]) -> list[KeyBlock]:
    """The keys of a section (lines[0] is its header), with the lines of their values."""
    keys: list[KeyBlock] = []
    for index, line in enumerate(lines):
        if index == 0:
            continue  # the [section] header
        body, _ = _split(line)
        stripped = body.strip()
        if not stripped or stripped[0] in "#;":
            continue
        indent = len(body) - len(body.lstrip())
        current = keys[-1] if keys else None
        if current is not None and indent > current.indent:
            current.items.append((index, stripped))
            current.last = index
            continue
        match = _OPTION.match(body.strip())
        if match is None:
            raise ValueError(f"line {index}: not a key")
        value = match["value"].strip()
        keys.append(
            KeyBlock(match["key"].strip(), index, index, indent, [(index, value)] if value else [])
        )
    return keys


def edit_section(
    section_text: str,
    want: Mapping[str, Sequence[str]],
    newline: str,
) -> str:
    """The section (header included) with its keys made to hold `want` (key -> value lines),
    changing only the lines of the keys that differ."""
    lines = section_text.splitlines(keepends=True)
    ends_open = not section_text.endswith(("\n", "\r"))
    if ends_open:
        lines[-1] += newline  # restored below: a file without a final newline keeps it so
    keys = key_blocks(lines)
    have = {k.name: k for k in keys}
    sep = _separator(lines, keys)
    indent = _continuation_indent(lines, keys)
    # Edits as (start, end, new lines), applied back to front so earlier lines keep their index.
    edits: list[tuple[int, int, list[str]]] = []
    for key in keys:
        if key.name not in want:
            edits.append((key.first, key.last + 1, []))
        elif [text for _, text in key.items] != list(want[key.name]):
            block = _edit_items(lines, key, list(want[key.name]), sep, indent, newline)
            edits.append((key.first, key.last + 1, block))
    order = list(want)
    inserts: dict[int, list[str]] = {}
    for i, name in enumerate(order):
        if name in have:
            continue
        before = [have[n] for n in order[:i] if n in have]
        if before:
            at = before[-1].last + 1
        elif keys:
            at = keys[0].first
        else:
            at = _after_last_line(lines)
        inserts.setdefault(at, []).extend(_render(name, list(want[name]), sep, indent, newline))
    # An insert at a line goes before a replaced block that starts there.
    edits += [(at, at, new) for at, new in inserts.items()]
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1] != e[0]), reverse=True):
        lines[start:end] = new
    text = "".join(lines)
    return text.rstrip("\r\n") if ends_open else text


def _edit_items(
    lines: Sequence[str], key: KeyBlock, want: list[str], sep: str, indent: str, newline: str
) -> list[str]:
    """The key's lines (first to last) with its value lines edited item by item."""
    block = list(lines[key.first : key.last + 1])
    items = [(line - key.first, text) for line, text in key.items]
    on_key_line = bool(items) and items[0][0] == 0
    from difflib import SequenceMatcher  # here: only an edit needs it

    matcher = SequenceMatcher(None, [t for _, t in items], want, autojunk=False)
    opcodes = matcher.get_opcodes()
    if any(
        tag in ("insert", "replace")
        and i1 == 0
        and j2 > j1
        and (on_key_line or not items)
        and not (tag == "replace" and i2 - i1 == j2 - j1)
        for tag, i1, i2, j1, j2 in opcodes
    ):
        # A new first item where the key's own line holds one: written afresh.
        return _render(key.name, want, sep, indent, newline, block[0])
    own_indent = _item_indent(block, items, indent)
    for tag, i1, i2, j1, j2 in reversed(opcodes):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                line, _ = items[i1 + offset]
                block[line] = _with_value(block[line], want[j1 + offset], line == 0)
            continue
        for index in reversed(range(i1, i2)):
            line, _ = items[index]
            if line == 0:
                block[0] = _with_value(block[0], "", True)
            else:
                del block[line]
        at = items[i1 - 1][0] + 1 if i1 > 0 else items[0][0]
        block[at:at] = [own_indent + text + newline for text in want[j1:j2]]
    return block


def _with_value(line: str, value: str, key_line: bool) -> str:
    """The line with its value replaced; the key, separator and spacing kept."""
    body, end = _split(line)
    lead = body[: len(body) - len(body.lstrip())]
    trail = body[len(body.rstrip()) :]
    if key_line:
        match = _OPTION.match(body.strip())
        assert match is not None
        sep = match["sep"] if value else match["sep"].rstrip()
        return f"{lead}{match['key']}{sep}{value}{trail if value else ''}{end}"
    return f"{lead}{value}{trail}{end}"


def _render(
    name: str, items: list[str], sep: str, indent: str, newline: str, key_line: str | None = None
) -> list[str]:
    lead = ""
    if key_line is not None:
        body, _ = _split(key_line)
        lead = body[: len(body) - len(body.lstrip())]
    if len(items) == 1:
        return [f"{lead}{name}{sep}{items[0]}{newline}"]
    head = f"{lead}{name}{sep.rstrip()}{newline}"
    return [head, *(f"{lead}{indent}{item}{newline}" for item in items)]


def _separator(lines: Sequence[str], keys: Sequence[KeyBlock]) -> str:
    """How this section writes `key = value`: its first key's way, else ` = `."""
    for key in keys:
        match = _OPTION.match(_split(lines[key.first])[0].strip())
        if match is not None and match["value"].strip():
            return match["sep"]
    return " = "


def _continuation_indent(lines: Sequence[str], keys: Sequence[KeyBlock]) -> str:
    for key in keys:
        for line, _ in key.items:
            if line != key.first:
                body, _ = _split(lines[line])
                return body[: len(body) - len(body.lstrip())]
    return _DEFAULT_INDENT


def _item_indent(block: Sequence[str], items: Sequence[tuple[int, str]], default: str) -> str:
    for line, _ in items:
        if line != 0:
            body, _ = _split(block[line])
            return body[: len(body) - len(body.lstrip())]
    return default


def _after_last_line(lines: Sequence[str]) -> int:
    """After the section's last line that is not blank (the header at least)."""
    at = len(lines)
    while at > 1 and not lines[at - 1].strip():
        at -= 1
    return at
