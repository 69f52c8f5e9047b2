"""Artifacts a lock may name: only files of its index (its host, or the hosts it serves
files from), named as the entry says, and never URLs with credentials. `dht lock`
refuses what `dht apply` would refuse, with the dht.toml key that allows it."""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from dht.cli import app
from dht.host import current_platform


def dht(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["-C", str(root), *args])


def intent(root: Path, url: str, extra: str = "") -> None:
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\n'
        f'[targets]\nplatforms = ["{current_platform()}"]\n'
        f'[index]\nurl = "{url}"\n{extra}'
        '[tools]\ntoolish = "==1.0"\n',
        encoding="utf-8",
    )


def test_files_on_another_host_need_file_hosts(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server(file_host="localhost")  # pages on 127.0.0.1, files on localhost
    intent(tmp_path, server.url)
    refused = dht(tmp_path, "lock")
    assert refused.exit_code == 1
    assert "it comes from localhost, not from the index (127.0.0.1)" in refused.output
    assert '[index] file-hosts = ["localhost"]' in refused.output
    assert not (tmp_path / "dht.lock").exists()

    intent(tmp_path, server.url, 'file-hosts = ["localhost"]\n')
    locked = dht(tmp_path, "lock")
    assert locked.exit_code == 0, locked.output
    text = (tmp_path / "dht.lock").read_text(encoding="utf-8")
    assert 'file-hosts = ["localhost"]' in text and "http://localhost:" in text
    assert dht(tmp_path, "lock", "--check").exit_code == 0
    applied = dht(tmp_path, "apply", "--no-probes")
    assert applied.exit_code == 0, applied.output

    # The same lock with the allowance edited out is refused by apply, before any change.
    (tmp_path / "dht.lock").write_text(text.replace('file-hosts = ["localhost"]\n', ""))
    again = dht(tmp_path, "apply")
    assert again.exit_code == 1 and "it comes from localhost" in again.output
    check = dht(tmp_path, "lock", "--check")
    assert check.exit_code == 1 and "it comes from localhost" in check.output


def test_credentials_in_the_index_url_are_refused(tmp_path: Path) -> None:
    intent(tmp_path, "https://user:s3cret@example.org/simple")
    result = dht(tmp_path, "lock")
    assert result.exit_code == 1
    assert "index.url: carries credentials" in result.output
    assert "'https://example.org/simple'" in result.output and "~/.netrc" in result.output
    assert "s3cret" not in result.output  # a secret is never echoed
    assert not (tmp_path / "dht.lock").exists()
