"""The intent: `dht.toml`, what the team wants.

Two layers: msgspec types that mirror the file (and give the JSON Schema), and
`load_intent`, which validates what types cannot express (specifiers, names,
platforms) and returns a normalized `Intent` whose every value is canonical,
so that the lock can record it and compare it byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import msgspec
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dht.errors import InputError, did_you_mean
from dht.model.artifacts import has_credentials, without_credentials
from dht.model.env_policy import env_problem
from dht.model.names import (
    DEFAULT_PLATFORMS,
    DEFAULT_SYSTEMS,
    ECOSYSTEMS,
    HOSTNAME,
    NORMALIZED_NAME,
    PLATFORMS,
    SYSTEM_ID,
    SYSTEM_PACKAGE,
    SYSTEM_VERSION,
    config_claim_problem,
    config_text_problem,
    is_python_version,
    pin_problem,
    platform_order,
    reserved_path,
    section_problem,
)
from dht.model.presets import (
    CONFIG_PRESETS,
    ENV_PRESETS,
    ConfigPreset,
    config_presets,
    merge,
    render_file,
    substitute,
)
from dht.model.regions import region_clash, toml_table_path
from dht.model.request import ProjectRequest, ToolRequest
from dht.model.toml import convert, find_line, parse_toml, read_text, shown

INTENT_FILE = "dht.toml"
DEFAULT_INDEX = "https://pypi.org/simple"
ENVIRONMENT_PROJECT = "project"


_Bad = Callable[..., InputError]


class _Table(msgspec.Struct, forbid_unknown_fields=True, rename="kebab", frozen=True):
    pass


class ProjectTable(_Table, frozen=True):
    python: str
    """The Python everything runs on: a minor version ("3.11": the lock pins its newest patch)
    or an exact one ("3.11.7")."""
    install: str | bool | None = None
    """The project itself: "editable" (installed from its folder), false (not a package);
    default: editable when it declares a build system or has a setup.py, as uv decides."""
    groups: tuple[str, ...] = ()
    """PEP 735 dependency groups of pyproject.toml installed with it (what its tests need)."""
    extras: tuple[str, ...] = ()
    """Extras of the project installed with it."""


class TargetsTable(_Table, frozen=True):
    platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    """Platforms every locked package must have an artifact for."""
    systems: tuple[str, ...] = DEFAULT_SYSTEMS
    """Package ecosystems the system dependencies are resolved for: debian, ubuntu+24.04, fedora, …"""


class IndexTable(_Table, frozen=True):
    url: str = DEFAULT_INDEX
    """A PEP 691 (JSON) or PEP 503 (HTML) simple index."""
    exclude_newer: str | None = None
    """Resolve as of this time (RFC 3339): files uploaded later are ignored."""
    file_hosts: tuple[str, ...] = ()
    """Hosts besides its own that the index serves files from (PyPI's is known)."""
    build_from_source: tuple[str, ...] = ()
    """Packages that may be locked as an sdist (built at install, running their build
    backend) where no wheel fits a target; "*" for any. Default: none."""


class ToolTable(_Table, frozen=True):
    version: str = ""
    """A PEP 440 specifier ("==0.17.5", "~=26.10", ">=9") or a bare version; empty: any."""
    extras: tuple[str, ...] = ()
    with_: tuple[str, ...] = msgspec.field(default=(), name="with")
    """Extra requirements installed beside the tool (plugins), PEP 508."""
    isolated: bool = False
    """Give the tool its own environment instead of the shared project one."""
    probe: tuple[str, ...] | None = None
    """A command (argv, never a shell line) that proves the tool works."""


class ConfigTable(_Table, frozen=True):
    file: str | None = None
    """The file, relative to the project: pyproject.toml, setup.cfg, .editorconfig, …; default: the preset's."""
    preset: str | None = None
    """A named set of values dht ships ("deterministic"); `set` wins over it, key by key."""
    for_: str | None = msgspec.field(default=None, name="for")
    """The tool this config is for (ruff, pytest, …): picks the preset and the settings check; default: the config's name."""
    table: str | None = None
    """The TOML table (`tool.ruff`) or INI section (`flake8`) dht manages; none for whole files."""
    format: Literal["toml", "ini", "file"] | None = None
    """Default: toml for *.toml, ini for *.cfg and *.ini, file otherwise."""
    set: dict[str, Any] = {}
    """The values of the table or section."""
    text: str | None = None
    """The whole content, for format = "file"."""


class IntentFile(_Table, frozen=True):
    """The whole of dht.toml."""

    project: ProjectTable
    targets: TargetsTable = TargetsTable()
    index: IndexTable = IndexTable()
    tools: dict[str, str | ToolTable] = {}
    env: dict[str, str | bool] = {}
    """Environment variables for `dht run` and the activation scripts; `preset = "deterministic"`
    adds the deterministic set; `source-date-epoch = true` sets SOURCE_DATE_EPOCH from the last commit."""
    config: dict[str, ConfigTable] = {}
    system: dict[str, bool | list[str] | dict[str, list[str] | bool]] = {}
    """System dependencies by id (`dep:generic/libpq`) or alias (`libpq`), each `{}` or per-ecosystem
    overrides (`{ debian = ["imagemagick"], winget = false }`); `infer = false` turns off inference
    from the project's Python dependencies; `exclude = [ids]` drops inferred ones."""


# Normalized, validated values: what the compiler consumes and the lock records.


class Tool(msgspec.Struct, frozen=True):
    name: str  # normalized
    request: ToolRequest

    @property
    def environment(self) -> str:
        return self.name if self.request.isolated else ENVIRONMENT_PROJECT

    def requirements(self) -> list[Requirement]:
        extras = f"[{','.join(self.request.extras)}]" if self.request.extras else ""
        main = Requirement(f"{self.name}{extras}{self.request.version}")
        return [main, *(Requirement(w) for w in self.request.with_)]


class EnvRequest(msgspec.Struct, frozen=True):
    preset: str | None
    source_date_epoch: bool
    values: tuple[tuple[str, str], ...]  # the full set, preset included, sorted by name


class ConfigRequest(msgspec.Struct, frozen=True):
    name: str
    file: str
    format: str
    table: str | None
    values: dict[str, Any]
    text: str | None
    tool: str = ""  # the `for` key or the config's name: whose settings these are
    preset: str | None = None


class SystemRequest(msgspec.Struct, frozen=True):
    name: str  # as written: an id, an alias or a custom name
    overrides: tuple[
        tuple[str, tuple[str, ...] | None], ...
    ]  # ecosystem -> packages (None: unavailable)
    versions: tuple[tuple[str, str], ...] = ()  # ecosystem -> the exact version to install


class Intent(msgspec.Struct, frozen=True):
    python: str
    platforms: tuple[str, ...]  # canonical order
    index_url: str
    exclude_newer: str | None  # "YYYY-MM-DDTHH:MM:SSZ"
    tools: tuple[Tool, ...]  # sorted by name
    env: EnvRequest | None = None
    configs: tuple[ConfigRequest, ...] = ()  # sorted by name
    systems: tuple[str, ...] = DEFAULT_SYSTEMS
    system: tuple[SystemRequest, ...] = ()  # sorted by name
    infer_system: bool = True
    exclude_system: tuple[str, ...] = ()
    project: ProjectRequest = ProjectRequest()
    file_hosts: tuple[str, ...] = ()  # besides the index's own (PyPI's are known)
    build_from_source: tuple[str, ...] = ()  # package names, or "*"


def load_intent(path: Path) -> Intent:
    if not path.exists():
        raise InputError(
            f"no {path.name} here",
            hint="run `dht init` to write one from what the project has",
        )
    text = read_text(path, "intent file")
    return parse_intent(text, shown(path))


def parse_intent(text: str, file: str = INTENT_FILE) -> Intent:
    raw = parse_toml(text, file)
    tools_raw = raw.get("tools", {})
    head = dict(raw)
    head.pop("tools", None)
    # Tables keyed by user names are converted entry by entry, so errors can name the entry.
    env_raw = head.pop("env", {})
    system_raw = head.pop("system", {})
    config_raw = head.pop("config", {})
    index = head.get("index")
    if isinstance(index, dict) and isinstance(index.get("exclude-newer"), dt.datetime):
        # A bare TOML date-time; keep one type in the schema.
        stamp = index["exclude-newer"]
        head["index"] = {
            **index,
            "exclude-newer": stamp.isoformat() if stamp.tzinfo else "naive:" + stamp.isoformat(),
        }
    if "project" not in head:
        raise InputError(
            "a [project] table is required",
            where=file,
            hint='add it, e.g.\n    [project]\n    python = "3.12"',
        )
    data = convert(head, IntentFile, file=file, text=text)
    for key, raw_table in (
        ("tools", tools_raw),
        ("env", env_raw),
        ("config", config_raw),
        ("system", system_raw),
    ):
        if not isinstance(raw_table, dict):
            _fail(key, "must be a table", file, text)

    def bad(key: str, message: str, hint: str | None = None) -> InputError:
        return _error(key, message, file, text, hint)

    python = data.project.python.strip()
    if not is_python_version(python):
        raise bad(
            "project.python",
            f"{python!r} is not a Python version dht can lock",
            'give a minor version like "3.11" or an exact one like "3.11.7"',
        )

    seen: set[str] = set()
    for name in data.targets.platforms:
        if name not in PLATFORMS:
            close = did_you_mean(name, PLATFORMS)
            raise bad(
                "targets.platforms",
                f"unknown platform {name!r}",
                f"{close + ' ' if close else ''}known platforms: {', '.join(PLATFORMS)}",
            )
        if name in seen:
            raise bad("targets.platforms", f"platform {name!r} is listed twice")
        seen.add(name)
    if not seen:
        raise bad(
            "targets.platforms",
            "lists no platform",
            "name at least one, or remove the key for the defaults",
        )
    platforms = tuple(sorted(seen, key=platform_order))

    url = data.index.url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise bad("index.url", f"{url!r} is not an http(s) URL", f'for PyPI use "{DEFAULT_INDEX}"')
    if has_credentials(url):
        raise bad(
            "index.url",
            "carries credentials (user:password@), which would be written into the committed dht.lock",
            f"write {without_credentials(url)!r} and put the credentials in ~/.netrc "
            "(`machine HOST login USER password TOKEN`), which dht and uv both read",
        )
    file_hosts = tuple(sorted({h.strip().lower() for h in data.index.file_hosts}))
    from_source: set[str] = set()
    for name in data.index.build_from_source:
        if name.strip() == "*":
            from_source.add("*")
        elif re.match(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$", name.strip()):
            from_source.add(canonicalize_name(name.strip()))
        else:
            raise bad(
                "index.build-from-source",
                f"{name!r} is not a package name",
                'e.g. ["docopt"], or ["*"] for any',
            )
    for name in file_hosts:
        if not re.match(HOSTNAME, name):
            raise bad(
                "index.file-hosts", f"{name!r} is not a host name", 'e.g. "files.example.org"'
            )

    tools: dict[str, Tool] = {}
    for key in sorted(tools_raw):
        value = convert(
            tools_raw[key],
            str | ToolTable,  # type: ignore[arg-type]
            file=file,
            text=text,
            prefix=("tools", key),
            root=IntentFile,
        )
        tool = _normalize_tool(key, value, bad)
        if tool.name in tools:
            raise bad(f"tools.{key}", f"names the same tool as another entry ({tool.name!r})")
        tools[tool.name] = tool
    for tool in tools.values():
        if tool.request.isolated and tool.name in (ENVIRONMENT_PROJECT, "project-build"):
            raise bad(f"tools.{tool.name}", f"an isolated tool cannot be named {tool.name!r}",
                      "that name is the project's own environment")  # fmt: skip

    return Intent(
        python=python,
        project=_normalize_project(data.project, bad),
        platforms=platforms,
        index_url=url,
        exclude_newer=_normalize_time(data.index.exclude_newer, bad),
        file_hosts=file_hosts,
        build_from_source=tuple(sorted(from_source)),
        tools=tuple(tools[name] for name in sorted(tools)),
        env=_normalize_env(env_raw, bad),
        systems=_normalize_systems(data.targets.systems, bad),
        system=_normalize_system(system_raw, bad),
        infer_system=system_raw.get("infer", True) is not False,
        exclude_system=tuple(sorted(set(system_raw.get("exclude", ())))),
        configs=_check_regions(
            [
                _normalize_config(
                    n,
                    convert(
                        config_raw[n],
                        ConfigTable,
                        file=file,
                        text=text,
                        prefix=("config", n),
                        root=IntentFile,
                    ),
                    bad,
                    python,
                )
                for n in sorted(config_raw)
            ],
            bad,
        ),
    )


def _normalize_project(table: ProjectTable, bad: _Bad) -> ProjectRequest:
    if table.install is True or (isinstance(table.install, str) and table.install != "editable"):
        shown = "true" if table.install is True else repr(table.install)
        raise bad("project.install", f"{shown} is not an install mode",
                  'write install = "editable" (from its folder), or false when the project is not a package')  # fmt: skip
    install = (
        "editable" if table.install == "editable" else "none" if table.install is False else "auto"
    )
    names: dict[str, tuple[str, ...]] = {}
    for key, values in (("groups", table.groups), ("extras", table.extras)):
        seen: list[str] = []
        for value in values:
            if not re.match(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$", value):
                raise bad(f"project.{key}", f"{value!r} is not a valid {key[:-1]} name")
            name = canonicalize_name(value)
            if name in seen:
                raise bad(f"project.{key}", f"{value!r} is listed twice")
            seen.append(name)
        names[key] = tuple(sorted(seen))
    if install == "none" and names["extras"]:
        raise bad("project.extras", "a project that is not installed has no extras",
                  'drop `extras`, or install it: install = "editable"')  # fmt: skip
    return ProjectRequest(install=install, groups=names["groups"], extras=names["extras"])


def _normalize_systems(names: tuple[str, ...], bad: _Bad) -> tuple[str, ...]:
    for name in names:
        if not re.match(SYSTEM_ID, name):
            close = did_you_mean(name, ECOSYSTEMS)
            raise bad("targets.systems", f"unknown system {name!r}",
                      f"{close + ' ' if close else ''}known: {', '.join(ECOSYSTEMS)} (or a release: debian+12)")  # fmt: skip
    if len(set(names)) != len(names):
        raise bad("targets.systems", "lists a system twice")
    return tuple(sorted(names))


def _normalize_system(table: dict[str, Any], bad: _Bad) -> tuple[SystemRequest, ...]:
    infer = table.get("infer", True)
    if not isinstance(infer, bool):
        raise bad("system.infer", "must be true or false")
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise bad("system.exclude", "must be a list of dependency ids or aliases")
    out = []
    for name in sorted(table):
        if name in ("infer", "exclude"):
            continue
        value = table[name]
        where = f"system.{name}"
        if not re.match(r"^[A-Za-z0-9:/+._@-]+$", name):
            raise bad(where, f"{name!r} is not a dependency id or alias")
        if not isinstance(value, dict):
            raise bad(where, "must be a table: {} for the mapped packages, or per-system overrides",
                      'e.g. imagemagick = { debian = ["imagemagick"], fedora = ["ImageMagick"] }')  # fmt: skip
        overrides: list[tuple[str, tuple[str, ...] | None]] = []
        versions = value.pop("version", {}) if isinstance(value.get("version"), dict) else {}
        if "version" in value:
            raise bad(f"{where}.version", "must be a table of exact versions per system",
                      'e.g. version = { debian = "2.10-3", fedora = "2.10" }')  # fmt: skip
        for system, version in sorted(versions.items()):
            if not re.match(SYSTEM_ID, system):
                raise bad(
                    f"{where}.version.{system}",
                    f"unknown system {system!r}",
                    did_you_mean(system, ECOSYSTEMS),
                )
            if not isinstance(version, str) or not re.match(SYSTEM_VERSION, version):
                raise bad(f"{where}.version.{system}", f"{version!r} is not a package version",
                          "an exact version as the package manager prints it: 2.10-3, 1:2.1.5-2")  # fmt: skip
            if pin_problem(system) is not None:
                raise bad(f"{where}.version.{system}", f"a version cannot be pinned on {system}: {pin_problem(system)}",
                          f"remove version.{system}; the other systems keep their pins")  # fmt: skip
        for system, packages in sorted(value.items()):
            if not re.match(SYSTEM_ID, system):
                close = did_you_mean(system, ECOSYSTEMS)
                raise bad(f"{where}.{system}", f"unknown system {system!r}", close)
            if packages is False:
                overrides.append((system, None))
                continue
            if not isinstance(packages, list) or not all(
                isinstance(p, str) and re.match(SYSTEM_PACKAGE, p) for p in packages
            ):
                raise bad(f"{where}.{system}", "must be a list of package names, or false for unavailable",
                          "package names are plain words: letters, digits and + . _ @ -")  # fmt: skip
            overrides.append((system, tuple(packages)))
        out.append(
            SystemRequest(
                name=name, overrides=tuple(overrides), versions=tuple(sorted(versions.items()))
            )
        )
    return tuple(out)


def _normalize_env(table: dict[str, Any], bad: _Bad) -> EnvRequest | None:
    if not table:
        return None
    preset = table.get("preset")
    if preset is not None and (not isinstance(preset, str) or preset not in ENV_PRESETS):
        close = did_you_mean(str(preset), ENV_PRESETS)
        raise bad(
            "env.preset",
            f"unknown preset {preset!r}",
            f"{close + ' ' if close else ''}known: {', '.join(ENV_PRESETS)}",
        )
    epoch = table.get("source-date-epoch", False)
    if not isinstance(epoch, bool):
        raise bad("env.source-date-epoch", "must be true or false")
    values = dict(ENV_PRESETS[preset]) if preset else {}
    for key, value in table.items():
        if key in ("preset", "source-date-epoch"):
            continue
        problem = env_problem(key, value if isinstance(value, str) else "")
        if problem is not None:
            raise bad(f"env.{key}", *problem)
        if not isinstance(value, str):
            raise bad(f"env.{key}", "must be a string", f'write {key} = "{value}"')
        values[key] = value
    if epoch and "SOURCE_DATE_EPOCH" in values:
        raise bad("env.SOURCE_DATE_EPOCH", "is set twice: by source-date-epoch = true and by hand")
    return EnvRequest(preset=preset if isinstance(preset, str) else None, source_date_epoch=epoch,
                      values=tuple(sorted(values.items())))  # fmt: skip


def _normalize_config(name: str, table: ConfigTable, bad: _Bad, python: str) -> ConfigRequest:
    where = f"config.{name}"
    if not re.match(NORMALIZED_NAME, name):
        raise bad(
            where,
            f"{name!r} is not a valid config name",
            "use lowercase letters, digits and single dashes",
        )
    tool = table.for_ if table.for_ is not None else name
    if not re.match(NORMALIZED_NAME, tool):
        raise bad(f"{where}.for", f"{tool!r} is not a tool name")
    preset_file: str | None = None
    preset_table: str | None = None
    preset_values: dict[str, Any] = {}
    whole = False
    if table.preset is not None:
        preset = _config_preset(where, tool, table.preset, table.for_ is not None, bad)
        preset_file, preset_table, whole = preset.file, preset.table, preset.table is None
        preset_values = substitute(preset.set, python)
    file = (table.file if table.file is not None else preset_file or "").strip()
    if table.file is None and preset_file is None:
        raise bad(where, "needs `file` (or a `preset` that names one)",
                  'e.g. file = "pyproject.toml", or preset = "deterministic"')  # fmt: skip
    parts = file.replace("\\", "/").split("/")
    if (
        not file
        or file.startswith("/")
        or ".." in parts
        or "\0" in file
        or "\n" in file
        or (len(file) > 1 and file[1] == ":")
    ):
        raise bad(f"{where}.file", f"{file!r} must be a relative path inside the project")
    if "\\" in file:
        raise bad(f"{where}.file", f"{file!r}: paths in dht.toml use `/`, on every OS",
                  f"write {file.replace(chr(92), '/')!r}")  # fmt: skip
    if reserved_path(file):
        raise bad(f"{where}.file", f"{file!r} is reserved (.git, .dht, .venv, dht.toml, dht.lock)")
    if whole:
        _claim(where, file, "file", None, bad)
        # A whole-file preset: its values (and the user's `set`) render to the file's text.
        if table.text is not None or table.table is not None or table.format not in (None, "file"):
            raise bad(where, f"the {table.preset!r} preset for {tool} writes the whole file {file}",
                      "change it with `set` (your keys win), or drop the preset and give `text`")  # fmt: skip
        values = merge(preset_values, table.set)
        _check_file_values(f"{where}.set", values, bad)
        text = render_file(tool, values)
        return ConfigRequest(name=name, file=file, format="file", table=None, values={}, text=text,
                             tool=tool, preset=table.preset)  # fmt: skip
    fmt = table.format or (
        "toml" if file.endswith(".toml") else "ini" if file.endswith((".cfg", ".ini")) else "file"
    )
    if fmt == "file":
        if table.text is None or table.set or table.preset is not None:
            raise bad(where, "a whole-file config needs `text` (and no `set`, `table` or `preset`)")
        if table.table is not None:
            raise bad(f"{where}.table", "a whole-file config has no table")
        _claim(where, file, fmt, None, bad)
        text = table.text if table.text.endswith("\n") else table.text + "\n"
        return ConfigRequest(name=name, file=file, format=fmt, table=None, values={}, text=text,
                             tool=tool)  # fmt: skip
    if table.text is not None:
        raise bad(f"{where}.text", f"`text` is for whole files; a {fmt} config takes `set`")
    if table.table is None and preset_table is not None and fmt != "toml":
        raise bad(f"{where}.table", f"the preset's table [{preset_table}] is a TOML table; {file} needs `table`",
                  'name the INI section, e.g. table = "tool:pytest" in setup.cfg')  # fmt: skip
    managed = table.table if table.table is not None else preset_table
    if not managed:
        raise bad(where, f'a {fmt} config needs `table` (e.g. table = "tool.{name}")')
    _claim(f"{where}.table", file, fmt, managed, bad)
    values = merge(preset_values, table.set)
    if fmt == "ini":
        _check_ini_values(f"{where}.set", values, bad)
    problem = section_problem(managed, ini=fmt == "ini") or config_text_problem(
        values, ini=fmt == "ini"
    )
    if problem is not None:
        raise bad(f"{where}.set", problem)
    return ConfigRequest(
        name=name,
        file=file,
        format=fmt,
        table=managed,
        values=values,
        text=None,
        tool=tool,
        preset=table.preset,
    )


def _claim(where: str, file: str, fmt: str, table: str | None, bad: _Bad) -> None:
    problem = config_claim_problem(file, fmt, table)
    if problem is not None:
        raise bad(where, problem, "manage a tool's own table or section, or a file of its own "
                  "(ruff.toml, .editorconfig, …)")  # fmt: skip


def _check_regions(configs: list[ConfigRequest], bad: _Bad) -> tuple[ConfigRequest, ...]:
    """Refuse two configs that write the same place: each apply would undo the other."""
    for config in configs:
        if (
            config.format == "toml"
            and config.table is not None
            and toml_table_path(config.table) is None
        ):
            raise bad(f"config.{config.name}.table", f"{config.table!r} is not a TOML table name",
                      'dotted keys, quoted where needed: "tool.ruff", \'tool."my.tool"\'')  # fmt: skip
    clash = region_clash([(f"config.{c.name}", c.file, c.format, c.table) for c in configs])
    if clash is not None:
        label, message = clash
        raise bad(label, message, "one region, one config: merge the entries (`set` wins over "
                  "the preset, key by key), or give one of them another `file` or `table`")  # fmt: skip
    return tuple(configs)


def _config_preset(where: str, tool: str, name: str, explicit: bool, bad: _Bad) -> ConfigPreset:
    if name not in CONFIG_PRESETS:
        close = did_you_mean(name, CONFIG_PRESETS)
        raise bad(f"{where}.preset", f"unknown preset {name!r}",
                  f"{close + ' ' if close else ''}known: {', '.join(CONFIG_PRESETS)}")  # fmt: skip
    presets = config_presets(name)
    if tool not in presets:
        close = did_you_mean(tool, presets)
        hint = f"{close + ' ' if close else ''}it has presets for: {', '.join(sorted(presets))}"
        if not explicit:
            hint += "; name the tool with `for = \"ruff\"` when the config's name is not the tool's"
        raise bad(f"{where}.for" if explicit else f"{where}.preset",
                  f"the {name!r} preset has nothing for {tool!r}", hint)  # fmt: skip
    return presets[tool]


def _check_file_values(where: str, values: dict[str, Any], bad: _Bad) -> None:
    """Whole-file values are `key = scalar` lines (and one level of sections): no newlines."""
    for key, value in values.items():
        items = value.items() if isinstance(value, dict) else [("", value)]
        for sub, leaf in items:
            spot = f"{where}.{key}" + (f".{sub}" if sub else "")
            if isinstance(leaf, dict) or (
                isinstance(leaf, list) and any(isinstance(v, dict | list) for v in leaf)
            ):
                raise bad(spot, "nests too deep for this file: give a string, number or boolean")
            if any(c in f"{key}{sub}{leaf}" for c in "\n\r\0"):
                raise bad(spot, "may not contain newlines or NUL")


def _check_ini_values(where: str, values: dict[str, Any], bad: _Bad) -> None:
    """An INI value is text: a string, number or boolean, or a list of those (one per line)."""
    for key, value in values.items():
        for leaf in value if isinstance(value, list) else [value]:
            if isinstance(leaf, dt.date | dt.time):
                raise bad(f"{where}.{key}", "an INI file has no dates or times",
                          f'write it as a string: {key} = "{leaf.isoformat()}"')  # fmt: skip
            if not isinstance(leaf, str | int | float | bool):
                raise bad(f"{where}.{key}", "an INI value is a string, number or boolean, or a list of those")  # fmt: skip


def _normalize_tool(key: str, value: str | ToolTable, bad: _Bad) -> Tool:
    table = ToolTable(version=value) if isinstance(value, str) else value
    where = f"tools.{key}"
    try:
        name_req = Requirement(key)
    except InvalidRequirement:
        raise bad(where, f"{key!r} is not a valid package name") from None
    if name_req.extras or name_req.specifier or name_req.marker or name_req.url:
        raise bad(
            where,
            f"the key {key!r} must be a bare package name",
            'put the version in the value: ruff = "==0.17.5"',
        )
    name = canonicalize_name(key)
    version = _normalize_specifier(
        table.version, f"{where}.version" if isinstance(value, ToolTable) else where, bad
    )
    extras: set[str] = set()
    for extra in table.extras:
        try:
            Requirement(f"x[{extra}]")
        except InvalidRequirement:
            raise bad(f"{where}.extras", f"{extra!r} is not a valid extra name") from None
        extras.add(canonicalize_name(extra))
    with_: set[str] = set()
    for entry in table.with_:
        try:
            req = Requirement(entry)
        except InvalidRequirement as exc:
            raise bad(f"{where}.with", f"{entry!r} is not a valid requirement: {exc}") from None
        if req.url:
            raise bad(
                f"{where}.with", f"{entry!r}: direct URLs cannot be locked with hashes per platform"
            )
        req.name = canonicalize_name(req.name)
        with_.add(str(req))
    if table.probe is not None:
        if not table.probe or not table.probe[0]:
            raise bad(f"{where}.probe", "must be a non-empty command (argv list)")
        for arg in table.probe:
            if "\0" in arg or "\n" in arg:
                raise bad(f"{where}.probe", "arguments may not contain NUL or newline characters")
    request = ToolRequest(
        version=version,
        extras=tuple(sorted(extras)),
        with_=tuple(sorted(with_)),
        isolated=table.isolated,
        probe=table.probe,
    )
    return Tool(name=name, request=request)


def _normalize_specifier(text: str, where: str, bad: _Bad) -> str:
    text = text.strip()
    if text in ("", "*"):
        return ""
    if text[0].isdigit():
        try:
            return f"=={Version(text)}"
        except InvalidVersion:
            pass
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier:
        raise bad(
            where,
            f"{text!r} is not a version specifier",
            'use PEP 440 forms like "==0.17.5", "~=26.10", ">=9,<10"',
        ) from None
    return str(spec)


def _normalize_time(text: str | None, bad: _Bad) -> str | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.removeprefix("naive:").replace("Z", "+00:00"))
    except ValueError:
        raise bad(
            "index.exclude-newer",
            f"{text!r} is not an RFC 3339 date-time",
            'write it like "2026-11-01T00:00:00Z"',
        ) from None
    if value.tzinfo is None:
        raise bad(
            "index.exclude-newer", "needs a time zone", 'write it like "2026-11-01T00:00:00Z"'
        )
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(key: str, message: str, file: str, text: str, hint: str | None) -> InputError:
    line = find_line(text, key.split("."))
    return InputError(f"{key}: {message}", where=f"{file}:{line}" if line else file, hint=hint)


def _fail(key: str, message: str, file: str, text: str) -> None:
    raise _error(key, message, file, text, None)
