"""The package index client: the only part of the compiler that talks to the network.

- Pages: PEP 691 JSON, or PEP 503 HTML when that is what the server answers.
  JSON is decoded straight into small msgspec types (PyPI's coverage page is
  ~4 MB, 9,500 files). The cache keeps a page as the index sent it (an HTML
  page in PEP 691's form), with the URL its relative links start from; a
  page's files are grouped by release and a release's files become artifacts
  only when something reads that release (`releases.py`): a resolution reads
  one or two releases of a project with hundreds.
- Core metadata, cheapest first: the PEP 658/714 `.metadata` file when the
  index announces one; else the wheel's METADATA through HTTP range requests;
  else the whole file, checked against the index's sha256. Sdists give their
  PKG-INFO when it is reliable (Metadata-Version 2.2+, static dependencies).
- Retries with exponential backoff on 5xx, 429, timeouts and broken
  connections. Errors name the URL and what was tried.
- `exclude_newer` drops files uploaded later, and files with no upload time.
- What the index says is checked before it is used: project names before they
  become URLs or cache paths, hashes (64 hex digits) before they become cache
  keys, and metadata against the file's name and version before it is cached.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import operator
import os
import re
import threading
import time
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import httpx
import msgspec
from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from dht import __version__
from dht.compile import dns, lazy_wheel, releases, transport
from dht.compile.cache import PAGE_TTL, Cache, PageEntry, page_validator
from dht.compile.releases import Releases
from dht.compile.targets import metadata_artifact
from dht.errors import DhtError, IndexError_, IntegrityError, NetworkError

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_JSON_TYPES = (JSON_TYPE, "application/vnd.pypi.simple.latest+json", "application/json")
_HTML_TYPES = (
    "text/html",
    "application/vnd.pypi.simple.v1+html",
    "application/vnd.pypi.simple.latest+html",
    "",
)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_VALID_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")  # PEP 508
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


class Artifact(msgspec.Struct, frozen=True, kw_only=True):
    filename: str
    url: str
    sha256: str | None
    size: int | None
    requires_python: str | None
    yanked: str | None = None  # None: not yanked; else the reason ("" when none given)
    upload_time: str | None = None
    core_metadata: bool = False  # PEP 658/714: the index serves <url>.metadata
    metadata_sha256: str | None = None  # the hash the index gives for that file, if any

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


class ProjectPage(msgspec.Struct, frozen=True):
    name: str
    artifacts: tuple[Artifact, ...]


class CoreMetadata(msgspec.Struct, frozen=True):
    name: str
    version: str
    requires_dist: tuple[str, ...]
    requires_python: str | None
    provides_extra: tuple[str, ...]


class ProjectNotFound(IndexError_):
    """The index has no page for the project (HTTP 404)."""


# PEP 691 JSON, only the fields dht reads.


class _JsonHashes(msgspec.Struct):
    sha256: str | None = None  # the only one dht reads; others are skipped undecoded


class _JsonFile(msgspec.Struct, rename="kebab"):
    filename: str
    url: str
    hashes: _JsonHashes = msgspec.field(default_factory=_JsonHashes)
    requires_python: str | None = None
    yanked: bool | str = False
    size: int | None = None
    upload_time: str | None = None
    core_metadata: bool | dict[str, str] | None = None
    dist_info_metadata: bool | dict[str, str] | None = msgspec.field(
        default=None, name="dist-info-metadata"
    )


class _JsonMeta(msgspec.Struct, rename="kebab"):
    api_version: str = "1.0"


class _JsonPage(msgspec.Struct):
    files: list[_JsonFile]
    meta: _JsonMeta = msgspec.field(default_factory=_JsonMeta)


_json_page = msgspec.json.Decoder(_JsonPage)
_json_page_encoder = msgspec.json.Encoder()


@functools.cache
def _links_parser() -> Any:
    """The HTML page reader's class, made when a first HTML page arrives: the JSON pages
    most indexes serve never need html.parser, and a cold lock starts sooner without it."""
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.links: list[dict[str, str | None]] = []
            self.base: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self.links.append(dict(attrs))
            elif tag == "base" and self.base is None:  # HTML: the first <base href> counts
                self.base = dict(attrs).get("href")

    return Links


def _is_artifact(filename: str) -> bool:
    """A wheel or an sdist whose name packaging parses (`parse_wheel_filename`,
    `parse_sdist_filename`). Big pages list thousands of files that repeat a few
    versions and tag sets, so the version and the rest of a wheel name are
    checked apart, each memoized: the same answers as the full parse, ~6x faster."""
    if filename.endswith(".whl"):
        dashes = filename.count("-")
        if dashes not in (4, 5):
            return False
        parts = filename[:-4].split("-", 2)
        try:
            _version(parts[1])  # memoized: a page repeats each version once per wheel
        except InvalidVersion:
            return False
        return _wheel_shape_ok(parts[0], parts[2])
    if filename.endswith((".tar.gz", ".zip")):
        try:
            parse_sdist_filename(filename)
        except (InvalidSdistFilename, InvalidVersion):
            return False
        return True
    return False


@functools.lru_cache(maxsize=4096)
def _wheel_shape_ok(name_part: str, rest: str) -> bool:
    """Name, build tag and tags of a wheel name, with the version replaced by "0"."""
    try:
        parse_wheel_filename(f"{name_part}-0-{rest}.whl")
    except (InvalidWheelFilename, InvalidVersion):
        return False
    return True


_HEX256 = re.compile(r"[0-9a-fA-F]{64}")


def _hex256(value: str | None) -> str | None:
    """A sha256 as lowercase hex (as hashlib gives it), or None when it is not one:
    it becomes a cache file name and a line of the lock, so nothing else gets through."""
    return value.lower() if value and _HEX256.fullmatch(value) else None


_by_name = operator.attrgetter("filename", "url")  # a page's files, in a stable order


def parse_json_page(name: str, data: bytes, page_url: str) -> ProjectPage:
    """A PEP 691 page, every file made an artifact (the client makes them per release)."""
    return ProjectPage(name, tuple(_artifacts(_json_files(data, page_url), page_url)))


def _json_files(data: bytes, page_url: str) -> list[_JsonFile]:
    try:
        page = _json_page.decode(data)
    except msgspec.DecodeError as exc:
        raise IndexError_(
            f"the index answered a page dht cannot read ({exc})",
            where=page_url,
            hint="check index.url in dht.toml; retry with --refresh",
        ) from None
    if page.meta.api_version.split(".")[0] != "1":
        # PEP 691: a new major version may change meanings; guessing would be wrong.
        raise IndexError_(
            f"the index answered simple API version {page.meta.api_version}; dht reads version 1.x",
            where=page_url,
            hint="use an index that serves PEP 691 version 1 (or PEP 503 HTML)",
        )
    return page.files


def _artifacts(files: Sequence[_JsonFile], page_url: str) -> list[Artifact]:
    """The files that are wheels or sdists, checked (hashes, URLs), in a stable order."""
    artifacts = []
    for f in files:
        if not _is_artifact(f.filename):
            continue
        meta = f.core_metadata if f.core_metadata is not None else f.dist_info_metadata
        meta_hash = meta.get("sha256") if isinstance(meta, dict) else None
        digest = f.hashes.sha256
        artifacts.append(
            Artifact(
                filename=f.filename,
                url=f.url
                if f.url.startswith(("https://", "http://"))
                else urljoin(page_url, f.url),
                sha256=_hex256(digest),
                size=f.size,
                requires_python=f.requires_python or None,
                yanked=None if f.yanked is False else ("" if f.yanked is True else f.yanked),
                upload_time=f.upload_time,
                core_metadata=bool(meta),
                metadata_sha256=_hex256(meta_hash),
            )
        )
    artifacts.sort(key=_by_name)
    return artifacts


def _as_json(page: ProjectPage) -> bytes:
    """A page read from HTML in PEP 691's form, as the cache keeps every page."""
    return _json_page_encoder.encode(
        {
            "meta": {"api-version": "1.0"},
            "files": [
                {
                    "filename": a.filename,
                    "url": a.url,
                    "hashes": {"sha256": a.sha256} if a.sha256 else {},
                    "requires-python": a.requires_python,
                    "yanked": True if a.yanked == "" else (a.yanked or False),
                    "core-metadata": {"sha256": a.metadata_sha256}
                    if a.metadata_sha256
                    else a.core_metadata,
                }
                for a in page.artifacts
            ],
        }
    )


def parse_html_page(
    name: str, data: bytes, page_url: str, charset: str | None = None
) -> ProjectPage:
    parser = _links_parser()()
    try:
        text = data.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        # A wrong or unknown charset: file names are ASCII in practice, so read on.
        text = data.decode("utf-8", errors="replace")
    try:
        parser.feed(text)
        parser.close()
    except AssertionError as exc:  # html.parser's way of giving up
        raise IndexError_(
            f"the index answered a page dht cannot read ({exc})", where=page_url
        ) from None
    base = urljoin(page_url, parser.base) if parser.base else page_url
    artifacts = []
    for link in parser.links:
        href = link.get("href")
        if not href:
            continue
        url, fragment = urldefrag(urljoin(base, href))
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        if not _is_artifact(filename):
            continue
        algo, _, digest = fragment.partition("=")
        yanked = link.get("data-yanked")
        meta = link.get("data-core-metadata", link.get("data-dist-info-metadata"))
        # PEP 714: the value is "true" or "<algo>=<hex>"; "false" means there is none.
        meta_algo, _, meta_hash = (meta or "").partition("=")
        artifacts.append(
            Artifact(
                filename=filename,
                url=url,
                sha256=_hex256(digest) if algo == "sha256" else None,
                size=None,
                requires_python=link.get("data-requires-python") or None,
                yanked=None if "data-yanked" not in link else (yanked or ""),
                core_metadata=meta is not None and meta.lower() != "false",
                metadata_sha256=_hex256(meta_hash) if meta_algo == "sha256" else None,
            )
        )
    return ProjectPage(name, tuple(sorted(artifacts, key=_by_name)))


def parse_metadata(data: bytes, where: str) -> tuple[CoreMetadata, Any]:
    # Here: the first METADATA arrives after the first pages, while requests are in flight.
    from email.parser import BytesParser  # its default policy (compat32): no email.policy

    message = BytesParser().parsebytes(data)
    name, version = message.get("Name"), message.get("Version")
    if not name or not version:
        raise IndexError_("metadata without Name or Version", where=where)
    meta = CoreMetadata(
        name=str(name).strip(),
        version=str(version).strip(),
        requires_dist=tuple(str(r).strip() for r in message.get_all("Requires-Dist") or ()),
        requires_python=(str(message.get("Requires-Python")).strip() or None)
        if message.get("Requires-Python")
        else None,
        provides_extra=tuple(str(e).strip() for e in message.get_all("Provides-Extra") or ()),
    )
    return meta, message


class _Page:
    """A page as read: its files grouped by release (`releases.group`), a release's
    made into artifacts when first read; the whole page made only when asked for."""

    __slots__ = ("_whole", "base", "exclude_newer", "files", "name", "releases")

    def __init__(
        self, name: str, files: list[_JsonFile], base: str, exclude_newer: dt.datetime | None
    ) -> None:
        self.name, self.files, self.base, self.exclude_newer = name, files, base, exclude_newer
        self.releases: Releases[_JsonFile, Artifact] = releases.group(
            name, files, exclude_newer, functools.partial(_artifacts, page_url=base)
        )
        self._whole: ProjectPage | None = None

    def whole(self) -> ProjectPage:
        if self._whole is None:
            kept = [f for f in self.files if releases.in_time(f, self.exclude_newer)]
            self._whole = ProjectPage(self.name, tuple(_artifacts(kept, self.base)))
        return self._whole


def _decode_cached(entry: PageEntry | None) -> list[_JsonFile] | None:
    if entry is None or not entry.base:
        return None  # no base: written by an older dht, in another form
    try:
        return _json_files(entry.page, entry.base)
    except IndexError_:
        return None


def _release_of(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return _version(filename.split("-")[1])
        return parse_sdist_filename(filename)[1]
    except (InvalidVersion, InvalidSdistFilename, IndexError):
        return None


@functools.lru_cache(maxsize=1024)
def _marker(text: str) -> Marker:
    return Marker(text)


@functools.lru_cache(maxsize=65536)
def _version(text: str) -> Version:
    return Version(text)


class _TarError(Exception):
    """tarfile's errors, as an sdist reader raises them (tarfile is loaded by that reader
    only: a lock from wheels never needs it)."""


# What a damaged or truncated archive raises from zipfile, tarfile, zlib and gzip.
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    _TarError,
    zlib.error,
    KeyError,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
)


_MAX_SERVER_WAIT = 10.0  # the most a Retry-After header may make dht wait, in seconds
# Bounds on one answer: a page or metadata file, and a whole file (an sdist read for its
# PKG-INFO). Deadlines are for the whole answer, not between two bytes.
MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024 * 1024
PAGE_DEADLINE = float(os.environ.get("DHT_PAGE_DEADLINE", "60"))
FILE_DEADLINE = 600.0
MAX_SDIST_INFLATED = 4 * 1024 * 1024 * 1024  # how far an sdist is read looking for PKG-INFO


def _retry_base() -> float:
    """Base of the exponential backoff: 0.2 s, or `DHT_RETRY_BASE` (tests set it tiny)."""
    try:
        value = float(os.environ.get("DHT_RETRY_BASE", "0.2"))
    except ValueError:
        return 0.2
    return value if 0 <= value <= 60 else 0.2


class IndexClient:
    """A simple-index client. Thread-safe; memoizes pages and metadata for the life
    of one `dht lock`, and keeps both in the persistent cache (`Cache`).

    `exclude_newer` ("YYYY-MM-DDTHH:MM:SSZ") hides files uploaded after that
    time. Files the index gives no upload time for (PEP 503 HTML pages, old
    PEP 691 servers) are hidden too when it is set: nothing proves them old
    enough, and a lock "as of a date" must not depend on what was added since.
    """

    def __init__(
        self,
        url: str,
        *,
        cache_dir: Path | None = None,
        offline: bool = False,
        refresh: bool = False,
        page_ttl: float = PAGE_TTL,
        exclude_newer: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        max_workers: int = 16,
        guess_for: Sequence[Mapping[str, str]] = (),
    ) -> None:
        self.url = url.rstrip("/")
        # Marker environments of the lock's targets: a conditional dependency true on one
        # of them is fetched ahead too (mypy's librt has a marker; waiting for the
        # resolver to ask for it added a round of requests to a cold lock).
        self._guess_for = tuple(dict(env) for env in guess_for)
        self.cache = Cache(cache_dir)
        self.offline = offline
        self.refresh = refresh
        self.page_ttl = page_ttl
        self.exclude_newer = releases.uploaded(exclude_newer) if exclude_newer else None
        if exclude_newer and self.exclude_newer is None:
            raise DhtError(
                f"exclude-newer {exclude_newer!r} is not a time",
                where="index.exclude-newer",
                hint='write it like "2026-11-01T00:00:00Z"',
            )
        self.retries = retries
        self.backoff = _retry_base()
        self._timeout = timeout
        self._max_workers = max_workers
        self._http: httpx.Client | None = None  # made on first use: a warm run needs none
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="dht-index")
        self._lock = threading.Lock()
        self._http_lock = threading.Lock()
        self.lookups = dns.CachedLookups()  # one DNS lookup per host for this client
        self._under_way = threading.Event()  # a page was found in the cache or asked for
        self._pages: dict[str, Future[_Page]] = {}
        self._from_cache: set[str] = set()
        self._validators: dict[str, str] = {}  # page -> the version read (page_validator)
        self._metadata: dict[str, Future[CoreMetadata]] = {}
        self.stats: dict[str, int] = {
            "requests": 0,
            "bytes": 0,
            "page_cache_hits": 0,
            "metadata_cache_hits": 0,
            "range_requests": 0,
        }

    # lifecycle

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._http is not None:
            self._http.close()

    @property
    def _client(self) -> httpx.Client:
        if self._http is not None:
            return self._http
        # Its own lock: making the client (the TLS context reads every CA certificate,
        # ~50 ms) must not hold up threads that only queue work under self._lock.
        with self._http_lock:
            if self._http is None:
                self._http = httpx.Client(
                    timeout=self._timeout,
                    follow_redirects=True,
                    headers={"User-Agent": f"dht/{__version__}"},
                    transport=transport.Transport(httpx.create_ssl_context(), self.lookups),
                )
            return self._http

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _count(self, key: str, amount: int = 1) -> None:
        with self._lock:
            self.stats[key] += amount

    # pages

    def project(self, name: str) -> ProjectPage:
        return self._page_future(self._checked(name)).result().whole()

    def releases(self, name: str) -> Mapping[Version, list[Artifact]]:
        """The page's files by version, newest first (`releases.group`)."""
        return self._page_future(self._checked(name)).result().releases

    def _checked(self, name: str) -> str:
        if not _VALID_NAME.fullmatch(name):
            # The name becomes a URL path and a cache file name: never let "../x" through.
            raise ProjectNotFound(
                f"{name!r} is not a valid project name",
                where=self.url,
                hint="project names are letters, digits and '.', '_', '-' (PEP 508)",
            )
        return canonicalize_name(name)

    def prefetch(self, names: Iterable[str]) -> None:
        """Fetch pages ahead, and the metadata of each project's newest release, which
        the resolver most likely asks for next (as uv does)."""
        for name in names:
            if _VALID_NAME.fullmatch(name):  # project() reports invalid names
                self._page_future(canonicalize_name(name)).add_done_callback(self._guess_metadata)

    def wait_under_way(self, timeout: float = 0.5) -> None:
        """Return once a prefetched page was found in the cache or is being asked for
        (or after `timeout`): a caller that goes on to import the resolver then does so
        while the requests wait on the network, not before they leave."""
        self._under_way.wait(timeout)

    def _guess_metadata(self, future: Future[_Page]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        page = future.result()
        if page.name in self._from_cache:
            return  # a warm run: what it needs is cached too; guessing costs more than it saves
        for version in page.releases:  # newest first
            if version.is_prerelease:
                continue
            live = [a for a in page.releases[version] if a.yanked is None]
            if live:
                with contextlib.suppress(RuntimeError):  # the pool is shutting down
                    meta = self._metadata_future(metadata_artifact(live))
                    meta.add_done_callback(self._guess_dependencies)
                return

    def _guess_dependencies(self, future: Future[CoreMetadata]) -> None:
        """Walk ahead down the likely dependency tree: its pages are wanted next."""
        if future.cancelled() or future.exception() is not None:
            return
        names = []
        for text in future.result().requires_dist:
            name, _, marker = text.partition(";")
            if marker.strip() and not self._likely(marker):
                continue  # extras, old Pythons, other OSes: fetched if the resolver asks
            match = _NAME.match(name.strip())
            if match:
                names.append(match.group(0))
        with contextlib.suppress(RuntimeError):
            self.prefetch(names)

    def _likely(self, marker: str) -> bool:
        """Whether a dependency's marker holds on one of the targets, no extra requested.
        A guess only: what the resolver asks for is what counts."""
        if not self._guess_for:
            return False
        try:
            parsed = _marker(marker.strip())
            return any(parsed.evaluate({**env, "extra": ""}) for env in self._guess_for)
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, ValueError):
            return False

    def _page_future(self, name: str) -> Future[_Page]:
        with self._lock:
            future = self._pages.get(name)
            if future is None:
                future = self._pool.submit(self._page, name)
                self._pages[name] = future
                # Whatever the outcome (a failure too): no one waits the full timeout.
                future.add_done_callback(lambda _: self._under_way.set())
            return future

    def _page(self, name: str) -> _Page:
        files, base = self._load_page(name)
        return _Page(name, files, base, self.exclude_newer)

    def _load_page(self, name: str) -> tuple[list[_JsonFile], str]:
        """The page's files and the URL they are relative to: from the cache while it is
        fresh (or the index says it has not changed), else from the index."""
        page_url = f"{self.url}/{name}/"
        entry = None if self.refresh and not self.offline else self.cache.read_page(self.url, name)
        cached = _decode_cached(entry)
        if cached is None:
            entry = None  # damaged or from another dht version: a miss, never an error
        if (
            cached is not None
            and entry is not None
            and (self.offline or 0 <= time.time() - entry.fetched < self.page_ttl)
        ):
            self._count("page_cache_hits")
            self._from_cache.add(name)
            self._seen(name, entry)
            self._under_way.set()
            return cached, entry.base
        if self.offline:
            raise NetworkError(
                f"the index page of {name!r} is not in the cache",
                where=page_url,
                hint="run once without --offline to fill the cache",
            )
        headers = {"Accept": ACCEPT}
        self._under_way.set()
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        elif entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        response = self._request("GET", page_url, headers)
        if response.status_code == 304 and entry is not None and cached is not None:
            self._count("page_cache_hits")
            self.cache.write_page(
                self.url, name, msgspec.structs.replace(entry, fetched=time.time())
            )
            self._seen(name, entry)
            return cached, entry.base
        if response.status_code == 404:
            raise ProjectNotFound(
                f"no project named {name!r} on the index",
                where=page_url,
                hint="check the tool's name (as on PyPI) and index.url in dht.toml",
            )
        if response.status_code != 200:
            status = response.status_code
            raise IndexError_(
                f"the index answered HTTP {status} for the page of {name!r}",
                where=page_url,
                hint="the index wants credentials: put them in ~/.netrc (`machine HOST login USER password TOKEN`), "
                "which dht and uv both read; never in the URL, which dht.lock would carry"
                if status in (401, 403)
                else "check index.url in dht.toml",
            )
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        base = str(response.url)
        if kind in _JSON_TYPES:
            data = response.content  # kept as sent: decoded each time, never encoded again
        elif kind in _HTML_TYPES:
            data = _as_json(
                parse_html_page(name, response.content, base, response.charset_encoding)
            )
        else:
            raise IndexError_(
                f"the index answered {kind!r}, not a simple index page",
                where=page_url,
                hint="index.url must point at a PEP 503/691 simple index, like https://pypi.org/simple",
            )
        files = _json_files(data, base)  # a page that does not read is not cached
        fresh = PageEntry(
            fetched=time.time(),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            page=data,
            base=base,
        )
        self.cache.write_page(self.url, name, fresh)
        self._seen(name, fresh)
        return files, base

    def _seen(self, name: str, entry: PageEntry) -> None:
        with self._lock:
            self._validators[name] = page_validator(entry)

    def page_versions(self) -> dict[str, str] | None:
        """Every page read so far and the version read (`page_validator`), for a
        record of what a resolution depended on; None when a page could not be read
        (a resolution that saw a failure is not worth recording)."""
        with self._lock:
            futures = dict(self._pages)
            seen = dict(self._validators)
        for name, future in futures.items():
            if future.done() and (future.cancelled() or future.exception() is not None):
                return None
            if future.done() and name not in seen:
                return None
        return {name: seen[name] for name in sorted(seen)}

    # metadata

    def metadata(self, artifact: Artifact) -> CoreMetadata:
        return self._metadata_future(artifact).result()

    def prefetch_metadata(self, artifacts: Iterable[Artifact]) -> None:
        for artifact in artifacts:
            self._metadata_future(artifact)

    def _metadata_future(self, artifact: Artifact) -> Future[CoreMetadata]:
        key = artifact.sha256 or artifact.url
        with self._lock:
            future = self._metadata.get(key)
            if future is None:
                future = self._pool.submit(self._load_metadata, artifact)
                self._metadata[key] = future
            return future

    def _load_metadata(self, artifact: Artifact) -> CoreMetadata:
        data = self.cache.read_metadata(artifact.sha256, self.url) if artifact.sha256 else None
        if data is not None:
            try:
                meta, _ = parse_metadata(data, artifact.url)
            except Exception:
                data = None  # a damaged entry is a miss, never an error
            else:
                self._count("metadata_cache_hits")
                return meta
        if self.offline:
            raise NetworkError(
                f"the metadata of {artifact.filename} is not in the cache",
                where=artifact.url,
                hint="run once without --offline to fill the cache",
            )
        data, verified = self._fetch_metadata(artifact)
        try:
            meta, message = parse_metadata(data, artifact.url)
        except IndexError_:
            raise
        except Exception as exc:  # a malformed file must not become a traceback
            raise IndexError_(
                f"cannot read the metadata of {artifact.filename}: {exc}", where=artifact.url
            ) from None
        _check_identity(artifact, meta)
        if not artifact.is_wheel:
            _check_sdist_metadata(artifact, message)
        if artifact.sha256:
            self.cache.write_metadata(artifact.sha256, data, self.url, verified=verified)
        return meta

    def _fetch_metadata(self, artifact: Artifact) -> tuple[bytes, bool]:
        """The metadata, and whether it came from bytes checked against the artifact's hash."""
        if artifact.core_metadata:
            url = artifact.url + ".metadata"
            response = self._request("GET", url)
            # Announced but missing (mirrors do that): fall through to the wheel itself.
            if response.status_code == 200:
                if artifact.metadata_sha256 is not None:
                    got = hashlib.sha256(response.content).hexdigest()
                    if got != artifact.metadata_sha256:
                        raise IntegrityError(
                            f"the metadata file of {artifact.filename} does not match the hash the index gave: "
                            f"expected sha256 {artifact.metadata_sha256}, got {got}",
                            where=url,
                            hint="the file or the index is corrupt or tampered with; retry with --refresh, then report it to the index",
                        )
                return response.content, False
        if artifact.is_wheel:
            ranged = self._range_metadata(artifact)
            if ranged is not None:
                return ranged
        body = self._download(artifact)
        try:
            if artifact.is_wheel:
                return lazy_wheel.read_metadata(io.BytesIO(body)), True
            return _sdist_pkg_info(artifact.filename, body), True
        except _ARCHIVE_ERRORS as exc:
            raise IndexError_(
                f"{artifact.filename} is not a readable archive: {exc}", where=artifact.url
            ) from None

    def _range_metadata(self, artifact: Artifact) -> tuple[bytes, bool] | None:
        """METADATA through range requests (not hash-checked), or from the whole file when
        the server ignores Range (checked); None when the server does not do ranges."""
        response = self._request(
            "GET", artifact.url, {"Range": f"bytes=-{lazy_wheel.TAIL}"}, raw=True
        )
        self._count("range_requests")
        if response.status_code == 200:
            # The server ignored Range and sent the whole file: use it.
            self._verify(artifact, response.content)
            try:
                return lazy_wheel.read_metadata(io.BytesIO(response.content)), True
            except _ARCHIVE_ERRORS as exc:
                raise IndexError_(
                    f"{artifact.filename} is not a readable wheel: {exc}", where=artifact.url
                ) from None
        content_range = lazy_wheel.parse_content_range(response.headers.get("content-range"))
        if response.status_code != 206 or content_range is None:
            return None
        first, _, total = content_range

        def fetch(start: int, last: int) -> bytes:
            part = self._request("GET", artifact.url, {"Range": f"bytes={start}-{last}"}, raw=True)
            self._count("range_requests")
            got = lazy_wheel.parse_content_range(part.headers.get("content-range"))
            if part.status_code != 206 or got is None or got[0] != start:
                raise OSError(f"range request answered HTTP {part.status_code}")
            return part.content

        view = lazy_wheel.RangeFile(total, fetch, {first: response.content})
        try:
            return lazy_wheel.read_metadata(view), False
        except _ARCHIVE_ERRORS:
            return None  # fall back to the whole file, which is hash-checked

    def _download(self, artifact: Artifact) -> bytes:
        response = self._request("GET", artifact.url, raw=True)
        status = response.status_code
        if status != 200:
            tried = [
                *(["its .metadata file"] if artifact.core_metadata else []),
                *(["range requests"] if artifact.is_wheel else []),
                "a whole download",
            ]
            raise IndexError_(
                f"cannot read the metadata of {artifact.filename}: the download answered "
                f"HTTP {status} (tried {', '.join(tried)})",
                where=artifact.url,
                hint="the index wants credentials: put them in ~/.netrc (`machine HOST login USER password TOKEN`), "
                "which dht and uv both read; never in the URL, which dht.lock would carry"
                if status in (401, 403)
                else "the index lists a file it does not serve; retry with --refresh, then report it to the index",
            )
        self._verify(artifact, response.content)
        return response.content

    def _verify(self, artifact: Artifact, body: bytes) -> None:
        if artifact.sha256 is None:
            return
        got = hashlib.sha256(body).hexdigest()
        if got != artifact.sha256:
            raise IntegrityError(
                f"{artifact.filename} does not match the hash the index gave: expected sha256 {artifact.sha256}, got {got}",
                where=artifact.url,
                hint="the file or the index is corrupt or tampered with; retry with --refresh, then report it to the index",
            )

    def size(self, artifact: Artifact) -> int:
        """The size of an artifact the page gave none for (PEP 503 HTML): HEAD, cached by hash."""
        if artifact.size is not None:
            return artifact.size
        cached = self.cache.read_size(artifact.sha256, self.url) if artifact.sha256 else None
        if cached is not None:
            return cached
        if self.offline:
            raise NetworkError(f"the size of {artifact.filename} is not in the cache", where=artifact.url,
                               hint="run once without --offline to fill the cache")  # fmt: skip
        response = self._request("HEAD", artifact.url, raw=True)
        length = response.headers.get("content-length", "")
        size = int(length) if response.status_code == 200 and length.isdigit() else None
        if size is None:
            # Some servers refuse HEAD or omit the length: a one-byte range names the total.
            probe = self._request("GET", artifact.url, {"Range": "bytes=0-0"}, raw=True)
            found = lazy_wheel.parse_content_range(probe.headers.get("content-range"))
            if probe.status_code == 206 and found is not None:
                size = found[2]
        if size is None:
            raise IndexError_(
                f"the index gives no size for {artifact.filename} (tried HEAD: HTTP "
                f"{response.status_code}, and a one-byte range request)",
                where=artifact.url,
                hint="use an index that serves PEP 691 JSON, which includes sizes",
            )
        if artifact.sha256:
            self.cache.write_size(artifact.sha256, size, self.url)
        return size

    # transport

    def _request(
        self, method: str, url: str, headers: dict[str, str] | None = None, *, raw: bool = False
    ) -> httpx.Response:
        """One request with retries. `raw`: for files, whose bytes are hashed: ask for
        no transfer encoding and keep the bytes as sent, even from servers that label
        a .tar.gz `Content-Encoding: gzip` (which would otherwise be unpacked)."""
        attempts = self.retries + 1
        failure = ""
        server_wait = 0.0
        if raw:
            headers = {**(headers or {}), "Accept-Encoding": "identity"}
        for attempt in range(attempts):
            if attempt:
                backoff = min(self.backoff * 2 ** (attempt - 1), 5.0)
                time.sleep(max(backoff, server_wait))
            try:
                response = self._fetch(method, url, headers, raw=raw)
            except httpx.TimeoutException:
                failure = "timed out"
                continue
            except httpx.UnsupportedProtocol as exc:
                raise IndexError_(
                    f"{method} impossible: {exc}",
                    where=url,
                    hint="index.url and the file URLs it gives must be http(s)",
                ) from None
            except httpx.TransportError as exc:
                failure = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            except (httpx.RequestError, httpx.InvalidURL) as exc:
                # Too many redirects, a body that does not decode, a malformed URL:
                # asking again would get the same answer.
                raise IndexError_(
                    f"{method} failed: {type(exc).__name__}: {exc}",
                    where=url,
                    hint="check index.url in dht.toml; the index may be misconfigured",
                ) from None
            finally:
                self._count("requests")
            if response.status_code >= 500 or response.status_code == 429:
                failure = f"HTTP {response.status_code}"
                # Retry-After in seconds is honoured, within reason (dates are ignored).
                wait = response.headers.get("retry-after", "").strip()
                server_wait = min(float(wait), _MAX_SERVER_WAIT) if wait.isdigit() else 0.0
                continue
            self._count("bytes", len(response.content))
            return response
        raise NetworkError(
            f"{method} failed after {attempts} attempt{'s' * (attempts != 1)}: {failure}",
            where=url,
            hint="check the network and index.url; `dht lock --offline` works from the cache",
        )

    def _fetch(
        self, method: str, url: str, headers: dict[str, str] | None, *, raw: bool
    ) -> httpx.Response:
        """The whole response, within a deadline and a size bound: a server that sends a
        byte every few seconds never trips a read timeout, and one that sends without end
        would fill memory. `raw`: the body exactly as sent (no content decoding)."""
        client = self._client
        limit = MAX_FILE_BYTES if raw else MAX_PAGE_BYTES
        allowed = FILE_DEADLINE if raw else PAGE_DEADLINE
        deadline = time.monotonic() + allowed
        response = client.send(client.build_request(method, url, headers=headers), stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_raw() if raw else response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise IndexError_(
                        f"the answer is larger than {limit:,} bytes",
                        where=url,
                        hint="the index is misbehaving, or this is not an index",
                    )
                if time.monotonic() > deadline:
                    raise NetworkError(
                        f"no complete answer within {allowed:g} s",
                        where=url,
                        hint="the index is sending too slowly; try again later",
                    )
                chunks.append(chunk)
        finally:
            response.close()
        # The body is kept as read: decoded (or raw) bytes, so no content-encoding applies.
        kept = [(k, v) for k, v in response.headers.multi_items() if k != "content-encoding"]
        return httpx.Response(
            response.status_code, headers=kept, content=b"".join(chunks), request=response.request
        )


def _sdist_pkg_info(filename: str, body: bytes) -> bytes:
    """PKG-INFO at the top of an sdist (`<name>-<version>/PKG-INFO`)."""
    if filename.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = sorted(
                n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO")
            )
            if not names:
                raise KeyError("no PKG-INFO in the sdist")
            info = archive.getinfo(names[0])
            lazy_wheel.check_member(info.file_size, info.compress_size, names[0])
            with archive.open(info) as handle:
                return _bounded(handle.read(lazy_wheel.MAX_METADATA_BYTES + 1), names[0])
    import tarfile

    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as archive:
            # Walked lazily and bounded: a compressed bomb never inflates past the cap.
            for member in archive:
                if archive.offset > MAX_SDIST_INFLATED:
                    raise _TarError(f"inflates past {MAX_SDIST_INFLATED:,} bytes: refused")
                if (
                    member.isfile()
                    and member.name.count("/") == 1
                    and member.name.endswith("/PKG-INFO")
                ):
                    lazy_wheel.check_member(member.size, 0, member.name)
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        raise KeyError("unreadable PKG-INFO")
                    return _bounded(extracted.read(lazy_wheel.MAX_METADATA_BYTES + 1), member.name)
    except tarfile.TarError as exc:
        raise _TarError(str(exc)) from None
    raise KeyError("no PKG-INFO in the sdist")


def _bounded(data: bytes, name: str) -> bytes:
    if len(data) > lazy_wheel.MAX_METADATA_BYTES:
        raise zipfile.BadZipFile(f"{name} is larger than it says")
    return data


def _check_identity(artifact: Artifact, meta: CoreMetadata) -> None:
    """The metadata must be that of the file's release: a mirror serving the wrong
    `.metadata` file must not be cached (forever, by the file's hash)."""
    project, release = _project_of(artifact.filename), _release_of(artifact.filename)
    if project is None or release is None:
        return  # not a name from an index page: nothing to compare with
    try:
        same = canonicalize_name(meta.name) == project and Version(meta.version) == release
    except InvalidVersion:
        same = False
    if not same:
        raise IndexError_(
            f"the metadata of {artifact.filename} is that of {meta.name} {meta.version}",
            where=artifact.url,
            hint="the index serves a file under the wrong name; retry with --refresh, then report it to the index",
        )


def _project_of(filename: str) -> str | None:
    if filename.endswith(".whl"):
        return canonicalize_name(filename.split("-", 1)[0])
    try:
        return parse_sdist_filename(filename)[0]
    except (InvalidSdistFilename, InvalidVersion):
        return None


def _check_sdist_metadata(artifact: Artifact, message: Any) -> None:
    version = str(message.get("Metadata-Version", "0")).strip()
    dynamic = {str(d).strip().lower() for d in message.get_all("Dynamic") or ()}
    try:
        reliable = Version(version) >= Version("2.2") and "requires-dist" not in dynamic
    except InvalidVersion:
        reliable = False
    if not reliable:
        raise IndexError_(
            f"{artifact.filename} is an sdist whose dependencies are only known by building it "
            f"(Metadata-Version {version}{', Requires-Dist dynamic' if 'requires-dist' in dynamic else ''})",
            where=artifact.url,
            hint="dht does not build sdists at lock time; pin a version that publishes wheels",
        )
