"""The shipped system-dependency table (dht/data/system_deps.json) is well-formed, covers what
dht's inference needs, and is exactly what tools/build_system_deps.py produces."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLE_PATH = ROOT / "dht" / "data" / "system_deps.json"
DATA = ROOT.parent / "shared" / "data" / "system-deps"
ECOSYSTEMS = [
    "alpine",
    "arch",
    "choco",
    "debian",
    "fedora",
    "homebrew",
    "opensuse",
    "ubuntu",
    "winget",
]
ID_RE = re.compile(r"^dep:(generic|virtual|github)/[A-Za-z0-9][A-Za-z0-9._+/-]*$")
ECO_KEY_RE = re.compile(r"^([a-z]+)(\+[0-9][0-9.]*)?$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+._@-]*$")


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    return data


def lookup(table: dict[str, Any], dep: str, side: str, eco: str) -> list[str] | None:
    """The versioned id wins over the bare one; KeyError when not covered."""
    mapping = table["deps"][dep][side]
    if eco in mapping:
        return mapping[eco]  # type: ignore[no-any-return]
    return mapping[eco.split("+", 1)[0]]  # type: ignore[no-any-return]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_system_deps", ROOT / "tools" / "build_system_deps.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def test_format_and_ecosystems(table: dict[str, Any]) -> None:
    assert table["format"] == 1
    assert table["ecosystems"] == ECOSYSTEMS
    assert set(table) == {"format", "ecosystems", "deps"}
    assert len(table["deps"]) >= 150


def test_entries_well_formed(table: dict[str, Any]) -> None:
    for dep_id, entry in table["deps"].items():
        assert ID_RE.match(dep_id), dep_id
        assert set(entry) == {"aliases", "summary", "build", "run"}, dep_id
        assert isinstance(entry["summary"], str) and entry["summary"], dep_id
        assert entry["build"], f"{dep_id}: no ecosystem covered"
        for side in ("build", "run"):
            for key, value in entry[side].items():
                m = ECO_KEY_RE.match(key)
                assert m and m.group(1) in ECOSYSTEMS, f"{dep_id} {side}: unknown ecosystem {key}"
                if value is None:
                    continue
                assert isinstance(value, list), f"{dep_id} {side} {key}"
                assert len(value) == len(set(value)), f"{dep_id} {side} {key}: duplicates"
                for name in value:
                    assert isinstance(name, str) and NAME_RE.match(name), (dep_id, key, name)


def test_aliases_unique_and_resolve(table: dict[str, Any]) -> None:
    ids = set(table["deps"])
    seen: dict[str, str] = {}
    for dep_id, entry in table["deps"].items():
        for alias in entry["aliases"]:
            assert alias == alias.lower() and alias.strip() == alias and alias, alias
            assert alias not in ids, f"alias {alias} is also an id"
            assert alias not in seen, f"alias {alias} used by {seen.get(alias)} and {dep_id}"
            seen[alias] = dep_id
    for short in ("libpq", "openssl", "zlib", "libjpeg", "c-compiler", "pkg-config", "git"):
        assert short in seen, short


@pytest.mark.skipif(
    not (DATA / "external-deps-build").is_dir(), reason=f"{DATA}/external-deps-build is absent"
)
def test_every_external_dep_id_is_covered(table: dict[str, Any]) -> None:
    wanted: set[str] = set()
    for path in (DATA / "external-deps-build").glob("*.toml"):
        external = tomllib.loads(path.read_text(encoding="utf-8")).get("external", {})
        for value in external.values():
            groups = value.values() if isinstance(value, dict) else [value]
            for group in groups:
                wanted.update(v.split("@", 1)[0] for v in group if v.startswith("dep:"))
    assert wanted, "no ids found"
    assert sorted(wanted - set(table["deps"])) == []


@pytest.mark.skipif(not DATA.is_dir(), reason=f"data sets not found at {DATA}")
def test_generator_is_deterministic_and_matches_committed() -> None:
    gen = load_generator()
    first, _ = gen.build(DATA)
    second, _ = gen.build(DATA)
    text = gen.render(first)
    assert text == gen.render(second)
    assert text.endswith("\n") and "\r" not in text
    assert TABLE_PATH.read_bytes() == text.encode("utf-8"), (
        "dht/data/system_deps.json is stale: run `python tools/build_system_deps.py`"
    )


@pytest.mark.parametrize(
    ("dep", "side", "eco", "expected"),
    [
        ("dep:generic/libpq", "build", "debian", ["libpq-dev"]),
        ("dep:generic/libpq", "build", "fedora", ["libpq-devel"]),
        ("dep:generic/libpq", "build", "arch", ["postgresql-libs"]),
        ("dep:generic/libpq", "build", "homebrew", ["libpq"]),
        ("dep:generic/libpq", "run", "debian+12", ["libpq5"]),
        ("dep:generic/openssl", "build", "arch", ["openssl"]),
        ("dep:generic/openssl", "build", "alpine", ["openssl-dev"]),
        ("dep:generic/openssl", "build", "debian+12", ["libssl-dev"]),
        ("dep:generic/openssl", "run", "debian+12", ["libssl3"]),
        ("dep:generic/openssl", "run", "debian+13", ["libssl3t64"]),
        ("dep:generic/openssl", "run", "ubuntu+24.04", ["libssl3t64"]),
        ("dep:generic/openssl", "run", "ubuntu+22.04", ["libssl3"]),
        ("dep:generic/libpng", "run", "ubuntu+24.04", ["libpng16-16t64"]),
        ("dep:generic/zlib", "build", "ubuntu", ["zlib1g-dev"]),
        ("dep:generic/libjpeg", "build", "debian", ["libjpeg-dev"]),
        ("dep:generic/libtiff", "build", "arch", ["libtiff"]),
        ("dep:generic/libffi", "build", "fedora", ["libffi-devel"]),
        ("dep:generic/libxml2", "build", "fedora", ["libxml2-devel"]),
        ("dep:generic/git", "build", "winget", ["Git.Git"]),
        ("dep:generic/git", "run", "choco", ["git"]),
        ("dep:virtual/compiler/c", "build", "debian", ["gcc", "libc6-dev"]),
        ("dep:generic/ninja", "build", "debian", ["ninja-build"]),
    ],
)
def test_spot_checks(
    table: dict[str, Any], dep: str, side: str, eco: str, expected: list[str]
) -> None:
    assert lookup(table, dep, side, eco) == expected


def test_homebrew_openssl_and_unavailable(table: dict[str, Any]) -> None:
    assert lookup(table, "dep:generic/openssl", "build", "homebrew") in (["openssl@3"], ["openssl"])
    # "unavailable" (null) is distinct from "nothing to install" ([]) and from "unknown" (absent)
    assert lookup(table, "dep:generic/libpq", "build", "winget") is None
    assert lookup(table, "dep:generic/eigen", "run", "debian") == []
    assert "debian" not in table["deps"]["dep:generic/icu"]["run"]  # soname differs per release
    assert lookup(table, "dep:generic/libudev", "build", "homebrew") is None
