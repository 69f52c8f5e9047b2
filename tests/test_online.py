"""Locks of real tools from the real index (PyPI). Marked `online`; skipped, with
the reason, where the index is out of reach. CI reaches it, so there they run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.model.lock import parse_lock
from tests.support.network import SKIP_REASON, pypi_reachable

pytestmark = pytest.mark.online


@pytest.fixture(scope="module", autouse=True)
def _need_network() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)


def test_lock_ruff_and_black_for_five_platforms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        '[project]\npython = "3.11"\n'
        '[index]\nexclude-newer = "2026-11-20T00:00:00Z"\n'
        '[tools]\nruff = "==0.17.5"\npytest = "==9.2.0"\nblack = { version = "~=26.10", isolated = true }\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 0, result.output
    lock = parse_lock((tmp_path / "dht.lock").read_text(encoding="utf-8"))
    ruff = next(p for p in lock.packages if p.name == "ruff")
    assert ruff.version == "0.17.5"
    served = {t: w.name for w in ruff.wheels for t in w.targets}
    assert set(served) == set(lock.platforms)
    assert "manylinux" in served["linux-x86_64"] and "x86_64" in served["linux-x86_64"]
    assert "aarch64" in served["linux-aarch64"]
    assert "macosx" in served["macos-arm64"] and "arm64" in served["macos-arm64"]
    assert served["windows-x86_64"].endswith("win_amd64.whl")
    black = [p for p in lock.packages if p.environment == "black"]
    assert {"black", "click", "packaging"} <= {p.name for p in black}
    colorama = [p for p in lock.packages if p.name == "colorama"]
    assert [c.environment for c in colorama] == ["project"]  # pytest needs it on Windows only
    assert colorama[0].targets == ("windows-x86_64",)
    assert CliRunner().invoke(app, ["lock", "--check"]).exit_code == 0
    # Warm cache, unchanged intent: nothing rewritten.
    again = CliRunner().invoke(app, ["lock"])
    assert again.exit_code == 0 and "up to date" in again.output
