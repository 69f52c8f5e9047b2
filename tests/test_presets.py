"""Config presets: what each renders to (byte for byte), how `set` wins over them,
what a bad preset name says, and that the rendered configs work with the real tools."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dht.apply.managed import Region, desired_text, write_region
from dht.compile.settings import compile_configs
from dht.compile.staleness import stale_entries
from dht.errors import InputError
from dht.model.intent import ConfigRequest, parse_intent
from dht.model.lock import (
    LOCK_VERSION,
    Lock,
    LockConfig,
    LockIndex,
    LockInterpreter,
    canonical,
    dumps,
    parse_lock,
)
from dht.model.presets import CONFIG_PRESETS, config_presets, leaf_keys, merge
from tests.support.network import SKIP_REASON, pypi_reachable

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "presets"
TOOLS = sorted(config_presets("deterministic"))
BIN = Path(sys.executable).parent


def intent_text(body: str, python: str = "3.11") -> str:
    return f'[project]\npython = "{python}"\n{body}'


def configs(body: str, python: str = "3.11") -> dict[str, ConfigRequest]:
    return {c.name: c for c in parse_intent(intent_text(body, python)).configs}


def lock_of(body: str) -> Lock:
    intent = parse_intent(intent_text(body))
    lock = Lock(
        lock_version=LOCK_VERSION,
        python=intent.python,
        platforms=intent.platforms,
        index=LockIndex(url=intent.index_url),
        interpreter=LockInterpreter(request=intent.python),
        configs=compile_configs(intent),
        systems=intent.systems,
    )
    return canonical(lock)


def rendered(body: str) -> dict[str, str]:
    """What `dht apply` writes for each config: through the lock text and back."""
    lock = parse_lock(dumps(lock_of(body)))
    return {
        c.name: desired_text(Region(c.file, c.format, c.table), body_of(c)) for c in lock.configs
    }


def body_of(config: LockConfig) -> str | dict[str, Any]:
    if config.format == "file":
        assert config.text is not None
        return config.text
    return config.values


def preset_body(tools: list[str]) -> str:
    return "".join(f'[config.{t}]\npreset = "deterministic"\n' for t in tools)


def test_every_tool_renders_exactly_as_the_golden_file() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == TOOLS
    out = rendered(preset_body(TOOLS))
    for tool in TOOLS:
        golden = (GOLDEN / f"{tool}.txt").read_bytes()
        assert out[tool].encode() == golden, f"{tool}: rendering differs from {tool}.txt"


def test_every_setting_has_one_line_on_why_and_nothing_else_does() -> None:
    for name in CONFIG_PRESETS:
        for tool, preset in config_presets(name).items():
            keys = leaf_keys(preset.set)
            assert sorted(keys) == sorted(preset.why), tool
            for key, why in preset.why.items():
                assert why.strip() and "\n" not in why and len(why) > 20, (tool, key)


def test_docs_document_every_setting_with_its_why() -> None:
    assert "docs/presets.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "presets.md").read_text(encoding="utf-8")
    for tool, preset in config_presets("deterministic").items():
        for key, why in preset.why.items():
            assert f"`{key}`" in docs and why in docs, f"docs/presets.md misses {tool} {key}"


def test_project_python_fills_in_versions() -> None:
    got = configs(preset_body(["ruff", "black", "isort", "mypy"]), python="3.12.4")
    assert got["ruff"].values["target-version"] == "py312"
    assert got["black"].values["target-version"] == ["py312"]
    assert got["isort"].values["py_version"] == "312"
    assert got["mypy"].values["python_version"] == "3.12"


def test_set_wins_key_by_key_and_lists_are_replaced() -> None:
    got = configs(
        '[config.ruff]\npreset = "deterministic"\n'
        'set = { line-length = 100, lint = { select = ["E", "F", "I"], ignore = ["E501"] } }\n'
        '[config.pytest]\npreset = "deterministic"\nset = { addopts = ["-q"], markers = ["slow: slow"] }\n'
    )
    ruff = got["ruff"].values
    assert ruff["line-length"] == 100
    assert ruff["lint"] == {"select": ["E", "F", "I"], "ignore": ["E501"]}
    assert ruff["format"] == {"line-ending": "lf"}  # a sibling table the user did not touch
    assert ruff["target-version"] == "py311"
    pytest_values = got["pytest"].values
    assert pytest_values["addopts"] == ["-q"]
    assert pytest_values["junit_family"] == "xunit2"
    assert pytest_values["markers"] == ["slow: slow"]
    assert merge({"a": {"b": 1, "c": [1]}}, {"a": {"c": [2]}}) == {"a": {"b": 1, "c": [2]}}


def test_whole_file_presets_take_set_and_the_file_can_be_moved() -> None:
    got = configs(
        '[config.editorconfig]\npreset = "deterministic"\n'
        'set = { "*.md" = { trim_trailing_whitespace = false } }\n'
        '[config.attrs]\npreset = "deterministic"\nfor = "gitattributes"\n'
        'set = { "*.png" = "binary" }\n'
        '[config.lint]\npreset = "deterministic"\nfor = "ruff"\nfile = "sub/pyproject.toml"\n'
    )
    assert got["editorconfig"].text == (
        "root = true\n\n[*]\ncharset = utf-8\nend_of_line = lf\ninsert_final_newline = true\n"
        "\n[*.md]\ntrim_trailing_whitespace = false\n"
    )
    assert got["attrs"].file == ".gitattributes"
    assert got["attrs"].text == "* text=auto eol=lf\n*.png binary\n"
    assert (got["lint"].file, got["lint"].table, got["lint"].tool) == (
        "sub/pyproject.toml",
        "tool.ruff",
        "ruff",
    )


@pytest.mark.parametrize(
    ("body", "where", "message", "hint"),
    [
        (
            '[config.pytest]\npreset = "determinstic"\n',
            "dht.toml:4",
            "config.pytest.preset: unknown preset 'determinstic'",
            "did you mean 'deterministic'? known: deterministic",
        ),
        (
            '[config.flake8]\npreset = "deterministic"\n',
            "dht.toml:4",
            "the 'deterministic' preset has nothing for 'flake8'",
            "for = ",
        ),
        (
            '[config.x]\npreset = "deterministic"\nfor = "rufff"\n',
            "dht.toml:5",
            "config.x.for: the 'deterministic' preset has nothing for 'rufff'",
            "did you mean 'ruff'?",
        ),
        (
            '[config.gitattributes]\npreset = "deterministic"\ntext = "* -text"\n',
            "dht.toml:3",
            "writes the whole file .gitattributes",
            "drop the preset",
        ),
        (
            '[config.editorconfig]\npreset = "deterministic"\nset = { root = "a\\nb" }\n',
            "dht.toml:5",
            "config.editorconfig.set.root: may not contain newlines",
            None,
        ),
        ("[config.ruff]\ntable = 'tool.ruff'\n", "dht.toml:3", "needs `file`", "preset"),
        (
            '[config.pytest]\npreset = "deterministic"\nfile = "setup.cfg"\n',
            "dht.toml:3",
            "config.pytest.table: the preset's table [tool.pytest.ini_options] is a TOML table",
            "tool:pytest",
        ),
    ],
)
def test_bad_presets_are_refused_with_where_and_what_to_do(
    body: str, where: str, message: str, hint: str | None
) -> None:
    with pytest.raises(InputError) as caught:
        parse_intent(intent_text(body))
    error = caught.value
    assert error.where == where
    assert message in error.message
    if hint is None:
        assert error.hint is None
    else:
        assert error.hint is not None and hint in error.hint


def test_a_changed_preset_or_override_makes_only_that_config_stale() -> None:
    body = preset_body(["mypy", "ruff"])
    lock = lock_of(body)
    same = parse_intent(intent_text(body))
    assert stale_entries(same, lock) == []
    changed = parse_intent(intent_text(body + "set = { line-length = 99 }\n"))
    assert [str(f) for f in stale_entries(changed, lock)] == [
        "config.ruff: changed since the lock was made"
    ]
    # The lock records the expanded values, so a new dht whose preset differs is noticed too.
    locked = {c.name: c for c in lock.configs}
    assert locked["mypy"].values == {"strict": True, "python_version": "3.11"}


# The rendered configs, used by the real tools (the ones in this environment).


def _project(tmp_path: Path, tools: list[str]) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "sample"\nversion = "0"\n')
    lock = parse_lock(dumps(lock_of(preset_body(tools))))
    for c in lock.configs:
        region = Region(c.file, c.format, c.table)
        write_region(root, region, body_of(c))
    return root


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def test_pytest_runs_strict_with_the_preset(tmp_path: Path) -> None:
    root = _project(tmp_path, ["pytest"])
    (root / "test_one.py").write_text(
        "import pytest\n\n"
        "def test_ok(tmp_path):\n    assert tmp_path.is_dir()\n\n"
        "@pytest.mark.xfail\ndef test_passes_unexpectedly():\n    pass\n"
    )
    result = _run([str(BIN / "pytest"), "-q", "--junit-xml=report.xml"], root)
    # xfail_strict: the unexpected pass fails the run; everything else is clean.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "[XPASS(strict)]" in result.stdout
    assert not (root / ".pytest_cache").exists()
    assert (root / ".pytest-tmp").is_dir()
    assert "<testsuites" in (root / "report.xml").read_text()  # xunit2 wraps suites
    # --strict-config: an unknown ini key now fails instead of being ignored.
    text = (root / "pyproject.toml").read_text()
    bad = text.replace('junit_family = "xunit2"', 'junit_family = "xunit2"\nbogus_key = 1')
    (root / "pyproject.toml").write_text(bad)
    result = _run([str(BIN / "pytest"), "-q"], root)
    assert result.returncode != 0 and "bogus_key" in result.stdout + result.stderr


def test_ruff_and_mypy_accept_the_preset(tmp_path: Path) -> None:
    root = _project(tmp_path, ["ruff", "mypy"])
    (root / "mod.py").write_text("import os\r\n\r\ndef f(x: int) -> str:\r\n    return x\r\n")
    ruff = _run([str(BIN / "ruff"), "check", "--no-cache", "mod.py"], root)
    assert ruff.returncode == 1 and "F401" in ruff.stdout, ruff.stdout + ruff.stderr
    fmt = _run([str(BIN / "ruff"), "format", "--no-cache", "mod.py"], root)
    assert fmt.returncode == 0, fmt.stderr
    assert b"\r\n" not in (root / "mod.py").read_bytes()  # line-ending = lf
    mypy = _run([str(BIN / "mypy"), "--no-incremental", "mod.py"], root)
    assert mypy.returncode == 1, mypy.stdout
    assert re.search(r"Incompatible return value type", mypy.stdout)
    assert "Unrecognized option" not in mypy.stdout + mypy.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_checks_text_out_with_lf(tmp_path: Path) -> None:
    root = _project(tmp_path, ["gitattributes", "editorconfig"])
    (root / "a.txt").write_text("x\n")
    _run(["git", "init", "-q"], root)
    attrs = _run(["git", "check-attr", "text", "eol", "--", "a.txt"], root)
    assert attrs.stdout == "a.txt: text: auto\na.txt: eol: lf\n", attrs.stderr
    assert (root / ".editorconfig").read_bytes() == (GOLDEN / "editorconfig.txt").read_bytes()


@pytest.mark.online
def test_black_isort_and_coverage_read_the_preset(tmp_path: Path) -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    root = _project(tmp_path, ["black", "isort", "coverage"])
    (root / "mod.py").write_text("import sys\nimport os\nprint( os.sep, sys.platform )\n")
    uv = [
        sys.executable, "-m", "uv", "run", "--isolated", "--no-project", "--quiet",
        "--with", "black==26.10.1", "--with", "isort==9.0.2", "--with", "coverage==7.17.4",
    ]  # fmt: skip
    shown = _run([*uv, "isort", "--show-config"], root)
    assert shown.returncode == 0, shown.stderr
    config = json.loads(shown.stdout[shown.stdout.index("{") :])
    assert (config["profile"], config["py_version"], config["line_length"]) == (
        "black",
        "py311",
        88,
    )
    fixed = _run([*uv, "sh", "-c", "isort mod.py && black -v mod.py"], root)
    assert fixed.returncode == 0, fixed.stderr
    assert "target_version: ['py311']\nline_length: 88\n" in fixed.stderr, fixed.stderr
    assert "Invalid config keys" not in fixed.stderr
    assert (root / "mod.py").read_text() == "import os\nimport sys\n\nprint(os.sep, sys.platform)\n"
    debug = _run([*uv, "coverage", "debug", "config"], root)
    for line in ("branch: True", "relative_files: True"):
        assert line in debug.stdout, debug.stdout
    ran = _run([*uv, "coverage", "run", "mod.py"], root)
    assert ran.returncode == 0, ran.stderr
    assert (root / ".coverage").is_file()
