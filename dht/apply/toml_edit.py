"""Key-by-key repair of a TOML table in tomlkit's document model.

Only what differs from the lock is touched: a changed value is replaced where it
stands (its comment, indentation and quoting style kept), an array is edited item
by item, an extra key is deleted with its line, a missing key goes back after the
key that precedes it in the lock. Everything else in the file keeps its bytes,
because tomlkit renders unchanged items from the text they were parsed from.

The caller re-parses the result and proves that the table now holds the lock's
values and nothing else in the file changed; where tomlkit cannot place an edit
cleanly, that proof fails and the caller falls back to writing the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

import tomlkit
from tomlkit.container import Container, OutOfOrderTableProxy
from tomlkit.items import (
    AoT,
    Array,
    Comment,
    InlineTable,
    Item,
    Null,
    String,
    Table,
    Whitespace,
)

from dht.model.regions import fingerprint, same


class CannotEdit(Exception):
    """An edit tomlkit's model cannot express here: write the whole table instead."""


def nested(path: Sequence[str], table: Any) -> tomlkit.TOMLDocument:
    """A document holding `table` at the dotted `path`, its parents as super tables
    (`[tool.ruff]`, never a bare `[tool]` header)."""
    doc = tomlkit.document()
    parent: Any = doc
    for key in path[:-1]:
        super_table = tomlkit.table(is_super_table=True)
        parent.add(key, super_table)
        parent = super_table
    parent.add(path[-1], table)
    return doc


def sync_table(node: Any, have: Mapping[str, Any], want: Mapping[str, Any], newline: str) -> None:
    """Make the table-like `node` (whose values are `have`) hold `want`."""
    for key in [k for k in have if k not in want]:
        _delete(node, key)
    for key, value in want.items():
        if key in have and not same(have[key], value):
            _update(node, key, have[key], value, newline)
    keys = list(want)
    for i, key in enumerate(keys):
        if key not in have:
            before = [k for k in keys[:i] if k in have or k in node]
            _insert(node, key, want[key], before, newline)


# Changing a value


def _update(node: Any, key: str, old: Any, new: Any, newline: str) -> None:
    current = node[key]
    if isinstance(old, Mapping) and isinstance(new, Mapping) and _table_like(current):
        sync_table(current, old, new, newline)
    elif _same_shape_list(current, old, new):
        _sync_list(current, old, new, newline)
    elif _table_like(current) or isinstance(current, AoT) or _is_table_value(new):
        raise CannotEdit(key)  # a table becomes a value or the reverse: rewrite it all
    else:
        node[key] = _styled(current, new)


def _sync_list(array: Array | AoT, old: Sequence[Any], new: Sequence[Any], newline: str) -> None:
    """Edit `array` item by item, along the shortest edit script from `old` to `new`."""
    matcher = SequenceMatcher(
        None, [fingerprint(v) for v in old], [fingerprint(v) for v in new], autojunk=False
    )
    # Back to front: earlier indices stay valid.
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                _replace_item(array, i1 + offset, old[i1 + offset], new[j1 + offset], newline)
            continue
        for index in reversed(range(i1, i2)):
            _delete_item(array, index)
        for offset, value in enumerate(new[j1:j2]):
            _insert_item(array, i1 + offset, value)


def _replace_item(array: Array | AoT, index: int, old: Any, new: Any, newline: str) -> None:
    current = array[index]
    if isinstance(old, Mapping) and isinstance(new, Mapping) and _table_like(current):
        sync_table(current, old, new, newline)
    elif isinstance(current, Array) and isinstance(old, list) and isinstance(new, list):
        _sync_list(current, old, new, newline)
    elif isinstance(array, AoT):
        raise CannotEdit(index)
    else:
        array[index] = _styled(current, new)


def _delete_item(array: Array | AoT, index: int) -> None:
    if isinstance(array, AoT):
        kept = _trailing_comments(array[index])
        del array[index]
        if kept and index > 0:
            _append_trivia(array[index - 1], kept)
        elif kept:
            raise CannotEdit(index)  # comments that introduce what follows would go
    else:
        del array[index]


def _insert_item(array: Array | AoT, index: int, value: Any) -> None:
    if isinstance(array, AoT):
        if not isinstance(value, Mapping):
            raise CannotEdit(index)
        array.insert(index, _new_table(value))
    else:
        # Quoted like its neighbours: a list of 'literal' strings stays one.
        neighbour = array[index - 1] if index > 0 else array[0] if len(array) else None
        array.insert(index, _styled(neighbour, value))
        _above_comments(array, index)
        _trailing_comma(array, index)


def _trailing_comma(array: Array, index: int) -> None:
    """The one item of an array written over lines (`[`, items, `]`) gets the trailing
    comma such arrays have; tomlkit leaves it out when no other item shows the style."""
    group = array._value[array._index_map[index]]
    if len(array) == 1 and group.comma is None and group.indent and "\n" in group.indent.s:
        group.comma = Whitespace(",")


def _above_comments(array: Array, index: int) -> None:
    """Move a new item of a one-item-per-line array above the comment lines right before
    it: in a list like that, a comment introduces the item that follows it."""
    groups = array._value
    at = array._index_map[index]

    def own_line(group: Any) -> bool:
        return group.indent is not None and "\n" in group.indent.s

    while (
        at > 0
        and isinstance(groups[at - 1].value, Null)
        and groups[at - 1].comment is not None
        and own_line(groups[at - 1])
        and own_line(groups[at])
    ):
        groups[at - 1], groups[at] = groups[at], groups[at - 1]
        at -= 1
    array._reindex()


# Deleting and inserting keys


def _delete(node: Any, key: str) -> None:
    current = node[key]
    kept = _trailing_comments(current) if isinstance(current, Table | AoT) else []
    container = _container(node)
    if kept and container is not None:
        # The comments at the end of a deleted table introduce what follows it: they stay.
        index = _index(container, key)
        del node[key]
        container.body[index] = (None, Whitespace("".join(c.as_string() for c in kept)))
        return
    del node[key]


def _insert(node: Any, key: str, value: Any, before: list[str], newline: str) -> None:
    container = _container(node)
    if container is None or isinstance(node, InlineTable):
        node[key] = new_item(value) if not _is_table_value(value) else value
        return
    if _is_table_value(value):
        item: Item = _new_table(value) if isinstance(value, Mapping) else _new_aot(value)
        previous = [k for k in before if k in node and _is_table_item(node[k])]
        if previous:
            after = previous[-1]
            moved = _trailing_comments(node[after], take=True)
            container._insert_after(after, key, item)
            if moved:
                _append_trivia(item, [Whitespace(newline), *moved])
            return
        node[key] = item
        return
    item = new_item(value)
    plain = [k for k in before if k in node and not _is_table_item(node[k])]
    if plain:
        previous_item = container.item(plain[-1])
        if isinstance(previous_item, Item):
            item.trivia.indent = previous_item.trivia.indent
        item.trivia.trail = newline
        container._insert_after(plain[-1], key, item)
        return
    first = next(
        (i for i, (k, v) in enumerate(container.body) if k is not None and not _is_table_item(v)),
        None,
    )
    if first is None:
        raise CannotEdit(key)  # no value to stand beside: the table's layout is unknown
    item.trivia.indent = container.body[first][1].trivia.indent
    item.trivia.trail = newline
    container._insert_at(first, key, item)


# Helpers


def _container(node: Any) -> Container | None:
    if isinstance(node, Table | InlineTable):
        return node.value
    return None  # an out-of-order table's proxy: only set and delete through it


def _index(container: Container, key: str) -> int:
    for i, (k, _) in enumerate(container.body):
        if k is not None and k.key == key:
            return i
    raise CannotEdit(key)


def _table_like(item: Any) -> bool:
    return isinstance(item, Table | InlineTable | OutOfOrderTableProxy)


def _is_table_item(item: Any) -> bool:
    return isinstance(item, Table | AoT | OutOfOrderTableProxy)


def _same_shape_list(current: Any, old: Any, new: Any) -> bool:
    """An array of tables that stays one, or an array that stays one."""
    if isinstance(current, AoT):
        return _all_tables(old) and _all_tables(new)
    return isinstance(current, Array) and isinstance(old, list) and isinstance(new, list)


def _all_tables(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)


def _is_table_value(value: Any) -> bool:
    return isinstance(value, Mapping) or (bool(value) and _all_tables(value))


def _last_table(item: Table | AoT) -> Table | None:
    """The table whose body the file's next lines (up to the next header) belong to."""
    table = item.body[-1] if isinstance(item, AoT) else item
    if not isinstance(table, Table):
        return None
    while True:
        real = [(k, v) for k, v in table.value.body if not isinstance(v, Whitespace | Comment)]
        if real and isinstance(real[-1][1], Table | AoT):
            last = real[-1][1]
            nested = last.body[-1] if isinstance(last, AoT) else last
            if not isinstance(nested, Table):
                return table
            table = nested
        else:
            return table


def _trailing_comments(item: Any, *, take: bool = False) -> list[Item]:
    """The comment lines (and what follows them) at the end of a table's text: in the
    file they introduce the next table. With `take`, they are cut from the table."""
    if not isinstance(item, Table | AoT):
        return []
    table = _last_table(item)
    if table is None:
        return []
    body = table.value.body
    end = len(body)
    start = end
    while start > 0 and isinstance(body[start - 1][1], Whitespace | Comment):
        start -= 1
    first = next((i for i in range(start, end) if isinstance(body[i][1], Comment)), None)
    if first is None:
        return []
    kept = [v for _, v in body[first:end]]
    if take:
        del body[first:end]
    return kept


def _append_trivia(item: Any, trivia: list[Item]) -> None:
    table = _last_table(item) if isinstance(item, Table | AoT) else None
    if table is None:
        raise CannotEdit("comments")
    table.value.body.extend((None, t) for t in trivia)


def _styled(current: Any, value: Any) -> Item:
    """`value` written the way the value it replaces was: a literal string stays literal."""
    if isinstance(current, String) and isinstance(value, str):
        literal = current.type.is_literal()
        multiline = current.type.is_multiline()
        try:
            return tomlkit.string(value, literal=literal, multiline=multiline)
        except (ValueError, tomlkit.exceptions.TOMLKitError):
            pass
    new = new_item(value)
    if isinstance(current, Array) and isinstance(new, Array) and "\n" in current.as_string():
        new.multiline(True)
    return new


def new_item(value: Any) -> Item:
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for k, v in value.items():
            table.append(k, new_item(v))
        return table
    made: Item = tomlkit.item(value)
    return made


def _new_table(values: Mapping[str, Any]) -> Table:
    # Plain keys first, then sub-tables: a parse gives them back in that order.
    table = tomlkit.table()
    for key, value in values.items():
        if not _is_table_value(value):
            table.add(key, new_item(value))
    for key, value in values.items():
        if isinstance(value, Mapping):
            table.add(key, _new_table(value))
        elif _is_table_value(value):
            table.add(key, _new_aot(value))
    return table


def _new_aot(values: Sequence[Mapping[str, Any]]) -> AoT:
    aot = tomlkit.aot()
    for value in values:
        aot.append(_new_table(value))
    return aot


def strip_trailing(item: Table | AoT) -> None:
    """Cut the blank and comment lines at the end of a table's text (they belong to the
    file's next table, not to this one)."""
    table = _last_table(item)
    if table is None:
        return
    body = table.value.body
    while body and isinstance(body[-1][1], Whitespace | Comment):
        body.pop()


def forget_headers(item: Table | AoT) -> None:
    """Drop the header text tomlkit remembers from the parse, in every table inside, so
    that a table moved under another parent renders its headers from where it now is."""
    tables = list(item.body) if isinstance(item, AoT) else [item]
    for table in tables:
        table.display_name = None
        for _, child in table.value.body:
            if isinstance(child, Table | AoT):
                forget_headers(child)
