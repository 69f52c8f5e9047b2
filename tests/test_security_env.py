"""Environment values from a hostile pull request: one case per file in
tests/data/security/env/. Each is refused in dht.toml (nothing locked) and in a
hand-edited dht.lock (apply and run refuse before writing or running anything), and
where the case names a trigger, the attack is first shown to be real: the trigger,
run with the variable set by hand, writes into a canary folder; through dht it
never runs, and the canary stays empty."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from dht.model.env_policy import FAMILIES, refused

CASES = Path(__file__).parent / "data" / "security" / "env"
SAFE_LOCK_ENV = 'APP = "1"'


def cases() -> list[Any]:
    return [
        pytest.param(tomllib.loads(path.read_text(encoding="utf-8")), id=path.stem)
        for path in sorted(CASES.glob("*.toml"))
    ]


def dht(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dht", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def safe_lock(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real lock with one harmless env value, to hand-edit into each attack."""
    root = tmp_path_factory.mktemp("safe")
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\n[env]\n{SAFE_LOCK_ENV}\n',
        encoding="utf-8",
    )
    result = dht(root, "lock")
    assert result.returncode == 0, result.stderr
    return (root / "dht.lock").read_text(encoding="utf-8")


def test_every_case_names_a_family_that_exists() -> None:
    names = {f.name for f in FAMILIES}
    found = [case.values[0] for case in cases()]
    assert len(found) >= 20
    for case in found:
        assert case["family"] in names, case


@pytest.mark.parametrize("case", cases())
def test_refused_in_dht_toml_and_nothing_is_locked(case: dict[str, Any], tmp_path: Path) -> None:
    family = refused(case["name"])
    assert family is not None and family.name == case["family"]
    (tmp_path / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\n'
        f"[env]\n{case['name']} = {toml_string(case['value'])}\n",
        encoding="utf-8",
    )
    result = dht(tmp_path, "lock")
    assert result.returncode == 1
    assert f"{case['name']} may not be set: {family.reason}" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dht.toml"]


@pytest.mark.parametrize("case", cases())
def test_refused_in_a_hand_edited_lock_before_anything_runs(
    case: dict[str, Any], tmp_path: Path, safe_lock: str
) -> None:
    work, canary = tmp_path / "work", tmp_path / "canary"
    work.mkdir()
    canary.mkdir()
    for name, text in case.get("files", {}).items():
        (work / name).write_text(text, encoding="utf-8")
    trigger = case.get("trigger")
    if trigger is not None:
        if shutil.which(trigger[0]) is None:
            pytest.skip(f"{trigger[0]} is not installed here")
        # The attack is real: set by hand, the trigger runs the attacker's command.
        subprocess.run(trigger, cwd=work, env={**os.environ, "CANARY": str(canary),
                       case["name"]: case["value"]}, capture_output=True, check=False, timeout=60)  # fmt: skip
        assert (canary / "ran").exists(), "the case does not show a real attack"
        (canary / "ran").unlink()
    hostile = safe_lock.replace(
        SAFE_LOCK_ENV, f"{case['name']} = {toml_string(case['value'])}\n{SAFE_LOCK_ENV}"
    )
    assert hostile != safe_lock
    (work / "dht.lock").write_text(hostile, encoding="utf-8")
    before = sorted(p.name for p in work.iterdir())
    for args in (["apply"], ["run", "--", *(trigger or ["true"])], ["env", "--shell", "bash"]):
        result = dht(work, *args, env={"CANARY": str(canary)})
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert f"{case['name']} may not be set" in result.stderr, args
        assert "Traceback" not in result.stderr
    assert sorted(p.name for p in work.iterdir()) == before  # nothing written: no .dht, no .venv
    assert list(canary.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    ["TZ", "LANG", "LC_ALL", "PYTHONHASHSEED", "PYTHONUTF8", "PYTHONDONTWRITEBYTECODE",
     "SOURCE_DATE_EPOCH", "APP_MODE", "DJANGO_SETTINGS_MODULE", "NO_COLOR", "FORCE_COLOR",
     "COLUMNS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD_NOT", "HYPOTHESIS_PROFILE", "TMPDIR"],
)  # fmt: skip
def test_values_that_only_tune_a_tool_are_allowed(name: str) -> None:
    assert refused(name) is None
