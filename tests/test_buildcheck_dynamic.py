"""The dynamic checks of build verification (dht.buildcheck): real artifacts, real uv.

- metadata (sdists): an sdist whose PKG-INFO was edited to declare a dependency its
  wheel does not have.
- loadable: a C extension linked against a shared library the test builds and then
  removes (ldd says `not found`, the import fails); a wheel whose import raises.
- installable: a wheel that needs `native==1.0`, which the loopback index has for
  Linux x86_64 and Windows only, checked against a lock naming macOS too.

Projects build with real backends from the real index (marked online); uv's cache is
reused. Builds are module-scoped: each project is built once.
"""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dht.buildcheck import consistency, installable, loadable
from dht.buildcheck.run import merge, render, verify
from dht.buildcheck.verdict import Context, Subject, Verdict
from dht.model.lock import LOCK_VERSION, Lock, LockIndex
from tests.support.index_server import IndexServer
from tests.support.network import SKIP_REASON, pypi_reachable
from tests.support.wheels import FixtureIndex, build_wheel

PY = f"{sys.version_info.major}.{sys.version_info.minor}"


def _online() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)


def uv_build(project: Path, out: Path) -> list[Path]:
    import uv

    subprocess.run([uv.find_uv_bin(), "build", "--out-dir", str(out), "--python", sys.executable,
                    "--no-progress", str(project)], check=True, capture_output=True)  # fmt: skip
    return sorted(out.iterdir())


@pytest.fixture(scope="module")
def pure(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A pure project (hatchling) built with `uv build`: its wheel and sdist."""
    _online()
    root = tmp_path_factory.mktemp("pure")
    (root / "src" / "puredemo").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling>=1.26"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "puredemo"\nversion = "1.0"\nrequires-python = ">=3.8"\n'
        '[project.optional-dependencies]\nfast = ["beta"]\n',
        encoding="utf-8",
    )
    (root / "src" / "puredemo" / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    built = uv_build(root, tmp_path_factory.mktemp("pure-dist"))
    return {p.suffix: p for p in built if p.name.endswith((".whl", ".gz"))}


@pytest.fixture(scope="module")
def extension(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A setuptools C extension linked against libdhtneed.so, built here with gcc; the
    library is deleted once the wheel is built, so the loader cannot find it."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: the C extension cannot be built")
    if not sys.platform.startswith("linux"):
        pytest.skip("the shared-library check (ldd) is Linux only")
    _online()
    lib = tmp_path_factory.mktemp("lib")
    (lib / "need.c").write_text("int dht_need(void) { return 42; }\n", encoding="utf-8")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(lib / "libdhtneed.so"), str(lib / "need.c")],
                   check=True, capture_output=True)  # fmt: skip
    root = tmp_path_factory.mktemp("ext")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "extdemo"\nversion = "1.0"\n',
        encoding="utf-8",
    )
    (root / "setup.py").write_text(
        "from setuptools import Extension, setup\n"
        f"setup(ext_modules=[Extension('extdemo', ['extdemo.c'], libraries=['dhtneed'],"
        f" library_dirs=[{str(lib)!r}])])\n",
        encoding="utf-8",
    )
    (root / "extdemo.c").write_text(
        "#include <Python.h>\nint dht_need(void);\n"
        "static PyObject *need(PyObject *s, PyObject *a) { return PyLong_FromLong(dht_need()); }\n"
        'static PyMethodDef m[] = {{"need", need, METH_NOARGS, ""}, {0}};\n'
        'static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "extdemo", 0, -1, m};\n'
        "PyMODINIT_FUNC PyInit_extdemo(void) { return PyModule_Create(&d); }\n",
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("ext-dist")
    import uv

    done = subprocess.run([uv.find_uv_bin(), "build", "--wheel", "--out-dir", str(out), "--python",
                           sys.executable, "--no-progress", str(root)], capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0 and "Python.h" in done.stdout + done.stderr:
        pytest.skip("Python's C headers are missing: the C extension cannot be built")
    assert done.returncode == 0, done.stdout + done.stderr
    (lib / "libdhtneed.so").unlink()
    yield next(out.glob("*.whl"))


def ctx(tmp_path: Path, lock: Lock | None = None, *, offline: bool = False) -> Context:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return Context(work, lock=lock, offline=offline)


def edited_sdist(sdist: Path, target: Path, extra: bytes) -> Path:
    """A copy of the sdist whose PKG-INFO has `extra` lines appended to its headers."""
    with tarfile.open(sdist, "r:gz") as source:
        members = [(m, source.extractfile(m).read() if m.isfile() else None) for m in source]  # type: ignore[union-attr]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as out:
        for member, data in members:
            if (
                data is not None
                and member.name.count("/") == 1
                and member.name.endswith("/PKG-INFO")
            ):
                head, _, body = data.partition(b"\n\n")
                data = head.rstrip(b"\n") + b"\n" + extra + b"\n\n" + body
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    target.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return target


# metadata: the sdist against the wheel it builds


@pytest.mark.online
def test_sdist_metadata_matches_its_wheel(pure: dict[str, Path], tmp_path: Path) -> None:
    verdict = consistency.check(Subject(pure[".gz"], "sdist"), ctx(tmp_path))
    assert verdict == Verdict("metadata", "ok")


@pytest.mark.online
def test_sdist_whose_pkg_info_lies_fails_naming_the_field(
    pure: dict[str, Path], tmp_path: Path
) -> None:
    lying = edited_sdist(pure[".gz"], tmp_path / pure[".gz"].name, b"Requires-Dist: attrs>=20")
    verdict = consistency.check(Subject(lying, "sdist"), ctx(tmp_path))
    assert verdict.status == "failed"
    assert len(verdict.reasons) == 1
    assert "Requires-Dist differs" in verdict.reasons[0]
    assert "only in PKG-INFO: attrs>=20" in verdict.reasons[0]


@pytest.mark.online
def test_a_field_marked_dynamic_may_differ(pure: dict[str, Path], tmp_path: Path) -> None:
    edited = edited_sdist(pure[".gz"], tmp_path / pure[".gz"].name,
                          b"Requires-Dist: attrs>=20\nDynamic: Requires-Dist")  # fmt: skip
    assert consistency.check(Subject(edited, "sdist"), ctx(tmp_path)).status == "ok"


def test_metadata_consistency_applies_to_sdists_only(tmp_path: Path) -> None:
    name, data, _ = build_wheel("quiet", "1.0", "py3-none-any", {})
    (tmp_path / name).write_bytes(data)
    verdict = consistency.check(Subject(tmp_path / name, "wheel"), ctx(tmp_path))
    assert verdict.status == "skipped" and "sdists only" in verdict.reasons[0]


# loadable


@pytest.mark.online
def test_pure_wheel_installs_and_imports(pure: dict[str, Path], tmp_path: Path) -> None:
    assert loadable.check(Subject(pure[".whl"], "wheel"), ctx(tmp_path)) == Verdict(
        "loadable", "ok"
    )


@pytest.mark.online
def test_extension_missing_its_shared_library_fails(extension: Path, tmp_path: Path) -> None:
    verdict = loadable.check(Subject(extension, "wheel"), ctx(tmp_path))
    assert verdict.status == "failed"
    ldd = [r for r in verdict.reasons if "needs libdhtneed.so" in r]
    assert ldd and "does not find" in ldd[0]
    imports = [r for r in verdict.reasons if r.startswith("import extdemo")]
    assert imports and "libdhtneed.so" in imports[0]


def test_wheel_whose_import_raises_fails(tmp_path: Path) -> None:
    files = {"boom/__init__.py": "raise RuntimeError('boom at import')\n"}
    name, data, _ = build_wheel("boom", "1.0", "py3-none-any", {"files": files})
    (tmp_path / name).write_bytes(data)
    verdict = loadable.check(Subject(tmp_path / name, "wheel"), ctx(tmp_path, offline=True))
    assert verdict == Verdict("loadable", "failed", ("import boom: RuntimeError: boom at import",))


def test_wheel_for_another_interpreter_is_not_imported(tmp_path: Path) -> None:
    name, data, _ = build_wheel("elsewhere", "1.0", "cp27-cp27m-win32", {})
    (tmp_path / name).write_bytes(data)
    verdict = loadable.check(Subject(tmp_path / name, "wheel"), ctx(tmp_path))
    assert verdict.status == "skipped"
    assert "do not run on this machine's interpreter" in verdict.reasons[0]
    assert "no binaries in the wheel" in verdict.reasons[0]


def test_sdist_is_not_loaded(tmp_path: Path) -> None:
    (tmp_path / "x-1.0.tar.gz").write_bytes(b"")
    verdict = loadable.check(Subject(tmp_path / "x-1.0.tar.gz", "sdist"), ctx(tmp_path))
    assert verdict.status == "skipped"


# installable


def _lock(url: str, *platforms: str) -> Lock:
    return Lock(
        lock_version=LOCK_VERSION, python="3.11.7", platforms=platforms, index=LockIndex(url=url)
    )


def _wheel_needing(tmp_path: Path, requirement: str) -> Path:
    name, data, _ = build_wheel("needy", "1.0", "py3-none-any", {"requires-dist": [requirement]})
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


def test_dependency_without_a_wheel_for_a_platform_is_named(
    fixture_index: FixtureIndex, tmp_path: Path
) -> None:
    server = IndexServer(fixture_index)
    try:
        lock = _lock(server.url, "linux-x86_64", "macos-arm64", "windows-x86_64")
        wheel = _wheel_needing(tmp_path, "native==1.0")
        verdict = installable.check(Subject(wheel, "wheel"), ctx(tmp_path, lock))
    finally:
        server.close()
    assert verdict.status == "failed"
    assert len(verdict.reasons) == 1, verdict.reasons
    assert verdict.reasons[0].startswith("on macos-arm64: ")
    assert "native" in verdict.reasons[0]


def test_dependency_with_wheels_everywhere_resolves(
    fixture_index: FixtureIndex, tmp_path: Path
) -> None:
    server = IndexServer(fixture_index)
    try:
        lock = _lock(server.url, "linux-x86_64", "linux-aarch64", "macos-arm64", "windows-x86_64")
        wheel = _wheel_needing(tmp_path, "native>=1")
        verdict = installable.check(Subject(wheel, "wheel"), ctx(tmp_path, lock))
    finally:
        server.close()
    assert verdict == Verdict("installable", "ok")


def test_offline_without_a_cache_is_skipped(fixture_index: FixtureIndex, tmp_path: Path) -> None:
    lock = _lock("http://127.0.0.1:9/simple", "linux-x86_64")
    verdict = installable.check(
        Subject(_wheel_needing(tmp_path, "native>=1"), "wheel"), ctx(tmp_path, lock, offline=True)
    )
    assert verdict.status == "skipped"
    assert "offline and not in the cache" in verdict.reasons[0]


def test_requires_python_excluding_the_locked_python_fails(tmp_path: Path) -> None:
    name, data, _ = build_wheel("newonly", "1.0", "py3-none-any", {"requires-python": ">=3.13"})
    (tmp_path / name).write_bytes(data)
    verdict = installable.check(
        Subject(tmp_path / name, "wheel"),
        ctx(tmp_path, _lock("http://127.0.0.1:9/simple", "linux-x86_64")),
    )
    assert verdict == Verdict(
        "installable", "failed", ("Requires-Python >=3.13 excludes the locked Python 3.11.7",)
    )


def test_without_a_lock_the_verdict_says_what_was_checked(tmp_path: Path) -> None:
    name, data, _ = build_wheel("alone", "1.0", "py3-none-any", {})
    (tmp_path / name).write_bytes(data)
    verdict = installable.check(Subject(tmp_path / name, "wheel"), ctx(tmp_path))
    assert verdict.status == "ok"
    assert verdict.reasons[0].startswith("no dht.lock: checked on PyPI for ")


# run: merging and the report


def test_merge_per_check_name() -> None:
    merged = merge([
        Verdict("metadata", "ok"), Verdict("metadata", "failed", ("b",)),
        Verdict("loadable", "skipped", ("x",)), Verdict("metadata", "failed", ("a",)),
        Verdict("installable", "skipped", ("y",)), Verdict("installable", "ok"),
        Verdict("well-formed", "ok"),
    ])  # fmt: skip
    assert merged == (
        Verdict("well-formed", "ok"),
        Verdict("metadata", "failed", ("b", "a")),
        Verdict("loadable", "skipped", ("x",)),
        Verdict("installable", "ok"),
    )


@pytest.mark.online
def test_verify_reports_each_artifact_sorted_and_renders_stably(
    pure: dict[str, Path], extension: Path, tmp_path: Path
) -> None:
    report = verify([pure[".gz"], extension, pure[".whl"]], ctx(tmp_path))
    names = [a.name for a in report.artifacts]
    assert names == sorted(names)
    by_name = {a.name: a for a in report.artifacts}
    assert not by_name[extension.name].ok and by_name[pure[".whl"].name].ok
    assert not report.ok
    text = render(report)
    assert text.splitlines()[0].split() == [
        "artifact",
        "well-formed",
        "contents",
        "metadata",
        "platform",
        "loadable",
        "installable",
    ]
    section = text.split(f"\n\n{extension.name}:\n", 1)[1]
    assert "  loadable FAILED:\n    - " in section
    assert text.endswith("\n\nverified 3 artifacts: 1 failed\n")
    assert render(report) == text


def test_smoke_import_has_no_network_where_a_namespace_is_possible(tmp_path: Path) -> None:
    from importlib import resources

    from dht.sandbox import isolation

    launcher = resources.files("dht.sandbox._inject").joinpath("dht_sandbox_launch.py")
    with resources.as_file(launcher) as path:
        if isolation.choose("auto", Path(sys.executable), path).level != "namespace":
            pytest.skip("no network namespace on this machine: the import is not cut off")
    # Loopback outside the sandbox stands for the world: a namespace has its own loopback.
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    files = {
        "netty/__init__.py": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5).close()\n"
    }
    name, data, _ = build_wheel("netty", "1.0", "py3-none-any", {"files": files})
    (tmp_path / name).write_bytes(data)
    try:
        verdict = loadable.check(Subject(tmp_path / name, "wheel"), ctx(tmp_path, offline=True))
    finally:
        server.close()
    assert verdict.status == "failed"
    assert verdict.reasons[0].startswith("import netty: ConnectionRefusedError")


def test_sdist_with_dynamic_requirements_is_left_to_its_wheel(tmp_path: Path) -> None:
    from tests.support.wheels import build_sdist

    name, data, _ = build_sdist("vague", "1.0", {"dynamic": ["Requires-Dist"]})
    (tmp_path / name).write_bytes(data)
    verdict = installable.check(Subject(tmp_path / name, "sdist"), ctx(tmp_path))
    assert verdict.status == "skipped" and "marks Requires-Dist dynamic" in verdict.reasons[0]
