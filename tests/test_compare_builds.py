"""`dht compare-builds`: real wheels and sdists from the fixture builder, altered layer by layer."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app
from tests.support.wheels import build_sdist, build_wheel

RELEASE: dict[str, object] = {"requires-dist": ["beta>=1"], "scripts": {"demo": "demo:main"}}


def rezip(data: bytes, *, date: tuple[int, ...] | None = None, reverse: bool = False,
          change: dict[str, bytes] | None = None) -> bytes:  # fmt: skip
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = source.infolist()[::-1] if reverse else source.infolist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            body = (change or {}).get(info.filename, source.read(info))
            new = zipfile.ZipInfo(info.filename, date_time=date or info.date_time)
            new.external_attr = info.external_attr
            new.compress_type = info.compress_type
            target.writestr(new, body)
    return out.getvalue()


@pytest.fixture
def wheel(tmp_path: Path) -> tuple[Path, bytes, str]:
    filename, data, _ = build_wheel("demo", "1.0", "py3-none-any", RELEASE)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / filename).write_bytes(data)
    return tmp_path, data, filename


def run(a: Path, b: Path) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(app, ["compare-builds", str(a), str(b), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_identical(wheel: tuple[Path, bytes, str]) -> None:
    root, data, name = wheel
    (root / "b" / name).write_bytes(data)
    assert run(root / "a", root / "b") == (0, [{"a": str(root / "a" / name), "b": str(root / "b" / name),
                                               "layer": "identical", "notes": [], "diffs": {}, "binary": []}])  # fmt: skip


def test_metadata_only_times_and_order(wheel: tuple[Path, bytes, str]) -> None:
    root, data, name = wheel
    (root / "b" / name).write_bytes(rezip(data, date=(2024, 5, 1, 12, 0, 0), reverse=True))
    code, [result] = run(root / "a" / name, root / "b" / name)
    assert code == 3 and result["layer"] == "metadata-only"
    assert "member order differs" in result["notes"]
    assert any("mtime 1980-01-01 00:00:00 vs 2024-05-01 12:00:00" in n for n in result["notes"])  # type: ignore[union-attr]


def test_content_with_metadata_fields_and_text_diffs(wheel: tuple[Path, bytes, str]) -> None:
    root, data, name = wheel
    meta = "demo-1.0.dist-info/METADATA"
    original = zipfile.ZipFile(io.BytesIO(data)).read(meta).decode()
    changed = rezip(data, change={meta: original.replace("beta>=1", "beta>=2").encode(),
                                  "demo/__init__.py": b"print('changed')\n"})  # fmt: skip
    (root / "b" / name).write_bytes(changed)
    code, [result] = run(root / "a" / name, root / "b" / name)
    assert code == 3 and result["layer"] == "content"
    diffs = result["diffs"]
    assert isinstance(diffs, dict)
    assert diffs[meta] == "Requires-Dist: ['beta>=1'] -> ['beta>=2']"
    assert "+print('changed')" in diffs["demo/__init__.py"]


def test_sdists_and_folders(tmp_path: Path) -> None:
    name, data, _ = build_sdist("demo", "1.0", RELEASE)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / name).write_bytes(data)
    (tmp_path / "b" / name).write_bytes(data)
    (tmp_path / "a" / "extra-1.0-py3-none-any.whl").write_bytes(
        build_wheel("extra", "1.0", "py3-none-any", {})[1]
    )
    code, results = run(tmp_path / "a", tmp_path / "b")
    assert code == 3
    assert [r["layer"] for r in results] == ["identical", "content"]


def test_bad_input(tmp_path: Path) -> None:
    (tmp_path / "x.whl").write_bytes(b"not a zip")
    result = CliRunner().invoke(
        app, ["compare-builds", str(tmp_path / "x.whl"), str(tmp_path / "missing.whl")]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output


def _binary_pair(root: Path, data: bytes, name: str) -> None:
    member = "demo/__init__.py"  # any member: its bytes are made non-text on both sides
    (root / "a" / name).write_bytes(rezip(data, change={member: b"\x00\xff\x01\x02"}))
    (root / "b" / name).write_bytes(rezip(data, change={member: b"\x00\xff\x01\x03"}))


def test_binary_members_are_named_and_diffoscope_offered(wheel: tuple[Path, bytes, str]) -> None:
    root, data, name = wheel
    _binary_pair(root, data, name)
    code, [result] = run(root / "a", root / "b")
    assert code == 3 and result["binary"] == ["demo/__init__.py"]
    assert str(result["diffs"]["demo/__init__.py"]).startswith("binary: sha256 ")  # type: ignore[index]
    text = CliRunner().invoke(app, ["compare-builds", str(root / "a"), str(root / "b")])
    assert "`--diffoscope` hands them to diffoscope" in text.output


@pytest.mark.skipif(shutil.which("diffoscope") is None, reason="diffoscope is not installed")
def test_diffoscope_shows_binary_members(wheel: tuple[Path, bytes, str]) -> None:
    root, data, name = wheel
    _binary_pair(root, data, name)
    result = CliRunner().invoke(app, ["compare-builds", str(root / "a"), str(root / "b"), "--diffoscope", "--json"])  # fmt: skip
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)[0]["diffs"]["demo/__init__.py"]
    # diffoscope's hexdump of the one byte that differs, headed by the member on each side.
    assert "--- A/__init__.py" in report and "+++ B/__init__.py" in report
    assert "00ff 0102" in report and "00ff 0103" in report
    text = CliRunner().invoke(app, ["compare-builds", str(root / "a"), str(root / "b"), "--diffoscope"])  # fmt: skip
    assert "hands them to diffoscope" not in text.output


def test_diffoscope_asked_for_but_missing(
    wheel: tuple[Path, bytes, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, data, name = wheel
    _binary_pair(root, data, name)
    monkeypatch.setenv("PATH", str(root / "empty"))
    result = CliRunner().invoke(app, ["compare-builds", str(root / "a"), str(root / "b"), "--diffoscope"])  # fmt: skip
    assert result.exit_code == 1
    assert (
        "diffoscope is not installed" in result.output and "pip install diffoscope" in result.output
    )
