"""Named sets of values the intent can ask for by name.

Environment presets live here; config presets live in `dht/data/presets/NAME.toml`,
one table per tool: where the config goes, its values and why each is there.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

# The environment that makes Python runs repeatable: one hash seed, one time
# zone, one locale, no stray bytecode, unbuffered output.
ENV_PRESETS: dict[str, dict[str, str]] = {
    "deterministic": {
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
        "TZ": "UTC",
    },
}

PRESET_DIR = Path(__file__).resolve().parents[1] / "data" / "presets"
CONFIG_PRESETS: tuple[str, ...] = ("deterministic",)


class ConfigPreset(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One tool's preset: where it goes, its values, one line on why for each setting."""

    file: str
    set: dict[str, Any]
    why: dict[str, str]
    table: str | None = None  # None: a whole file, rendered from `set`


@cache
def config_presets(name: str) -> dict[str, ConfigPreset]:
    """Tool -> preset, for the preset `name` (one of CONFIG_PRESETS)."""
    data = tomllib.loads((PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    return msgspec.convert(data, dict[str, ConfigPreset])


def leaf_keys(values: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted names of the settings in a nested table (the keys that are not tables)."""
    out: list[str] = []
    for key, value in values.items():
        if isinstance(value, Mapping):
            out += leaf_keys(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` wins, key by key in nested tables; lists and scalars are replaced, not merged."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def substitute(values: Any, python: str) -> Any:
    """Fill in `${python}` ("3.11") and `${python_nodot}` ("311") from the project's Python."""
    minor = ".".join(python.split(".")[:2])
    if isinstance(values, str):
        return values.replace("${python_nodot}", minor.replace(".", "")).replace("${python}", minor)
    if isinstance(values, Mapping):
        return {k: substitute(v, python) for k, v in values.items()}
    if isinstance(values, list):
        return [substitute(v, python) for v in values]
    return values


def render_file(tool: str, values: Mapping[str, Any]) -> str:
    """The text of a whole-file preset (.editorconfig, .gitattributes) from its values."""
    if tool == "gitattributes":
        return "".join(f"{pattern} {_scalar(attrs)}\n" for pattern, attrs in values.items())
    lines = [f"{k} = {_scalar(v)}" for k, v in values.items() if not isinstance(v, Mapping)]
    for section, body in values.items():
        if isinstance(body, Mapping):
            if lines:
                lines.append("")
            lines.append(f"[{section}]")
            lines += [f"{k} = {_scalar(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_scalar(v) for v in value)
    return str(value)
