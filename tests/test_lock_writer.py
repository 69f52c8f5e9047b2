"""The lock's two writers give the same bytes: the fast one for the usual values, tomlkit's
for the rest. Every case is also read back to the values it was written from."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from dht.model import lock as lock_model
from dht.model.lock import LockConfig, dumps, parse_lock

ROOT = Path(__file__).resolve().parents[1]
SHA = "0" * 64


def _data(lock: lock_model.Lock) -> dict[str, Any]:
    return msgspec.to_builtins(lock_model.canonical(lock), builtin_types=lock_model.TOML_TIMES)


@pytest.mark.parametrize("path", ["example/dht.lock", "dht.lock"])
def test_shipped_locks_take_the_fast_path_to_the_same_bytes(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    data = _data(parse_lock(text))
    assert lock_model._fast_dumps(data) == text  # fast, and canonical
    assert lock_model._tomlkit_dumps(data) == text


def _with_values(values: dict[str, Any]) -> lock_model.Lock:
    base = parse_lock((ROOT / "example" / "dht.lock").read_text(encoding="utf-8"))
    config = LockConfig(name="x", file="x.toml", format="toml", table="tool.x", values=values, sha256=SHA)  # fmt: skip
    return msgspec.structs.replace(base, configs=(config,))


FAST = {
    "strings": {"a": 'say "hi"', "b": "back\\slash", "c": "two\nlines", "d": ""},
    "numbers and flags": {"n": 0, "m": -12, "big": 2**40, "yes": True, "no": False},
    "arrays": {
        "empty": [],
        "mixed": [1, "a", True],
        "nested": [[1, 2], []],
        "tables": [{"a": 1}, {}],
    },
    "inline tables": {"inline": [{"module": ["a.*"], "ignore_errors": True}]},
    "sub-tables": {
        "plain": 1,
        "lint": {"select": ["E"], "isort": {"known": ["x"]}},
        "format": {"q": "d"},
    },
    "empty sub-table": {"plain": 1, "empty": {}},
}
SLOW = {
    "a float": {"f": 1.5},
    "a date-time": {"when": dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.UTC)},
    "a date": {"day": dt.date(2026, 11, 25)},
    "a tab": {"t": "a\tb"},
    "non-ASCII": {"u": "café"},
    "a quoted key": {"tests/*.py": ["S101"]},
    "a table of tables only": {"lint": {"select": ["E"]}},
}


@pytest.mark.parametrize("values", list(FAST.values()), ids=list(FAST))
def test_fast_writer_matches_tomlkit(values: dict[str, Any]) -> None:
    data = _data(_with_values(values))
    fast = lock_model._fast_dumps(data)
    assert fast is not None
    assert fast == lock_model._tomlkit_dumps(data)
    assert tomllib.loads(fast)["configs"][0].get("values", {}) == values


@pytest.mark.parametrize("values", list(SLOW.values()), ids=list(SLOW))
def test_unusual_values_take_tomlkits_path(values: dict[str, Any]) -> None:
    lock = _with_values(values)
    assert lock_model._fast_dumps(_data(lock)) is None
    assert tomllib.loads(dumps(lock))["configs"][0]["values"] == values
