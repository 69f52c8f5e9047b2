"""Hostile shapes in the project's own files that `dht init` reads: a YAML alias bomb,
deep nesting. Refused with a message at once, nothing written."""

from __future__ import annotations

import time
from pathlib import Path

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
