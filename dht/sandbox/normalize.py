"""Rewrite a wheel or an sdist into one canonical form (pure: bytes in, bytes out).

Wheel: files only, sorted by name with `.dist-info/` last and RECORD last in it;
every date SOURCE_DATE_EPOCH (clamped to 1980-01-01, the zip epoch); modes
0644, or 0755 when the member had an execute bit; create_system Unix; no extra
fields or comments; deflate at zlib's default level; RECORD regenerated with
the sha256 and size of each member. Member contents never change, so the
wheel installs exactly as before.

Sdist: members sorted by name; uid/gid 0, no user or group names; mtime
SOURCE_DATE_EPOCH; modes 0644/0755 (directories 0755); PAX format; gzip with
mtime 0 and no file name.

Deflate output depends on the zlib build, so callers report `ZLIB_VERSION`.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import stat
import tarfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field

from dht.errors import InputError
from dht.sandbox import archives

ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest date a zip can hold
ZIP_LAST = 4354819198  # 2107-12-31T23:59:58Z, the latest
ZLIB_VERSION = zlib.ZLIB_RUNTIME_VERSION


@dataclass
class Normalized:
    data: bytes
    changes: list[str] = field(default_factory=list)  # empty: already canonical


def kind_of(name: str) -> str:
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith((".tar.gz", ".tgz")):
        return "sdist"
    raise InputError("not a wheel or an sdist (.whl, .tar.gz)", where=name)


def normalize(name: str, data: bytes, epoch: int) -> Normalized:
    """The canonical form of the wheel or sdist `name` (a file name, for its kind and messages)."""
    if kind_of(name) == "wheel":
        return normalize_wheel(data, epoch, where=name)
    return normalize_sdist(data, epoch, where=name)


def _mode(original: int) -> int:
    return 0o755 if original & 0o111 else 0o644


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _dist_info(names: list[str], where: str) -> str:
    found = sorted(
        {n.split("/", 1)[0] for n in names if n.count("/") == 1 and n.endswith("/WHEEL")}
    )
    found = [d for d in found if d.endswith(".dist-info")]
    if len(found) != 1:
        raise InputError(
            "not a wheel: "
            + ("no .dist-info/WHEEL" if not found else f"several .dist-info folders {found}"),
            where=where,
        )
    return found[0]


def _check_record(record: bytes, members: dict[str, bytes], dist_info: str, where: str) -> None:
    """Refuse a wheel whose RECORD disagrees with its members: regenerating it would hide that."""
    try:
        rows = list(csv.reader(io.StringIO(record.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{dist_info}/RECORD is unreadable: {exc}", where=where) from None
    for row in rows:
        if not row:
            continue
        path, digest = row[0], row[1] if len(row) > 1 else ""
        if path not in members:
            raise InputError(
                f"{dist_info}/RECORD lists {path}, which the wheel does not contain",
                where=where,
                hint="the wheel is damaged: rebuild it",
            )
        if digest.startswith("sha256=") and digest != _record_hash(members[path]):
            raise InputError(
                f"{dist_info}/RECORD hash of {path} does not match its content",
                where=where,
                hint="the wheel is damaged or was edited: rebuild it",
            )


def _date(epoch: int) -> tuple[int, int, int, int, int, int]:
    moment = time.gmtime(min(max(epoch, ZIP_EPOCH), ZIP_LAST))
    return (moment.tm_year, moment.tm_mon, moment.tm_mday, moment.tm_hour, moment.tm_min,
            moment.tm_sec - moment.tm_sec % 2)  # fmt: skip


def _safe_member(name: str, where: str, link: str | None = None) -> None:
    """Refuse a member an installer or unpacker would write outside its folder."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
        raise InputError(f"{name!r}: a member outside the archive's folder", where=where,
                         hint="a build never makes such a file: this archive is damaged or hostile")  # fmt: skip
    if link is not None:
        target = [*parts[:-1], *link.split("/")]
        depth = 0
        for part in target:
            depth += -1 if part == ".." else 0 if part in ("", ".") else 1
            if depth < 0 or link.startswith("/"):
                raise InputError(f"{name!r}: a link pointing outside the archive ({link!r})", where=where,
                                 hint="a build never makes such a link: this archive is damaged or hostile")  # fmt: skip


def normalize_wheel(data: bytes, epoch: int, *, where: str = "wheel") -> Normalized:
    entries = archives.zip_members(data, where)
    infos = [info for info, _ in entries]
    names = [i.filename for i in infos if not i.is_dir()]
    if len(set(names)) != len(names):
        raise InputError("the zip holds the same member twice", where=where)
    for name in names:
        _safe_member(name, where)
    members = {info.filename: body for info, body in entries if not info.is_dir()}
    dist_info = _dist_info(names, where)
    record_name = f"{dist_info}/RECORD"
    if record_name in members:
        _check_record(members[record_name], members, dist_info, where)
    modes = {i.filename: (i.external_attr >> 16) & 0o7777 for i in infos if not i.is_dir()}

    def order(name: str) -> tuple[bool, bool, str]:
        return (name.startswith(f"{dist_info}/"), name == record_name, name)

    ordered = sorted((n for n in members if n != record_name), key=order)
    lines = io.StringIO()
    writer = csv.writer(lines, lineterminator="\n")
    for name in ordered:
        writer.writerow([name, _record_hash(members[name]), str(len(members[name]))])
    writer.writerow([record_name, "", ""])
    members[record_name] = lines.getvalue().encode("utf-8")
    modes.setdefault(record_name, 0o644)

    date = _date(epoch)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in [*ordered, record_name]:
            info = zipfile.ZipInfo(name, date_time=date)
            info.create_system = 3  # Unix, so the mode bits below are honoured
            info.external_attr = (stat.S_IFREG | _mode(modes[name])) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, members[name])
    result = Normalized(out.getvalue())
    if result.data != data:
        result.changes = _wheel_changes(infos, members, record_name, ordered, date, data)
    return result


def _wheel_changes(infos: list[zipfile.ZipInfo], members: dict[str, bytes], record_name: str,
                   ordered: list[str], date: tuple[int, ...], data: bytes) -> list[str]:  # fmt: skip
    files = [i for i in infos if not i.is_dir()]
    changes = []
    if len(files) != len(infos):
        changes.append(f"{len(infos) - len(files)} directory entries dropped")
    if [i.filename for i in files] != [*ordered, record_name]:
        changes.append("member order")
    counts = {
        "dates": sum(i.date_time != date for i in files),
        "permissions": sum(
            i.external_attr >> 16 != stat.S_IFREG | _mode((i.external_attr >> 16) & 0o7777)
            for i in files
        ),
        "create_system": sum(i.create_system != 3 for i in files),
        "compression": sum(i.compress_type != zipfile.ZIP_DEFLATED for i in files),
        "extra fields or comments": sum(bool(i.extra or i.comment) for i in files),
    }
    changes.extend(f"{what} of {n} member{'s' * (n != 1)}" for what, n in counts.items() if n)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        old_record = archive.read(record_name) if record_name in archive.namelist() else None
    if old_record is None:
        changes.append("RECORD written (there was none)")
    elif old_record != members[record_name]:
        changes.append("RECORD regenerated")
    return changes or ["zip container bytes (deflate stream or headers)"]


def normalize_sdist(data: bytes, epoch: int, *, where: str = "sdist") -> Normalized:
    if data[:2] != b"\x1f\x8b":
        raise InputError("not a readable .tar.gz: not gzip-compressed", where=where)
    entries = archives.tar_members(data, where)
    infos = [info for info, _ in entries]
    bodies = {info.name: body for info, body in entries if body is not None}
    names = [i.name for i in infos]
    if len(set(names)) != len(names):
        raise InputError("the archive holds the same member twice", where=where)
    for info in infos:
        _safe_member(info.name, where, info.linkname if info.issym() else None)
    mtime = max(epoch, 0)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as target:
        for info in sorted(infos, key=lambda i: i.name):
            if not (info.isfile() or info.isdir() or info.issym()):
                raise InputError(
                    f"{info.name}: only files, folders and symlinks belong in an sdist",
                    where=where,
                )
            new = tarfile.TarInfo(info.name)
            new.type = info.type
            new.mtime = mtime
            new.uid = new.gid = 0
            new.uname = new.gname = ""
            if info.isdir():
                new.mode = 0o755
            elif info.issym():
                new.mode, new.linkname = 0o777, info.linkname
            else:
                new.mode, new.size = _mode(info.mode), len(bodies[info.name])
            target.addfile(new, io.BytesIO(bodies[info.name]) if info.isfile() else None)
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=packed, mode="wb", mtime=0) as stream:
        stream.write(raw.getvalue())
    result = Normalized(packed.getvalue())
    if result.data != data:
        result.changes = _sdist_changes(infos, mtime, data)
    return result


def _sdist_changes(infos: list[tarfile.TarInfo], mtime: int, data: bytes) -> list[str]:
    changes = []
    if [i.name for i in infos] != sorted(i.name for i in infos):
        changes.append("member order")
    counts = {
        "mtimes": sum(i.mtime != mtime for i in infos),
        "owners": sum(bool(i.uid or i.gid or i.uname or i.gname) for i in infos),
        "permissions": sum(
            i.mode != (0o755 if i.isdir() else 0o777 if i.issym() else _mode(i.mode)) for i in infos
        ),
        "pax headers": sum(bool(set(i.pax_headers) - {"path", "linkpath"}) for i in infos),
    }
    changes.extend(f"{what} of {n} member{'s' * (n != 1)}" for what, n in counts.items() if n)
    if data[4:8] != b"\0\0\0\0" or data[3] & 0x08:  # gzip header: mtime, FNAME flag
        changes.append("gzip header (mtime or file name)")
    return changes or ["tar or gzip container bytes"]
