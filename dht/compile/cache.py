"""The persistent cache of the index client. Bytes in, bytes out; atomic writes.

    <root>/v1/pages/<index-key>/<name>.page      index pages, after a header (fetch time,
                                                 validators, base URL)
    <root>/v1/metadata/<sha256>.METADATA         core metadata, by the artifact's hash: forever
    <root>/v1/sizes/<sha256>                     artifact sizes learnt with HEAD (HTML indexes)
    <root>/v1/blobs/<kind>/<sha256>              derived results by the hash of their inputs
                                                 (uv's Python downloads, a project's metadata,
                                                 a whole resolution: dht/compile/reuse.py)
    <root>/v1/build-envs/<sha256>/               venvs that run a project's build backend

The root is the `cache_dir` argument, else `DHT_CACHE_DIR`, else the user
cache folder (platformdirs). Several dht processes may share it: every write
is a temp file renamed into place, so a reader sees a whole entry or none.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import msgspec

from dht.files import atomic_write

# How long a cached page is used without asking the index again, in seconds.
PAGE_TTL = 600.0


class PageEntry(msgspec.Struct, frozen=True):
    fetched: float  # time.time() of the last fetch or revalidation
    etag: str | None
    last_modified: str | None
    page: bytes  # the page as the index client keeps it (it owns the format)
    base: str = ""  # the URL the page came from: its files' relative URLs start there


class _PageHeader(msgspec.Struct, frozen=True, array_like=True):
    fetched: float
    etag: str | None
    last_modified: str | None
    base: str


# A page file: this, the header's length (4 bytes, big-endian), the header, the page as
# is. Written in parts, a page of megabytes is never copied into one encoded buffer.
_PAGE_MAGIC = b"dht-page 1\n"
_page_header = msgspec.msgpack.Decoder(_PageHeader)


def page_validator(entry: PageEntry) -> str:
    """What names this version of a page: the index's ETag, else its Last-Modified,
    else the hash of the page as cached (an index that gives neither)."""
    if entry.etag:
        return f"etag:{entry.etag}"
    if entry.last_modified:
        return f"last-modified:{entry.last_modified}"
    return f"sha256:{hashlib.sha256(entry.page).hexdigest()}"


def default_root() -> Path:
    configured = os.environ.get("DHT_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("dht", appauthor=False))


class Cache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or default_root()) / "v1"

    def _page_path(self, index_url: str, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a normalized project name: {name!r}")
        key = hashlib.sha256(index_url.encode()).hexdigest()[:16]
        return self.root / "pages" / key / f"{name}.page"

    def read_page(self, index_url: str, name: str) -> PageEntry | None:
        data = _read(self._page_path(index_url, name))
        if data is None or not data.startswith(_PAGE_MAGIC):
            return None
        start = len(_PAGE_MAGIC) + 4
        end = start + int.from_bytes(data[start - 4 : start], "big")
        try:
            header = _page_header.decode(data[start:end])
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None  # a damaged entry is a miss, never an error
        return PageEntry(header.fetched, header.etag, header.last_modified, data[end:], header.base)

    def page_version(self, index_url: str, name: str) -> tuple[float, str] | None:
        """When the cached page was fetched, and its version (`page_validator`): from the
        header alone, unless the index gave no validator and the page must be hashed."""
        try:
            with self._page_path(index_url, name).open("rb") as handle:
                head = handle.read(len(_PAGE_MAGIC) + 4)
                size = int.from_bytes(head[len(_PAGE_MAGIC) :], "big")
                if not head.startswith(_PAGE_MAGIC) or len(head) != len(_PAGE_MAGIC) + 4:
                    return None
                header = _page_header.decode(handle.read(min(size, 1 << 20)))
                page = b"" if header.etag or header.last_modified else handle.read()
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            return None  # missing or damaged: a miss
        entry = PageEntry(header.fetched, header.etag, header.last_modified, page, header.base)
        return header.fetched, page_validator(entry)

    def write_page(self, index_url: str, name: str, entry: PageEntry) -> None:
        header = msgspec.msgpack.encode(
            _PageHeader(entry.fetched, entry.etag, entry.last_modified, entry.base)
        )
        parts = (_PAGE_MAGIC, len(header).to_bytes(4, "big"), header, entry.page)
        _write(self._page_path(index_url, name), parts)

    # Metadata and sizes: under the artifact's hash only when the bytes they came from were
    # checked against that hash (a whole download); otherwise (a .metadata file, range
    # requests, an index's size) under the index too, so one index cannot plant what a
    # lock against another index would reuse.

    def _verified_path(self, folder: str, sha256: str, suffix: str) -> Path:
        return self.root / folder / f"{_digest(sha256)}{suffix}"

    def _scoped_path(self, folder: str, index_url: str, sha256: str, suffix: str) -> Path:
        scope = hashlib.sha256(index_url.encode()).hexdigest()[:16]
        return self.root / folder / scope / f"{_digest(sha256)}{suffix}"

    def read_metadata(self, sha256: str, index_url: str) -> bytes | None:
        verified = _read(self._verified_path("metadata", sha256, ".METADATA"))
        if verified is not None:
            return verified
        return _read(self._scoped_path("metadata", index_url, sha256, ".METADATA"))

    def write_metadata(self, sha256: str, data: bytes, index_url: str, *, verified: bool) -> None:
        if verified:
            _write(self._verified_path("metadata", sha256, ".METADATA"), data)
        else:
            _write(self._scoped_path("metadata", index_url, sha256, ".METADATA"), data)

    def read_size(self, sha256: str, index_url: str) -> int | None:
        data = _read(self._scoped_path("sizes", index_url, sha256, ""))
        return int(data) if data and data.isdigit() else None

    def write_size(self, sha256: str, size: int, index_url: str) -> None:
        _write(self._scoped_path("sizes", index_url, sha256, ""), str(size).encode())

    def read_blob(self, kind: str, key: str) -> bytes | None:
        return _read(self.root / "blobs" / _kind(kind) / _digest(key))

    def write_blob(self, kind: str, key: str, data: bytes) -> None:
        _write(self.root / "blobs" / _kind(kind) / _digest(key), data)

    def build_env(self, key: str) -> Path:
        return self.root / "build-envs" / _digest(key)


def _kind(kind: str) -> str:
    if not kind.isidentifier():
        raise ValueError(f"not a cache kind: {kind!r}")
    return kind


def _digest(sha256: str) -> str:
    """The key as a file name. The index supplies it: anything but 64 hex digits
    (a path, "..") would escape the cache, so it is refused here as well."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a lowercase sha256 hex digest: {sha256!r}")
    return sha256


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(path: Path, data: bytes | tuple[bytes, ...]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data, durable=False)
    except OSError:
        # A cache that cannot be written (read-only home, full disk) only costs speed.
        pass
