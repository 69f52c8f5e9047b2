"""A value an option does not take is a usage error (exit 2), before anything is read or run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dht.cli import app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["apply", "--only", "bogus"], "--only: unknown kind 'bogus'"),
        (["verify", "--only", "sytem"], "did you mean 'system'?"),
        (["env", "--shell", "tcsh"], "--shell: unknown shell 'tcsh'"),
        (["diff", "--format", "yaml"], "--format: unknown format 'yaml'"),
        (["export", "--format", "xml"], "--format: unknown format 'xml'"),
        (["build", "--reproducible", "x.whl"], "files are taken by --normalize alone"),
        (["test", "--isolation", "bogus"], "unknown level 'bogus'"),
        (["lock", "--bogus"], "No such option"),
        (["test", "--vary", "foo"], "error: --vary: unknown condition 'foo'"),
        (["test", "--repeat", "-1"], "error: --repeat: -1 is below 0"),
        (["test", "--timeout", "0"], "error: --timeout: 0 is not a positive number"),
        (["test", "--isolation", "x"], "error: --isolation: unknown level 'x'"),
        (["export", "--platform", "foo"], "error: --platform: unknown platform 'foo'"),
        (["export", "--platform", "linux-x86-64"], "did you mean 'linux-x86_64'?"),
        (["-C", "/nonexistent/dht-here", "lock"], "error: --directory: cannot enter"),
    ],
)
def test_bad_option_values_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # an empty folder: no dht.toml, no dht.lock
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_errors_name_files_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dht.toml").write_text(
        '[project]\npython = "3.11"\n[tools]\nruff = { verison = "1" }\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 1
    assert "error: dht.toml:4: tools.ruff.verison: unknown key 'verison'" in result.output
    assert str(tmp_path) not in result.output  # the same message wherever the project lives
    (tmp_path / "dht.lock").write_bytes(b"\xff")
    check = CliRunner().invoke(app, ["export"])
    assert "error: dht.lock: lock file is not UTF-8" in check.output


def test_a_symlinked_dht_toml_is_named_as_the_user_named_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "real.toml").write_text(
        '[project]\npython = "3.11"\n[tools]\nruff = { verison = "1" }\n'
    )
    (tmp_path / "dht.toml").symlink_to("conf/real.toml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 1
    assert "error: dht.toml:4: tools.ruff.verison" in result.output


def test_messages_never_send_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    """Text from a lock, an index or a project file reaches the terminal escaped: no
    escape sequence clears the screen or recolours a line, no carriage return hides one."""
    from dht.cli import _say

    _say("error: a\x1b[2J\rb\u2028c\x9bd\ttab")
    err = capsys.readouterr().err
    assert err == "error: a\\x1b[2J\\rb\\u2028c\\x9bd\ttab\n"


def test_click_usage_errors_use_the_same_format(tmp_path: Path) -> None:
    import subprocess
    import sys

    dht = Path(sys.executable).parent / "dht"
    for args, message in [
        (["lock", "--bogus"], "error: No such option: --bogus"),
        (["bogus"], "error: No such command 'bogus'"),
        (["-C", str(tmp_path / "missing"), "lock"], "error: --directory: cannot enter"),
    ]:
        done = subprocess.run([str(dht), *args], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(message), done.stderr
        assert "hint:" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [["lock"], ["lock", "--check"]])
def test_a_missing_dht_toml_suggests_dht_init(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1, result.output
    assert "error: no dht.toml here" in result.output
    assert "hint: run `dht init` to write one from what the project has" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_dht_toml_without_project_shows_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dht.toml").write_text('[tools]\nruff = "*"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 1, result.output
    assert "error: dht.toml: a [project] table is required" in result.output
    assert '[project]\n    python = "3.12"' in result.output


def test_a_missing_working_folder_is_not_a_missing_program(tmp_path: Path) -> None:
    import shutil

    from dht.errors import DhtError
    from dht.process import ProcessError, run

    git = shutil.which("git")
    assert git is not None, "git is needed by the suite"
    with pytest.raises(DhtError) as gone:
        run([git, "status"], cwd=tmp_path / "removed")
    assert not isinstance(gone.value, ProcessError)
    assert "working folder" in gone.value.message and "removed" in gone.value.message
    assert "command not found" not in str(gone.value)
    with pytest.raises(ProcessError, match="dht-no-such-program: command not found"):
        run(["dht-no-such-program"], cwd=tmp_path)


def test_a_missing_lock_says_to_make_one(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dht.cli import app

    for command in (["apply"], ["verify"], ["explain", "ruff"]):
        result = CliRunner().invoke(app, ["-C", str(tmp_path), *command])
        assert result.exit_code == 1, command
        assert "dht.lock: missing" in result.output and "run `dht lock`" in result.output
