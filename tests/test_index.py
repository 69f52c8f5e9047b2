"""The index client against a real HTTP index on loopback: formats, metadata
paths, cache, offline mode, retries and every kind of broken answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dht.compile.index import IndexClient, ProjectNotFound
from dht.errors import IndexError_, IntegrityError, NetworkError
from tests.support.index_server import IndexServer

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
    assert server.fetched().count("/simple/beta/") == 3


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
    assert size == len(server._files["beta-1.5-py3-none-any.whl"].data)
    assert server.fetched("HEAD") == ["/files/beta-1.5-py3-none-any.whl"]
    with client(server, tmp_path) as c:
        assert c.size(artifact) == size  # cached by hash
    assert server.fetched("HEAD") == ["/files/beta-1.5-py3-none-any.whl"]


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
