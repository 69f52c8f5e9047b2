"""Behaviour probes against fake tools (tiny Python scripts in a bin dir), and
once against the real ruff, black, isort, mypy, pytest and coverage (online)."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dht.apply.probes import (
    Probe,
    argv_probe,
    behaviour_probe,
    behaviour_probes,
    run_probes,
)
from dht.errors import InputError
from dht.process import run
from tests.support.network import SKIP_REASON, pypi_reachable

posix_only = pytest.mark.skipif(os.name == "nt", reason="fake tools are shebang scripts")


def _tool(bin_dir: Path, name: str, body: str) -> Path:
    """An executable script `name` in bin_dir running `body` with this interpreter."""
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text(
        f"#!{sys.executable}\nimport os, sys, time\n" + textwrap.dedent(body), encoding="utf-8"
    )
    path.chmod(0o755)
    return path


HEALTHY_RUFF = """
    text = open(sys.argv[-1]).read()
    if "import os" in text:
        print(f"{sys.argv[-1]}:1:8: F401 [*] `os` imported but unused")
        sys.exit(1)
    sys.exit(0)
"""
HEALTHY_BLACK = """
    path = sys.argv[-1]
    text = open(path).read()
    open(path, "w").write(text.replace("x=1", "x = 1"))
"""


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    path = tmp_path / "bin"
    path.mkdir()
    return path


def _one(probe: Probe, bin_dir: Path) -> tuple[bool, str]:
    [result] = run_probes([probe], bin_dir)
    assert result.tool == probe.tool and result.argv == probe.argv
    return result.ok, result.detail


def test_known_and_unknown_tools() -> None:
    for tool in ("ruff", "black", "isort", "mypy", "pytest", "coverage"):
        probe = behaviour_probe(tool)
        assert probe is not None and probe.tool == tool and probe.argv[0] == tool
    assert behaviour_probe("Black") == behaviour_probe("black")
    assert behaviour_probe("some-tool") is None
    assert behaviour_probes("some-tool") == ()
    assert [p.argv[1] for p in behaviour_probes("ruff")] == ["check", "format"]


@posix_only
def test_healthy_tools_pass(bin_dir: Path) -> None:
    _tool(bin_dir, "ruff", HEALTHY_RUFF)
    _tool(bin_dir, "black", HEALTHY_BLACK)
    probes = [behaviour_probe("ruff"), behaviour_probe("black")]
    results = run_probes([p for p in probes if p], bin_dir)
    assert [r.tool for r in results] == ["ruff", "black"]
    assert all(r.ok for r in results), [r.detail for r in results]
    assert results[0].code == 1 and "F401" in results[0].output
    assert "exit 1, 'F401' in the output, as expected" in results[0].detail
    assert "sample.py == 'x = 1\\n'" in results[1].detail


@posix_only
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sys.exit(0)", "got exit 0, no output"),
        ("print('all good'); sys.exit(0)", "got exit 0, output: 'all good'"),
        ("print('F401 but fine'); sys.exit(0)", "got exit 0"),
        ("print('nothing'); sys.exit(1)", "exit 1 but 'F401' not in the output"),
        ("raise RuntimeError('boom')", "not in the output (output: 'RuntimeError: boom')"),
        ("os.kill(os.getpid(), 9)", "got exit -9"),
    ],
)
def test_broken_ruff_fails(bin_dir: Path, body: str, expected: str) -> None:
    _tool(bin_dir, "ruff", body)
    probe = behaviour_probe("ruff")
    assert probe is not None
    ok, detail = _one(probe, bin_dir)
    assert not ok
    assert detail.startswith("`ruff check --no-cache --isolated --select F401 sample.py`: ")
    assert "expected exit 1, 'F401' in the output;" in detail
    assert expected in detail
    assert "\n" not in detail


@posix_only
def test_crash_output_is_kept(bin_dir: Path) -> None:
    _tool(bin_dir, "ruff", "raise RuntimeError('boom')")
    probe = behaviour_probe("ruff")
    assert probe is not None
    [result] = run_probes([probe], bin_dir)
    assert not result.ok and result.code == 1
    assert "RuntimeError: boom" in result.output
    assert "RuntimeError: boom" in result.detail  # the last line says what happened


@posix_only
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("pass", "sample.py is 'x=1\\n'"),
        ("os.remove(sys.argv[-1])", "sample.py is missing after the run"),
        ("open(sys.argv[-1], 'w').write('x = 1')", "sample.py is 'x = 1'"),
        ("sys.exit(123)", "got exit 123"),
    ],
)
def test_broken_black_fails(bin_dir: Path, body: str, expected: str) -> None:
    _tool(bin_dir, "black", body)
    probe = behaviour_probe("black")
    assert probe is not None
    ok, detail = _one(probe, bin_dir)
    assert not ok
    assert expected in detail


def test_missing_executable_names_it(bin_dir: Path) -> None:
    probe = behaviour_probe("isort")
    assert probe is not None
    [result] = run_probes([probe], bin_dir)
    assert not result.ok and result.code == 127
    assert f"not found: no executable 'isort' in {bin_dir}" in result.detail
    with pytest.raises(InputError, match="is a path"):  # absolute paths are refused outright
        argv_probe("x", ["/nonexistent/dht-tool"])


@posix_only
def test_not_executable_is_a_failed_probe(bin_dir: Path) -> None:
    path = _tool(bin_dir, "tool", "pass")
    path.chmod(0o644)
    ok, detail = _one(argv_probe("tool", ["tool"]), bin_dir)
    assert not ok and "could not start: Permission denied" in detail


@posix_only
def test_timeout_is_a_failed_probe(bin_dir: Path) -> None:
    _tool(bin_dir, "slow", "time.sleep(30)")
    started = time.monotonic()
    [result] = run_probes([argv_probe("slow", ["slow"])], bin_dir, timeout=0.5)
    assert time.monotonic() - started < 10
    assert not result.ok and result.code is None
    assert "timed out after 0.5 s" in result.detail


@posix_only
def test_expected_code_set(bin_dir: Path) -> None:
    _tool(bin_dir, "tool", "sys.exit(int(sys.argv[1]))")
    probes = [
        Probe("tool", ("tool", code), expect_code=frozenset({0, 2})) for code in ("0", "2", "1")
    ]
    results = run_probes(probes, bin_dir)
    assert [r.ok for r in results] == [True, True, False]
    assert "expected exit 0 or 2; got exit 1" in results[2].detail


@posix_only
def test_parallel_and_in_order(bin_dir: Path) -> None:
    _tool(bin_dir, "sleeper", "time.sleep(1); print(sys.argv[1])")
    probes = [Probe(f"t{i}", ("sleeper", str(i)), expect_output=str(i)) for i in range(4)]
    started = time.monotonic()
    results = run_probes(probes, bin_dir, jobs=4)
    elapsed = time.monotonic() - started
    assert [r.tool for r in results] == ["t0", "t1", "t2", "t3"]
    assert all(r.ok for r in results), [r.detail for r in results]
    assert elapsed < 2.5, elapsed


@posix_only
def test_private_env_and_fresh_dir(bin_dir: Path, tmp_path: Path) -> None:
    """Each probe sees only its sample, a private HOME/TMP and no PYTHONPATH."""
    _tool(
        bin_dir,
        "envcheck",
        """
        import tempfile
        cwd = os.getcwd()
        root = os.path.dirname(cwd)
        assert sorted(os.listdir(cwd)) == ["sample.py"], os.listdir(cwd)
        assert os.environ["HOME"].startswith(root), os.environ["HOME"]
        assert tempfile.gettempdir().startswith(root), tempfile.gettempdir()
        assert "PYTHONPATH" not in os.environ
        assert os.environ["KEEP"] == "kept"
        assert os.environ["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.argv[0])
        open("sample.py", "a").write("touched")
        print("env ok")
        """,
    )
    probe = Probe("envcheck", ("envcheck",), files={"sample.py": ""}, expect_output="env ok")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path), "KEEP": "kept"}
    results = run_probes([probe, probe], bin_dir, env=env)
    assert all(r.ok for r in results), [r.output for r in results]


def test_argv_probe_validation() -> None:
    probe = argv_probe("My_Tool", ["mytool", "--version"])
    assert probe == Probe("my-tool", ("mytool", "--version"))
    assert probe.expect_code == 0 and probe.expect_output is None and not probe.files
    for bad, message in [
        ([], "non-empty argv list"),
        ("mytool --version", "non-empty argv list"),
        (["mytool", "a\nb"], "NUL or line break"),
        (["mytool", "a\0b"], "NUL or line break"),
        (["bin/mytool"], "is a path"),
        (["../mytool"], "is a path"),
        (["/bin/sh", "-c", "touch /tmp/x"], "is a path"),
        ([""], "command is empty"),
    ]:
        with pytest.raises(InputError) as info:
            argv_probe("mytool", bad, where="dht.lock: tools.mytool")
        assert message in info.value.message, bad
        assert info.value.where == "dht.lock: tools.mytool"
        assert info.value.hint


def test_refused_probe_is_a_result_not_an_exception(bin_dir: Path) -> None:
    bad = Probe("x", ("x", "a\nb"))
    escaping = Probe("y", (sys.executable, "-c", "pass"), files={"../escape.py": ""})
    results = run_probes([bad, escaping], bin_dir)
    assert [r.ok for r in results] == [False, False]
    assert "refused" in results[0].detail and "refused" in results[1].detail


def test_no_probes() -> None:
    assert run_probes([], Path("/nonexistent")) == []


# Real tools from the real index.


@pytest.mark.online
def test_real_tools_pass_their_probes(tmp_path: Path) -> None:
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    from uv import find_uv_bin

    uv = find_uv_bin()
    venv = tmp_path / "venv"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], timeout=300)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    tools = ["ruff", "black", "isort", "mypy", "pytest", "coverage"]
    run([uv, "pip", "install", "--quiet", "--python", str(python), *tools], timeout=600)
    probes = [p for tool in tools for p in behaviour_probes(tool)]
    probes.append(argv_probe("mypy", ["mypy", "--version"]))
    results = run_probes(probes, bin_dir, timeout=120)
    failed = [f"{r.detail}\n{r.output}" for r in results if not r.ok]
    assert not failed, "\n\n".join(failed)
    # The same probes prove breakage: a black that no longer formats fails.
    (bin_dir / "black").unlink()
    probe = behaviour_probe("black")
    assert probe is not None
    [result] = run_probes([probe], bin_dir)
    assert not result.ok and "not found" in result.detail


def test_a_binary_the_wheel_puts_in_bin_is_one_of_its_commands(tmp_path: Path) -> None:
    """ruff's and uv's commands are binaries from the wheel's .data/scripts, listed only in
    RECORD: they count as the tool's commands (for probes and launchers) beside console
    scripts from entry_points.txt."""
    from dht.apply.resources import console_scripts

    env = tmp_path / "env"
    lib = env / "lib" / "python3.11" / "site-packages"
    info = lib / "binny-1.0.dist-info"
    info.mkdir(parents=True)
    (env / "bin").mkdir()
    (env / "pyvenv.cfg").write_text("version = 3.11.7\n")
    (info / "RECORD").write_text(
        "binny/__init__.py,sha256=x,1\n../../../bin/binny,sha256=y,10\n"
        "../../../share/man/binny.1,sha256=z,3\nbinny-1.0.dist-info/RECORD,,\n"
    )
    (info / "entry_points.txt").write_text("[console_scripts]\nbinny-py = binny:main\n")
    assert console_scripts(env, "binny") == ["binny", "binny-py"]
    assert console_scripts(env, "other") == []


def test_fingerprints_sharing_one_runs_reads_equal_fresh_ones(tmp_path: Path) -> None:
    """The files read for one probe's fingerprint serve the next (one run): the same
    prints as reading afresh, and a file moved between runs still moves the print."""
    from dht.apply.probe_cache import Stats, fingerprint
    from dht.apply.probes import behaviour_probe

    lib = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    for name in ("alpha", "beta", "gamma"):
        info = lib / f"{name}-1.0.dist-info"
        info.mkdir(parents=True)
        (lib / f"{name}.py").write_text(f"# {name}\n", encoding="utf-8")
        (info / "RECORD").write_text(
            f"{name}.py,,\n{name}-1.0.dist-info/RECORD,,\n__pycache__/{name}.pyc,,\n",
            encoding="utf-8",
        )
    probe = behaviour_probe("ruff")
    assert probe is not None
    env = tmp_path / "env"
    seen = Stats()
    shared = [fingerprint(env, d, probe, seen) for d in ({"alpha", "beta"}, {"beta", "gamma"})]
    fresh = [fingerprint(env, d, probe) for d in ({"alpha", "beta"}, {"beta", "gamma"})]
    assert shared == fresh and shared[0] != shared[1]
    os.utime(lib / "beta.py", ns=(1, 1))
    assert fingerprint(env, {"alpha", "beta"}, probe, Stats()) != shared[0]
    assert fingerprint(env, {"alpha", "beta"}, probe, seen) == shared[0]  # one run's view


def test_a_fingerprint_moves_with_any_file_of_the_tools_packages(tmp_path: Path) -> None:
    """Same size, another time; a file gone; a second dist-info of the same package left
    behind: each moves the print. A file of a package outside the closure does not."""
    from dht.apply.probe_cache import fingerprint
    from dht.apply.probes import behaviour_probe

    lib = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    for name in ("alpha", "other"):
        info = lib / f"{name}-1.0.dist-info"
        info.mkdir(parents=True)
        (lib / f"{name}.py").write_text("x = 1\n", encoding="utf-8")
        (info / "RECORD").write_text(
            f"{name}.py,,\n{name}-1.0.dist-info/RECORD,,\n", encoding="utf-8"
        )
    probe = behaviour_probe("ruff")
    assert probe is not None
    env = tmp_path / "env"
    prints = [fingerprint(env, {"alpha"}, probe)]
    os.utime(lib / "other.py", ns=(5, 5))
    assert fingerprint(env, {"alpha"}, probe) == prints[0]
    (lib / "alpha.py").write_text("x = 2\n", encoding="utf-8")
    os.utime(lib / "alpha.py", ns=(7, 7))
    prints.append(fingerprint(env, {"alpha"}, probe))
    (lib / "alpha.py").unlink()
    prints.append(fingerprint(env, {"alpha"}, probe))
    (lib / "alpha-0.9.dist-info").mkdir()
    prints.append(fingerprint(env, {"alpha"}, probe))
    assert len(set(prints)) == len(prints) == 4


def test_a_new_terminal_does_not_move_a_fingerprint_a_setting_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dht.apply.probe_cache import fingerprint
    from dht.apply.probes import behaviour_probe, steady_env

    probe = behaviour_probe("ruff")
    assert probe is not None
    env = tmp_path / "env"
    (env / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    before = fingerprint(env, set(), probe)
    for name, value in {"_": "/usr/bin/env", "OLDPWD": "/elsewhere", "SHLVL": "7",
                        "DHT_CACHE_DIR": str(tmp_path / "c2"), "VSCODE_GIT_IPC_HANDLE": "/run/x"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert fingerprint(env, set(), probe) == before
    monkeypatch.setenv("RUFF_OUTPUT_FORMAT", "json")  # a tool reads it: the probe runs again
    assert fingerprint(env, set(), probe) != before
    assert steady_env({"_": "x", "PYTHONPATH": "/p", "RUFF_CACHE_DIR": "/c"}) == {
        "RUFF_CACHE_DIR": "/c"
    }
