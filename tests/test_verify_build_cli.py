"""`dht verify-build FILES` and the verification `dht build` runs: exit codes, --json,
bad input. Real wheels (the fixture builder, real `uv build`), real installs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.model.lock import LOCK_VERSION, Lock, LockIndex, write_lock
from tests.support.index_server import IndexServer
from tests.support.network import SKIP_REASON, pypi_reachable
from tests.support.wheels import FixtureIndex, build_wheel


def invoke(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["-C", str(folder), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _restore_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path.cwd())  # `-C` changes the folder: restore it afterwards
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def wheel(folder: Path, name: str, release: dict[str, object]) -> Path:
    filename, data, _ = build_wheel(name, "1.0", "py3-none-any", release)
    (folder / filename).write_bytes(data)
    return folder / filename


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = invoke(tmp_path, "verify-build", "dist/nothing-1.0-py3-none-any.whl")
    assert code == 2
    assert "dist/nothing-1.0-py3-none-any.whl: no such file" in err
    assert "Traceback" not in err and out == ""


def test_a_file_that_is_no_artifact_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    good = wheel(tmp_path, "fine", {})
    code, out, err = invoke(tmp_path, "verify-build", good.name, "notes.txt")
    assert code == 2
    assert "notes.txt: not a wheel or an sdist" in err
    assert "hint:" in err and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([good.name, "notes.txt"])


def test_no_files_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "verify-build")
    assert code == 2 and "Missing argument" in err


def test_json_shape_of_a_passing_wheel(tmp_path: Path) -> None:
    good = wheel(tmp_path, "fine", {})
    code, out, err = invoke(tmp_path, "verify-build", "--json", "--offline", good.name)
    assert code == 0, err
    data = json.loads(out)
    assert data["format"] == 1 and data["ok"] is True
    (artifact,) = data["artifacts"]
    assert artifact["name"] == good.name and artifact["kind"] == "wheel" and artifact["ok"]
    checks = {c["check"]: c for c in artifact["checks"]}
    assert list(checks) == [
        "well-formed",
        "contents",
        "metadata",
        "platform",
        "loadable",
        "installable",
    ]
    assert all(c["status"] == "ok" for c in checks.values()), checks
    assert checks["loadable"] == {"check": "loadable", "status": "ok", "reasons": []}
    assert checks["installable"]["status"] == "ok"
    assert checks["installable"]["reasons"][0].startswith("no dht.lock: checked on PyPI")


def test_a_failing_check_exits_3_with_its_reason(tmp_path: Path) -> None:
    bad = wheel(tmp_path, "boom", {"files": {"boom/__init__.py": "raise SystemExit('no')\n"}})
    good = wheel(tmp_path, "fine", {})
    code, out, err = invoke(tmp_path, "verify-build", "--offline", good.name, bad.name)
    assert code == 3
    lines = out.splitlines()
    assert lines[1].split() == [bad.name, "ok", "ok", "ok", "ok", "failed", "ok"]
    assert lines[2].split() == [good.name, "ok", "ok", "ok", "ok", "ok", "ok"]
    assert "  loadable FAILED:\n    - import boom: SystemExit: no\n" in out
    assert out.endswith("verified 2 artifacts: 1 failed\n")
    assert "verification failed" in err


def test_the_lock_in_the_folder_decides_platforms_and_index(
    fixture_index: FixtureIndex, tmp_path: Path
) -> None:
    server = IndexServer(fixture_index)
    try:
        lock = Lock(lock_version=LOCK_VERSION, python="3.11.7",
                    platforms=("linux-x86_64", "macos-arm64"), index=LockIndex(url=server.url))  # fmt: skip
        write_lock(tmp_path / "dht.lock", lock)
        needy = wheel(tmp_path, "needy", {"requires-dist": ["native==1.0"]})
        code, out, _ = invoke(tmp_path, "verify-build", "--json", needy.name)
    finally:
        server.close()
    assert code == 3
    checks = {c["check"]: c for c in json.loads(out)["artifacts"][0]["checks"]}
    assert checks["installable"]["status"] == "failed"
    (reason,) = checks["installable"]["reasons"]
    assert reason.startswith("on macos-arm64: ") and "native" in reason


# dht build: verifies by default


def _project(root: Path, body: str) -> Path:
    (root / "src" / "vdemo").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling>=1.26"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "vdemo"\nversion = "1.0"\nrequires-python = ">=3.8"\n',
        encoding="utf-8",
    )
    (root / "src" / "vdemo" / "__init__.py").write_text(body, encoding="utf-8")
    return root


@pytest.fixture
def _network() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)


@pytest.mark.online
@pytest.mark.usefixtures("_network")
def test_build_verifies_by_default_and_not_with_no_verify(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "VALUE = 1\n")
    code, out, err = invoke(root, "build", "--json")
    assert code == 0, err
    verification = json.loads(out)["verification"]
    assert verification["ok"] is True
    assert [a["name"] for a in verification["artifacts"]] == [
        "vdemo-1.0-py3-none-any.whl",
        "vdemo-1.0.tar.gz",
    ]
    sdist = {c["check"]: c["status"] for c in verification["artifacts"][1]["checks"]}
    assert sdist["metadata"] == "ok"  # the sdist built a wheel that declares the same
    code, out, err = invoke(root, "build", "--json", "--no-verify")
    assert code == 0, err
    assert json.loads(out)["verification"] is None


@pytest.mark.online
@pytest.mark.usefixtures("_network")
def test_build_that_fails_verification_exits_3_and_keeps_the_files(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "raise ImportError('vdemo cannot be imported')\n")
    code, out, err = invoke(root, "build")
    assert code == 3
    assert "import vdemo: ImportError: vdemo cannot be imported" in out
    assert f"the build failed verification: the files stay in {root / 'dist'}" in err
    assert sorted(p.name for p in (root / "dist").glob("vdemo*")) == [
        "vdemo-1.0-py3-none-any.whl",
        "vdemo-1.0.tar.gz",
    ]


@pytest.mark.online
@pytest.mark.usefixtures("_network")
def test_reproducible_build_verifies_the_kept_build(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "VALUE = 1\n")
    code, out, err = invoke(root, "build", "--reproducible", "--json", "--out-dir", "out")
    assert code == 0, err
    data = json.loads(out)
    assert data["verification"]["ok"] is True
    kept = sorted(p.name for p in (root / "out").iterdir())
    assert kept == ["vdemo-1.0-py3-none-any.whl", "vdemo-1.0.tar.gz"]
    assert [a["name"] for a in data["verification"]["artifacts"]] == kept


@pytest.mark.online
@pytest.mark.usefixtures("_network")
def test_files_named_relative_to_the_folder(tmp_path: Path) -> None:
    """The sdist is rebuilt in a scratch folder: a relative name must still find it."""
    import subprocess

    import uv

    root = _project(tmp_path / "p", "VALUE = 1\n")
    subprocess.run([uv.find_uv_bin(), "build", "--out-dir", str(tmp_path / "dist"), "--no-progress", str(root)],
                   check=True, capture_output=True)  # fmt: skip
    code, out, err = invoke(tmp_path, "verify-build", "--json", "dist/vdemo-1.0.tar.gz")
    assert code == 0, out + err
    checks = {c["check"]: c for c in json.loads(out)["artifacts"][0]["checks"]}
    assert checks["metadata"] == {"check": "metadata", "status": "ok", "reasons": []}


def test_what_the_artifact_says_is_shown_not_interpreted(tmp_path: Path) -> None:
    raising = "raise ImportError('\\x1b[2J\\x1b[31mall good\\rfake')\n"
    bad = wheel(tmp_path, "noisy", {"files": {"noisy/__init__.py": raising}})
    code, out, _ = invoke(tmp_path, "verify-build", "--offline", bad.name)
    assert code == 3
    assert "\x1b" not in out and "\r" not in out
    assert "import noisy: ImportError: \\x1b[2J\\x1b[31mall good\\rfake" in out
