"""Wheels and sdists read with limits: `dht build --normalize` and `dht compare-builds`
take artifacts built elsewhere (CI downloads), so an archive may be hostile. A member
that inflates past what a build produces, an encrypted or unknown-compression member,
a link that points at another link: refused with a message before the bytes are read.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
import zlib

from dht.errors import InputError

MAX_MEMBERS = 100_000
MAX_TOTAL = 2 * 1024 * 1024 * 1024  # all members inflated
MAX_RATIO = 1000  # inflated / compressed, for a member over 10 MB
_BIG = 10 * 1024 * 1024
_KNOWN = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_HINT = "a build never makes such an archive: it is damaged or hostile"


def zip_members(data: bytes, where: str) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """(info, bytes) of every member, in the archive's order (a folder entry: no bytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _refuse(f"it holds {len(infos):,} members", where)
            total = sum(i.file_size for i in infos)
            if total > MAX_TOTAL:
                raise _refuse(f"its members inflate to {total:,} bytes", where)
            out = []
            for info in infos:
                if info.is_dir():
                    out.append((info, b""))
                    continue
                if info.flag_bits & 0x1:
                    raise _refuse(f"{info.filename}: an encrypted member", where)
                if info.compress_type not in _KNOWN:
                    raise _refuse(f"{info.filename}: unknown compression method {info.compress_type}", where)  # fmt: skip
                if info.file_size > _BIG and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise _refuse(f"{info.filename}: inflates {info.file_size // max(info.compress_size, 1):,}x", where)  # fmt: skip
                with archive.open(info) as handle:
                    body = handle.read(info.file_size + 1)
                if len(body) != info.file_size:
                    raise _refuse(f"{info.filename}: its size is not the one its header gives", where)  # fmt: skip
                out.append((info, body))
            return out
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise InputError(f"not a readable zip: {exc}", where=where) from None


def tar_members(data: bytes, where: str) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    """(info, bytes of a regular file, else None) of every member, in the archive's order,
    walked lazily so a compressed bomb stops at the limit."""
    out: list[tuple[tarfile.TarInfo, bytes | None]] = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for info in archive:
                if len(out) >= MAX_MEMBERS:
                    raise _refuse(f"it holds more than {MAX_MEMBERS:,} members", where)
                if archive.offset > MAX_TOTAL:
                    raise _refuse(f"it inflates past {MAX_TOTAL:,} bytes", where)
                body = None
                if info.isfile():
                    handle = archive.extractfile(info)
                    body = handle.read() if handle else b""
                out.append((info, body))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"not a readable .tar.gz: {exc}", where=where) from None
    links = {i.name for i, _ in out if i.issym() or i.islnk()}
    for info, _ in out:
        if info.issym() or info.islnk():
            target = _join(info.name, info.linkname) if info.issym() else info.linkname
            if target in links:
                raise _refuse(f"{info.name}: a link to another link ({info.linkname})", where)
    return out


def _join(name: str, link: str) -> str:
    parts = [p for p in name.split("/")[:-1] if p not in ("", ".")]
    for part in link.split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _refuse(what: str, where: str) -> InputError:
    return InputError(f"not a build dht reads: {what}", where=where, hint=_HINT)
