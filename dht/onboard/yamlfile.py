"""YAML from a project (pre-commit configs, CI workflows), read with limits: the safe
loader, at most a few aliases, bounded nesting and size. A YAML alias bomb (each level
naming the previous one ten times) is a few hundred bytes that expand to billions of
nodes when walked; real configs use a handful of anchors."""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 100
MAX_DEPTH = 40
MAX_NODES = 200_000  # the document as a walk sees it: every alias expanded
MAX_NODES = 200_000  # the document as a walk sees it: every alias expanded


class LimitError(yaml.YAMLError):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _Limited(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise LimitError(f"more than {MAX_ALIASES} aliases (*name): refused")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitError(f"nests deeper than {MAX_DEPTH} levels: refused")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_size(text: str) -> None:
    if len(text) > MAX_BYTES:
        raise LimitError(f"is larger than {MAX_BYTES // (1024 * 1024)} MB: refused")


def _expanded(root: Any) -> int:
    """How many nodes a walk of the document visits, aliases expanded, counted without
    expanding them (a node shared through aliases is counted once and reused)."""
    sizes: dict[int, int] = {}
    todo: list[tuple[Any, bool]] = [(root, False)]
    while todo:
        node, children_done = todo.pop()
        if id(node) in sizes:
            continue
        children = (
            [part for pair in node.value for part in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
            if isinstance(node, yaml.SequenceNode)
            else []
        )
        if children_done:
            sizes[id(node)] = min(MAX_NODES + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        todo.append((node, True))
        todo.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def compose(text: str) -> Any:
    """The document's node tree (for line numbers), within the limits."""
    _check_size(text)
    loader = _Limited(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None and _expanded(node) > MAX_NODES:
        raise LimitError(f"expands to more than {MAX_NODES:,} nodes through its aliases: refused")
    return node


def load(text: str) -> Any:
    """The document's data; a yaml.YAMLError (LimitError for a limit) when it cannot be."""
    node = compose(text)
    if node is None:
        return None
    return _Limited("").construct_document(node)
