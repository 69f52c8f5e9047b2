"""The starter dht.toml as text: commented, in a fixed order, the same bytes for
the same project. Config tables are written as TOML tables (`[config.ruff.set]`)
holding the adopted values in the project's own layout where init could keep it
(dht/onboard/adopt.py), else in their original order, so `dht apply` finds the
file already as locked."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import tomlkit

from dht.model.names import DEFAULT_PLATFORMS
from dht.onboard.init import ConfigPlan, InitPlan, ToolPlan

WIDTH = 100
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def render(plan: InitPlan) -> str:
    out: list[str] = [
        "# What this project's development machine needs. Written by `dht init`; edit it freely.",
        "# `dht lock` compiles it into dht.lock (every tool pinned, for every platform below);",
        "# `dht apply` makes a machine match the lock. Reference: the dht README, section dht.toml.",
        "",
        "[project]",
        _commented(f"python = {_value(plan.python)}", f"from {plan.python_source}"),
        *([f"# {plan.python_note}"] if plan.python_note else []),
        *_project(plan),
        "",
        "[targets]  # every locked tool gets an artifact for each platform",
        f"platforms = {_value(list(DEFAULT_PLATFORMS))}",
        '# more: "linux-musl-x86_64", "windows-arm64"; systems = [...] limits [system] to some package managers',
        "",
        "[index]",
        _commented(f"url = {_value(plan.index_url)}", plan.index_source),
        '# exclude-newer = "2026-01-01T00:00:00Z"  # resolve as of a date, for a reproducible re-lock',
        "",
        "[tools]",
    ]
    simple: list[tuple[ToolPlan, str]] = []
    tables: list[tuple[ToolPlan, str]] = []
    for tool in plan.tools:
        line = f"{_key(tool.name)} = {_tool_value(tool)}"
        (simple if len(line) <= WIDTH else tables).append((tool, line))
    if not plan.tools:
        out.append(
            '# nothing found; for example: ruff = "==0.17.5", pytest = { version = ">=9", with = ["pytest-cov"] }'
        )
    # Comments aligned, unless one long entry would push them all far right.
    column = min(max((len(line) for _, line in simple), default=0), 40) + 2
    for tool, line in simple:
        out.append(_commented(line, _tool_comment(tool), column))
    for tool, _ in tables:
        out += ["", f"[tools.{_key(tool.name)}]  # {_tool_comment(tool)}"]
        out.append(f"version = {_value(tool.version or '*')}")
        if tool.extras:
            out.append(f"extras = {_value(list(tool.extras))}")
        if tool.with_:
            out.append(f"with = {_array(list(tool.with_), 'with = ')}")
    out += [
        "",
        "# [env]                     # for `dht run` and the activation scripts",
        '# preset = "deterministic"  # PYTHONHASHSEED=0, TZ=UTC, LC_ALL=C.UTF-8, ...',
    ]
    for config in plan.configs:
        out += ["", *_config(config)]
    out += ["", *_system(plan)]
    return "\n".join(out) + "\n"


def _project(plan: InitPlan) -> list[str]:
    choice = plan.project
    if not choice.how:
        return []
    out = [
        f"# the project itself is installed editable: {choice.how}"
        if choice.installs
        else f'# the project itself is not installed: {choice.how}; install = "editable" would'
    ]
    if choice.groups:
        out.append(_commented(f"groups = {_value(list(choice.groups))}", choice.groups_source))
    if choice.extras:
        out.append(_commented(f"extras = {_value(list(choice.extras))}", choice.extras_source))
    return out


def _tool_value(tool: ToolPlan) -> str:
    version = tool.version or "*"
    if not tool.extras and not tool.with_:
        return _value(version)
    parts = [f"version = {_value(version)}"]
    if tool.extras:
        parts.append(f"extras = {_value(list(tool.extras))}")
    if tool.with_:
        parts.append(f"with = {_value(list(tool.with_))}")
    return "{ " + ", ".join(parts) + " }"


def _tool_comment(tool: ToolPlan) -> str:
    """Where the version comes from (and that CI installs from there), what other places
    say that was not taken, the other places that name the tool, then notes."""
    if not tool.origin:
        return "; ".join([", ".join(tool.sources), *tool.notes])
    pin = "pin" if tool.version.startswith("==") else "range"
    parts = [f"{pin} from {tool.origin}" + (", which CI installs from" if tool.origin_ci else "")]
    parts += [f"{source} says {version}" for source, version in tool.disagree]
    named = {tool.origin, *(source for source, _ in tool.disagree)}
    others = [s for s in tool.sources if s not in named]
    if others:
        parts.append(f"also {', '.join(others)}")
    return "; ".join([*parts, *tool.notes])


def _commented(line: str, comment: str, column: int = 0) -> str:
    if not comment:
        return line
    return f"{line.ljust(column - 2)}  # {comment}" if column else f"{line}  # {comment}"


def _config(config: ConfigPlan) -> list[str]:
    head = [
        f"[config.{_key(config.name)}]  # adopted from {config.file} [{config.table}] as it is",
        f"file = {_value(config.file)}",
        f"table = {_value(config.table)}",
    ]
    if config.format == "ini" and not config.file.endswith((".cfg", ".ini")):
        head.append('format = "ini"')  # .flake8, .coveragerc: no suffix says it
    if not config.values:
        return [*head, "set = {}"]
    if config.text:
        # The adopted table in the project's own layout: comments, order, arrays, quoting.
        return [*head, "", *config.text.splitlines()]
    return [*head, "", *_table(f"config.{_key(config.name)}.set", config.values)]


def _table(header: str, values: Mapping[str, Any], array: bool = False) -> list[str]:
    """A TOML table: plain keys first, then sub-tables and arrays of tables, each in its original order."""
    plain = [key for key, value in values.items() if not _table_like(value)]
    # A table holding only sub-tables needs no header of its own (TOML makes it implicitly).
    out = [f"[[{header}]]"] if array else [f"[{header}]"] if plain or not values else []
    for key, value in values.items():
        if not _table_like(value):
            out.append(
                f"{_key(key)} = {_array(value, _key(key) + ' = ') if isinstance(value, list) else _value(value)}"
            )
    for key, value in values.items():
        if isinstance(value, Mapping):
            out += ["", *_table(f"{header}.{_key(key)}", value)]
        elif _table_like(value):
            for item in value:
                out += ["", *_table(f"{header}.{_key(key)}", item, array=True)]
    return out[1:] if out and out[0] == "" else out


def _table_like(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    text: str = tomlkit.item(value).as_string()
    return text


def _array(items: list[Any], prefix: str) -> str:
    """An array on one line when it fits, else one item per line."""
    one = _value(items)
    if len(prefix) + len(one) <= WIDTH or not items:
        return one
    return "[\n" + "".join(f"    {_value(item)},\n" for item in items) + "]"


def _system(plan: InitPlan) -> list[str]:
    out = ["# [system]  # system packages, resolved for every package manager in targets.systems"]
    if plan.system:
        out.append("# `dht lock` infers these from the project's dependencies (nothing to write):")
        out += [f"#   {dep_id:<28} <- {why}" for dep_id, why in plan.system]
    else:
        out.append(
            "# `dht lock` infers what the project's dependencies need to build (none found today)."
        )
    out += [
        "# libpq = {}                 # add one by alias or id (dep:generic/libpq)",
        '# exclude = ["zlib"]         # drop an inferred one; infer = false turns inference off',
    ]
    return out
