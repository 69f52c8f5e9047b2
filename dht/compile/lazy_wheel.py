"""A wheel's METADATA read with HTTP range requests, without downloading the wheel.

A zip file keeps its directory at the end: one suffix range request gets the
tail (and the total size from Content-Range), zipfile finds the METADATA
member there, and a second range request reads just that member. Any range
the tail does not hold is fetched on demand.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

TAIL = 64 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")

# fetch(first, last) -> the bytes of that inclusive range
Fetch = Callable[[int, int], bytes]


class RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, filled by range requests."""

    def __init__(self, size: int, fetch: Fetch, known: dict[int, bytes]) -> None:
        self.size = size
        self.fetch = fetch
        self.chunks = dict(known)  # start offset -> bytes
        self.pos = 0
        self.requests = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self.size - self.pos)
        if want <= 0:
            return 0
        data = self._read(self.pos, want)
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)

    def _read(self, start: int, length: int) -> bytes:
        for offset, chunk in self.chunks.items():
            if offset <= start and start + length <= offset + len(chunk):
                return chunk[start - offset : start - offset + length]
        # Fetch generously: zipfile reads a local header, then the member right after it.
        last = min(self.size, start + max(length, 16 * 1024)) - 1
        data = self.fetch(start, last)
        self.requests += 1
        self.chunks[start] = data
        return data[:length]


def parse_content_range(value: str | None) -> tuple[int, int, int] | None:
    match = _CONTENT_RANGE.fullmatch((value or "").strip())
    if not match:
        return None
    first, last, total = (int(g) for g in match.groups())
    return first, last, total


def metadata_member(names: list[str]) -> str | None:
    """The `<name>-<version>.dist-info/METADATA` member at the top of the wheel."""
    found = sorted(n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
    return found[0] if found else None


# Core metadata is a few kB (a long description, a few hundred kB): a member claiming
# more, or compressed more than this ratio, is a bomb, refused before it is inflated.
MAX_METADATA_BYTES = 16 * 1024 * 1024
MAX_RATIO = 200


def read_metadata(view: io.RawIOBase | io.BytesIO) -> bytes:
    """METADATA of a wheel, from any seekable file. Raises zipfile.BadZipFile or KeyError."""
    with zipfile.ZipFile(view) as archive:
        member = metadata_member(archive.namelist())
        if member is None:
            raise KeyError("no .dist-info/METADATA in the wheel")
        info = archive.getinfo(member)
        check_member(info.file_size, info.compress_size, member)
        if info.flag_bits & 0x1:
            raise zipfile.BadZipFile(f"{member} is encrypted")
        with archive.open(info) as handle:
            data = handle.read(MAX_METADATA_BYTES + 1)
        if len(data) > MAX_METADATA_BYTES:
            raise zipfile.BadZipFile(f"{member} is larger than it says")
        return data


def check_member(size: int, compressed: int, name: str) -> None:
    """Refuse a metadata member too large, or inflating too much, to be real."""
    if size > MAX_METADATA_BYTES:
        raise zipfile.BadZipFile(f"{name} is {size:,} bytes: not metadata")
    if compressed > 0 and size / compressed > MAX_RATIO and size > 1024 * 1024:
        raise zipfile.BadZipFile(f"{name} inflates {size // compressed}x: refused")
