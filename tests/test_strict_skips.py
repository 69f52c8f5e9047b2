"""CI's strict skips: a skip fails the run unless the job expects it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import strict_skip_problem

ROOT = Path(__file__).parent.parent


def test_the_rule() -> None:
    assert strict_skip_problem("bash is not installed", {}) is None  # not strict: skips are skips
    strict = {"DHT_TEST_STRICT_SKIPS": "1", "DHT_TEST_ALLOWED_SKIPS": "pwsh|needs apt"}
    assert strict_skip_problem("PowerShell (pwsh) is not installed", strict) is None
    assert strict_skip_problem("needs apt (Debian or Ubuntu)", strict) is None
    problem = strict_skip_problem("git is not installed", strict)
    assert problem is not None and problem.endswith(": git is not installed")
    assert strict_skip_problem("anything", {"DHT_TEST_STRICT_SKIPS": "1"}) is not None


def test_a_run_fails_on_an_unexpected_skip(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        "import pytest\n"
        "def test_a():\n    pytest.skip('bash is not installed')\n"
        "@pytest.mark.skipif(True, reason='needs apt')\ndef test_b():\n    pass\n"
        "@pytest.mark.xfail(reason='known')\ndef test_c():\n    assert False\n"
    )
    env = {**os.environ, "DHT_TEST_STRICT_SKIPS": "1", "DHT_TEST_ALLOWED_SKIPS": "needs apt"}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
            "--rootdir", str(tmp_path), str(tmp_path)]  # fmt: skip
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 skipped, 1 xfailed" in done.stdout
    assert "not allowed by DHT_TEST_ALLOWED_SKIPS: bash is not installed" in done.stdout
    env["DHT_TEST_ALLOWED_SKIPS"] = "needs apt|bash"
    again = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "2 skipped, 1 xfailed" in again.stdout, again.stdout
