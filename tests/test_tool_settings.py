"""The lock-time check of `[config.*]` settings against what the locked tool
version knows (dht/data/tool_settings.json, written by tools/build_tool_settings.py)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.version import Version
from typer.testing import CliRunner

from dht.cli import app
from dht.compile.settings import (
    SETTINGS_DATA,
    UnknownSetting,
    check_settings,
    raise_unknown_settings,
    settings_data,
)
from dht.errors import InputError
from dht.model.intent import ToolRequest, parse_intent
from dht.model.lock import LockedTool, Package, parse_lock
from dht.model.presets import config_presets
from tests.support.index_server import IndexServer
from tests.support.wheels import build_index

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_tool_settings", ROOT / "tools" / "build_tool_settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def locked(request: ToolRequest | None = None, **versions: str) -> list[LockedTool]:
    """Locked tools, each alone in its own environment unless `request` says otherwise."""
    request = request or ToolRequest(isolated=True)
    return [
        LockedTool(name=n, environment=n, version=v, request=request) for n, v in versions.items()
    ]


def findings(
    body: str, request: ToolRequest | None = None, **versions: str
) -> list[UnknownSetting]:
    intent = parse_intent(f'[project]\npython = "3.11"\n{body}')
    return check_settings(intent, locked(request, **versions))


def test_data_is_canonical_and_covers_the_preset_tools() -> None:
    text = SETTINGS_DATA.read_text(encoding="utf-8")
    data = json.loads(text)
    assert builder().dumps(data) == text
    tools = data["tools"]
    assert sorted(tools) == ["black", "coverage", "isort", "mypy", "pytest", "ruff"]
    for name, tool in tools.items():
        checked = [Version(v) for v in tool["checked"]]
        assert checked == sorted(checked), name
        assert len(tool["settings"]) > 20, name


@pytest.mark.parametrize("tool", ["ruff", "mypy", "pytest"])
def test_data_matches_the_tool_installed_here(tool: str) -> None:
    """The extraction run against the real tool in this environment gives the data's keys."""
    if shutil.which(tool, path=str(BIN)) is None:
        pytest.skip(f"{tool} is not installed beside this Python")
    from importlib.metadata import version

    installed = version(tool)
    data = settings_data()[tool]
    if installed not in data.checked:
        pytest.skip(f"{tool} {installed} is not one of the checked versions {data.checked}")
    index = data.checked.index(installed)
    expected = sorted(
        key
        for key, entry in data.settings.items()
        if ("since" not in entry or data.checked.index(entry["since"]) <= index)
        and ("removed" not in entry or data.checked.index(entry["removed"]) > index)
    )
    assert builder().extract(tool) == expected


def test_combine_records_since_and_removed() -> None:
    entry = builder().combine(
        "pytest", {"8.4.2": ["a", "old"], "9.0.3": ["a", "new"], "9.1.1": ["a", "new"]}
    )
    assert entry["settings"] == {
        "a": {},
        "new": {"since": "9.0.3"},
        "old": {"removed": "9.0.3"},
    }
    assert entry["table"] == "tool.pytest.ini_options"


def test_a_typo_is_an_error_with_its_dotted_place_and_a_suggestion() -> None:
    found = findings(
        '[config.ruff]\nfile = "pyproject.toml"\ntable = "tool.ruff"\n'
        'set = { lint = { slect = ["E"], per-file-ignores = { "tests/*" = ["S101"] } } }\n',
        ruff="0.17.5",
    )
    assert len(found) == 1
    (typo,) = found
    assert typo.certain
    assert typo.where == "config.ruff.set.lint.slect"
    assert typo.message == "ruff 0.17.5 has no setting 'lint.slect'"
    assert typo.hint is not None and typo.hint.startswith("did you mean 'select'?")


def test_free_tables_deprecated_spellings_and_dashes_pass() -> None:
    body = (
        '[config.ruff]\nfile = "pyproject.toml"\ntable = "tool.ruff"\n'
        'set = { select = ["E"], lint = { isort = { known-first-party = ["x"] } } }\n'
        '[config.mypy]\nfile = "pyproject.toml"\ntable = "tool.mypy"\n'
        'set = { strict = true, no_implicit_reexport = true, overrides = [{ module = ["a.*"], ignore_errors = true }] }\n'
        '[config.coverage]\nfile = "pyproject.toml"\ntable = "tool.coverage"\n'
        'set = { paths = { source = ["src", "*/site-packages"] }, report = { show_missing = true } }\n'
        '[config.black]\nfile = "pyproject.toml"\ntable = "tool.black"\n'
        "set = { line-length = 90, skip_string_normalization = true }\n"
    )
    assert findings(body, ruff="0.17.5", mypy="2.4.1", coverage="7.17.4", black="26.10.1") == []
    # A config of a sub-table alone (beside [tool.ruff] it would clash: one region, one config).
    lint = '[config.lint]\nfor = "ruff"\nfile = "pyproject.toml"\ntable = "tool.ruff.lint"\nset = { select = ["E"] }\n'
    assert findings(lint, ruff="0.17.5") == []
    assert findings(lint.replace("select", "slect"), ruff="0.17.5") != []


def test_version_rules() -> None:
    strict = '[config.pytest]\nfile = "pyproject.toml"\ntable = "tool.pytest.ini_options"\nset = { strict = true }\n'
    # Added in 9.0: a locked 8.4 (a checked release line) surely lacks it.
    (old,) = findings(strict, pytest="8.4.1")
    assert old.certain and old.message == "pytest 8.4.1 does not know 'strict': it came in 9.0.3"
    assert findings(strict, pytest="9.0.0") == []
    # An unknown key for a release line dht has no data for, or an unlocked tool: a warning.
    typo = strict.replace("strict = true", "strcit = true")
    (newer,) = findings(typo, pytest="10.0.0")
    assert not newer.certain and newer.hint is not None and "covers 8.4.2 to 9.2.0" in newer.hint
    (unlocked,) = findings(typo)
    assert not unlocked.certain and "not in [tools]" in (unlocked.hint or "")
    # Tools without data, other tables and other files are not checked.
    # pytest beside other packages, or with plugins: an unknown key may be a plugin's.
    for request in (ToolRequest(), ToolRequest(isolated=True, with_=("pytest-cov",))):
        (plugin,) = findings(typo, request, pytest="9.2.0")
        assert not plugin.certain and "unless a pytest plugin" in (plugin.hint or "")
    (isolated,) = findings(typo, pytest="9.2.0")
    assert isolated.certain
    other = '[config.flake8]\nfile = "setup.cfg"\ntable = "flake8"\nset = { anything = 1 }\n'
    assert findings(other, flake8="7.0.0") == []


@pytest.mark.parametrize("tool", sorted(settings_data()))
def test_the_preset_passes_on_every_checked_version(tool: str) -> None:
    assert tool in config_presets("deterministic")
    for version in settings_data()[tool].checked:
        body = f'[config.{tool}]\npreset = "deterministic"\n'
        assert findings(body, **{tool: version}) == [], (tool, version)


def test_certain_findings_raise_and_likely_ones_are_warnings() -> None:
    body = '[config.pytest]\npreset = "deterministic"\nset = { strict = true, strcit = 1 }\n'
    intent = parse_intent(f'[project]\npython = "3.11"\n{body}')
    warnings: list[str] = []
    with pytest.raises(InputError) as caught:
        raise_unknown_settings(intent, locked(pytest="8.4.2"), [], None, warnings.append)
    assert caught.value.where == "dht.toml"
    assert caught.value.message == (
        "config.pytest.set.strict: pytest 8.4.2 does not know 'strict': it came in 9.0.3 (and 1 more)"
    )
    assert warnings == []
    raise_unknown_settings(intent, locked(pytest="11.0"), [], None, warnings.append)
    assert warnings == [
        "config.pytest.set.strcit: pytest 11.0 has no setting 'strcit'\n  hint: did you mean "
        "'strict'? dht's list of pytest settings covers 8.4.2 to 9.2.0, so this may be a newer "
        "or older setting"
    ]


def _beside(name: str, environment: str) -> Package:
    return Package(
        name=name,
        version="1.0",
        environment=environment,
        index="https://pypi.org/simple",
        targets=("linux-x86_64",),
    )


def test_a_plugins_setting_is_known_when_the_plugin_is_locked_beside() -> None:
    body = '[config.pytest]\nfile = "pyproject.toml"\ntable = "tool.pytest.ini_options"\nset = { asyncio_mode = "auto", timeout = 30, strcit = 1 }\n'
    intent = parse_intent(f'[project]\npython = "3.11"\n{body}')
    tools = [
        LockedTool(name="pytest", environment="project", version="9.2.0", request=ToolRequest())
    ]
    alone = {f.key: f for f in check_settings(intent, tools)}
    assert set(alone) == {"asyncio_mode", "timeout", "strcit"}
    assert "pytest-asyncio" in alone["asyncio_mode"].message and not alone["asyncio_mode"].certain
    assert (
        alone["timeout"].hint
        == "add pytest-timeout to tools.pytest.with (or to the project's test group)"
    )
    beside = [_beside("pytest-asyncio", "project"), _beside("pytest-timeout", "project")]
    assert [f.key for f in check_settings(intent, tools, beside)] == ["strcit"]
    # Locked in another environment is not beside pytest.
    elsewhere = [_beside("pytest-asyncio", "other"), _beside("pytest-timeout", "project")]
    assert [f.key for f in check_settings(intent, tools, elsewhere)] == ["asyncio_mode", "strcit"]


def test_plugin_data_names_real_settings() -> None:
    plugins = settings_data()["pytest"].plugins
    assert "asyncio_mode" in plugins["pytest-asyncio"].settings
    assert {"timeout", "timeout_method"} <= set(plugins["pytest-timeout"].settings)
    own = set(settings_data()["pytest"].settings)
    assert not any(own & set(p.settings) for p in plugins.values())  # only what pytest lacks


# End to end: `dht lock` against a loopback index that serves a stand-in "ruff".


@pytest.fixture
def ruff_index(tmp_path: Path) -> Any:
    source = tmp_path / "fixtures"
    source.mkdir()
    (source / "ruff.toml").write_text(
        '[[release]]\nversion = "0.17.5"\nuploaded = "2026-01-01T00:00:00Z"\nwheels = ["py3-none-any"]\n'
    )
    server = IndexServer(build_index(source))
    yield server
    server.close()


def test_dht_lock_refuses_an_unknown_setting_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ruff_index: Any
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)
    head = (
        f'[project]\npython = "3.11"\n[targets]\nplatforms = ["linux-x86_64"]\n'
        f'[index]\nurl = "{ruff_index.url}"\n[tools]\nruff = "==0.17.5"\n'
        '[config.ruff]\npreset = "deterministic"\n'
    )
    (root / "dht.toml").write_text(head + 'set = { lint = { slect = ["E"] } }\n')
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 1, result.output
    assert "dht.toml:11: config.ruff.set.lint.slect: ruff 0.17.5 has no setting 'lint.slect'" in (
        result.output
    )
    assert "did you mean 'select'?" in result.output
    assert not (root / "dht.lock").exists()

    (root / "dht.toml").write_text(head + 'set = { lint = { select = ["E"] } }\n')
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 0, result.output
    lock = parse_lock((root / "dht.lock").read_text())
    (config,) = lock.configs
    assert config.values["lint"] == {"select": ["E"]}
    assert config.values["format"] == {"line-ending": "lf"}
    assert CliRunner().invoke(app, ["lock", "--check"]).exit_code == 0
    (root / "dht.toml").write_text(head + 'set = { lint = { select = ["F"] } }\n')
    check = CliRunner().invoke(app, ["lock", "--check"])
    assert check.exit_code == 3 and "config.ruff" in check.output


def test_dht_lock_prints_warnings_for_settings_it_cannot_prove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ruff_index: Any
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)
    (root / "dht.toml").write_text(
        f'[project]\npython = "3.11"\n[targets]\nplatforms = ["linux-x86_64"]\n'
        f'[index]\nurl = "{ruff_index.url}"\n[tools]\nruff = "==0.17.5"\n'
        # mypy is not among the tools: its version is unknown, so an odd key only warns.
        '[config.mypy]\nfile = "pyproject.toml"\ntable = "tool.mypy"\nset = { strictt = true }\n'
    )
    result = CliRunner().invoke(app, ["lock", "--json"])
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert len(warnings) == 1 and "strictt" in warnings[0], warnings
    text = CliRunner().invoke(app, ["lock", "--upgrade"])
    assert text.exit_code == 0 and "warning: " in text.output and "strictt" in text.output
