"""Hostile archives given to `dht compare-builds` and `dht build --normalize` (artifacts
built elsewhere): bombs, encrypted or unknown-compression members, link chains. Each is
refused with a message, before its bytes are inflated."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from dht.errors import InputError
from dht.sandbox import archives
from dht.sandbox.normalize import normalize_sdist, normalize_wheel
from tests.support.artifacts import tar_gz

DIST = "demo-1.0.dist-info"


def _zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def _link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def test_a_zip_bomb_member_is_refused_by_its_ratio() -> None:
    data = _zip({"demo/__init__.py": b"", "demo/big.bin": b"\0" * (64 << 20)})
    assert len(data) < 200_000
    with pytest.raises(InputError) as info:
        normalize_wheel(data, 0)
    assert "demo/big.bin: inflates" in info.value.message


def test_an_encrypted_member_is_refused() -> None:
    data = bytearray(_zip({"demo/__init__.py": b"x"}, method=zipfile.ZIP_STORED))
    # The flags field (bit 0: encrypted): offset 6 in the local header, 8 in the central one.
    data[6] |= 0x1
    central = data.rindex(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(InputError) as info:
        normalize_wheel(bytes(data), 0)
    assert "demo/__init__.py: an encrypted member" in info.value.message


def test_an_unknown_compression_method_is_refused() -> None:
    data = bytearray(_zip({"demo/__init__.py": b"hello"}, method=zipfile.ZIP_STORED))
    # The method field: offset 8 in the local header, 10 in the central directory entry.
    data[8:10] = (99).to_bytes(2, "little")
    central = data.rindex(b"PK\x01\x02")
    data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    with pytest.raises(InputError) as info:
        normalize_wheel(bytes(data), 0)
    assert "unknown compression method 99" in info.value.message


def test_a_link_to_a_link_is_refused() -> None:
    data = tar_gz([("demo-1.0/PKG-INFO", b"Name: demo\n"), _link("demo-1.0/a", "b"),
                 _link("demo-1.0/b", "PKG-INFO")])  # fmt: skip
    with pytest.raises(InputError) as info:
        normalize_sdist(data, 0)
    assert "demo-1.0/a: a link to another link (b)" in info.value.message


def test_a_tar_bomb_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_TOTAL", 1 << 20)
    data = tar_gz([("demo-1.0/PKG-INFO", b"Name: demo\n"), ("demo-1.0/big", b"\0" * (8 << 20)),
                 ("demo-1.0/after", b"x")])  # fmt: skip
    with pytest.raises(InputError) as info:
        normalize_sdist(data, 0)
    assert "inflates past 1,048,576 bytes" in info.value.message


def test_compare_builds_refuses_a_bomb_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for side in "ab":  # two different files: their members are compared
        bomb = _zip({"demo/__init__.py": side.encode(), "demo/big.bin": b"\0" * (64 << 20)})
        (tmp_path / side / "demo-1.0-py3-none-any.whl").write_bytes(bomb)
    done = subprocess.run(
        [sys.executable, "-m", "dht", "compare-builds", str(tmp_path / "a"), str(tmp_path / "b")],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "demo/big.bin: inflates" in done.stderr and "Traceback" not in done.stderr
