"""Core metadata of a wheel (`*.dist-info/METADATA`) or an sdist (`PKG-INFO`), read
through the static checks' archive reader (bounded, cached: each artifact is read once),
and the members the dynamic checks need."""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path, PurePosixPath

from dht.buildcheck import archive
from dht.buildcheck.verdict import Subject
from dht.errors import InputError

MAX_METADATA = 4 * 1024 * 1024  # bytes: a METADATA file larger than this is no metadata


def parse(data: bytes) -> Message:
    return BytesParser(policy=compat32).parsebytes(data)


def wheel_names(path: Path) -> list[str]:
    """Every member's name, as the archive spells it (read with the bounded reader)."""
    return [m.name for m in archive.read(path, "wheel").members]


def read(subject: Subject) -> Message:
    """The artifact's core metadata; InputError when it has none or cannot be read."""
    try:
        data = archive.read(subject.path, subject.kind).metadata()
    except OSError as exc:
        raise InputError(f"cannot read the archive: {exc}", where=subject.path.name) from None
    if data is None or len(data) > MAX_METADATA:
        member = "*.dist-info/METADATA" if subject.kind == "wheel" else "PKG-INFO"
        raise InputError(f"has no {member}", where=subject.path.name)
    return parse(data)


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
