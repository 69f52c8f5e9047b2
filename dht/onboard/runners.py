"""Pins in the test runners' own files: tox.ini `deps` and noxfile.py's `session.install`.

Both are read, never run: tox.ini with configparser (substitutions are not
expanded, only `{toxinidir}` in a path), noxfile.py with `ast` (only literal
arguments, and module-level constants that are literals, are understood).
Their `-r`/`-c` lines go through the same requirements reader as the project's
requirements files.
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dht.onboard.sources import Candidate, RequirementsReader, Skip, requirement

TOX_FILE = "tox.ini"
NOX_FILE = "noxfile.py"
# pip install's options that take a value (as a separate argument).
PIP_VALUE_OPTIONS = frozenset(
    {
        "--group", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
        "--upgrade-strategy", "-t", "--target", "--prefix", "--root", "--platform",
        "--python-version", "--implementation", "--abi", "--no-binary", "--only-binary",
        "-C", "--config-settings", "--src", "--trusted-host", "--progress-bar",
    }
)  # fmt: skip
_FACTOR = re.compile(r"^([A-Za-z0-9_{},!.-]+):\s+(.+)$")
_WHOLE_SUBSTITUTION = re.compile(r"^\{\[([^\]]+)\]([^}]+)\}$")


@dataclass
class RunnerFile:
    """What a tox.ini or noxfile.py gives: pins, what was left out, and the commands its
    environments run (for what CI runs through them), with where each is."""

    found: list[Candidate] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    commands: list[tuple[str, str]] = field(default_factory=list)  # (command, where)


# tox


def parse_tox(root: Path, reader: RequirementsReader) -> RunnerFile:
    out = RunnerFile()
    try:
        text = (root / TOX_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.skipped.append(Skip(TOX_FILE, TOX_FILE, f"cannot read it: {exc}"))
        return out
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=TOX_FILE)
    except configparser.Error as exc:
        out.skipped.append(Skip(TOX_FILE, TOX_FILE, f"not read: {str(exc).splitlines()[0]}"))
        return out
    lines = text.splitlines()
    for section in parser.sections():
        if section != "testenv" and not section.startswith("testenv:"):
            continue
        start = _section_line(lines, section)
        label = f"{TOX_FILE} [{section}]"
        for item in _items(parser.get(section, "deps", fallback="")):
            line = _line_of(lines, start, item)
            where = f"{TOX_FILE}:{line}" if line else TOX_FILE
            _tox_dep(item, label, line, where, reader, out)
        for item in _items(parser.get(section, "commands", fallback="")):
            line = _line_of(lines, start, item)
            factor = _FACTOR.match(item)  # `mypy: mypy src` runs in the envs with that factor
            command = (factor.group(2) if factor else item).lstrip("-").strip()
            out.commands.append((command, f"{TOX_FILE}:{line}" if line else label))
    return out


def _tox_dep(
    item: str,
    label: str,
    line: int | None,
    where: str,
    reader: RequirementsReader,
    out: RunnerFile,
) -> None:
    factor = _FACTOR.match(item)
    if factor and "://" not in item:
        item = factor.group(2).strip()  # `lint: ruff==0.15.9`: in the envs with that factor
    whole = _WHOLE_SUBSTITUTION.match(item)
    if whole:
        section = whole.group(1)
        reason = (
            f"the deps of [{section}], read there"
            if section == "testenv" or section.startswith("testenv:")
            else "a tox substitution: not expanded"
        )
        out.skipped.append(Skip(item, where, reason))
        return
    include = re.match(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)$", item)
    if include:
        reader.include(include.group(2), TOX_FILE, where, include.group(1))
        return
    if "{" in item:
        out.skipped.append(Skip(item, where, "a tox substitution: not expanded"))
        return
    if item.startswith(("-e", "--editable", ".", "/")):
        out.skipped.append(Skip(item, where, "the project itself or a path, not an index package"))
        return
    if item.startswith("-"):
        return  # a pip option
    candidate, skip = requirement(item, label, line, kind="tox", file=TOX_FILE)
    if skip is not None:
        out.skipped.append(Skip(skip.what, where, skip.reason))
    if candidate is not None:
        out.found.append(candidate)


def _items(value: str) -> list[str]:
    """The lines of a multi-line INI value, without comments and line continuations."""
    out: list[str] = []
    for raw in value.replace("\\\n", " ").splitlines():
        text = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if text:
            out.append(text)
    return out


def _section_line(lines: list[str], section: str) -> int:
    for number, text in enumerate(lines, start=1):
        if text.strip() == f"[{section}]":
            return number
    return 0


def _line_of(lines: list[str], start: int, item: str) -> int | None:
    """The line holding `item` in the section that starts at `start` (1-based)."""
    for number in range(start + 1, len(lines) + 1):
        text = lines[number - 1]
        if text.startswith("["):
            break
        if item in text:
            return number
    return None


# nox


def parse_nox(root: Path, reader: RequirementsReader) -> RunnerFile:
    out = RunnerFile()
    try:
        text = (root / NOX_FILE).read_text(encoding="utf-8")
        tree = ast.parse(text, filename=NOX_FILE)
    except SyntaxError as exc:
        where = f"{NOX_FILE}:{exc.lineno}" if exc.lineno else NOX_FILE
        out.skipped.append(Skip(NOX_FILE, where, f"not valid Python ({exc.msg}): not read"))
        return out
    except (OSError, UnicodeDecodeError) as exc:
        out.skipped.append(Skip(NOX_FILE, NOX_FILE, f"cannot read it: {exc}"))
        return out
    constants = _constants(tree)
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        name = _session_name(node)
        if name is None:
            continue
        param = node.args.args[0].arg if node.args.args else "session"
        label = f"{NOX_FILE} session {name}"
        for call in ast.walk(node):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == param
            ):
                continue
            where = f"{NOX_FILE}:{call.lineno}"
            args = _literal_args(call, constants)
            if call.func.attr == "install":
                if args is None:
                    out.skipped.append(
                        Skip(
                            ast.unparse(call),
                            where,
                            "not literal: dht init reads noxfile.py, it does not run it",
                        )
                    )
                else:
                    _nox_install(args, label, call.lineno, where, reader, out)
            elif call.func.attr in ("run", "run_install", "run_always") and args:
                out.commands.append((" ".join(args), where))
    return out


def _nox_install(
    args: list[str],
    label: str,
    line: int,
    where: str,
    reader: RequirementsReader,
    out: RunnerFile,
) -> None:
    """`session.install(...)`'s arguments, as pip reads them."""
    tokens = iter(args)
    for token in tokens:
        if token in ("-r", "--requirement", "-c", "--constraint"):
            target = next(tokens, "")
            if target:
                reader.include(target, NOX_FILE, where, token)
            continue
        glued = re.match(r"^(-r|-c|--requirement=|--constraint=)(.+)$", token)
        if glued:
            option = glued.group(1).rstrip("=")
            reader.include(glued.group(2), NOX_FILE, where, option)
            continue
        if token in ("-e", "--editable"):
            out.skipped.append(Skip(f"-e {next(tokens, '')}", where, "an editable install"))
            continue
        if token in PIP_VALUE_OPTIONS:
            next(tokens, "")  # --group docs, --index-url URL …: the value is no requirement
            continue
        if token.startswith("-"):
            continue  # a pip option (--upgrade, --pre …)
        if token.startswith((".", "/")) or "://" in token:
            out.skipped.append(
                Skip(token, where, "the project itself or a path, not an index package")
            )
            continue
        candidate, skip = requirement(token, label, line, kind="nox", file=NOX_FILE)
        if skip is not None:
            out.skipped.append(Skip(skip.what, where, skip.reason))
        if candidate is not None:
            out.found.append(candidate)


def _constants(tree: ast.Module) -> dict[str, Any]:
    """Module-level `NAME = <literal>` assignments: strings and lists or tuples of strings."""
    out: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                try:
                    literal = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    out.pop(target.id, None)  # rebound to something not literal
                    continue
                out[target.id] = literal
    return out


def _literal_args(call: ast.Call, constants: dict[str, Any]) -> list[str] | None:
    """The call's positional arguments as strings, or None when one of them is not literal."""
    out: list[str] = []
    for arg in call.args:
        starred = isinstance(arg, ast.Starred)
        node = arg.value if isinstance(arg, ast.Starred) else arg
        value: Any
        if isinstance(node, ast.Name) and node.id in constants:
            value = constants[node.id]
        else:
            try:
                value = ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return None
        if not starred and isinstance(value, str):
            out.append(value)
        elif (
            starred and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        ):
            out += value
        else:
            return None
    return out


def _session_name(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The nox session a function defines (`@nox.session`, `@nox.session(name=...)`), or None."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target) not in ("nox.session", "session"):
            continue
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
        return node.name
    return None
