"""The platform seam, for Linux, macOS and Windows, on this machine: layouts, launcher
plans, a sandbox's home, finding a command on a PATH, names and file locking."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from dht import platform
from dht.model.names import reserved_path
from dht.process import run


def test_current_maps_sys_platform() -> None:
    assert platform.current("linux") == "linux"
    assert platform.current("darwin") == "macos"
    assert platform.current("win32") == "windows"
    assert platform.current("freebsd14") == "linux"  # POSIX layout
    assert platform.current() == platform.current(sys.platform)


@pytest.mark.parametrize(
    ("os_name", "python", "ruff"),
    [
        ("linux", "env/bin/python", "env/bin/ruff"),
        ("macos", "env/bin/python", "env/bin/ruff"),
        ("windows", "env/Scripts/python.exe", "env/Scripts/ruff.exe"),
    ],
)
def test_venv_layout(os_name: platform.OS, python: str, ruff: str) -> None:
    env = Path("env")
    assert platform.python_of(env, os_name).as_posix() == python
    assert platform.executable(env, "ruff", os_name).as_posix() == ruff
    assert platform.bin_dir(env, os_name).as_posix() == python.rsplit("/", 1)[0]


@pytest.mark.parametrize("os_name", ["linux", "macos"])
def test_posix_launcher_is_a_relative_symlink_that_runs(
    os_name: platform.OS, tmp_path: Path
) -> None:
    tool, project = tmp_path / ".dht/envs/ruff", tmp_path / ".venv"
    plan = platform.launcher("ruff", tool, project, os_name)
    assert (plan.name, plan.kind, plan.target) == (
        "ruff",
        "symlink",
        "../../.dht/envs/ruff/bin/ruff",
    )
    (tool / "bin").mkdir(parents=True)
    (project / "bin").mkdir(parents=True)
    script = tool / "bin/ruff"
    script.write_text("#!/bin/sh\necho ruff-here\n")
    script.chmod(0o755)
    platform.make_launcher(plan, project / "bin/ruff")
    assert platform.launcher_in_place(plan, project / "bin/ruff") == plan.target
    assert platform.read_launcher(project / "bin/ruff", os_name) == project / "bin" / plan.target
    out = subprocess.run([str(project / "bin/ruff")], capture_output=True, text=True, check=True)
    assert out.stdout == "ruff-here\n"


def test_windows_launcher_is_a_cmd_shim_with_a_relative_target(tmp_path: Path) -> None:
    tool, project = tmp_path / ".dht/envs/ruff", tmp_path / ".venv"
    plan = platform.launcher("ruff", tool, project, "windows")
    assert plan.name == "ruff.cmd" and plan.kind == "shim"
    assert plan.target == r"..\..\.dht\envs\ruff\Scripts\ruff.exe"
    # %~dp0 is the shim's own folder, with its trailing backslash; %* passes every argument.
    assert plan.content() == b'@"%~dp0..\\..\\.dht\\envs\\ruff\\Scripts\\ruff.exe" %*\r\n'
    (project / "Scripts").mkdir(parents=True)
    shim = project / "Scripts" / plan.name
    platform.make_launcher(plan, shim)
    assert shim.read_bytes() == plan.content() and not shim.is_symlink()
    assert platform.launcher_in_place(plan, shim) == plan.target
    runs = platform.read_launcher(shim, "windows")
    assert runs is not None and os.path.normpath(runs) == str(tool / "Scripts/ruff.exe")
    # Anything else standing there is not our launcher.
    shim.write_bytes(b"@echo off\r\n")
    assert platform.launcher_in_place(plan, shim) is None
    assert platform.read_launcher(shim, "windows") is None
    # cmd finds it by its bare name through PATHEXT.
    shim.write_bytes(plan.content())
    assert platform.which("ruff", str(project / "Scripts"), "windows") == str(shim)


def test_home_env_is_complete_per_os(tmp_path: Path) -> None:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    linux = platform.home_env(home, tmp, "linux")
    assert linux == {"HOME": str(home), "TEMP": str(tmp), "TMP": str(tmp), "TMPDIR": str(tmp)}
    assert platform.home_env(home, tmp, "macos") == linux  # TMPDIR is the one macOS reads
    windows = platform.home_env(home, tmp, "windows")
    assert windows == {
        **linux,
        "USERPROFILE": str(home),
        "APPDATA": str(home / "AppData" / "Roaming"),
        "LOCALAPPDATA": str(home / "AppData" / "Local"),
    }
    assert platform.home_folders(home, "windows") == [
        home / "AppData" / "Roaming",
        home / "AppData" / "Local",
    ]
    assert platform.home_folders(home, "linux") == []
    parent = {"SystemRoot": r"C:\Windows", "COMSPEC": "cmd", "HOME": "/x"}
    assert platform.keep_env(parent, "windows") == {"SYSTEMROOT": r"C:\Windows", "COMSPEC": "cmd"}
    assert platform.keep_env(parent, "linux") == {}


def test_candidates_follow_each_os() -> None:
    assert platform.candidates("ruff", "/a:/b", "linux") == ["/a/ruff", "/b/ruff"]
    assert platform.candidates("./ruff", "/a", "macos") == ["./ruff"]
    assert platform.candidates(
        "ruff", r"C:\p\.venv\Scripts;C:\Windows", "windows", ".EXE;.CMD"
    ) == [
        r"C:\p\.venv\Scripts\ruff.exe",
        r"C:\p\.venv\Scripts\ruff.cmd",
        r"C:\Windows\ruff.exe",
        r"C:\Windows\ruff.cmd",
    ]
    # An extension already given, in any case, is not added to.
    assert platform.candidates("RUFF.EXE", r"C:\a", "windows", ".exe;.cmd") == [r"C:\a\RUFF.EXE"]
    assert platform.candidates(r".venv\Scripts\ruff.exe", r"C:\a", "windows") == [
        r".venv\Scripts\ruff.exe"
    ]
    assert platform.path_separator("windows") == ";" and platform.path_separator("linux") == ":"


def test_which_finds_on_the_given_path_only(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "tool").write_text("not executable")
    (second / "tool").write_text("#!/bin/sh\n")
    (second / "tool").chmod(0o755)
    path = os.pathsep.join([str(first), str(second)])
    assert platform.which("tool", path, "linux") == str(second / "tool")
    assert platform.which("tool", str(first), "linux") is None
    assert platform.which("tool", "", "linux") is None
    # Windows: no execute bit, the extension decides; PATHEXT order decides between two.
    (first / "tool.bat").write_text("")
    (first / "tool.exe").write_text("")
    win_path = f"{first};{second}"
    assert platform.which("tool", win_path, "windows", ".BAT;.EXE") == f"{first}/tool.bat"
    assert platform.which("tool", win_path, "windows", ".EXE;.BAT") == f"{first}/tool.exe"
    assert platform.which("tool", win_path, "windows", ".COM") is None


@pytest.mark.parametrize(
    "name",
    ["dht.lock", "DHT.LOCK", "Dht.Toml", "\uff44\uff48\uff54.lock", "dht.lock.", "dht.lock ", ".GIT/config",
     "sub/.Git/hooks/pre-commit", ".VENV/bin/x", ".Dht/state", "\uff24\uff28\uff34.\uff34\uff2f\uff2d\uff2c"],
)  # fmt: skip
def test_reserved_names_fold_case_and_compatibility_forms(name: str) -> None:
    assert reserved_path(name), name


@pytest.mark.parametrize(
    "name",
    ["dht.lock\u200b", "docs/dht.lock", "dht.locks", "gitconfig", ".github/workflows/ci.yml",
     "dht lock", "dht.lock\u0301"],
)  # fmt: skip
def test_distinct_names_stay_distinct(name: str) -> None:
    # A zero-width space or a combining accent makes another name on every file system.
    assert not reserved_path(name), name


def test_name_key() -> None:
    assert platform.same_name("DHT.lock", "dht.LOCK")
    assert platform.same_name("\uff44\uff48\uff54.lock", "dht.lock")
    assert platform.same_name("caf\u00e9", "cafe\u0301")  # NFC: APFS sees one file
    assert not platform.same_name("dht.lock\u200b", "dht.lock")


def test_to_lf() -> None:
    assert platform.to_lf("a = 1\r\nb = 2\r\n") == "a = 1\nb = 2\n"
    assert platform.to_lf("a\rb\n") == "a\rb\n"  # a lone CR is content, not a line ending


def test_umask_reaches_the_child_without_a_wrapper(tmp_path: Path) -> None:
    assert platform.has_umask("linux") and platform.has_umask("macos")
    assert not platform.has_umask("windows")
    run(["sh", "-c", "echo x > made"], cwd=tmp_path, umask=0o027)
    assert stat.S_IMODE((tmp_path / "made").stat().st_mode) == 0o640
    before = os.umask(0o022)
    os.umask(before)
    run(["true"], umask=0o077)
    after = os.umask(before)
    os.umask(after)
    assert after == before  # the parent's umask is untouched


def _hold_then_release(path: Path, held: threading.Event, release: threading.Event) -> None:
    with open(path, "a+b") as handle:
        platform.lock_file(handle)
        held.set()
        release.wait(10)
        platform.unlock_file(handle)


def test_posix_lock_waits_for_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "apply.lock"
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_then_release, args=(path, held, release))
    holder.start()
    assert held.wait(10)
    threading.Timer(0.5, release.set).start()
    start = time.monotonic()
    with open(path, "a+b") as handle:
        platform.lock_file(handle)  # another open file: flock blocks until the holder lets go
        waited = time.monotonic() - start
        platform.unlock_file(handle)
    holder.join()
    assert waited >= 0.4


def test_windows_lock_polls_until_free(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # msvcrt exists only on Windows: a stand-in that refuses three times, as a held lock does.
    calls: list[tuple[int, int]] = []

    def locking(fd: int, mode: int, nbytes: int) -> None:
        calls.append((mode, nbytes))
        if mode == fake.LK_NBLCK and sum(1 for m, _ in calls if m == fake.LK_NBLCK) <= 3:
            raise PermissionError(13, "locked")

    fake = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0, LK_LOCK=1, locking=locking)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    with open(tmp_path / "apply.lock", "a+b") as handle:
        platform.lock_file(handle, "windows", poll=0.01)
        platform.unlock_file(handle, "windows")
    # Never LK_LOCK, which gives up after ten seconds.
    assert calls == [(2, 1)] * 4 + [(0, 1)]


def test_run_resolves_the_command_on_the_environments_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dht.commands.run import resolve

    venv_bin, system = tmp_path / "venv-bin", tmp_path / "system"
    venv_bin.mkdir()
    system.mkdir()
    for folder in (venv_bin, system):
        (folder / "tool").write_text("#!/bin/sh\n")
        (folder / "tool").chmod(0o755)
    env = {"PATH": f"{venv_bin}{os.pathsep}{system}"}
    assert resolve(["tool", "-q"], env) == [str(venv_bin / "tool"), "-q"]
    assert resolve(["missing", "x"], env) == ["missing", "x"]  # the OS says it is not found
    # Windows (not runnable here): the launcher shim in .venv\Scripts, found through PATHEXT,
    # before a program of the same name further down the PATH.
    (venv_bin / "tool.cmd").write_text("")
    (system / "tool.exe").write_text("")
    monkeypatch.setattr(platform, "current", lambda platform="win32": "windows")
    env = {"PATH": f"{venv_bin};{system}", "PATHEXT": ".COM;.EXE;.BAT;.CMD"}
    assert resolve(["tool", "-q"], env) == [f"{venv_bin}/tool.cmd", "-q"]


def test_a_windows_build_runs_uv_directly_without_a_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # subprocess refuses umask= on Windows, and the old os.execv wrapper returned at once
    # there: the build must run uv itself. Only Windows' process start is stood in for.
    from dht.process import Completed
    from dht.sandbox import build

    seen: list[tuple[list[str], int | None]] = []

    def fake_run(argv: list[str], **kwargs: object) -> Completed:
        umask = kwargs.get("umask")
        seen.append((list(argv), umask if isinstance(umask, int) else None))
        (tmp_path / "out" / "demo-1.0-py3-none-any.whl").write_bytes(b"")
        return Completed(tuple(argv), 0, "")

    explain = build.Explain(tmp_path, None, False)
    for os_name, umask in (("linux", 0o002), ("windows", None)):
        monkeypatch.setattr(platform, "current", lambda platform="", o=os_name: o)
        monkeypatch.setattr(build, "run", fake_run)
        (tmp_path / "out").mkdir(exist_ok=True)
        for old in (tmp_path / "out").iterdir():
            old.unlink()
        built = build.uv_build(tmp_path, tmp_path / "out", {}, 0o002, explain=explain)
        argv, passed = seen[-1]
        assert built == [tmp_path / "out" / "demo-1.0-py3-none-any.whl"]
        assert Path(argv[0]).name.startswith("uv") and argv[1:3] == ["build", "--sdist"]
        assert "-c" not in argv and passed == umask, os_name


def test_build_home_is_complete_per_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dht.sandbox import build

    conditions = build.BASELINE
    for os_name in platform.ALL:
        monkeypatch.setattr(platform, "current", lambda platform="", o=os_name: o)
        home = tmp_path / "home-A"
        env = build.build_env(conditions, 0, home, build.UvDirs("c", "p"), tmp_path)
        expected = platform.home_env(home, tmp_path / "tmp-home-A", os_name)
        assert {k: env[k] for k in expected} == expected


def test_sandbox_env_home_and_path_per_os(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dht.sandbox import isolation, testrun

    box = testrun.Sandbox(tmp_path)
    venv = tmp_path / "venv"
    monkeypatch.setenv("SYSTEMROOT", r"C:\Windows")
    for os_name in platform.ALL:
        monkeypatch.setattr(platform, "current", lambda platform="", o=os_name: o)
        env = testrun.sandbox_env(box, venv, {}, testrun.Condition(), isolation.Isolation("off"))
        expected = platform.home_env(box.home, box.tmp, os_name)
        assert {k: env[k] for k in expected} == expected, os_name
        if os_name == "windows":
            assert env["PATH"] == str(venv / "Scripts") + r";C:\Windows\System32;C:\Windows"
            assert env["SYSTEMROOT"] == r"C:\Windows"
        else:
            assert env["PATH"] == f"{venv}/bin:/bin:/usr/bin"
            assert "USERPROFILE" not in env and "SYSTEMROOT" not in env


@pytest.mark.parametrize(
    ("sys_platform", "machine", "musl", "name"),
    [
        ("linux", "x86_64", False, "linux-x86_64"),
        ("linux", "AMD64", False, "linux-x86_64"),
        ("linux", "x86_64", True, "linux-musl-x86_64"),
        ("linux", "aarch64", False, "linux-aarch64"),
        ("linux", "arm64", False, "linux-aarch64"),
        ("linux", "riscv64", False, None),
        ("darwin", "arm64", False, "macos-arm64"),
        ("darwin", "x86_64", False, "macos-x86_64"),
        ("win32", "AMD64", False, "windows-x86_64"),
        ("win32", "ARM64", False, "windows-arm64"),
        ("freebsd14", "amd64", False, None),
    ],
)
def test_target_platform_per_os(
    sys_platform: str, machine: str, musl: bool, name: str | None
) -> None:
    assert platform.target_platform(sys_platform, machine, musl) == name


def test_package_managers_and_namespaces_per_os() -> None:
    assert platform.package_managers("macos") == ("homebrew",)
    assert platform.package_managers("windows") == ("winget", "choco")
    assert platform.package_managers("linux") is None  # os-release decides
    assert platform.has_namespaces("linux") and not platform.has_namespaces("darwin")
    assert not platform.has_namespaces("win32")


def test_site_packages_scripts_and_file_urls_per_os(tmp_path: Path) -> None:
    assert platform.site_packages_patterns("windows") == ("Lib/site-packages",)
    assert platform.site_packages_patterns("macos") == ("lib/python3*/site-packages",)
    assert platform.script_name("Ruff.EXE", "windows") == "Ruff"
    assert platform.script_name("ruff.exe", "linux") == "ruff.exe"
    assert platform.file_url_path("/C:/work/p", "windows") == "C:/work/p"
    assert platform.file_url_path("/C:/work/p", "linux") == "/C:/work/p"
    assert platform.file_url_path("/srv/p", "windows") == "/srv/p"
    from dht.uvbackend import site_packages

    (tmp_path / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (tmp_path / "lib" / "python3.12").mkdir()
    if platform.current() != "windows":
        assert site_packages(tmp_path) == [tmp_path / "lib" / "python3.11" / "site-packages"]


def test_pyenv_layout_per_os(tmp_path: Path) -> None:
    assert (
        platform.pyenv_pythons(tmp_path, "3.11.7", "windows")[0]
        == tmp_path / "versions" / "3.11.7" / "python.exe"
    )
    assert (
        platform.pyenv_pythons(tmp_path, "3.11.7", "macos")[0]
        == tmp_path / "versions" / "3.11.7" / "bin" / "python3"
    )
