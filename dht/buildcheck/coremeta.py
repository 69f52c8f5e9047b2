"""Core metadata of a wheel (`*.dist-info/METADATA`) or an sdist (`PKG-INFO`), read
from the archive without unpacking it, and the members the dynamic checks need."""

from __future__ import annotations

import tarfile
import zipfile
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path, PurePosixPath

from dht.buildcheck.verdict import Subject
from dht.errors import InputError

MAX_METADATA = 4 * 1024 * 1024  # bytes: a METADATA file larger than this is no metadata


def parse(data: bytes) -> Message:
    return BytesParser(policy=compat32).parsebytes(data)


def wheel_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def read(subject: Subject) -> Message:
    """The artifact's core metadata; InputError when it has none or cannot be read."""
    try:
        data = (
            _wheel_metadata(subject.path)
            if subject.kind == "wheel"
            else _sdist_pkg_info(subject.path)
        )
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise InputError(f"cannot read the archive: {exc}", where=subject.path.name) from None
    if data is None:
        member = "*.dist-info/METADATA" if subject.kind == "wheel" else "PKG-INFO"
        raise InputError(f"has no {member}", where=subject.path.name)
    return parse(data)


def _wheel_metadata(path: Path) -> bytes | None:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
                if info.file_size > MAX_METADATA:
                    return None
                return archive.read(info)
    return None


def _sdist_pkg_info(path: Path) -> bytes | None:
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            parts = PurePosixPath(member.name).parts
            if len(parts) == 2 and parts[1] == "PKG-INFO" and member.isfile():
                if member.size > MAX_METADATA:
                    return None
                handle = archive.extractfile(member)
                return handle.read() if handle is not None else None
    return None


def field(message: Message, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value).strip()


def fields(message: Message, name: str) -> list[str]:
    return [str(v).strip() for v in message.get_all(name) or []]


def top_level(names: list[str]) -> list[str]:
    """The importable top-level names a wheel installs: packages (a folder with
    `__init__.py`, or any folder holding modules: a namespace package) and modules."""
    found: set[str] = set()
    for name in names:
        parts = PurePosixPath(name).parts
        if not parts or parts[0].endswith((".dist-info", ".data")):
            continue
        head = parts[0]
        if len(parts) == 1:
            stem = head.split(".", 1)[0]
            if head.endswith(".py") or _is_extension(head):
                found.add(stem)
        elif any(p.endswith(".py") or _is_extension(p) for p in parts[1:]) and head.isidentifier():
            found.add(head)
    return sorted(n for n in found if n.isidentifier() and not n.startswith("__"))


def _is_extension(name: str) -> bool:
    return name.endswith((".so", ".pyd")) or ".so." in name
