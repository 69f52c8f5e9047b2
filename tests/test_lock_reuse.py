"""A warm `dht lock` reuses the previous resolution only when nothing it read changed
(dht/compile/reuse.py), and writes the same bytes and prints the same lines as a
full compilation. Real index on loopback, real cache, real uv (interpreter list)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.commands.lock import LockRequest, LockSummary, run_lock
from dht.compile.cache import Cache
from dht.compile.index import IndexClient
from tests.support.index_server import IndexServer
from tests.support.wheels import FixtureIndex
from tests.test_project_env import PYPROJECT, _project
from tests.test_project_env import pytestmark as posix_venvs


def _intent(root: Path, url: str, tools: str, platforms: str = '"linux-x86_64"') -> None:
    (root / "dht.toml").write_text(
        f'[project]\npython = "3.11.7"\n[targets]\nplatforms = [{platforms}]\n'
        f'[index]\nurl = "{url}"\n[tools]\n{tools}\n',
        encoding="utf-8",
    )


def _lock(root: Path, **options: Any) -> tuple[LockSummary, bytes]:
    summary = run_lock(LockRequest(root=root, **options))
    return summary, (root / "dht.lock").read_bytes()


def _cli_lock(root: Path) -> str:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(app, ["lock"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return str(result.output)


@pytest.fixture
def server(index_server: Callable[..., IndexServer]) -> IndexServer:
    return index_server()


def test_unchanged_inputs_reuse_the_resolution_with_the_same_bytes_and_lines(
    server: IndexServer, tmp_path: Path
) -> None:
    _intent(tmp_path, server.url, 'toolish = "==1.1"\nclicky = ""')
    first, full = _lock(tmp_path)
    assert "reused" not in first.stats
    (tmp_path / "dht.lock").unlink()
    asked = len(server.requests)
    second, reused = _lock(tmp_path)
    assert second.stats == {"reused": 1}
    assert reused == full
    assert second.lines() == first.lines() and second.to_json() == first.to_json()
    assert len(server.requests) == asked  # nothing asked of the index

    # The CLI prints the same whether the lock was reused or compiled (--refresh).
    (tmp_path / "dht.lock").unlink()
    printed = _cli_lock(tmp_path)
    refreshed = run_lock(LockRequest(root=tmp_path, refresh=True))
    assert "reused" not in refreshed.stats
    (tmp_path / "dht.lock").unlink()
    assert _cli_lock(tmp_path) == printed
    assert (tmp_path / "dht.lock").read_bytes() == full


def test_a_changed_intent_is_compiled_again(server: IndexServer, tmp_path: Path) -> None:
    _intent(tmp_path, server.url, 'toolish = "==1.1"')
    _lock(tmp_path)
    (tmp_path / "dht.lock").unlink()
    _intent(tmp_path, server.url, 'toolish = "==1.0"')
    summary, text = _lock(tmp_path)
    assert "reused" not in summary.stats
    assert b'name = "beta"' not in text  # toolish 1.0 needs no beta: really compiled


def test_changed_targets_are_compiled_again(server: IndexServer, tmp_path: Path) -> None:
    _intent(tmp_path, server.url, 'toolish = "==1.1"')
    _lock(tmp_path)
    (tmp_path / "dht.lock").unlink()
    _intent(tmp_path, server.url, 'toolish = "==1.1"', '"linux-x86_64", "windows-x86_64"')
    summary, text = _lock(tmp_path)
    assert "reused" not in summary.stats
    assert b"windows-x86_64" in text


def test_a_previous_lock_with_other_pins_is_part_of_the_inputs(
    server: IndexServer, tmp_path: Path
) -> None:
    _intent(tmp_path, server.url, 'toolish = "==1.1"')
    _, without_previous = _lock(tmp_path)
    again, _ = _lock(tmp_path)  # the same intent, but now a previous lock to keep pins from
    assert "reused" not in again.stats
    third, text = _lock(tmp_path)  # and that one is recorded in turn
    assert third.stats == {"reused": 1} and text == without_previous
    upgraded, _ = _lock(tmp_path, upgrade=True)  # --upgrade is an input too
    assert "reused" not in upgraded.stats


def test_a_page_of_another_version_is_compiled_again(
    index_server: Callable[..., IndexServer], fixture_index: FixtureIndex, tmp_path: Path
) -> None:
    server = index_server()
    _intent(tmp_path, server.url, 'toolish = "==1.1"')
    _, text = _lock(tmp_path)
    assert b'version = "1.5"' in text  # beta, the newest

    # The index withdraws beta 1.5 (a new page, a new ETag); another dht on the same
    # cache (another project, `--refresh`) reads the new page before this lock runs.
    files = dict(fixture_index.files)
    files["beta"] = [f for f in files["beta"] if "1.5" not in f.filename]
    server.index = FixtureIndex(files=files)
    with IndexClient(server.url, refresh=True) as client:
        assert {a.filename for a in client.project("beta").artifacts} == {
            "beta-1.0-py3-none-any.whl"
        }

    (tmp_path / "dht.lock").unlink()
    summary, changed = _lock(tmp_path)
    assert "reused" not in summary.stats
    assert b'version = "1.5"' not in changed and b'version = "1.0"' in changed


def test_a_stale_page_is_asked_again_not_reused(server: IndexServer, tmp_path: Path) -> None:
    _intent(tmp_path, server.url, 'toolish = "==1.1"')
    _, text = _lock(tmp_path)
    cache = Cache()
    key = server.url.rstrip("/")
    entry = cache.read_page(key, "beta")
    assert entry is not None
    cache.write_page(key, "beta", msgspec.structs.replace(entry, fetched=0.0))

    (tmp_path / "dht.lock").unlink()
    asked = len(server.requests)
    summary, again = _lock(tmp_path)
    assert "reused" not in summary.stats and again == text
    revalidated = [r for r in server.requests[asked:] if r.path == "/simple/beta/"]
    assert len(revalidated) == 1 and revalidated[0].if_none_match is not None
    # Offline, a stale page is what a full run would use too: reused.
    cache.write_page(key, "beta", msgspec.structs.replace(entry, fetched=0.0))
    (tmp_path / "dht.lock").unlink()
    offline, _ = _lock(tmp_path, offline=True)
    assert offline.stats == {"reused": 1}


def test_a_damaged_record_is_a_miss(server: IndexServer, tmp_path: Path) -> None:
    _intent(tmp_path, server.url, 'toolish = "==1.1"')
    _, text = _lock(tmp_path)
    records = list((Cache().root / "blobs" / "resolution").iterdir())
    assert len(records) == 1
    records[0].write_bytes(b"\x00not msgpack")
    (tmp_path / "dht.lock").unlink()
    summary, again = _lock(tmp_path)
    assert "reused" not in summary.stats and again == text


def test_a_reused_lock_loads_neither_the_network_nor_the_resolver(
    server: IndexServer, tmp_path: Path
) -> None:
    _intent(tmp_path, server.url, 'toolish = "==1.1"')
    _lock(tmp_path)
    (tmp_path / "dht.lock").unlink()
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(' '.join(sorted(sys.modules))))\n"
        "sys.argv = ['dht', 'lock']\n"
        "from dht.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    modules = set(done.stdout.split())
    assert "dht.compile.reuse" in modules and (tmp_path / "dht.lock").is_file()
    assert not modules & {"httpx", "resolvelib", "dht.compile.compiler", "dht.compile.index"}


@posix_venvs  # the project's build backend runs in a venv built here
def test_the_projects_own_files_are_inputs(server: IndexServer, tmp_path: Path) -> None:
    """A project installed editable: its pyproject.toml (dependencies, groups) is part of
    what a reused resolution must match, byte for byte."""
    root = _project(tmp_path / "p", server)
    first, text = _lock(root)
    assert "reused" not in first.stats and b'name = "mylib"' in text
    (root / "dht.lock").unlink()
    again, same = _lock(root)
    assert again.stats == {"reused": 1} and same == text

    (root / "pyproject.toml").write_text(
        PYPROJECT.replace('lint = ["clicky"]', 'lint = ["clicky", "alpha"]'), encoding="utf-8"
    )
    (root / "dht.lock").unlink()
    changed, grown = _lock(root)
    assert "reused" not in changed.stats
    assert b'name = "alpha"' in grown and b'name = "alpha"' not in text
