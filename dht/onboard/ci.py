"""What the project's CI runs, to pick between pins that disagree.

The workflows (`.github/workflows/*.yml`, `.gitlab-ci.yml`) are read as text
commands, never run: `pre-commit run` or the pre-commit action means the hooks'
pins are what CI checks with; `pip install -r FILE` (or `uv pip install/sync`)
that file's; `uv sync`/`uv run` uv.lock's; `tox`/`nox` the runner's own deps,
and then the commands of its environments count too (a tox env that runs
`pre-commit run`). A `ci:` section in .pre-commit-config.yaml is pre-commit.ci.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dht.onboard.runners import NOX_FILE, TOX_FILE
from dht.onboard.sources import PRECOMMIT_FILE

UV_LOCK = "uv.lock"
PYPROJECT = "pyproject.toml"
_RUN_KEYS = ("run", "script", "before_script", "after_script", "command")
_PYTHON = re.compile(r"^(python|python3|py|python3\.\d+)(\.exe)?$")
# uv run's options that take a value: the command starts after them.
_UV_RUN_VALUES = {
    "--with", "--with-editable", "--with-requirements", "--group", "--only-group", "--extra",
    "--python", "-p", "--package", "--directory", "--project", "--env-file", "--index",
    "--default-index", "--index-url", "--extra-index-url", "--no-group", "--from",
}  # fmt: skip


@dataclass(frozen=True)
class CiRun:
    kind: str  # "pre-commit", "requirements", "uv.lock", "tox", "nox", "pyproject"
    file: str  # the file it installs from (for requirements: the one named)
    where: str  # the workflow file and line
    command: str  # as written, for the report

    def describe(self) -> str:
        return f"{self.file} ({self.where}: {self.command})"


def workflow_runs(root: Path) -> list[CiRun]:
    """What the CI workflows run, in file order."""
    files = sorted(
        p for p in (root / ".github" / "workflows").glob("*") if p.suffix in (".yml", ".yaml")
    )
    if (root / ".gitlab-ci.yml").is_file():
        files.append(root / ".gitlab-ci.yml")
    out: list[CiRun] = []
    for path in files:
        relpath = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        lines = text.splitlines()
        for command, uses in _commands(_load(text)):
            if uses:
                out += _action(uses, _where(relpath, lines, uses))
            else:
                out += [
                    replace(run, where=_where(relpath, lines, run.command))
                    for run in command_runs(command, relpath)
                ]
    return out


def precommit_ci(root: Path) -> list[CiRun]:
    """pre-commit.ci runs the hooks where the config has its `ci:` section."""
    data = _load(_read(root / PRECOMMIT_FILE))
    if isinstance(data, dict) and isinstance(data.get("ci"), dict):
        line = next(
            (
                i
                for i, t in enumerate(_read(root / PRECOMMIT_FILE).splitlines(), 1)
                if t.startswith("ci:")
            ),
            None,
        )
        where = f"{PRECOMMIT_FILE}:{line}" if line else PRECOMMIT_FILE
        return [CiRun("pre-commit", PRECOMMIT_FILE, where, "pre-commit.ci (its `ci:` section)")]
    return []


def command_runs(script: str, where: str) -> list[CiRun]:
    """What one shell script (a workflow step's `run`, a tox command) installs from or runs."""
    out: list[CiRun] = []
    for part in re.split(r"\n|&&|\|\||;|\|", script.replace("\\\n", " ")):
        try:
            argv = shlex.split(part, comments=True)
        except ValueError:
            argv = part.split()
        out += _argv_runs(argv, part.strip(), where)
    return out


def _argv_runs(argv: list[str], shown: str, where: str) -> list[CiRun]:
    while argv and (
        ("=" in argv[0] and not argv[0].startswith("-")) or argv[0] in ("sudo", "time", "exec")
    ):
        argv = argv[1:]  # FOO=bar, sudo …
    if len(argv) >= 2 and _PYTHON.match(Path(argv[0]).name) and argv[1] == "-m":
        argv = argv[2:]
    if not argv:
        return []
    head = Path(argv[0]).name
    if head == "uv" and len(argv) >= 2 and argv[1] == "sync":
        return [CiRun("uv.lock", UV_LOCK, where, shown)]
    if head == "uv" and len(argv) >= 2 and argv[1] == "run":
        rest = _after_options(argv[2:])
        isolated = any(a in ("--no-project", "--isolated", "--script") for a in argv[2:])
        own = [] if isolated else [CiRun("uv.lock", UV_LOCK, where, shown)]
        return own + _argv_runs(rest, shown, where)
    if head in ("uvx", "pipx") or argv[:3] == ["uv", "tool", "run"]:
        skip = 3 if head == "uv" else (2 if head == "pipx" and argv[1:2] == ["run"] else 1)
        return _argv_runs(_after_options(argv[skip:]), shown, where)
    if head in ("pre-commit", "prek") and len(argv) >= 2 and argv[1] == "run":
        return [CiRun("pre-commit", PRECOMMIT_FILE, where, shown)]
    if head == "tox":
        return [CiRun("tox", TOX_FILE, where, shown)]
    if head == "nox":
        return [CiRun("nox", NOX_FILE, where, shown)]
    if head == "pip-sync":
        return [CiRun("requirements", a, where, shown) for a in argv[1:] if a.endswith(".txt")]
    if head in ("pip", "pip3") or (head == "uv" and argv[1:2] == ["pip"]):
        rest = argv[2:] if head == "uv" else argv[1:]
        if rest[:1] == ["sync"]:
            return [CiRun("requirements", a, where, shown) for a in rest[1:] if a.endswith(".txt")]
        if rest[:1] == ["install"]:
            return _pip_install(rest[1:], shown, where)
    return []


def _pip_install(args: list[str], shown: str, where: str) -> list[CiRun]:
    out: list[CiRun] = []
    tokens = iter(args)
    for token in tokens:
        target = ""
        if token in ("-r", "--requirement", "-c", "--constraint"):
            target = next(tokens, "")
        elif glued := re.match(r"^(-r|-c|--requirement=|--constraint=)(.+)$", token):
            target = glued.group(2)
        elif token == "--group" or re.fullmatch(r"(\./)?\.\[[^\]]*\]", token):
            # Groups or extras of the project (`pip install .` alone installs neither).
            out.append(CiRun("pyproject", PYPROJECT, where, shown))
        # A path built from variables (`${{ matrix.x }}`, `$FILE`) says nothing dht can read.
        if target and "$" not in target and "{" not in target:
            out.append(CiRun("requirements", posixpath.normpath(target), where, shown))
    return _unique(out)


def _unique(runs: Iterable[CiRun]) -> list[CiRun]:
    return list(dict.fromkeys(runs))


def _after_options(argv: list[str]) -> list[str]:
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in _UV_RUN_VALUES and "=" not in option and rest:
            rest.pop(0)
    return rest


def _action(uses: str, where: str) -> list[CiRun]:
    name = uses.split("@", 1)[0].lower()
    if name in ("pre-commit/action", "pre-commit-ci/lite-action", "j178/prek-action"):
        return [CiRun("pre-commit", PRECOMMIT_FILE, where, f"uses: {uses}")]
    return []


def _commands(node: Any) -> Iterator[tuple[str, str]]:
    """(command, "") for every shell script in a CI file, ("", action) for every `uses:`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uses" and isinstance(value, str):
                yield "", value
            elif key in _RUN_KEYS and isinstance(value, str):
                yield value, ""
            elif key in _RUN_KEYS and isinstance(value, list):
                yield from ((v, "") for v in value if isinstance(v, str))
            else:
                yield from _commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from _commands(item)


def _where(relpath: str, lines: list[str], text: str) -> str:
    """The line of a command: as written, else its start (a folded or continued line)."""
    words = text.split()
    for needle in (text.strip(), " ".join(words[:4]), " ".join(words[:2])):
        for number, line in enumerate(lines, start=1):
            if needle and needle in line:
                return f"{relpath}:{number}"
    return relpath


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _load(text: str) -> Any:
    import yaml

    from dht.onboard import yamlfile

    try:
        return yamlfile.load(text) if text else None
    except yaml.YAMLError:
        return None  # a broken workflow says nothing about what CI runs
