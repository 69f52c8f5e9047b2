"""Config entries that would fight over one region, and TOML dates and times in
config values: refused at lock time (and in an edited lock), or carried typed from
dht.toml through dht.lock into the project file."""

from __future__ import annotations

import datetime as dt
import platform
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.compile.settings import compile_configs
from dht.errors import InputError
from dht.model.intent import parse_intent
from dht.model.lock import LOCK_VERSION, Lock, LockIndex, dumps, parse_lock
from dht.model.regions import toml_table_path

HEAD = f'[project]\npython = "{platform.python_version()}"\n\n'  # exact: apply builds on it


def dht(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["-C", str(root), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# 1. Two configs, one region.

CLASHES = {
    "preset and for name the same table": (
        '[config.ruff]\npreset = "deterministic"\n'
        '[config.ruff2]\nfor = "ruff"\npreset = "deterministic"\nset = { line-length = 50 }\n',
        "config.ruff2: manages pyproject.toml [tool.ruff], as config.ruff does",
    ),
    "a table inside another": (
        '[config.ruff]\npreset = "deterministic"\n'
        '[config.sub]\nfile = "pyproject.toml"\ntable = "tool.ruff.lint"\nset = {}\n',
        "config.sub: manages pyproject.toml [tool.ruff.lint], inside [tool.ruff] that config.ruff manages",
    ),
    "a table holding another": (
        '[config.a]\nfile = "pyproject.toml"\ntable = "tool.ruff.lint"\nset = {}\n'
        '[config.b]\nfile = "pyproject.toml"\ntable = "tool.ruff"\nset = {}\n',
        "config.b: manages pyproject.toml [tool.ruff], which holds [tool.ruff.lint] that config.a manages",
    ),
    "the same path spelled another way": (
        '[config.a]\nfile = "./conf//x.toml"\ntable = "tool.x"\nset = {}\n'
        '[config.b]\nfile = "conf/x.toml"\ntable = \'tool . "x"\'\nset = {}\n',
        'config.b: manages conf/x.toml [tool . "x"], as config.a does',
    ),
    "an INI section twice": (
        '[config.a]\nfile = "setup.cfg"\ntable = "flake8"\nset = { max-line-length = 88 }\n'
        '[config.b]\nfile = "./setup.cfg"\ntable = "flake8"\nset = { select = "E" }\n',
        "config.b: manages ./setup.cfg [flake8], as config.a does",
    ),
    "a part of a whole file": (
        '[config.a]\nfile = "lint.cfg"\ntable = "tox"\nset = { envlist = "py311" }\n'
        '[config.b]\nfile = "lint.cfg"\nformat = "file"\ntext = "[tox]\\n"\n',
        "config.b: writes the whole of lint.cfg, where config.a manages a part",
    ),
    "a whole file and a part": (
        '[config.a]\nfile = ".editorconfig"\ntext = "root = true\\n"\n'
        '[config.b]\nfile = ".editorconfig"\nformat = "ini"\ntable = "*"\nset = { indent_size = 4 }\n',
        "config.b: manages a part of .editorconfig, which config.a writes as a whole file",
    ),
    "a whole-file preset and a whole file": (
        '[config.editorconfig]\npreset = "deterministic"\n'
        '[config.mine]\nfile = ".editorconfig"\ntext = "root = true\\n"\n',
        "config.mine: writes .editorconfig, as config.editorconfig does",
    ),
    "one file as TOML and as INI": (
        '[config.a]\nfile = "x.cfg"\nformat = "toml"\ntable = "x"\nset = {}\n'
        '[config.b]\nfile = "x.cfg"\ntable = "y"\nset = {}\n',
        "config.b: manages x.cfg as INI, but config.a manages it as TOML",
    ),
}


@pytest.mark.parametrize("case", sorted(CLASHES))
def test_configs_writing_the_same_region_are_refused(case: str) -> None:
    body, message = CLASHES[case]
    with pytest.raises(InputError) as exc:
        parse_intent(HEAD + body)
    assert exc.value.message == message
    # The line of the later entry: the one to merge or move.
    line = (HEAD + body).splitlines().index(f"[{message.split(':')[0]}]") + 1
    assert exc.value.where == f"dht.toml:{line}"
    assert exc.value.hint is not None and "merge the entries" in exc.value.hint


def test_neighbouring_regions_are_fine() -> None:
    intent = parse_intent(
        HEAD
        + '[config.lint]\nfile = "pyproject.toml"\ntable = "tool.ruff.lint"\nset = {}\n'
        + '[config.format]\nfile = "pyproject.toml"\ntable = "tool.ruff.format"\nset = {}\n'
        + '[config.ruffx]\nfile = "pyproject.toml"\ntable = "tool.ruffx"\nset = {}\n'
        + '[config.dotted]\nfile = "pyproject.toml"\ntable = \'tool."ruff.lint"\'\nset = {}\n'
        + '[config.other]\nfile = "sub/pyproject.toml"\ntable = "tool.ruff"\nset = {}\n'
        + '[config.ini1]\nfile = "setup.cfg"\ntable = "flake8"\nset = {}\n'
        + '[config.ini2]\nfile = "setup.cfg"\ntable = "tool:pytest"\nset = {}\n'
    )
    assert len(intent.configs) == 7


def test_a_table_that_is_not_a_toml_table_name_is_refused_at_lock_time() -> None:
    assert toml_table_path('tool."a.b" . c') == ("tool", "a.b", "c")
    for bad in ("tool..ruff", "tool.ruff]\nx = 1\n[y", "", "[tool.ruff]"):
        assert toml_table_path(bad) is None
    with pytest.raises(InputError, match=r"config\.a\.table: 'tool\.\.ruff' is not a TOML table"):
        parse_intent(HEAD + '[config.a]\nfile = "pyproject.toml"\ntable = "tool..ruff"\nset = {}\n')


def test_cli_refuses_the_reported_repro_and_writes_no_lock(tmp_path: Path) -> None:
    (tmp_path / "dht.toml").write_text(HEAD + CLASHES["preset and for name the same table"][0])
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    result = dht(tmp_path, "lock")
    assert result.exit_code != 0
    assert "config.ruff2: manages pyproject.toml [tool.ruff], as config.ruff does" in result.output
    assert not (tmp_path / "dht.lock").exists()


def _lock_with(*configs: dict[str, Any]) -> str:
    """A valid lock's text, with `configs` spliced in as a hostile pull request would."""
    lock = Lock(
        lock_version=LOCK_VERSION,
        python="3.11",
        platforms=("linux-x86_64",),
        index=LockIndex(url="https://pypi.org/simple"),
    )
    text = dumps(lock)
    for config in configs:
        values = config.pop("values", {})
        text += "\n[[configs]]\n" + "".join(f"{k} = {v!r}\n" for k, v in config.items())
        text += f'sha256 = "{"0" * 64}"\n'
        text += "[configs.values]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    return text.replace("'", '"')


@pytest.mark.parametrize(
    ("configs", "message"),
    [
        (
            [
                {"name": "a", "file": "pyproject.toml", "format": "toml", "table": "tool.ruff"},
                {
                    "name": "b",
                    "file": "./pyproject.toml",
                    "format": "toml",
                    "table": "tool.ruff.lint",
                },
            ],
            "configs.b: manages ./pyproject.toml [tool.ruff.lint], inside [tool.ruff] that configs.a manages",
        ),
        (
            [
                {"name": "a", "file": "setup.cfg", "format": "ini", "table": "flake8"},
                {"name": "b", "file": "setup.cfg", "format": "ini", "table": "flake8"},
            ],
            "configs.b: manages setup.cfg [flake8], as configs.a does",
        ),
        (
            [
                {"name": "a", "file": ".gitattributes", "format": "file", "text": "x"},
                {"name": "b", "file": ".gitattributes", "format": "file", "text": "y"},
            ],
            "configs.b: writes .gitattributes, as configs.a does",
        ),
        (
            [
                {"name": "a", "file": "a.toml", "format": "toml", "table": "x"},
                {"name": "a", "file": "b.toml", "format": "toml", "table": "y"},
            ],
            "configs[1].name: config 'a' appears twice",
        ),
        (
            [{"name": "a", "file": "a.toml", "format": "toml", "table": "x..y"}],
            "configs[0].table: 'x..y' is not a TOML table name",
        ),
    ],
)
def test_an_edited_lock_with_clashing_configs_is_refused(
    configs: list[dict[str, Any]], message: str
) -> None:
    text = _lock_with(*configs)
    with pytest.raises(InputError) as exc:
        parse_lock(text)
    assert exc.value.message == message


def test_lock_check_refuses_a_hostile_lock(tmp_path: Path) -> None:
    (tmp_path / "dht.toml").write_text(
        HEAD + '[config.a]\nfile = "pyproject.toml"\ntable = "tool.ruff"\nset = { x = 1 }\n'
    )
    assert dht(tmp_path, "lock").exit_code == 0
    good = (tmp_path / "dht.lock").read_text()
    assert dht(tmp_path, "lock", "--check").exit_code == 0
    hostile = good + (
        '\n[[configs]]\nname = "b"\nfile = "pyproject.toml"\nformat = "toml"\n'
        f'table = "tool.ruff.lint"\nsha256 = "{"1" * 64}"\n'
    )
    (tmp_path / "dht.lock").write_text(hostile)
    for command in (["lock", "--check"], ["apply"]):
        result = dht(tmp_path, *command)
        assert result.exit_code == 1, result.output  # an error, not EXIT_DIFF
        assert "configs.b: manages pyproject.toml [tool.ruff.lint], inside [tool.ruff]" in (
            result.output
        )
    assert not (tmp_path / "pyproject.toml").exists()  # apply changed nothing


# 2. TOML dates and times.

TIMES = (
    "when = 1979-05-27T07:32:00Z\n"
    "offset = 1979-05-27T00:32:00.5-07:00\n"
    "local = 1979-05-27T07:32:00.999999\n"
    "day = 1979-05-27\n"
    "clock = 07:32:00\n"
    'text = "1979-05-27T07:32:00Z"\n'
    "many = [1979-05-27, 1980-01-01]\n"
    "inner = { at = 2026-11-25T10:00:00Z }\n"
)


def test_dates_and_times_round_trip_through_lock_and_apply(tmp_path: Path) -> None:
    (tmp_path / "dht.toml").write_text(
        HEAD + '[config.thing]\nfile = "pyproject.toml"\ntable = "tool.thing"\n\n'
        "[config.thing.set]\n" + TIMES
    )
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert dht(tmp_path, "lock").exit_code == 0
    lock_text = (tmp_path / "dht.lock").read_text()
    assert "when = 1979-05-27T07:32:00Z\n" in lock_text  # a TOML date-time, not a string
    assert 'text = "1979-05-27T07:32:00Z"\n' in lock_text
    checked = dht(tmp_path, "lock", "--check")
    assert checked.exit_code == 0, checked.output

    applied = dht(tmp_path, "apply")
    assert applied.exit_code == 0, applied.output
    written = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["thing"]
    assert written == tomllib.loads(TIMES)
    assert written["when"] == dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.UTC)
    assert isinstance(written["day"], dt.date) and isinstance(written["text"], str)

    before = (tmp_path / "pyproject.toml").read_bytes()
    again = dht(tmp_path, "apply")
    assert again.exit_code == 0 and "0 changed" in again.output, again.output
    assert (tmp_path / "pyproject.toml").read_bytes() == before
    assert dht(tmp_path, "verify").exit_code == 0


def test_a_date_time_and_the_string_spelling_it_are_different_locks() -> None:
    def config(value: str) -> Any:
        text = HEAD + f'[config.a]\nfile = "a.toml"\ntable = "a"\nset = {{ when = {value} }}\n'
        (locked,) = compile_configs(parse_intent(text))
        return locked

    typed, string = config("1979-05-27T07:32:00Z"), config('"1979-05-27T07:32:00Z"')
    assert typed.sha256 != string.sha256
    other_zone = config("1979-05-27T08:32:00+01:00")  # the same instant, written otherwise
    assert other_zone.sha256 != typed.sha256
    lock = Lock(
        lock_version=LOCK_VERSION,
        python="3.11",
        platforms=("linux-x86_64",),
        index=LockIndex(url="https://pypi.org/simple"),
        configs=(typed,),
    )
    assert parse_lock(dumps(lock)) == lock


@pytest.mark.parametrize(
    ("value", "cached"),
    [("1979-05-27T08:32:00+01:00", False), ("1979-05-27", False), ("07:32:00", False),
     ("[1, 1979-05-27]", False), ("99999999999999999999", False), ('"text"', True),
     ("{ a = [1, 2.5, true, -0.0, inf] }", True)],
)  # fmt: skip
def test_the_lock_cache_keeps_only_what_msgpack_gives_back(
    value: str, cached: bool, tmp_path: Path
) -> None:
    """An offset, a local date or time, an integer beyond 64 bits would come back changed
    (or not at all) from msgpack: such a lock is read from its TOML every time."""
    from dht.model.lock import read_lock_cached, remember_lock

    text = HEAD + f'[config.a]\nfile = "a.toml"\ntable = "a"\nset = {{ when = {value} }}\n'
    lock = Lock(
        lock_version=LOCK_VERSION,
        python="3.11",
        platforms=("linux-x86_64",),
        index=LockIndex(url="https://pypi.org/simple"),
        configs=compile_configs(parse_intent(text)),
    )
    (tmp_path / "dht.lock").write_text(dumps(lock), encoding="utf-8")
    first, record = read_lock_cached(tmp_path / "dht.lock", tmp_path / "cache")
    assert first == lock and (record is not None) == cached
    remember_lock(tmp_path / "cache", record)
    again, _ = read_lock_cached(tmp_path / "dht.lock", tmp_path / "cache")
    assert dumps(again) == dumps(lock)


def test_an_ini_config_refuses_dates_and_times() -> None:
    body = '[config.a]\nfile = "setup.cfg"\ntable = "a"\nset = { when = 1979-05-27T07:32:00Z }\n'
    with pytest.raises(InputError) as exc:
        parse_intent(HEAD + body)
    assert exc.value.message == "config.a.set.when: an INI file has no dates or times"
    assert exc.value.hint == 'write it as a string: when = "1979-05-27T07:32:00+00:00"'
    nested = '[config.a]\nfile = "setup.cfg"\ntable = "a"\nset = { x = { y = 1 } }\n'
    with pytest.raises(InputError, match=r"config\.a\.set\.x: an INI value is a string"):
        parse_intent(HEAD + nested)
    listed = '[config.a]\nfile = "setup.cfg"\ntable = "a"\nset = { x = ["a", 1979-05-27] }\n'
    with pytest.raises(InputError, match="no dates or times"):
        parse_intent(HEAD + listed)


def test_init_adopts_a_table_with_dates_and_apply_leaves_the_file_alone(tmp_path: Path) -> None:
    pyproject = (
        '[project]\nname = "x"\nversion = "1"\n\n'
        "[tool.coverage.run]\nbranch = true\nsince = 2026-11-25T10:00:00Z\nday = 2026-11-25\n"
    )
    (tmp_path / "pyproject.toml").write_text(pyproject)
    assert dht(tmp_path, "init").exit_code == 0
    intent = (tmp_path / "dht.toml").read_text()
    assert "since = 2026-11-25T10:00:00Z\n" in intent
    # Keep the config, drop the tools: this test needs no index.
    start = intent.index("[tools]")
    (tmp_path / "dht.toml").write_text(intent[:start] + intent[intent.index("\n\n", start) :])
    locked = dht(tmp_path, "lock")
    assert locked.exit_code == 0, locked.output
    assert dht(tmp_path, "lock", "--check").exit_code == 0
    applied = dht(tmp_path, "apply")
    assert applied.exit_code == 0, applied.output
    assert "adopted (already as locked)" in applied.output
    assert (tmp_path / "pyproject.toml").read_text() == pyproject
