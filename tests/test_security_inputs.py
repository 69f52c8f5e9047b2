"""Hostile shapes in the project's own files that `dht init` reads: a YAML alias bomb,
deep nesting. Refused with a message at once, nothing written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app

BOMB = "\n".join(
    [
        "a: &a ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x']",
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]"
            for i in range(9)
        ),
        "repos: *j",
    ]
)


def init(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["-C", str(root), "init"])
    return result.exit_code, result.output


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text(BOMB + "\n", encoding="utf-8")
    started = time.monotonic()
    code, output = init(tmp_path)
    assert time.monotonic() - started < 5  # 10**10 nodes if it were walked
    assert code == 1, output
    assert "expands to more than 200,000 nodes" in output and ".pre-commit-config.yaml" in output
    assert not (tmp_path / "dht.toml").exists()


def test_deep_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8"
    )
    code, output = init(tmp_path)
    assert code == 1 and "nests deeper than 40 levels" in output
    assert "Traceback" not in output and not (tmp_path / "dht.toml").exists()


def test_a_hostile_workflow_is_ignored_not_fatal(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(BOMB.replace("repos", "jobs") + "\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\n')
    code, output = init(tmp_path)
    assert code == 0, output  # a workflow dht cannot read says nothing about what CI runs
    assert (tmp_path / "dht.toml").exists()


def test_limits_hold_just_under_and_refuse_just_over() -> None:
    from dht.errors import InputError
    from dht.model import toml
    from dht.onboard import yamlfile

    def nested_toml(levels: int) -> str:  # a table, then arrays inside it
        return "x = " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"

    toml.parse_toml(nested_toml(toml.MAX_DEPTH), "t.toml")
    with pytest.raises(InputError, match="deeper than 40"):
        toml.parse_toml(nested_toml(toml.MAX_DEPTH + 1), "t.toml")

    def nested_yaml(levels: int) -> str:
        return "a: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"

    yamlfile.load(nested_yaml(yamlfile.MAX_DEPTH))
    with pytest.raises(yamlfile.LimitError, match="deeper than 40"):
        yamlfile.load(nested_yaml(yamlfile.MAX_DEPTH + 1))

    def fan_out(nodes: int) -> str:  # one anchored list of `nodes` items, named 1 time
        return "a: &a [" + ", ".join(["1"] * nodes) + "]\nb: *a\n"

    # the document root, 2 keys, 2 values sharing one list: 1 + 2 + 2 * (1 + n)
    under = (yamlfile.MAX_NODES - 5) // 2
    yamlfile.load(fan_out(under))
    with pytest.raises(yamlfile.LimitError, match="expands to more than"):
        yamlfile.load(fan_out(under + 1))
