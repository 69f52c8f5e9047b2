"""`dht build` and `dht build --reproducible`: real builds with real backends.

Fixture projects are written into tmp_path; their backends (hatchling,
setuptools, flit_core, uv_build) come from the real index, so those tests are
marked `online` and skip where it is out of reach. uv's own cache is reused,
so a second run downloads nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.gitrepo import FALLBACK_EPOCH
from dht.sandbox.normalize import normalize
from tests.support.network import SKIP_REASON, pypi_reachable

BACKENDS = {
    "hatchling": ('"hatchling>=1.26"', "hatchling.build"),
    "setuptools": ('"setuptools>=61"', "setuptools.build_meta"),
    "flit_core": ('"flit_core>=3.4"', "flit_core.buildapi"),
    "uv_build": ('"uv_build>=0.9,<0.20"', "uv_build"),
}
COMMIT_TIME = 1767225600  # 2026-01-01T00:00:00Z


@pytest.fixture
def _network() -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)


online = pytest.mark.usefixtures("_network")


def project(root: Path, backend: str, *, git: bool = True) -> Path:
    """A small package with a module and an executable script, committed at COMMIT_TIME."""
    requires, name = BACKENDS[backend]
    module = f"demo_{backend}"
    (root / "src" / module).mkdir(parents=True)
    extra = f'\n[tool.hatch.build.targets.wheel]\npackages = ["src/{module}"]\n' if backend == "hatchling" else ""  # fmt: skip
    (root / "pyproject.toml").write_text(
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{name}"\n\n'
        f'[project]\nname = "demo-{backend.replace("_", "-")}"\nversion = "1.0"\n'
        f'description = "A dht test fixture."\n{extra}',
        encoding="utf-8",
    )
    (root / "src" / module / "__init__.py").write_text('"""Demo."""\n', encoding="utf-8")
    script = root / "src" / module / "tool.sh"
    script.write_text("#!/bin/sh\necho demo\n", encoding="utf-8")
    script.chmod(0o755)
    (root / ".gitignore").write_text("ignored.txt\n", encoding="utf-8")
    (root / "ignored.txt").write_text("not part of any build\n", encoding="utf-8")
    if git:
        env = {**os.environ, "GIT_AUTHOR_DATE": f"@{COMMIT_TIME} +0000",
               "GIT_COMMITTER_DATE": f"@{COMMIT_TIME} +0000"}  # fmt: skip
        for argv in (["git", "init", "-q"], ["git", "add", "-A"],
                     ["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                      "commit", "-q", "-m", "fixture"]):  # fmt: skip
            subprocess.run(argv, cwd=root, env=env, check=True, capture_output=True)
    return root


def build(root: Path, *args: str) -> tuple[int, dict[str, object], str]:
    # Verification (dht.buildcheck) has tests of its own: here only the builds.
    result = CliRunner().invoke(app, ["-C", str(root), "build", *args, "--json", "--no-verify"])
    data = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, data, result.stderr


@pytest.fixture(autouse=True)
def _no_inherited_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """`dht run` sets SOURCE_DATE_EPOCH; these tests choose their own."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.chdir(Path.cwd())  # `-C` changes the folder: restore it afterwards


def verdicts(report: dict[str, object]) -> dict[str, str]:
    artifacts = report["artifacts"]
    assert isinstance(artifacts, list)
    return {a["kind"]: a["verdict"] for a in artifacts}


@pytest.mark.online
@online
@pytest.mark.parametrize("backend", ["hatchling", "flit_core", "uv_build"])
def test_backends_that_are_reproducible(tmp_path: Path, backend: str) -> None:
    code, report, err = build(project(tmp_path, backend), "--reproducible")
    assert code == 0, err
    assert verdicts(report) == {"wheel": "identical", "sdist": "identical"}
    assert report["source_date_epoch"] == COMMIT_TIME
    assert report["source_date_from"] == "last commit"
    assert report["backend"] == BACKENDS[backend][1]
    assert report["conditions"]["B"]["umask"] == "002"  # type: ignore[index]


@pytest.mark.online
@online
def test_setuptools_differs_in_metadata_until_normalized(tmp_path: Path) -> None:
    root = project(tmp_path / "p", "setuptools")
    code, report, err = build(root, "--reproducible")
    assert code == 3, err
    assert verdicts(report) == {"wheel": "identical-after-normalizing", "sdist": "identical-after-normalizing"}  # fmt: skip
    wheel, sdist = sorted(report["artifacts"], key=lambda a: a["kind"], reverse=True)  # type: ignore[arg-type]
    assert wheel["layer"] == "metadata-only"
    # umask 002 leaks into the wheel's modes (0o644 = 420, 0o664 = 436)
    assert "demo_setuptools/__init__.py: mode 0644 vs 0664" in wheel["notes"]
    assert any(n.startswith("demo_setuptools-1.0/PKG-INFO: mtime") for n in sdist["notes"])
    assert wheel["normalized_sha256"] == wheel["normalized_sha256_b"]

    out = tmp_path / "kept"
    code, report, err = build(root, "--reproducible", "--normalize", "--out-dir", str(out))
    assert code == 0, err
    assert report["normalized"] is True
    kept = sorted(p.name for p in out.iterdir())
    assert kept == ["demo_setuptools-1.0-py3-none-any.whl", "demo_setuptools-1.0.tar.gz"]
    for path in out.iterdir():  # kept files are the canonical ones
        assert normalize(path.name, path.read_bytes(), COMMIT_TIME).changes == []


@pytest.mark.online
@online
def test_plain_build_into_dist_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    root = project(tmp_path, "hatchling", git=False)
    code, first, err = build(root)
    assert code == 0, err
    assert first["source_date_epoch"] == FALLBACK_EPOCH
    assert first["source_date_from"] == "fixed (no git commit)"
    dist = sorted(p.name for p in (root / "dist").iterdir())
    assert dist == ["demo_hatchling-1.0-py2.py3-none-any.whl", "demo_hatchling-1.0.tar.gz"]
    code, second, err = build(root)
    assert code == 0, err
    shas = [a["sha256"] for a in first["artifacts"]]  # type: ignore[union-attr]
    assert shas == [a["sha256"] for a in second["artifacts"]]  # type: ignore[union-attr]
    # `dht build` ships exactly what `--reproducible` calls build A
    code, checked, err = build(root, "--reproducible", "--out-dir", str(tmp_path / "kept"))
    assert code == 0, err
    assert shas == [a["sha256"] for a in checked["artifacts"]]  # type: ignore[union-attr]


@pytest.mark.online
@online
def test_without_git_the_copy_skips_caches_and_venvs(tmp_path: Path) -> None:
    root = project(tmp_path, "flit_core", git=False)
    (root / ".venv").mkdir()
    (root / ".venv" / "huge.bin").write_bytes(b"x" * 1000)
    (root / "src" / "demo_flit_core" / "__pycache__").mkdir()
    code, report, err = build(root, "--reproducible")
    assert code == 0, err
    assert report["source_date_epoch"] == FALLBACK_EPOCH


def test_a_project_without_a_build_backend(tmp_path: Path) -> None:
    code, _, err = build(tmp_path, "--reproducible")
    assert code == 1
    assert "no build backend: no pyproject.toml or setup.py" in err and "hint:" in err
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    code, _, err = build(tmp_path)
    assert code == 1 and "pyproject.toml has no [build-system]" in err
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    code, _, err = build(tmp_path)
    assert code == 1 and "not valid TOML" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]  # nothing written


def test_an_out_dir_that_is_a_file_is_refused_before_building(tmp_path: Path) -> None:
    # A backend that would fail loudly: the check must come first.
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "nope"\n[project]\nname = "x"\nversion = "1"\n',
        encoding="utf-8",
    )
    (tmp_path / "afile").write_text("keep me", encoding="utf-8")
    for args in (
        ("--out-dir", str(tmp_path / "afile")),
        ("--reproducible", "-o", str(tmp_path / "afile" / "sub")),
    ):
        code, _, err = build(tmp_path, *args)
        assert code == 1 and "--out-dir" in err and "Traceback" not in err, err
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "keep me"


def test_a_failing_backend_reports_its_output(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        '[project]\nname = "broken"\nversion = "1.0"\n',
        encoding="utf-8",
    )
    (tmp_path / "backend.py").write_text(
        "def build_sdist(*args, **kwargs):\n    raise RuntimeError('the backend broke on purpose')\n",
        encoding="utf-8",
    )
    code, _, err = build(tmp_path, "--reproducible")
    assert code == 1
    assert "the backend broke on purpose" in err and "uv build" in err


def test_a_bad_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, "hatchling", git=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, _, err = build(tmp_path, "--reproducible")
    assert code == 1 and "SOURCE_DATE_EPOCH='yesterday' is not a number" in err


LEAKY_BACKEND = '''\
"""A PEP 517 backend that writes the build's time zone into the wheel: not reproducible."""
import gzip, io, os, tarfile, zipfile

NAME, VERSION = "leaky", "1.0"
META = f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n\\n".encode()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = f"{NAME}-{VERSION}-py3-none-any.whl"
    dist = f"{NAME}-{VERSION}.dist-info"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as archive:
        for name, body in ((f"{NAME}.py", f"BUILT_IN = {os.environ.get('TZ')!r}\\n".encode()),
                           (f"{dist}/METADATA", META),
                           (f"{dist}/WHEEL", b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"),
                           (f"{dist}/RECORD", b"")):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    filename = f"{NAME}-{VERSION}.tar.gz"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in ("PKG-INFO", "pyproject.toml", "backend.py"):
            body = META if name == "PKG-INFO" else open(name, "rb").read()
            info = tarfile.TarInfo(f"{NAME}-{VERSION}/{name}")
            info.size, info.mode = len(body), 0o644
            archive.addfile(info, io.BytesIO(body))
    with gzip.GzipFile(os.path.join(sdist_directory, filename), "wb", mtime=0) as out:
        out.write(raw.getvalue())
    return filename
'''


def test_a_backend_that_leaks_the_time_zone_is_different_in_content(tmp_path: Path) -> None:
    """Offline: an in-tree backend (no requirements) whose wheel depends on TZ."""
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        encoding="utf-8",
    )
    (tmp_path / "backend.py").write_text(LEAKY_BACKEND, encoding="utf-8")
    code, report, err = build(tmp_path, "--reproducible", "--normalize")
    assert code == 3, err
    assert verdicts(report) == {"wheel": "different", "sdist": "identical"}
    wheel = next(a for a in report["artifacts"] if a["kind"] == "wheel")  # type: ignore[union-attr]
    assert wheel["layer"] == "content"
    assert "leaky.py: content differs" in wheel["notes"]
    assert "-BUILT_IN = 'UTC'\n+BUILT_IN = 'Pacific/Kiritimati'" in wheel["diffs"]["leaky.py"]
    text = (
        CliRunner()
        .invoke(app, ["-C", str(tmp_path), "build", "--reproducible", "--no-verify"])
        .stdout
    )
    assert "leaky-1.0-py3-none-any.whl  different\n  raw builds: content\n" in text
    assert text.endswith("1 identical, 1 different\n")


def test_builds_named_differently_are_different(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        encoding="utf-8",
    )
    source = LEAKY_BACKEND.replace(
        'NAME, VERSION = "leaky", "1.0"',
        'NAME, VERSION = "leaky", "1.0" if os.environ["TZ"] == "UTC" else "1.1"',
    )
    (tmp_path / "backend.py").write_text(source, encoding="utf-8")
    code, report, err = build(tmp_path, "--reproducible")
    assert code == 3, err
    artifacts = report["artifacts"]
    assert isinstance(artifacts, list)
    assert [(a["name"], a["verdict"], a["notes"]) for a in artifacts] == [
        (name, "different", [f"{name}: only in build {side}"])
        for name, side in (("leaky-1.0-py3-none-any.whl", "A"), ("leaky-1.0.tar.gz", "A"),
                           ("leaky-1.1-py3-none-any.whl", "B"), ("leaky-1.1.tar.gz", "B"))
    ]  # fmt: skip
