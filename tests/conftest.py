"""Shared fixtures: the fixture index served on loopback, and a private cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.index_server import IndexServer
from tests.support.wheels import FixtureIndex, build_index


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the user's cache; retries back off in microseconds."""
    monkeypatch.setenv("DHT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("DHT_RETRY_BASE", "0.001")


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> FixtureIndex:
    """The fixture projects (fixtures/index/*.toml) built once per session, in memory
    and as files in `fixture_index.directory`."""
    index = build_index()
    index.write(tmp_path_factory.mktemp("fixture-index"))
    return index


@pytest.fixture
def index_server(fixture_index: FixtureIndex) -> Iterator[Callable[..., IndexServer]]:
    """A factory for loopback indexes serving the fixture projects, closed at teardown:
    `server = index_server(metadata_files=True, ranges=True, html_only=False, etags=True)`.
    `server.url` is the simple root for `[index] url`; `server.faults[path]` queues
    injected faults; `server.requests` logs what was asked (see IndexServer)."""
    servers: list[IndexServer] = []

    def start(**options: Any) -> IndexServer:
        server = IndexServer(fixture_index, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


# Strict skips (CI): with DHT_TEST_STRICT_SKIPS=1 a skip fails the run unless its reason
# matches DHT_TEST_ALLOWED_SKIPS (a regular expression): each CI job lists the skips it
# expects on its OS, so a test that silently stopped running there is noticed.
def strict_skip_problem(reason: str, environ: dict[str, str]) -> str | None:
    """Why a skip with `reason` fails the run under `environ`, or None when it may skip."""
    import re

    if environ.get("DHT_TEST_STRICT_SKIPS") != "1":
        return None
    allowed = environ.get("DHT_TEST_ALLOWED_SKIPS", "")
    if allowed and re.search(allowed, reason):
        return None
    return (
        f"skipped under DHT_TEST_STRICT_SKIPS=1 and not allowed by DHT_TEST_ALLOWED_SKIPS: {reason}"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    import os

    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and isinstance(report.longrepr, tuple):
        problem = strict_skip_problem(
            str(report.longrepr[2]).removeprefix("Skipped: "), dict(os.environ)
        )
        if problem is not None:
            report.outcome = "failed"
            report.longrepr = problem
