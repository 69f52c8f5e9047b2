"""A venv that uv cannot create is reported with uv's own reason; "install Python" only when
Python is what is missing. Real uv, real folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dht.errors import DhtError
from dht.uvbackend import create_venv


def test_an_unwritable_place_is_not_reported_as_a_missing_python(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(DhtError) as failed:
        create_venv(tmp_path / "blocker" / "env", sys.executable)
    text = str(failed.value)
    assert "could not create the environment env" in text
    assert failed.value.hint is not None and "uv python install" not in failed.value.hint
    assert "writable" in failed.value.hint
    assert "Not a directory" in failed.value.message  # uv's own reason


def test_a_missing_python_suggests_installing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = shutil.which("python3.7")  # a pyenv shim may exist without the version
    runs = found and subprocess.run([found, "-V"], capture_output=True, check=False).returncode == 0
    if runs:  # pragma: no cover - depends on the machine
        pytest.skip("this machine has a Python 3.7")
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    with pytest.raises(DhtError) as failed:
        create_venv(tmp_path / "env", "3.7")
    assert "Python 3.7" in failed.value.message
    assert failed.value.hint is not None and "uv python install 3.7" in failed.value.hint
    assert not (tmp_path / "env").exists()


def test_without_downloads_a_missing_python_fails_at_once(tmp_path: Path) -> None:
    """The build environment of a lock asks for its minor this way: a machine without it
    falls back to the running Python at once, whatever UV_PYTHON_DOWNLOADS says."""
    found = shutil.which("python3.7")
    runs = found and subprocess.run([found, "-V"], capture_output=True, check=False).returncode == 0
    if runs:  # pragma: no cover - depends on the machine
        pytest.skip("this machine has a Python 3.7")
    with pytest.raises(DhtError) as failed:
        create_venv(tmp_path / "env", "3.7", download=False)
    assert "Python 3.7" in failed.value.message
    assert not (tmp_path / "env").exists()
