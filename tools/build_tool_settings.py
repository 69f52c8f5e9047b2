"""Generate dht/data/tool_settings.json: the setting names each tool accepts in its
pyproject.toml table, per release line, for the lock-time check of `[config.*]`.

Each tool is installed at the newest patch of its last few minor releases (uv, in
a throw-away environment) and asked for its own list of settings:

  ruff      `ruff config --output-format json` (every dotted key)
  black     the options of its command (`black.main.params`), which it reads from [tool.black]
  isort     the fields of `isort.settings._Config`
  mypy      `mypy.config_parser` config types, `mypy.options.Options` attributes, report names
  pytest    the ini options `pytest --help` lists, with plugin autoloading off
  coverage  `coverage.config.CoverageConfig.CONFIG_FILE_OPTIONS` (run/report/html/…), plus `paths`

A key missing from an older checked release gets `since`, one missing from a
newer one `removed`.

pytest plugins add settings of their own (pytest-asyncio's `asyncio_mode`): each
plugin in PYTEST_PLUGINS is installed at its newest release beside the newest
checked pytest, with plugin autoloading on, and its settings are the ini options
`pytest --help` lists there that pytest alone does not. Run by developers
(network), never by dht:

    uv run python tools/build_tool_settings.py            # all tools and plugins
    uv run python tools/build_tool_settings.py --plugins  # only pytest's plugins
    uv run python tools/build_tool_settings.py --extract ruff   # inside an env that has ruff
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "dht" / "data" / "tool_settings.json"

# The newest patch of the last four minor releases of each tool (as of 2026-11-25).
VERSIONS: dict[str, list[str]] = {
    "ruff": ["0.14.14", "0.15.22", "0.16.10", "0.17.6"],
    "black": ["26.1.0", "26.3.1", "26.5.1", "26.10.1"],
    "isort": ["6.1.0", "7.0.0", "8.0.1", "9.0.2"],
    "mypy": ["2.1.0", "2.2.0", "2.3.1", "2.4.1"],
    "pytest": ["8.4.2", "9.0.3", "9.1.1", "9.2.0"],
    "coverage": ["7.14.3", "7.15.4", "7.16.2", "7.17.4"],
}

# pytest plugins whose ini options real projects set in [tool.pytest.ini_options].
PYTEST_PLUGINS: tuple[str, ...] = (
    "anyio",
    "pytest-aiohttp",
    "pytest-asyncio",
    "pytest-base-url",
    "pytest-bdd",
    "pytest-benchmark",
    "pytest-check",
    "pytest-codspeed",
    "pytest-console-scripts",
    "pytest-cov",
    "pytest-django",
    "pytest-doctestplus",
    "pytest-dotenv",
    "pytest-env",
    "pytest-flask",
    "pytest-html",
    "pytest-httpserver",
    "pytest-localserver",
    "pytest-memray",
    "pytest-metadata",
    "pytest-mock",
    "pytest-mypy-plugins",
    "pytest-order",
    "pytest-playwright",
    "pytest-randomly",
    "pytest-recording",
    "pytest-remotedata",
    "pytest-rerunfailures",
    "pytest-socket",
    "pytest-split",
    "pytest-subtests",
    "pytest-timeout",
    "pytest-trio",
    "pytest-xdist",
    "syrupy",
)

# Where each tool's settings live in pyproject.toml, and whether it treats `-` and
# `_` in a key as the same (black and isort normalize; the others do not).
TABLES: dict[str, tuple[str, bool]] = {
    "ruff": ("tool.ruff", False),
    "black": ("tool.black", True),
    "isort": ("tool.isort", True),
    "mypy": ("tool.mypy", False),
    "pytest": ("tool.pytest.ini_options", False),
    "coverage": ("tool.coverage", False),
}


def extract(tool: str) -> list[str]:
    """The setting names of the tool installed in this interpreter's environment."""
    return sorted(set(_EXTRACTORS[tool]()))


def _ruff() -> list[str]:
    # Beside this interpreter, or on PATH (`uv run --with` puts its overlay there).
    beside = Path(sys.executable).parent / "ruff"
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    if ruff is None:
        raise SystemExit("ruff is not installed here")
    out = subprocess.run(
        [ruff, "config", "--output-format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(json.loads(out))


def _black() -> list[str]:
    import black  # type: ignore[import-not-found,unused-ignore]

    # Every option of the command is read from [tool.black]; --config names the file itself.
    return [p.name for p in black.main.params if p.name not in ("config", "code", "version")]


def _isort() -> list[str]:
    import isort.settings  # type: ignore[import-not-found,unused-ignore]

    return list(isort.settings._Config.__dataclass_fields__)


def _mypy() -> list[str]:
    import mypy.config_parser as parser  # type: ignore[import-not-found,unused-ignore]
    from mypy import defaults
    from mypy.options import Options

    template = Options()
    keys = set(parser.toml_config_types) | set(parser.ini_config_types)
    for name in dir(template):  # mypyc-compiled: no __dict__
        value = getattr(template, name)
        if name.startswith("_") or value is None or callable(value):
            continue
        keys.add(name)
        # The inverted spellings mypy's config parser accepts: no_X, allow_/disallow_, show_/hide_.
        keys.add(f"no_{name}")
        if name.startswith("disallow_"):
            keys.add(name[3:])
        elif name.startswith("allow_"):
            keys.add(f"dis{name}")
        elif name.startswith("hide_"):
            keys.add(f"show_{name[5:]}")
    keys.update(f"{name.replace('-', '_')}_report" for name in defaults.REPORTER_NAMES)
    keys.add("strict")  # not an Options attribute: the parser expands it
    keys.add("allow_redefinition_new")  # an alias the parser maps
    keys -= {"enabled_error_codes", "disabled_error_codes"}  # refused by the parser
    keys.add("overrides")  # [[tool.mypy.overrides]]: per-module tables
    return sorted(keys)


def _pytest(autoload: bool = False) -> list[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    with tempfile.TemporaryDirectory() as empty:
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "--help"],
            check=True,
            capture_output=True,
            text=True,
            cwd=empty,
            env=env,
        ).stdout
    # "[pytest] ini-options in the first …" (8.x), "[pytest] configuration options …" (9.x)
    section = re.split(r"^\[pytest\] [a-z -]+ in the first .*$", out, maxsplit=1, flags=re.M)[1]
    section = section.split("\nEnvironment variables:", 1)[0]
    names = re.findall(r"^  ([A-Za-z_][A-Za-z0-9_]*) \(", section, flags=re.MULTILINE)
    aliases = re.findall(
        r"\(alias: ([A-Za-z0-9_, ]+)\)", section
    )  # strict_xfail (alias: xfail_strict)
    return [*names, *(a.strip() for group in aliases for a in group.split(","))]


def _coverage() -> list[str]:
    from coverage.config import CoverageConfig  # type: ignore[import-not-found,unused-ignore]

    keys = [option[1].replace(":", ".") for option in CoverageConfig.CONFIG_FILE_OPTIONS]
    return [*keys, "paths"]  # [tool.coverage.paths]: names of path groups, chosen by the user


_EXTRACTORS = {
    "ruff": _ruff,
    "black": _black,
    "isort": _isort,
    "mypy": _mypy,
    "pytest": _pytest,
    "coverage": _coverage,
    "pytest-plugins": lambda: _pytest(autoload=True),
}


def combine(tool: str, per_version: dict[str, list[str]]) -> dict[str, Any]:
    """One tool's entry from the setting names of each checked version (oldest first)."""
    versions = list(per_version)
    table, dashes = TABLES[tool]
    settings: dict[str, dict[str, str]] = {}
    for key in sorted({k for keys in per_version.values() for k in keys}):
        present = [key in per_version[v] for v in versions]
        entry: dict[str, str] = {}
        first = present.index(True)
        if first > 0:
            entry["since"] = versions[first]
        if not present[-1]:
            last = len(present) - 1 - present[::-1].index(True)
            entry["removed"] = versions[last + 1]
        settings[key] = entry
    return {
        "table": table,
        "dashes-are-underscores": dashes,
        "checked": versions,
        "settings": settings,
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _collect(tool: str, version: str) -> list[str]:
    package = f"{tool}=={version}"
    command = [
        "uv", "run", "--isolated", "--no-project", "--quiet", "--with", package,
        "python", str(Path(__file__).resolve()), "--extract", tool,
    ]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    keys: list[str] = json.loads(out)
    return keys


def _plugin_settings(pytest_version: str, own: set[str]) -> dict[str, Any]:
    """plugin -> {"version": newest release checked, "settings": [its ini options]}."""
    out: dict[str, Any] = {}
    for plugin in PYTEST_PLUGINS:
        print(f"pytest plugin {plugin}", file=sys.stderr)
        command = [
            "uv", "run", "--isolated", "--no-project", "--quiet",
            "--with", f"pytest=={pytest_version}", "--with", plugin,
            "python", str(Path(__file__).resolve()), "--extract", "pytest-plugins",
        ]  # fmt: skip
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        if done.returncode != 0:  # pytest-qt: `pytest --help` needs a Qt binding installed
            print(f"  skipped: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        keys = set(json.loads(done.stdout))
        version_command = [
            "uv", "run", "--isolated", "--no-project", "--quiet",
            "--with", f"pytest=={pytest_version}", "--with", plugin,
            "python", "-c", f"import importlib.metadata as m; print(m.version({plugin!r}))",
        ]  # fmt: skip
        version = subprocess.run(
            version_command, check=True, capture_output=True, text=True
        ).stdout.strip()
        out[plugin] = {"version": version, "settings": sorted(keys - own)}
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--extract"]:
        print(json.dumps(extract(argv[1])))
        return 0
    if argv[:1] == ["--plugins"]:
        data = json.loads(TARGET.read_text(encoding="utf-8"))
        pytest = data["tools"]["pytest"]
        pytest["plugins"] = _plugin_settings(pytest["checked"][-1], set(pytest["settings"]))
        TARGET.write_text(dumps(data), encoding="utf-8", newline="\n")
        return 0
    tools: dict[str, Any] = {}
    for tool, versions in VERSIONS.items():
        per_version = {}
        for version in versions:
            print(f"{tool} {version}", file=sys.stderr)
            per_version[version] = _collect(tool, version)
        tools[tool] = combine(tool, per_version)
    tools["pytest"]["plugins"] = _plugin_settings(
        VERSIONS["pytest"][-1], set(tools["pytest"]["settings"])
    )
    data = {
        "format": 1,
        "source": "tools/build_tool_settings.py: each tool's own list of settings",
        "tools": tools,
    }
    TARGET.write_text(dumps(data), encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
