"""The intent model: normalization, and errors that name file, line, key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from dht.errors import InputError
from dht.model.intent import load_intent, parse_intent

BASE = '[project]\npython = "3.11"\n'


def test_normalizes_tools_and_settings() -> None:
    intent = parse_intent(
        BASE
        + "[targets]\nplatforms = ['windows-x86_64', 'linux-x86_64']\n"
        + "[index]\nurl = 'https://example.org/simple/'\nexclude-newer = 2026-11-01T01:00:00+01:00\n"
        + "[tools]\n"
        + "Ruff = '0.17.5'\n"
        + "black = { version = '~=26.10', isolated = true, extras = ['D', 'colorama'] }\n"
        + "pytest = { version = '>=9,<10', with = ['Pytest_Cov>=5'] }\n"
        + "anything = ''\n"
    )
    assert intent.python == "3.11"
    assert intent.platforms == ("linux-x86_64", "windows-x86_64")  # canonical order
    assert intent.index_url == "https://example.org/simple"
    assert intent.exclude_newer == "2026-11-01T00:00:00Z"  # converted to UTC
    tools = {t.name: t for t in intent.tools}
    assert [t.name for t in intent.tools] == ["anything", "black", "pytest", "ruff"]
    assert tools["ruff"].request.version == "==0.17.5"  # a bare version means exactly it
    assert tools["black"].request.extras == ("colorama", "d")
    assert tools["black"].environment == "black"
    assert tools["pytest"].environment == "project"
    assert tools["pytest"].request.version == "<10,>=9"
    assert tools["pytest"].request.with_ == ("pytest-cov>=5",)
    assert tools["anything"].request.version == ""


def test_defaults() -> None:
    intent = parse_intent(BASE)
    assert intent.platforms == (
        "linux-x86_64",
        "linux-aarch64",
        "macos-arm64",
        "macos-x86_64",
        "windows-x86_64",
    )
    assert intent.index_url == "https://pypi.org/simple"
    assert intent.tools == ()


@pytest.mark.parametrize(
    ("text", "where", "message", "hint"),
    [
        ("[project\n", "dht.toml:1", "not valid TOML", "fix the syntax"),
        ("[tools]\nruff = '1'\n", "dht.toml", "project", None),
        (
            BASE + "[tools]\nruff = { verison = '1' }\n",
            "dht.toml:4",
            "tools.ruff.verison: unknown key",
            "did you mean 'version'?",
        ),
        (
            BASE + "[tool]\nruff = '1'\n",
            "dht.toml:3",
            "unknown key 'tool'",
            "did you mean 'tools'?",
        ),
        (
            BASE + "[tools]\nruff = 1\n",
            "dht.toml:4",
            "tools.ruff: expected a string | a table, got int",
            None,
        ),
        (
            BASE + "[tools]\nruff = '=>1'\n",
            "dht.toml:4",
            "'=>1' is not a version specifier",
            "PEP 440",
        ),
        (
            BASE + "[tools]\nruff = { version = '>=1', with = ['not a req!'] }\n",
            "dht.toml:4",
            "tools.ruff.with",
            None,
        ),
        (
            BASE + "[tools]\n'ruff[x]' = '1'\n",
            "dht.toml:4",
            "must be a bare package name",
            "put the version in the value",
        ),
        (
            BASE + "[tools]\nruff = '1'\nRuff = '2'\n",
            "dht.toml:4",
            "same tool as another entry",
            None,
        ),
        (BASE + "[tools]\nruff = { probe = [] }\n", "dht.toml:4", "tools.ruff.probe", None),
        (
            '[project]\npython = ">=3.11"\n',
            "dht.toml:2",
            "not a Python version dht can lock",
            '"3.11"',
        ),
        (
            BASE + "[targets]\nplatforms = ['linux-x86-64']\n",
            "dht.toml:4",
            "unknown platform",
            "did you mean 'linux-x86_64'?",
        ),
        (
            BASE + "[targets]\nplatforms = ['linux-x86_64', 'linux-x86_64']\n",
            "dht.toml:4",
            "listed twice",
            None,
        ),
        (BASE + "[targets]\nplatforms = []\n", "dht.toml:4", "lists no platform", None),
        (BASE + "[index]\nurl = 'ftp://x'\n", "dht.toml:4", "not an http(s) URL", None),
        (BASE + "[index]\nexclude-newer = 'yesterday'\n", "dht.toml:4", "not an RFC 3339", None),
        (
            BASE + "[index]\nexclude-newer = 2026-01-01T00:00:00\n",
            "dht.toml:4",
            "needs a time zone",
            None,
        ),
    ],
)
def test_errors_name_the_place(text: str, where: str, message: str, hint: str | None) -> None:
    with pytest.raises(InputError) as info:
        parse_intent(text)
    error = info.value
    assert error.where == where
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no dht\.toml here") as missing:
        load_intent(tmp_path / "dht.toml")
    assert missing.value.hint is not None and "dht init" in missing.value.hint
    (tmp_path / "dht.toml").write_bytes(b"\xff\xfe[project]")
    with pytest.raises(InputError, match="not UTF-8"):
        load_intent(tmp_path / "dht.toml")


def test_env_and_config() -> None:
    intent = parse_intent(
        BASE
        + '[env]\npreset = "deterministic"\nAPP_MODE = "dev mode"\nsource-date-epoch = true\n'
        + '[config.ruff]\nfile = "pyproject.toml"\ntable = "tool.ruff"\nset = { line-length = 88 }\n'
        + '[config.flake8]\nfile = "setup.cfg"\ntable = "flake8"\nset = { max-line-length = "88" }\n'
        + '[config.attrs]\nfile = ".gitattributes"\ntext = "* text=auto eol=lf"\n'
    )
    assert intent.env is not None
    values = dict(intent.env.values)
    assert (
        values["APP_MODE"] == "dev mode"
        and values["PYTHONHASHSEED"] == "0"
        and values["TZ"] == "UTC"
    )
    assert intent.env.source_date_epoch is True
    formats = {c.name: (c.format, c.table) for c in intent.configs}
    assert formats == {
        "attrs": ("file", None),
        "flake8": ("ini", "flake8"),
        "ruff": ("toml", "tool.ruff"),
    }
    assert next(c for c in intent.configs if c.name == "attrs").text == "* text=auto eol=lf\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[env]\npreset = "determinstic"\n', "unknown preset 'determinstic'"),
        ('[env]\n"BAD-NAME" = "x"\n', "not a valid environment variable name"),
        ('[env]\nX = "a\\nb"\n', "contains a control character"),
        ('[env]\nX = "a\\u001b[2Jb"\n', "contains a control character"),
        ("[env]\nX = 1\n", "env.X: must be a string"),
        (
            '[config.x]\nfile = "../outside.toml"\ntable = "tool.x"\n',
            "relative path inside the project",
        ),
        (
            '[config.x]\nfile = "/etc/x.toml"\ntable = "tool.x"\n',
            "relative path inside the project",
        ),
        ('[config.x]\nfile = "sub\\\\x.toml"\ntable = "tool.x"\n', "paths in dht.toml use `/`"),
        ('[config.x]\nfile = "a\\nb.toml"\ntable = "tool.x"\n', "relative path inside the project"),
        ('[config.x]\nfile = "pyproject.toml"\n', "needs `table`"),
        ('[config.x]\nfile = ".editorconfig"\n', "needs `text`"),
        (
            '[config.x]\nfile = "pyproject.toml"\ntable = "tool.x"\ntext = "a"\n',
            "`text` is for whole files",
        ),
    ],
)
def test_env_and_config_errors(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_intent(BASE + text)
    assert message in str(info.value)


def test_hostile_shapes_are_refused_with_a_message(tmp_path: Path) -> None:
    """Nesting that would exhaust Python's stack, a byte-order mark: clear errors, no
    traceback, nothing written."""
    from typer.testing import CliRunner

    from dht.cli import app

    head = '[project]\npython = "3.11.7"\n[tools]\n'
    cases = {
        "deep": (head + "x = { probe = " + "[" * 5000 + "]" * 5000 + " }\n", "nest deeper than 40"),
        "deep but parseable": (head + "x = { probe = " + "[" * 60 + "]" * 60 + " }\n", "nest deeper than 40"),
        "bom": ("\ufeff" + head, "byte-order mark"),
    }  # fmt: skip
    for name, (text, message) in cases.items():
        (tmp_path / "dht.toml").write_text(text, encoding="utf-8")
        result = CliRunner().invoke(app, ["-C", str(tmp_path), "lock"])
        assert result.exit_code == 1, name
        assert message in result.output and "Traceback" not in result.output, name
        assert not (tmp_path / "dht.lock").exists(), name
