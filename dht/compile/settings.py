"""The parts of the lock that need no index: environment variables and config blobs.

Recorded in full with a content hash, so the executor needs nothing else and a
review shows every value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
from packaging.utils import canonicalize_name
from packaging.version import Version

from dht.errors import InputError, did_you_mean
from dht.model.intent import INTENT_FILE, Intent
from dht.model.lock import TOML_TIMES, LockConfig, LockedTool, LockEnv, Package, content_hash
from dht.model.presets import config_presets, leaf_keys
from dht.model.toml import find_line


def compile_env(intent: Intent) -> LockEnv | None:
    if intent.env is None:
        return None
    values = dict(intent.env.values)
    return LockEnv(
        preset=intent.env.preset,
        source_date_epoch=intent.env.source_date_epoch,
        values=values,
        sha256=content_hash({"values": values, "source-date-epoch": intent.env.source_date_epoch}),
    )


def compile_configs(intent: Intent) -> tuple[LockConfig, ...]:
    out = []
    for config in intent.configs:
        body = config.text if config.format == "file" else config.values
        identity: dict[str, Any] = {
            "file": config.file,
            "format": config.format,
            "table": config.table,
            "body": body,
        }
        times = _time_paths(config.values)
        if times:
            # JSON writes a date-time as its text: say which values are typed, so that
            # a string and the date-time it spells have different hashes.
            identity["times"] = times
        out.append(
            LockConfig(
                name=config.name,
                file=config.file,
                format=config.format,  # type: ignore[arg-type]
                table=config.table,
                values=dict(config.values),
                text=config.text,
                sha256=content_hash(identity),
            )
        )
    return tuple(out)


def _time_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[list[str | int]]:
    """Key paths of the TOML dates and times in `value`, in sorted key order."""
    if isinstance(value, TOML_TIMES):
        return [list(path)]
    if isinstance(value, Mapping):
        return [p for k in sorted(value) for p in _time_paths(value[k], (*path, k))]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in _time_paths(v, (*path, i))]
    return []


# The lock-time check of config settings against what the locked tool version knows.

SETTINGS_DATA = Path(__file__).resolve().parents[1] / "data" / "tool_settings.json"
# ruff still reads [tool.ruff] keys that moved under `lint` (with a deprecation warning).
_MOVED_FROM_ROOT = {"ruff": "lint."}
_PLUGGABLE = {"pytest"}


class _PluginData(msgspec.Struct, frozen=True):
    version: str  # the release whose settings these are
    settings: tuple[str, ...]


class _ToolData(msgspec.Struct, frozen=True, rename="kebab"):
    table: str
    dashes_are_underscores: bool
    checked: tuple[str, ...]
    settings: dict[str, dict[str, str]]
    plugins: dict[str, _PluginData] = {}


class _SettingsData(msgspec.Struct, frozen=True):
    format: int
    tools: dict[str, _ToolData]


@cache
def settings_data() -> dict[str, _ToolData]:
    return msgspec.json.decode(SETTINGS_DATA.read_bytes(), type=_SettingsData).tools


class UnknownSetting(msgspec.Struct, frozen=True):
    config: str  # the config entry's name
    key: str  # dotted, relative to the config's table
    from_preset: bool
    message: str
    hint: str | None
    certain: bool  # the data covers the locked version: an error, not a warning

    @property
    def where(self) -> str:
        if self.from_preset:
            return f"config.{self.config}.preset"
        return f"config.{self.config}.set.{self.key}"


def check_settings(
    intent: Intent, tools: Sequence[LockedTool], packages: Sequence[Package] = ()
) -> list[UnknownSetting]:
    """Every setting of a `[config.*]` entry (its `set` and preset) the tool's locked version may not know.

    `certain` findings are for a version whose minor release the data was taken
    from; for other versions, and for tools dht does not lock, they are only
    likely. Configs of tools without data, and tables other than the tool's
    own pyproject.toml table, are not checked."""
    versions = {t.name: t.version for t in tools}
    by_name = {t.name: t for t in tools}
    out: list[UnknownSetting] = []
    for config in intent.configs:
        if config.format != "toml" or config.table is None or not config.tool:
            continue
        data = settings_data().get(config.tool)
        if data is None:
            continue
        if config.table == data.table:
            prefix = ""
        elif config.table.startswith(data.table + "."):
            prefix = config.table[len(data.table) + 1 :] + "."
        else:
            continue
        version = versions.get(canonicalize_name(config.tool))
        preset_keys: set[str] = set()
        if config.preset is not None:
            preset_keys = set(leaf_keys(config_presets(config.preset)[config.tool].set))
        check = _Checker(config.name, config.tool, data, version, preset_keys, prefix)
        tool = by_name.get(canonicalize_name(config.tool))
        # Plugins add pytest settings: unless pytest has an environment of its own and
        # nothing beside it, an unknown key may be a plugin's (anyio, pytest-cov, …).
        check.plugins = config.tool in _PLUGGABLE and (
            tool is None or not tool.request.isolated or bool(tool.request.with_)
        )
        if tool is not None:
            check.beside = {p.name for p in packages if p.environment == tool.environment}
        check.walk(config.values, prefix)
        out += check.found
    return out


class _Checker:
    def __init__(
        self,
        config: str,
        tool: str,
        data: _ToolData,
        version: str | None,
        preset_keys: set[str],
        prefix: str,
    ) -> None:
        self.config, self.tool, self.data, self.prefix = config, tool, data, prefix
        self.preset_keys = preset_keys
        self.version = Version(version) if version is not None else None
        minors = {_minor(Version(v)) for v in data.checked}
        self.certain = self.version is not None and _minor(self.version) in minors
        self.settings = {self._norm(k): v for k, v in data.settings.items()}
        self.sections = {
            k.rsplit(".", n)[0] for k in self.settings for n in range(1, k.count(".") + 1)
        }
        self.found: list[UnknownSetting] = []
        self.plugins = False
        self.beside: set[str] = set()  # the packages locked in the tool's environment
        self.providers: dict[str, list[str]] = {}  # a plugin's setting -> the plugins with it
        for plugin, known in sorted(data.plugins.items()):
            for key in known.settings:
                self.providers.setdefault(self._norm(key), []).append(plugin)

    def _norm(self, key: str) -> str:
        return key.replace("-", "_") if self.data.dashes_are_underscores else key

    def walk(self, values: Mapping[str, Any], prefix: str) -> None:
        for key, value in values.items():
            name = self._norm(prefix + key)
            if name in self.settings:
                self._versioned(prefix + key, self.settings[name])
            elif name in self.sections and isinstance(value, Mapping):
                self.walk(value, prefix + key + ".")
            elif name in self.providers:
                self._plugin_setting(prefix + key, self.providers[name])
            elif not self._moved(prefix + key):
                self._unknown(prefix, key, "has no setting")

    def _plugin_setting(self, key: str, providers: list[str]) -> None:
        """A plugin's setting is known when one of the plugins that has it is locked beside
        the tool; otherwise the tool would warn about it, and so does dht, naming them."""
        if self.beside & set(providers):
            return
        names = " or ".join(providers)
        relative = key[len(self.prefix) :]
        self.found.append(
            UnknownSetting(
                config=self.config,
                key=relative,
                from_preset=relative in self.preset_keys,
                message=f"{self._release()} knows {key!r} only from a plugin ({names}), "
                "and none is locked beside it",
                hint=f"add {providers[0]} to tools.{self.tool}.with (or to the project's test group)",
                certain=False,
            )
        )

    def _moved(self, key: str) -> bool:
        moved = _MOVED_FROM_ROOT.get(self.tool)
        if moved is None or "." in key:
            return False
        target = self._norm(moved + key)
        return target in self.settings or target in self.sections

    def _versioned(self, key: str, entry: dict[str, str]) -> None:
        if self.version is None:
            return
        since, removed = entry.get("since"), entry.get("removed")
        mine = _minor(self.version)
        if since is not None and mine < _minor(Version(since)):
            self._add(key, f"{self._release()} does not know {key!r}: it came in {since}", None)
        elif removed is not None and mine >= _minor(Version(removed)):
            self._add(key, f"{self._release()} does not know {key!r}: it was removed in {removed}", None)  # fmt: skip

    def _unknown(self, prefix: str, key: str, what: str) -> None:
        siblings = {
            k[len(prefix) :].split(".")[0]
            for k in [*self.data.settings, *self.sections]
            if k.startswith(prefix)
        }
        dotted = prefix + key
        close = did_you_mean(key, siblings)
        self._add(dotted, f"{self._release()} {what} {dotted!r}", close, plugin=self.plugins)

    def _release(self) -> str:
        return f"{self.tool} {self.version}" if self.version is not None else self.tool

    def _add(self, key: str, message: str, close: str | None, *, plugin: bool = False) -> None:
        relative = key[len(self.prefix) :]
        from_preset = relative in self.preset_keys
        covered = f"{self.data.checked[0]} to {self.data.checked[-1]}"
        if self.version is None:
            hint = f"{self.tool} is not in [tools], so dht cannot tell its version; its data covers {covered}"
        elif plugin:
            hint = f"unless a {self.tool} plugin in its environment adds it (dht knows only {self.tool}'s own settings)"
        elif self.certain:
            line = ".".join(map(str, _minor(self.version)))
            hint = f"dht has the full list of {self.tool} {line}.x settings (dht/data/tool_settings.json)"
        else:
            hint = f"dht's list of {self.tool} settings covers {covered}, so this may be a newer or older setting"
        if from_preset:
            hint = f"lock a {self.tool} version that knows it ({covered} do), or drop the preset"
        self.found.append(
            UnknownSetting(
                config=self.config,
                key=relative,
                from_preset=from_preset,
                message=message,
                hint=f"{close} {hint}" if close else hint,
                certain=self.certain and not plugin,
            )
        )


def _minor(version: Version) -> tuple[int, int]:
    release = (*version.release, 0)
    return release[0], release[1]


def raise_unknown_settings(
    intent: Intent,
    tools: Sequence[LockedTool],
    packages: Sequence[Package],
    root: Path | None,
    warn: Callable[[str], None] | None,
) -> None:
    """Raise on the first setting the locked version surely lacks; pass the likely ones to `warn`."""
    found = check_settings(intent, tools, packages)
    errors = [f for f in found if f.certain]
    if errors:
        first = errors[0]
        line = None
        if root is not None and (root / INTENT_FILE).is_file():
            text = (root / INTENT_FILE).read_text(encoding="utf-8", errors="replace")
            line = find_line(text, first.where.split("."))
        where = f"{INTENT_FILE}:{line}" if line else INTENT_FILE
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{first.where}: {first.message}{more}", where=where, hint=first.hint)
    if warn is not None:
        for finding in found:
            warn(f"{finding.where}: {finding.message}\n  hint: {finding.hint}")
