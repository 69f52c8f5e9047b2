"""`dht build --normalize`: wheels and sdists rewritten into one canonical form.

Real archives built in memory (tests/support/wheels.py), then disturbed the way
real backends and machines disturb them: member order, dates, modes under
another umask, create_system, directory entries, owners, gzip header.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import json
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.errors import InputError
from dht.sandbox.normalize import ZLIB_VERSION, normalize, normalize_sdist, normalize_wheel
from tests.support.wheels import build_sdist, build_wheel

EPOCH = 1700000001  # 2023-11-14T22:13:21Z: an odd second, which zip cannot hold
RELEASE: dict[str, object] = {"requires-dist": ["beta>=1"], "scripts": {"demo": "demo:main"}}
DIST = "demo-1.0.dist-info"


def wheel() -> bytes:
    return build_wheel("demo", "1.0", "py3-none-any", RELEASE)[1]


def disturb_wheel(data: bytes, *, umask: int = 0o002, system: int = 0) -> bytes:
    """The same members, as another machine would zip them: reversed order, today's date,
    group-writable modes, an executable script, a directory entry, an extra field."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        folder = zipfile.ZipInfo("demo/", date_time=(2024, 5, 1, 12, 0, 0))
        folder.external_attr = (stat.S_IFDIR | 0o775) << 16
        target.writestr(folder, b"")
        for info in reversed(source.infolist()):
            new = zipfile.ZipInfo(info.filename, date_time=(2024, 5, 1, 12, 0, 0))
            new.create_system = system
            new.external_attr = ((0o777 if info.filename.endswith("__init__.py") else 0o666) & ~umask) << 16  # fmt: skip
            new.compress_type = zipfile.ZIP_STORED
            target.writestr(new, source.read(info))
    return out.getvalue()


def record_rows(data: bytes) -> list[list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return list(csv.reader(io.StringIO(archive.read(f"{DIST}/RECORD").decode())))


def test_wheel_canonical_form() -> None:
    original = wheel()
    result = normalize_wheel(disturb_wheel(original), EPOCH)
    archive = zipfile.ZipFile(io.BytesIO(result.data))
    infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == ["demo/__init__.py", f"{DIST}/METADATA", f"{DIST}/WHEEL",
                     f"{DIST}/entry_points.txt", f"{DIST}/RECORD"]  # fmt: skip
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
    assert {i.create_system for i in infos} == {3}
    modes = {i.filename: i.external_attr >> 16 for i in infos}
    assert modes["demo/__init__.py"] == stat.S_IFREG | 0o755  # had an execute bit
    assert modes[f"{DIST}/METADATA"] == stat.S_IFREG | 0o644
    source = zipfile.ZipFile(io.BytesIO(original))
    for name in names[:-1]:
        assert archive.read(name) == source.read(name)
    rows = record_rows(result.data)
    assert rows[-1] == [f"{DIST}/RECORD", "", ""]
    for path, digest, size in rows[:-1]:
        body = archive.read(path)
        expected = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
        assert (digest, size) == (f"sha256={expected}", str(len(body)))
    assert "member order" in result.changes and "1 directory entries dropped" in result.changes
    assert "permissions of 5 members" in result.changes
    assert "create_system of 5 members" in result.changes


def test_wheel_normalizing_is_idempotent_and_erases_machine_differences() -> None:
    one = normalize_wheel(disturb_wheel(wheel(), umask=0o002, system=0), EPOCH).data
    two = normalize_wheel(disturb_wheel(wheel(), umask=0o022, system=3), EPOCH).data
    assert one == two
    again = normalize_wheel(one, EPOCH)
    assert again.data == one and again.changes == []


def test_wheel_epoch_is_clamped_to_1980() -> None:
    data = normalize_wheel(wheel(), 0).data
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {
        (1980, 1, 1, 0, 0, 0)
    }


def test_wheel_content_differences_survive() -> None:
    source = zipfile.ZipFile(io.BytesIO(wheel()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "demo/__init__.py":
                body += b"# changed\n"
            elif info.filename.endswith("RECORD"):
                continue  # a wheel without RECORD gets one
            target.writestr(info, body)
    changed = normalize_wheel(out.getvalue(), EPOCH)
    assert "RECORD written (there was none)" in changed.changes
    assert changed.data != normalize_wheel(wheel(), EPOCH).data


def test_wheel_with_a_wrong_record_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(wheel()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, b"print('edited')\n" if info.filename == "demo/__init__.py" else body)  # fmt: skip
    with pytest.raises(InputError, match=r"RECORD hash of demo/__init__\.py does not match"):
        normalize_wheel(out.getvalue(), EPOCH, where="demo.whl")


def test_a_zip_that_is_not_a_wheel_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("readme.txt", b"hello")
    with pytest.raises(InputError, match=r"not a wheel: no \.dist-info/WHEEL"):
        normalize("demo-1.0-py3-none-any.whl", out.getvalue(), EPOCH)


def disturb_sdist(data: bytes) -> bytes:
    source = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")  # noqa: SIM115 - in memory
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as target:
        folder = tarfile.TarInfo("demo-1.0/demo")
        folder.type, folder.mode, folder.uid, folder.uname = tarfile.DIRTYPE, 0o775, 1000, "me"
        target.addfile(folder)
        for info in reversed(source.getmembers()):
            new = tarfile.TarInfo(info.name)
            new.size, new.mtime, new.uid, new.gid = info.size, 1714564800, 1000, 1000
            new.uname = new.gname = "me"
            new.mode = 0o775 if info.name.endswith("__init__.py") else 0o664
            target.addfile(new, source.extractfile(info))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="demo-1.0.tar", fileobj=packed, mode="wb", mtime=1714564800) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def test_sdist_canonical_form_and_idempotence() -> None:
    _, original, _ = build_sdist("demo", "1.0", RELEASE)
    result = normalize_sdist(disturb_sdist(original), EPOCH)
    archive = tarfile.open(fileobj=io.BytesIO(result.data), mode="r:gz")  # noqa: SIM115
    infos = archive.getmembers()
    assert [i.name for i in infos] == sorted(i.name for i in infos)
    assert {(i.uid, i.gid, i.uname, i.gname, i.mtime) for i in infos} == {(0, 0, "", "", EPOCH)}
    modes = {i.name: i.mode for i in infos}
    assert modes == {"demo-1.0/PKG-INFO": 0o644, "demo-1.0/demo": 0o755,
                     "demo-1.0/demo/__init__.py": 0o755, "demo-1.0/pyproject.toml": 0o644}  # fmt: skip
    assert result.data[4:8] == b"\0\0\0\0" and not result.data[3] & 0x08  # gzip: no mtime, no name
    source = tarfile.open(fileobj=io.BytesIO(original), mode="r:gz")  # noqa: SIM115
    for info in source.getmembers():
        assert archive.extractfile(info.name).read() == source.extractfile(info).read()  # type: ignore[union-attr]
    assert "gzip header (mtime or file name)" in result.changes
    assert "owners of 4 members" in result.changes
    again = normalize_sdist(result.data, EPOCH)
    assert again.data == result.data and again.changes == []


def test_corrupt_archives_are_input_errors() -> None:
    whl = wheel()
    with pytest.raises(InputError, match="not a readable zip"):
        normalize("demo-1.0-py3-none-any.whl", whl[: len(whl) // 2], EPOCH)
    with pytest.raises(InputError, match=r"not a readable \.tar\.gz"):
        normalize("demo-1.0.tar.gz", b"\x1f\x8b" + b"garbage" * 20, EPOCH)
    with pytest.raises(InputError, match="not a wheel or an sdist"):
        normalize("demo-1.0.zip", whl, EPOCH)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["build", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_normalizes_in_place_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    whl, sdist = tmp_path / "demo-1.0-py3-none-any.whl", tmp_path / "demo-1.0.tar.gz"
    whl.write_bytes(disturb_wheel(wheel()))
    sdist.write_bytes(disturb_sdist(build_sdist("demo", "1.0", RELEASE)[1]))
    code, out, _ = invoke("--normalize", "--json", str(whl), str(sdist))
    assert code == 0
    report = json.loads(out)
    assert report["format"] == 1 and report["zlib"] == ZLIB_VERSION
    assert [a["name"] for a in report["artifacts"]] == [whl.name, sdist.name]
    assert report["artifacts"][0]["sha256"] == hashlib.sha256(whl.read_bytes()).hexdigest()
    assert "member order" in report["artifacts"][0]["changes"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([sdist.name, whl.name])
    code, out, _ = invoke("--normalize", str(whl), str(sdist))
    assert (code, out) == (0, f"{whl.name}: already canonical\n{sdist.name}: already canonical\n"
                              f"zlib: {ZLIB_VERSION}\n")  # fmt: skip


def test_cli_bad_input_changes_nothing(tmp_path: Path) -> None:
    good, bad = tmp_path / "demo-1.0-py3-none-any.whl", tmp_path / "other-1.0-py3-none-any.whl"
    disturbed = disturb_wheel(wheel())
    good.write_bytes(disturbed)
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    code, _, err = invoke("--normalize", str(good), str(bad))
    assert code == 1 and "not a readable zip" in err and str(bad) in err
    assert good.read_bytes() == disturbed  # the good one was not rewritten either
    code, _, err = invoke(str(good))
    assert code == 2 and "--normalize" in err  # a usage error
    code, _, err = invoke("--normalize", str(tmp_path / "missing.whl"))
    assert code == 1 and "no such file" in err


def test_unrelated_packages_stay_different_after_normalizing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = tmp_path / "a" / "demo-1.0-py3-none-any.whl"
    two = tmp_path / "b" / "demo-1.0-py3-none-any.whl"  # same file name, another project inside
    one.write_bytes(wheel())
    two.write_bytes(build_wheel("other", "2.0", "py3-none-any", {})[1])
    assert invoke("--normalize", str(one), str(two))[0] == 0
    result = CliRunner().invoke(app, ["compare-builds", str(one), str(two), "--json"])
    assert result.exit_code == 3
    [comparison] = json.loads(result.stdout)
    assert comparison["layer"] == "content"
    assert f"{DIST}/METADATA: only in A" in comparison["notes"]
    assert "other-2.0.dist-info/METADATA: only in B" in comparison["notes"]


def _with_member(data: bytes, name: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(name, b"x = 1\n")
    return out.getvalue()


def _sdist(*members: tarfile.TarInfo) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for info in members:
            archive.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return raw.getvalue()


def _member(name: str, link: str | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    if link is None:
        info.size = 1
    else:
        info.type, info.linkname = tarfile.SYMTYPE, link
    return info


@pytest.mark.parametrize("name", ["/abs.py", "../up.py", "demo/../../up.py", "C:/win.py"])
def test_wheel_members_outside_the_archive_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="outside the archive"):
        normalize("demo-1.0-py3-none-any.whl", _with_member(wheel(), name), EPOCH)


@pytest.mark.parametrize(
    ("name", "link"),
    [
        ("/etc/evil", None),
        ("demo-1.0/../../escape", None),
        ("demo-1.0/passwd", "/etc/passwd"),
        ("demo-1.0/up", "../../outside"),
    ],
)
def test_sdist_members_and_links_outside_the_archive_are_refused(
    name: str, link: str | None
) -> None:
    data = _sdist(_member("demo-1.0/PKG-INFO"), _member(name, link))
    with pytest.raises(InputError, match="outside the archive"):
        normalize("demo-1.0.tar.gz", data, EPOCH)


def test_sdist_links_inside_the_archive_are_kept() -> None:
    data = _sdist(_member("demo-1.0/data/file"), _member("demo-1.0/link", "data/file"),
                  _member("demo-1.0/sub/up", "../data/file"))  # fmt: skip
    result = normalize("demo-1.0.tar.gz", data, EPOCH)
    with tarfile.open(fileobj=io.BytesIO(result.data)) as archive:
        links = {i.name: i.linkname for i in archive.getmembers() if i.issym()}
    assert links == {"demo-1.0/link": "data/file", "demo-1.0/sub/up": "../data/file"}
