"""The index client against a real HTTP index on loopback: formats, metadata
paths, cache, offline mode, retries and every kind of broken answer."""

from __future__ import annotations

import base64
import hashlib
import io
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import msgspec
import pytest
from packaging.utils import parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from dht.compile import lazy_wheel
from dht.compile.cache import Cache, PageEntry, page_validator
from dht.compile.index import (
    Artifact,
    IndexClient,
    ProjectNotFound,
    ProjectPage,
    parse_html_page,
    parse_json_page,
)
from dht.compile.targets import Target
from dht.errors import DhtError, IndexError_, IntegrityError, NetworkError
from tests.support.index_server import IndexServer
from tests.support.network import SKIP_REASON, pypi_reachable
from tests.support.wheels import FixtureIndex, build_index

Server = Callable[..., IndexServer]


def client(server: IndexServer, cache: Path, **options: Any) -> IndexClient:
    return IndexClient(server.url, cache_dir=cache, **options)


def wheel(page: Any, filename: str) -> Any:
    return next(a for a in page.artifacts if a.filename == filename)


def test_json_and_html_pages_agree(index_server: Server, tmp_path: Path) -> None:
    json_server, html_server = index_server(), index_server(html_only=True)
    with client(json_server, tmp_path / "a") as a, client(html_server, tmp_path / "b") as b:
        from_json, from_html = a.project("Yanky"), b.project("yanky")
    assert from_json.name == from_html.name == "yanky"
    strip = {"size", "upload_time", "url"}  # HTML carries no size or upload time

    def view(page: Any) -> list[dict[str, Any]]:
        return [
            {k: getattr(x, k) for k in x.__struct_fields__ if k not in strip}
            for x in page.artifacts
        ]

    assert view(from_json) == view(from_html)
    yanked = wheel(from_json, "yanky-1.1-py3-none-any.whl")
    assert yanked.yanked == "broken"
    assert wheel(from_json, "yanky-1.0-py3-none-any.whl").yanked is None
    assert all(a.url.startswith(json_server.base + "/files/") for a in from_json.artifacts)
    assert (
        wheel(from_html, "yanky-1.0-py3-none-any.whl").url
        == f"{html_server.base}/files/yanky-1.0-py3-none-any.whl"
    )


def test_metadata_from_pep658_file(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=True)
    with client(server, tmp_path) as c:
        meta = c.metadata(wheel(c.project("alpha"), "alpha-2.0-py3-none-any.whl"))
    assert (meta.name, meta.version, meta.requires_dist) == ("alpha", "2.0", ("beta>=1",))
    assert "/files/alpha-2.0-py3-none-any.whl.metadata" in server.fetched()
    assert "/files/alpha-2.0-py3-none-any.whl" not in server.fetched()


def test_metadata_by_range_requests_never_downloads_the_wheel(
    index_server: Server, tmp_path: Path
) -> None:
    server = index_server(metadata_files=False, ranges=True)
    with client(server, tmp_path) as c:
        meta = c.metadata(wheel(c.project("extras-pkg"), "extras_pkg-1.0-py3-none-any.whl"))
        assert c.stats["range_requests"] >= 1
    assert meta.provides_extra == ("fast",)
    assert meta.requires_dist == ('beta; extra == "fast"',)
    file_requests = [r for r in server.requests if r.path.startswith("/files/")]
    assert file_requests and all(r.range is not None for r in file_requests)


def test_metadata_from_whole_wheel_without_ranges(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=False, ranges=False)
    with client(server, tmp_path) as c:
        meta = c.metadata(wheel(c.project("clicky"), "clicky-1.0-py3-none-any.whl"))
    assert meta.requires_dist == ('winonly-dep; sys_platform == "win32"',)


def test_sdist_pkg_info(index_server: Server, tmp_path: Path) -> None:
    with client(index_server(metadata_files=False), tmp_path) as c:
        page = c.project("sdistonly")
        meta = c.metadata(page.artifacts[0])
    assert page.artifacts[0].filename == "sdistonly-1.0.tar.gz"
    assert meta.requires_dist == ("beta",)


def test_exclude_newer(index_server: Server, tmp_path: Path) -> None:
    with client(index_server(), tmp_path, exclude_newer="2026-01-02T12:00:00Z") as c:
        names = [a.filename for a in c.project("alpha").artifacts]
    assert names == ["alpha-1.0-py3-none-any.whl", "alpha-1.1-py3-none-any.whl"]
    with client(
        index_server(html_only=True), tmp_path / "h", exclude_newer="2026-01-02T12:00:00Z"
    ) as c:
        assert (
            c.project("alpha").artifacts == ()
        )  # no upload times: nothing can be proven old enough


def test_page_cache_refresh_and_revalidation(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    with client(server, tmp_path) as c:
        first = c.project("beta")
    with client(server, tmp_path) as c:
        assert c.project("beta") == first
        assert c.stats["page_cache_hits"] == 1
    assert server.fetched().count("/simple/beta/") == 1

    with client(server, tmp_path, refresh=True) as c:
        assert c.project("beta") == first
    assert server.fetched().count("/simple/beta/") == 2

    time.sleep(0.05)
    with client(server, tmp_path, page_ttl=0.01) as c:  # stale: revalidated with the ETag
        assert c.project("beta") == first
        assert c.stats["page_cache_hits"] == 1
    pages = [r for r in server.requests if r.path == "/simple/beta/"]
    assert len(pages) == 3
    assert pages[0].if_none_match is None and pages[1].if_none_match is None  # refresh: no ETag
    assert pages[2].if_none_match is not None  # answered 304: the cached page is used

    with client(server, tmp_path) as c:  # the 304 renewed the entry: fresh again
        assert c.project("beta") == first
    assert server.fetched().count("/simple/beta/") == 3


@pytest.mark.parametrize("html_only", [False, True])
def test_a_page_read_from_the_cache_is_the_page_fetched(
    index_server: Server, tmp_path: Path, html_only: bool
) -> None:
    """The cache keeps a page as PEP 691 JSON (an HTML page converted) with the URL its
    relative file URLs start from; read back, it gives the same artifacts and releases."""
    server = index_server(html_only=html_only)
    with client(server, tmp_path) as c:
        fetched, by_version = c.project("beta"), dict(c.releases("beta"))
    with client(server, tmp_path) as c:
        assert c.project("beta") == fetched
        assert dict(c.releases("beta")) == by_version
        assert c.stats["page_cache_hits"] == 1
    assert server.fetched().count("/simple/beta/") == 1
    assert all(a.url.startswith(server.base + "/files/") for a in fetched.artifacts)
    assert [str(v) for v in by_version] == sorted(
        {a.filename.split("-")[1].removesuffix(".tar.gz") for a in fetched.artifacts},
        key=Version,
        reverse=True,
    )


def test_a_cached_page_in_an_older_form_is_fetched_again(
    index_server: Server, tmp_path: Path
) -> None:
    server = index_server()
    with client(server, tmp_path) as c:
        fetched = c.project("beta")
    cache = Cache(tmp_path)
    # As an older dht wrote it: the decoded page as msgpack, no base URL.
    old = PageEntry(time.time(), None, None, msgspec.msgpack.encode(fetched))
    cache.write_page(server.url, "beta", old)
    with client(server, tmp_path) as c:
        assert c.project("beta") == fetched
        assert c.stats["page_cache_hits"] == 0
    assert server.fetched().count("/simple/beta/") == 2


def test_offline(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    with client(server, tmp_path, offline=True) as c, pytest.raises(NetworkError) as info:
        c.project("beta")
    assert "not in the cache" in info.value.message
    assert info.value.hint is not None and "without --offline" in info.value.hint
    assert server.requests == []

    with client(server, tmp_path) as c:
        c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
    count = len(server.requests)
    with client(server, tmp_path, offline=True) as c:
        meta = c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
        assert c.stats["metadata_cache_hits"] == 1
    assert meta.version == "1.5"
    assert len(server.requests) == count  # offline: not one request


def test_retries_then_success(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    server.faults["/simple/beta/"] = ["500", "500"]
    with client(server, tmp_path) as c:
        assert c.project("beta").name == "beta"
    assert server.fetched().count("/simple/beta/") == 3


def test_persistent_failure_names_url_and_attempts(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    server.faults["/simple/beta/"] = ["500"] * 10
    with client(server, tmp_path, retries=2) as c, pytest.raises(NetworkError) as info:
        c.project("beta")
    assert info.value.where == f"{server.url}/beta/"
    assert "failed after 3 attempts: HTTP 500" in info.value.message


def test_garbage_and_truncated_pages(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    server.faults["/simple/beta/"] = ["garbage"]
    with client(server, tmp_path) as c, pytest.raises(IndexError_) as info:
        c.project("beta")
    assert "cannot read" in info.value.message and info.value.where == f"{server.url}/beta/"

    server.faults["/simple/alpha/"] = ["truncate"] * 10
    with client(server, tmp_path / "t", retries=1) as c, pytest.raises(IndexError_) as info:
        c.project("alpha")
    assert info.value.where == f"{server.url}/alpha/"


def test_hash_mismatch_is_an_integrity_error(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=False, ranges=False)
    server.faults["/files/beta-1.5-py3-none-any.whl"] = ["corrupt"]
    with client(server, tmp_path) as c, pytest.raises(IntegrityError) as info:
        c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
    assert "does not match the hash" in info.value.message
    assert info.value.where is not None and info.value.where.endswith("beta-1.5-py3-none-any.whl")


def test_unreachable_and_missing(index_server: Server, tmp_path: Path) -> None:
    with (
        IndexClient("http://127.0.0.1:9/simple", cache_dir=tmp_path, retries=1) as c,
        pytest.raises(NetworkError) as info,
    ):
        c.project("beta")
    assert "127.0.0.1:9" in str(info.value)
    with client(index_server(), tmp_path) as c, pytest.raises(ProjectNotFound) as missing:
        c.project("no-such-project")
    assert "no project named 'no-such-project'" in missing.value.message


def test_size_from_head_for_html_indexes(index_server: Server, tmp_path: Path) -> None:
    server = index_server(html_only=True)
    with client(server, tmp_path) as c:
        artifact = wheel(c.project("beta"), "beta-1.5-py3-none-any.whl")
        assert artifact.size is None
        size = c.size(artifact)
    assert size == len(server.file("beta-1.5-py3-none-any.whl").data)
    assert server.fetched("HEAD") == ["/files/beta-1.5-py3-none-any.whl"]
    with client(server, tmp_path) as c:
        assert c.size(artifact) == size  # cached by hash
    assert server.fetched("HEAD") == ["/files/beta-1.5-py3-none-any.whl"]


def test_each_host_is_looked_up_once_however_many_connections(
    index_server: Server, fixture_index: FixtureIndex, tmp_path: Path
) -> None:
    """Pages fetched in parallel open several connections; the host name is resolved
    once (a resolver that drops bursts of queries made cold locks wait 5 s)."""
    server = index_server(slow_seconds=0.3)
    names = sorted(fixture_index.files)
    for name in names[:4]:  # held answers: the other pages need connections of their own
        server.faults[f"/simple/{name}/"].append("slow")
    url = server.url.replace("127.0.0.1", "localhost")  # a name to resolve
    with IndexClient(url, cache_dir=tmp_path) as c:
        c.prefetch(names)
        assert [c.project(n).name for n in names] == names
        assert c.lookups.lookups == 1


def test_prefetch_fetches_each_page_once(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    with client(server, tmp_path) as c:
        c.prefetch(["alpha", "beta", "Beta", "alpha"])
        assert c.project("ALPHA").name == "alpha"
        assert c.project("beta").name == "beta"
        # The newest release's metadata is fetched ahead, once.
        assert c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl")).version == "1.5"
        assert c.metadata(wheel(c.project("alpha"), "alpha-2.0-py3-none-any.whl")).version == "2.0"
    assert sorted(p for p in server.fetched() if p.startswith("/simple/")) == [
        "/simple/alpha/",
        "/simple/beta/",
    ]
    assert sorted(p for p in server.fetched() if p.startswith("/files/")) == [
        "/files/alpha-2.0-py3-none-any.whl.metadata",
        "/files/beta-1.5-py3-none-any.whl.metadata",
    ]


def _pages_fetched_after_prefetch(
    server: IndexServer, cache: Path, *, expect_dependency: bool, **options: Any
) -> list[str]:
    """The pages a prefetch of clicky reaches: clicky 1.0 needs winonly-dep only on Windows."""
    with client(server, cache, **options) as c:
        c.prefetch(["clicky"])
        clicky = wheel(c.project("clicky"), "clicky-1.0-py3-none-any.whl")
        assert c.metadata(clicky).requires_dist == ('winonly-dep; sys_platform == "win32"',)
        # The walk ahead runs in the client's threads: give an expected page time to
        # arrive; an unexpected one would be under way by now, and close() waits for it.
        deadline = time.monotonic() + 5
        while expect_dependency and "/simple/winonly-dep/" not in server.fetched():
            assert time.monotonic() < deadline, server.fetched()
            time.sleep(0.01)
    return sorted(p for p in server.fetched() if p.startswith("/simple/"))


def test_a_conditional_dependency_is_fetched_ahead_only_for_a_target_it_holds_on(
    index_server: Server, tmp_path: Path
) -> None:
    """The walk ahead follows a dependency with a marker when the marker holds on one of
    the lock's targets (mypy's `librt; platform_python_implementation != "PyPy"`),
    and not when it holds on none (or when the client knows no targets)."""
    linux = [Target("linux-x86_64", "3.11").marker_environment()]
    windows = [Target("windows-x86_64", "3.11").marker_environment()]
    fetched = _pages_fetched_after_prefetch(
        index_server(), tmp_path / "windows", expect_dependency=True, guess_for=windows
    )
    assert fetched == ["/simple/clicky/", "/simple/winonly-dep/"]
    for name, options in (("linux", {"guess_for": linux}), ("none", {})):
        fetched = _pages_fetched_after_prefetch(
            index_server(), tmp_path / name, expect_dependency=False, **options
        )
        assert fetched == ["/simple/clicky/"]


def test_verified_metadata_is_keyed_by_hash_and_survives_a_new_client(
    index_server: Server, tmp_path: Path
) -> None:
    """Metadata read from a whole download (its bytes checked against the hash) is kept
    under the artifact's hash: another index serving the same file reuses it."""
    server = index_server(metadata_files=False, ranges=False)
    with client(server, tmp_path) as c:
        artifact = wheel(c.project("toolish"), "toolish-1.1-py3-none-any.whl")
        assert c.metadata(artifact).requires_dist == ("beta>=1",)
    other = index_server(metadata_files=False, ranges=True)
    with client(other, tmp_path) as c:
        moved = wheel(c.project("toolish"), "toolish-1.1-py3-none-any.whl")
        assert moved.url != artifact.url and moved.sha256 == artifact.sha256
        assert c.metadata(moved).requires_dist == ("beta>=1",)
        assert c.stats["metadata_cache_hits"] == 1
    assert not [r for r in other.requests if r.path.startswith("/files/")]


def test_an_index_cannot_plant_metadata_for_another(
    index_server: Server, fixture_index: FixtureIndex, tmp_path: Path
) -> None:
    """A hostile index lists the real file (real hash) but serves its own .metadata, adding
    a dependency. What it served is kept for that index only: the real index's lock never
    sees the planted dependency."""
    import dataclasses

    name = "toolish-1.1-py3-none-any.whl"
    planted = FixtureIndex(
        {
            project: [
                dataclasses.replace(f, metadata=b"Requires-Dist: six\n" + f.metadata)
                if f.filename == name
                else f
                for f in files
            ]
            for project, files in fixture_index.files.items()
        }
    )
    hostile = IndexServer(planted, metadata_files=True)
    try:
        with client(hostile, tmp_path) as c:
            assert "six" in c.metadata(wheel(c.project("toolish"), name)).requires_dist
    finally:
        hostile.close()
    real = index_server(metadata_files=False, ranges=True)
    with client(real, tmp_path) as c:
        assert c.metadata(wheel(c.project("toolish"), name)).requires_dist == ("beta>=1",)
        assert c.stats["metadata_cache_hits"] == 0
    assert [r for r in real.requests if r.path == f"/files/{name}"]  # read it itself


def test_announced_metadata_file_is_hash_checked(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=True)
    server.faults["/files/beta-1.5-py3-none-any.whl.metadata"] = ["corrupt"]
    with client(server, tmp_path) as c, pytest.raises(IntegrityError) as info:
        c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
    assert info.value.where is not None and info.value.where.endswith(".whl.metadata")
    assert "expected sha256" in info.value.message and "got" in info.value.message


def test_announced_but_missing_metadata_file_falls_back_to_ranges(
    index_server: Server, tmp_path: Path
) -> None:
    server = index_server(metadata_files=True, ranges=True)
    server.faults["/files/beta-1.5-py3-none-any.whl.metadata"] = ["404"]
    with client(server, tmp_path) as c:
        assert c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl")).version == "1.5"
    wheel_requests = [r for r in server.requests if r.path == "/files/beta-1.5-py3-none-any.whl"]
    assert wheel_requests and all(r.range for r in wheel_requests)


def test_server_ignoring_range_costs_one_download(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=False, ranges=False)
    with client(server, tmp_path) as c:
        c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
    assert server.fetched().count("/files/beta-1.5-py3-none-any.whl") == 1


def test_sdists_with_unreliable_metadata_are_refused(index_server: Server, tmp_path: Path) -> None:
    with client(index_server(metadata_files=False), tmp_path) as c:
        old, dynamic = c.project("oldsdist").artifacts
        for artifact, words in ((old, "Metadata-Version 2.1"), (dynamic, "Requires-Dist dynamic")):
            with pytest.raises(IndexError_) as info:
                c.metadata(artifact)
            assert "only known by building it" in info.value.message
            assert words in info.value.message
            assert info.value.where == artifact.url


def test_rate_limits_are_retried_other_4xx_fail_at_once(
    index_server: Server, tmp_path: Path
) -> None:
    server = index_server()
    server.faults["/simple/beta/"] = ["429", "503"]
    server.faults["/simple/alpha/"] = ["403"] * 5
    with client(server, tmp_path) as c:
        assert c.project("beta").name == "beta"
        with pytest.raises(IndexError_) as info:
            c.project("alpha")
    assert server.fetched().count("/simple/beta/") == 3
    assert server.fetched().count("/simple/alpha/") == 1
    assert "HTTP 403" in info.value.message and info.value.hint is not None


def test_timeouts_are_retried_then_reported(index_server: Server, tmp_path: Path) -> None:
    server = index_server(slow_seconds=1.0)
    server.faults["/simple/beta/"] = ["slow", "slow"]
    with client(server, tmp_path, timeout=0.2, retries=1) as c, pytest.raises(NetworkError) as info:
        c.project("beta")
    assert "failed after 2 attempts: timed out" in info.value.message
    assert info.value.where == f"{server.url}/beta/"


def test_a_dripping_index_meets_a_deadline(
    index_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte every quarter second never trips the read timeout; the whole answer has a
    deadline, and a slow drip is not retried."""
    import time

    import dht.compile.index as index_module

    monkeypatch.setattr(index_module, "PAGE_DEADLINE", 1.0)
    server = index_server()
    server.faults["/simple/beta/"] = ["drip"]
    started = time.monotonic()
    with client(server, tmp_path, timeout=5.0, retries=2) as c, pytest.raises(NetworkError) as info:
        c.project("beta")
    assert time.monotonic() - started < 3.0
    assert info.value.message == "no complete answer within 1 s"
    assert server.fetched().count("/simple/beta/") == 1


def test_an_endless_answer_is_bounded(
    index_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dht.compile.index as index_module

    monkeypatch.setattr(index_module, "MAX_PAGE_BYTES", 100)
    server = index_server()
    with client(server, tmp_path) as c, pytest.raises(IndexError_) as info:
        c.project("beta")
    assert "larger than" in info.value.message


def test_truncated_download_is_an_index_error(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=False, ranges=False)
    server.faults["/files/beta-1.5-py3-none-any.whl"] = ["truncate"] * 5
    with client(server, tmp_path, retries=1) as c, pytest.raises(IndexError_) as info:
        c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
    assert info.value.where is not None and info.value.where.endswith("beta-1.5-py3-none-any.whl")
    assert "2 attempts" in info.value.message


def test_size_falls_back_to_a_range_probe(index_server: Server, tmp_path: Path) -> None:
    server = index_server(html_only=True)
    server.faults["/files/beta-1.5-py3-none-any.whl"] = ["405"]  # HEAD refused
    with client(server, tmp_path) as c:
        size = c.size(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
    assert size == len(server.file("beta-1.5-py3-none-any.whl").data)


def test_bad_exclude_newer_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DhtError) as info:
        IndexClient("http://127.0.0.1:9/simple", cache_dir=tmp_path, exclude_newer="last week")
    assert info.value.where == "index.exclude-newer" and "last week" in info.value.message


def test_damaged_cache_entries_are_misses(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    with client(server, tmp_path) as c:
        first = c.project("beta")
        c.metadata(wheel(first, "beta-1.5-py3-none-any.whl"))
    for entry in sorted((tmp_path / "v1").rglob("*")):
        if entry.is_file():
            entry.write_bytes(b"\x00garbage")
    with client(server, tmp_path) as c:
        assert c.project("beta") == first
        assert c.metadata(wheel(first, "beta-1.5-py3-none-any.whl")).version == "1.5"
    assert server.fetched().count("/simple/beta/") == 2


def test_page_parsers_drop_foreign_files_and_resolve_urls() -> None:
    files = [
        {"filename": "demo-1.0-py3-none-any.whl", "url": "../../f/demo-1.0-py3-none-any.whl",
         "hashes": {"sha256": "AB" * 32}, "core-metadata": {"sha256": "cd" * 32}},
        {"filename": "demo-1.0.tar.gz", "url": "https://elsewhere.test/demo-1.0.tar.gz",
         "hashes": {}, "yanked": True},
        {"filename": "demo-1.0.exe", "url": "x", "hashes": {}},
        {"filename": "demo-1.0-py2.7.egg", "url": "x", "hashes": {}},
        {"filename": "demo-nonsense!-py3-none-any.whl", "url": "x", "hashes": {}},
        {"filename": "demo-1.0-py3-any.whl", "url": "x", "hashes": {}},
    ]  # fmt: skip
    page_url = "https://index.test/simple/demo/"
    page = parse_json_page("demo", msgspec.json.encode({"files": files}), page_url)
    assert [a.filename for a in page.artifacts] == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    whl, sdist = page.artifacts
    assert whl.url == "https://index.test/f/demo-1.0-py3-none-any.whl"
    assert whl.sha256 == "ab" * 32 and whl.metadata_sha256 == "cd" * 32 and whl.core_metadata
    assert sdist.yanked == "" and sdist.sha256 is None and not sdist.is_wheel

    html = (
        f'<a href="/f/demo-1.0-py3-none-any.whl#sha256={"AB" * 32}" data-core-metadata="true">w</a>'
        '<a href="demo-1.0.zip" data-yanked="" data-requires-python="&gt;=3.9">s</a>'
        '<a href="demo-1.0.exe">e</a><a>no href</a>'
    )
    page = parse_html_page("demo", html.encode(), page_url)
    assert page == ProjectPage(
        "demo",
        (
            Artifact(filename="demo-1.0-py3-none-any.whl",
                     url="https://index.test/f/demo-1.0-py3-none-any.whl", sha256="ab" * 32,
                     size=None, requires_python=None, core_metadata=True),
            Artifact(filename="demo-1.0.zip", url="https://index.test/simple/demo/demo-1.0.zip",
                     sha256=None, size=None, requires_python=">=3.9", yanked=""),
        ),
    )  # fmt: skip
    with pytest.raises(IndexError_) as info:
        parse_json_page("demo", b"[1, 2", page_url)
    assert info.value.where == page_url


def test_revalidation_with_last_modified(index_server: Server, tmp_path: Path) -> None:
    server = index_server(etags=False)
    with client(server, tmp_path) as c:
        first = c.project("beta")
    time.sleep(0.05)
    with client(server, tmp_path, page_ttl=0.01) as c:
        assert c.project("beta") == first
        assert c.stats["page_cache_hits"] == 1
    pages = [r for r in server.requests if r.path == "/simple/beta/"]
    assert [p.if_modified_since for p in pages] == [None, "Thu, 01 Jan 2026 00:00:00 GMT"]


def test_metadata_of_another_release_is_refused_and_not_cached(
    index_server: Server, tmp_path: Path
) -> None:
    server = index_server(metadata_files=False, ranges=True)
    path = "/files/alpha-1.1-py3-none-any.whl"
    server.faults[path] = ["serve:alpha-1.0-py3-none-any.whl"] * 10
    with client(server, tmp_path) as c, pytest.raises(IndexError_) as info:
        c.metadata(wheel(c.project("alpha"), "alpha-1.1-py3-none-any.whl"))
    assert "is that of alpha 1.0" in info.value.message
    assert info.value.where == server.base + path
    assert not list((tmp_path / "v1").glob("metadata/*"))


def test_sdist_labelled_gzip_is_hashed_as_sent(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=False)
    server.faults["/files/sdistonly-1.0.tar.gz"] = ["label-gzip"]
    with client(server, tmp_path) as c:
        assert c.metadata(c.project("sdistonly").artifacts[0]).requires_dist == ("beta",)
    [download] = [r for r in server.requests if r.path == "/files/sdistonly-1.0.tar.gz"]
    assert download.range is None


def test_invalid_project_names_never_reach_the_network(
    index_server: Server, tmp_path: Path
) -> None:
    server = index_server()
    with client(server, tmp_path) as c:
        c.prefetch(["../etc", "ok-"])
        for bad in ("../etc", "a/b", "", "-x", "x-"):
            with pytest.raises(ProjectNotFound) as info:
                c.project(bad)
            assert "not a valid project name" in info.value.message
    assert server.requests == []


def test_prefetch_metadata_fetches_each_file_once(index_server: Server, tmp_path: Path) -> None:
    server = index_server()
    with client(server, tmp_path) as c:
        artifacts = c.project("toolish").artifacts
        c.prefetch_metadata([*artifacts, *artifacts])
        versions = [c.metadata(a).version for a in artifacts]
    assert versions == ["1.0", "1.1", "2.0"]
    metadata_requests = [p for p in server.fetched() if p.endswith(".metadata")]
    assert sorted(metadata_requests) == sorted(set(metadata_requests))
    assert len(metadata_requests) == 3


def test_unknown_json_api_major_version_is_refused() -> None:
    page = {"meta": {"api-version": "2.0"}, "name": "demo", "files": []}
    with pytest.raises(IndexError_) as info:
        parse_json_page("demo", msgspec.json.encode(page), "https://index.test/simple/demo/")
    assert "version 2.0" in info.value.message
    page["meta"] = {"api-version": "1.4"}  # a newer minor version reads fine
    assert parse_json_page("demo", msgspec.json.encode(page), "https://x.test/").artifacts == ()


def test_html_base_href_and_charset() -> None:
    html = (
        '<html><head><base href="https://files.test/pkgs/"></head><body>'
        '<a href="demo-1.0-py3-none-any.whl">demo</a> caf\xe9</body></html>'
    )
    page = parse_html_page(
        "demo", html.encode("latin-1"), "https://index.test/simple/demo/", "iso-8859-1"
    )
    assert [a.url for a in page.artifacts] == ["https://files.test/pkgs/demo-1.0-py3-none-any.whl"]
    # A wrong charset label is not fatal: file names are ASCII.
    assert parse_html_page("demo", html.encode("latin-1"), "https://i.test/", "utf-8").artifacts


def test_fixture_files_are_deterministic_and_valid(fixture_index: FixtureIndex) -> None:
    again = build_index()
    assert {f: x.sha256 for f, x in again.by_filename().items()} == {
        f: x.sha256 for f, x in fixture_index.by_filename().items()
    }
    assert fixture_index.directory is not None
    for filename, found in sorted(fixture_index.by_filename().items()):
        assert (fixture_index.directory / filename).read_bytes() == found.data
        if not filename.endswith(".whl"):
            assert parse_sdist_filename(filename)[0] == found.project
            continue
        assert parse_wheel_filename(filename)[0] == found.project
        with zipfile.ZipFile(io.BytesIO(found.data)) as archive:
            [record] = [n for n in archive.namelist() if n.endswith(".dist-info/RECORD")]
            for line in archive.read(record).decode().splitlines():
                path, digest, size = line.split(",")
                if path == record:
                    continue
                data = archive.read(path)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                assert digest == "sha256=" + expected.decode() and int(size) == len(data)
            assert archive.read(record.replace("RECORD", "METADATA")) == found.metadata


def test_hashes_that_are_not_sha256_hex_are_dropped() -> None:
    files = [
        {"filename": "demo-1.0-py3-none-any.whl", "url": "x", "hashes": {"sha256": "../../x"},
         "core-metadata": {"sha256": "zz"}},
        {"filename": "demo-1.1-py3-none-any.whl", "url": "y", "hashes": {"md5": "ab" * 16}},
    ]  # fmt: skip
    page = parse_json_page("demo", msgspec.json.encode({"files": files}), "https://i.test/")
    assert [(a.sha256, a.metadata_sha256, a.core_metadata) for a in page.artifacts] == [
        (None, None, True),
        (None, None, False),
    ]
    html = '<a href="demo-1.0-py3-none-any.whl#sha256=../../etc">w</a>'
    assert parse_html_page("demo", html.encode(), "https://i.test/").artifacts[0].sha256 is None


def test_cache_layout_keys_and_atomic_writes(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = "ab" * 32
    cache.write_metadata(digest, b"Name: x\n", "https://i.test/simple", verified=True)
    cache.write_page("https://i.test/simple", "demo", PageEntry(1.0, '"e"', None, b"page"))
    assert cache.read_metadata(digest, "https://other.test/simple") == b"Name: x\n"
    assert cache.read_page("https://i.test/simple", "demo") == PageEntry(1.0, '"e"', None, b"page")
    assert cache.read_page("https://other.test/simple", "demo") is None  # keyed by index URL
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files[0] == f"v1/metadata/{digest}.METADATA"  # no temp files left behind
    assert len(files) == 2 and files[1].startswith("v1/pages/") and files[1].endswith("/demo.page")
    for bad in ("../" + "a" * 61, "AB" * 32, "ab"):
        with pytest.raises(ValueError):
            cache.write_metadata(bad, b"", "https://i.test/simple", verified=True)
    with pytest.raises(ValueError):
        cache.read_page("https://i.test/simple", "../demo")


def test_a_page_entry_is_a_header_and_the_page_as_is(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    page = bytes(range(256)) * 4096  # 1 MB, every byte value
    entry = PageEntry(2.5, None, "Thu, 01 Jan 2026 00:00:00 GMT", page, "https://i.test/simple/x/")
    cache.write_page("https://i.test/simple", "x", entry)
    assert cache.read_page("https://i.test/simple", "x") == entry
    assert cache.page_version("https://i.test/simple", "x") == (2.5, page_validator(entry))
    plain = msgspec.structs.replace(entry, last_modified=None)  # no validator: the hash
    cache.write_page("https://i.test/simple", "y", plain)
    assert cache.page_version("https://i.test/simple", "y") == (2.5, page_validator(plain))
    assert page_validator(plain) == f"sha256:{hashlib.sha256(page).hexdigest()}"
    (path,) = (tmp_path / "v1" / "pages").rglob("x.page")
    data = path.read_bytes()
    assert data.endswith(page) and len(data) < len(page) + 100
    for damaged in (data[:20], data[:11] + b"\xff\xff\xff\xff" + data[15:], b"\x85" + data[1:]):
        path.write_bytes(damaged)  # cut in the header, a wrong length, another format
        assert cache.read_page("https://i.test/simple", "x") is None
        assert cache.page_version("https://i.test/simple", "x") is None


def test_cache_root_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHT_CACHE_DIR", str(tmp_path / "env"))
    assert Cache().root == tmp_path / "env" / "v1"
    assert Cache(tmp_path / "arg").root == tmp_path / "arg" / "v1"  # the argument wins
    monkeypatch.delenv("DHT_CACHE_DIR")
    assert Cache().root.name == "v1" and "dht" in Cache().root.parent.as_posix()


@pytest.mark.parametrize("tail", [64 * 1024, 200])
def test_big_wheel_metadata_by_ranges_reads_a_small_part(
    index_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: int
) -> None:
    # With a 200-byte tail the central directory and the member need ranges of their own.
    monkeypatch.setattr(lazy_wheel, "TAIL", tail)
    server = index_server(metadata_files=False, ranges=True)
    filename = "heavy-1.0-py3-none-any.whl"
    size = len(server.file(filename).data)
    with client(server, tmp_path) as c:
        page = c.project("heavy")
        before = c.stats["bytes"]
        meta = c.metadata(wheel(page, filename))
        fetched = c.stats["bytes"] - before
        ranges = c.stats["range_requests"]
    assert (meta.name, meta.version, meta.requires_dist) == ("heavy", "1.0", ("beta>=1",))
    assert size > 256 * 1024 and fetched <= max(tail, 20 * 1024) + 1024
    assert ranges == (1 if tail > 1024 else 3)
    wheel_requests = [r for r in server.requests if r.path == f"/files/{filename}"]
    assert len(wheel_requests) == ranges and all(r.range for r in wheel_requests)


def test_missing_file_names_what_was_tried(index_server: Server, tmp_path: Path) -> None:
    server = index_server(metadata_files=True, ranges=True)
    path = "/files/beta-1.5-py3-none-any.whl"
    server.faults[path + ".metadata"] = ["404"]
    server.faults[path] = ["404", "404"]
    with client(server, tmp_path) as c, pytest.raises(IndexError_) as info:
        c.metadata(wheel(c.project("beta"), "beta-1.5-py3-none-any.whl"))
    assert info.value.message == (
        "cannot read the metadata of beta-1.5-py3-none-any.whl: the download answered HTTP 404 "
        "(tried its .metadata file, range requests, a whole download)"
    )
    assert info.value.where == server.base + path and info.value.hint


def test_concurrent_cache_writers_never_leave_partial_entries(tmp_path: Path) -> None:
    digest = "cd" * 32
    bodies = [bytes([i]) * 200_000 for i in range(8)]

    def write(body: bytes) -> None:
        for _ in range(5):
            Cache(tmp_path).write_metadata(digest, body, "https://i.test/simple", verified=True)
            assert Cache(tmp_path).read_metadata(digest, "https://i.test/simple") in bodies

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, bodies))
    assert Cache(tmp_path).read_metadata(digest, "https://i.test/simple") in bodies
    assert [p.name for p in (tmp_path / "v1" / "metadata").iterdir()] == [f"{digest}.METADATA"]


@pytest.mark.online
def test_real_pypi_page_and_metadata_by_ranges(tmp_path: Path) -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    with IndexClient("https://pypi.org/simple", cache_dir=tmp_path) as c:
        page = c.project("Ruff")
        assert page.name == "ruff" and len(page.artifacts) > 1000
        name = "ruff-0.5.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        artifact = wheel(page, name)
        assert artifact.sha256 and artifact.size and artifact.upload_time
        before = c.stats["bytes"]
        # Force the range path even where the index serves PEP 658 files.
        meta = c.metadata(msgspec.structs.replace(artifact, core_metadata=False))
        assert (meta.name, meta.version, meta.requires_python) == ("ruff", "0.5.0", ">=3.7")
        assert c.stats["range_requests"] >= 1
        # Only the zip directory and one member of a 10 MB wheel went over the wire.
        assert c.stats["bytes"] - before < 200_000 < artifact.size


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"\x1f\x8b\x08 not really gzip", "is not a readable archive"),
        (None, "no PKG-INFO"),
    ],
)
def test_an_sdist_the_reader_cannot_use_is_named(
    data: bytes | None, found: str, tmp_path: Path
) -> None:
    """A damaged .tar.gz, or one without PKG-INFO: an index error naming the file (tarfile
    is loaded by the sdist reader only; its errors must still be caught as before)."""
    from tests.support.artifacts import tar_gz
    from tests.support.wheels import FixtureFile

    name = "broken-1.0.tar.gz"
    body = data if data is not None else tar_gz([("broken-1.0/setup.py", b"")])
    files = {"broken": [FixtureFile("broken", name, body, b"", "2026-01-01T00:00:00Z", None, None)]}
    server = IndexServer(FixtureIndex(files), metadata_files=False, ranges=False)
    try:
        with client(server, tmp_path) as c, pytest.raises(IndexError_) as info:
            c.metadata(next(a for a in c.project("broken").artifacts if a.filename == name))
        assert name in info.value.message and found in info.value.message, info.value.message
    finally:
        server.close()


def test_a_metadata_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    """A wheel whose METADATA inflates to 32 MB from a few kB: refused by its declared
    size and ratio, with the file named, never read into memory."""
    import io
    import zipfile

    from tests.support.wheels import FixtureFile

    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb-1.0.dist-info/METADATA", b"Name: bomb\n" + b"\0" * (32 << 20))
        archive.writestr("bomb-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\n")
    data = body.getvalue()
    assert len(data) < 100_000
    name = "bomb-1.0-py3-none-any.whl"
    files = {"bomb": [FixtureFile("bomb", name, data, b"", "2026-01-01T00:00:00Z", None, None)]}
    server = IndexServer(FixtureIndex(files), metadata_files=False, ranges=False)
    try:
        with client(server, tmp_path) as c, pytest.raises(IndexError_) as info:
            c.metadata(wheel(c.project("bomb"), name))
        assert "is not a readable wheel" in info.value.message
        assert "not metadata" in info.value.message
    finally:
        server.close()
