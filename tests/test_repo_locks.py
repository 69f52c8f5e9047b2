"""The locks this repository ships are current: `dht lock --check` needs no network."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("folder", [ROOT, ROOT / "example"], ids=["dogfood", "example"])
def test_shipped_lock_is_current(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["lock", "--check"])
    assert result.exit_code == 0, result.output


def test_lock_example_is_the_example_projects_lock() -> None:
    # dht.lock.example shows the format at the top of the repository; it must stay true.
    assert (ROOT / "dht.lock.example").read_bytes() == (ROOT / "example" / "dht.lock").read_bytes()
