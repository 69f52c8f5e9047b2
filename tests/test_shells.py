"""Activation scripts: every value must arrive in a real shell byte for byte."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dht.apply.shells import (
    DETERMINISTIC,
    SHELLS,
    render,
    validate_env,
    write_activation_scripts,
)
from dht.errors import DhtError, InputError
from dht.process import run

NASTY = 'it\'s "$HOME" `x` ; % \\ ünïcödé $(echo no) ${PATH} !! * ? ~ & | < > # \t end'
ENV = {
    **DETERMINISTIC,
    "DHT_NASTY": NASTY,
    "DHT_EMPTY": "",
    "DHT_SPACES": "  leading and trailing  ",
    "DHT_QUOTES": "'''\"\"\"\\'\\\"",
    "DHT_PS_QUOTES": "\u2018curly\u2019 \u201alow\u201b",
    "DHT_TRAILING_BACKSLASH": "C:\\tools\\",
}


def _paths(tmp_path: Path) -> list[Path]:
    return [tmp_path / "bin with space", tmp_path / "it's $dollar"]


def _dump(argv: list[str], env: dict[str, str]) -> dict[str, str]:
    out = run(argv, env=env).output
    pairs = [item.split("=", 1) for item in out.split("\0") if "=" in item]
    return {k: v for k, v in pairs}


def _base_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent-home"}


def _check(got: dict[str, str], paths: list[Path], old_path: str) -> None:
    for name, value in ENV.items():
        assert got.get(name) == value, name
    assert got["PATH"] == ":".join(str(p) for p in paths) + ":" + old_path


def _script(tmp_path: Path, shell: str) -> Path:
    scripts = write_activation_scripts(tmp_path / "act", ENV, _paths(tmp_path))
    return scripts[shell]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_round_trip(tmp_path: Path) -> None:
    path = _script(tmp_path, "bash")
    env = _base_env()
    got = _dump(["bash", "-c", 'source "$1"; env -0', "bash", str(path)], env)
    _check(got, _paths(tmp_path), env["PATH"])


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_printf_each_value(tmp_path: Path) -> None:
    """Through the shell's own expansion too, not only the exported environment."""
    path = _script(tmp_path, "bash")
    for name, value in ENV.items():
        out = run(
            ["bash", "-c", f'source "$1"; printf %s "${name}"', "bash", str(path)],
            env=_base_env(),
        ).output
        assert out == value, name


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_empty_path_gets_no_trailing_colon(tmp_path: Path) -> None:
    path = _script(tmp_path, "bash")
    out = run(
        ["bash", "-c", 'PATH=; source "$1"; printf %s "$PATH"', "bash", str(path)],
        env=_base_env(),
    ).output
    assert out == ":".join(str(p) for p in _paths(tmp_path))


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash is not installed")
def test_posix_sh_round_trip(tmp_path: Path) -> None:
    """activate.sh uses nothing bash-only: a plain POSIX sh reads it the same."""
    path = _script(tmp_path, "bash")
    env = _base_env()
    got = _dump(["dash", "-c", '. "$1"; env -0', "dash", str(path)], env)
    _check(got, _paths(tmp_path), env["PATH"])


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_round_trip(tmp_path: Path) -> None:
    path = _script(tmp_path, "zsh")
    env = _base_env()
    got = _dump(["zsh", "-f", "-c", 'source "$1"; env -0', "zsh", str(path)], env)
    _check(got, _paths(tmp_path), env["PATH"])


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_round_trip(tmp_path: Path) -> None:
    path = _script(tmp_path, "fish")
    env = _base_env()
    got = _dump(["fish", "--no-config", "-c", f"source '{path}'; env -0"], env)
    _check(got, _paths(tmp_path), env["PATH"])


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell (pwsh) is not installed")
def test_powershell_round_trip(tmp_path: Path) -> None:
    path = _script(tmp_path, "powershell")
    env = _base_env()
    command = (
        f". '{str(path).replace(chr(39), chr(39) * 2)}'; "
        "Get-ChildItem env: | ForEach-Object { [Console]::Out.Write($_.Name + '=' + $_.Value + [char]0) }"
    )
    got = _dump(["pwsh", "-NoProfile", "-NonInteractive", "-Command", command], env)
    for name, value in ENV.items():
        assert got.get(name, "") == value, name  # PowerShell drops empty variables
    sep = os.pathsep
    assert got["PATH"] == sep.join(str(p) for p in _paths(tmp_path)) + sep + env["PATH"]


def test_render_is_sorted_and_literal() -> None:
    text = render("bash", {"B": "2", "A": "it's"}, [])
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["export A='it'\\''s'", "export B='2'"]
    assert render("fish", {"A": "a\\'b"}, []).splitlines()[1] == "set -gx A 'a\\\\\\'b'"
    assert render("powershell", {"A": "it's"}, []).splitlines()[1] == "$env:A = 'it''s'"


def test_render_aliases_and_every_shell() -> None:
    assert render("pwsh", {"A": "1"}, []) == render("powershell", {"A": "1"}, [])
    for shell in SHELLS:
        assert "A" in render(shell, {"A": "1"}, [Path("/opt/x")])


def test_unknown_shell_suggests() -> None:
    with pytest.raises(DhtError) as info:
        render("fsh", {}, [])
    assert "unknown shell 'fsh'" in str(info.value)
    assert "did you mean 'fish'?" in str(info.value)
    with pytest.raises(DhtError) as info:
        render("cmd.exe", {}, [])
    assert "one of: bash, zsh, fish, powershell" in str(info.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("1ABC", "x", "'1ABC' is not a valid environment variable name"),
        ("A-B", "x", "'A-B' is not a valid environment variable name"),
        ("", "x", "'' is not a valid environment variable name"),
        ("A B", "x", "not a valid"),
        ("A;rm", "x", "not a valid"),
        ("A", "line\nbreak", "a control character"),
        ("A", "cr\rhere", "a control character"),
        ("A", "nul\0here", "a control character"),
        ("A", "x" * 4097, "4097 characters"),
    ],
)
def test_validation_errors(name: str, value: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        validate_env(name, value, where="dht.lock: env")
    assert message in info.value.message
    assert info.value.where == "dht.lock: env"
    assert info.value.hint


def test_validation_accepts_limits() -> None:
    validate_env("_A1", "x" * 4096)
    validate_env("a", "")


def test_invalid_value_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "act"
    with pytest.raises(InputError):
        write_activation_scripts(folder, {"A": "ok", "B": "bad\n"}, [])
    assert not folder.exists()


def test_path_with_colon_refused_for_posix_shells() -> None:
    with pytest.raises(InputError, match="contains ':'"):
        render("bash", {}, [Path("/opt/a:b")])


def test_windows_drive_paths_for_posix_shells() -> None:
    text = render("bash", {}, [Path("C:\\Users\\me\\.venv\\Scripts")])
    assert "export PATH='/c/Users/me/.venv/Scripts'" in text


def test_unchanged_file_not_rewritten(tmp_path: Path) -> None:
    folder = tmp_path / "act"
    first = write_activation_scripts(folder, ENV, _paths(tmp_path))
    assert set(first) == set(SHELLS)
    assert first["bash"] == first["zsh"] == folder / "activate.sh"
    assert sorted(p.name for p in folder.iterdir()) == [
        "activate.fish",
        "activate.ps1",
        "activate.sh",
    ]
    assert (folder / "activate.ps1").read_bytes().startswith(b"\xef\xbb\xbf")
    stats = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}
    for p in folder.iterdir():
        os.utime(p, ns=(1, 1))  # any rewrite would give a fresh mtime
    again = write_activation_scripts(folder, ENV, _paths(tmp_path))
    assert again == first
    for p in folder.iterdir():
        assert p.stat().st_mtime_ns == 1
        assert p.stat().st_ino == stats[p][1]
    changed = write_activation_scripts(folder, {**ENV, "DHT_NEW": "1"}, _paths(tmp_path))
    assert "DHT_NEW" in changed["fish"].read_text(encoding="utf-8")
    assert (folder / "activate.sh").stat().st_mtime_ns != 1
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
