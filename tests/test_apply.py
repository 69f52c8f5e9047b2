"""`dht apply` / `dht verify` for real: uv installs from the fixture index on
loopback into temp projects, drift injected by hand, hostile locks, crashes."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.apply.machine import current_platform
from dht.cli import app
from dht.uvbackend import uv_bin

pytestmark = pytest.mark.skipif(
    current_platform() not in ("linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64"),
    reason="the apply tests build POSIX venvs",
)

PYPROJECT = """\
# A project file full of things dht must not touch.
[project]
name = "demo"   # odd   spacing
version = "0.1.0"

[tool.ruff]
line-length = 120  # replaced by the lock

[tool.other]
keep = [1,2,   3]
"""


def dht(root: Path, *args: str) -> Any:
    old = Path.cwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and link under the project, with size and mtime."""
    out: dict[str, tuple[int, int]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or path.is_file():
            st = path.lstat()
            out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def locked(tmp_path: Path, index_server: Callable[..., Any]) -> Path:
    """A project locked against the fixture index: a shared tool, an isolated tool,
    env values and a managed table."""
    server = index_server()
    root = tmp_path / "proj"
    root.mkdir()
    here = current_platform()
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\n'
        f'[targets]\nplatforms = ["{here}", "windows-x86_64"]\n'
        f'[index]\nurl = "{server.url}"\n'
        '[tools]\ntoolish = { version = "==1.1", probe = ["toolish"] }\n'
        'clicky = { version = "==1.0", isolated = true, probe = ["clicky"] }\n'
        '[env]\npreset = "deterministic"\nAPP_MODE = "it\'s \\"quoted\\" $HOME"\n'
        '[config.ruff]\nfile = "pyproject.toml"\ntable = "tool.ruff"\nset = { line-length = 88 }\n',
        encoding="utf-8",
    )
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    result = dht(root, "lock")
    assert result.exit_code == 0, result.output
    return root


def test_apply_then_verify_then_noop(locked: Path) -> None:
    result = dht(locked, "apply")
    assert result.exit_code == 0, result.output
    assert (locked / ".venv/bin/toolish").exists()
    assert os.path.islink(locked / ".venv/bin/clicky")  # launcher into the isolated env
    run = subprocess.run(
        [str(locked / ".venv/bin/clicky")], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0 and "clicky 1.0" in run.stdout
    text = (locked / "pyproject.toml").read_text(encoding="utf-8")
    assert "line-length = 88" in text and "line-length = 120" not in text
    assert text.startswith(
        '# A project file full of things dht must not touch.\n[project]\nname = "demo"   # odd   spacing\n'
    )
    assert text.endswith("[tool.other]\nkeep = [1,2,   3]\n")

    assert dht(locked, "verify").exit_code == 0
    before = snapshot(locked)
    again = dht(locked, "apply", "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert data["changed"] == 0 and data["ok"] is True
    assert {e["kind"] for e in data["entries"]} == {
        "environment",
        "tool",
        "launcher",
        "env",
        "config",
    }
    assert snapshot(locked) == before  # touched nothing


def test_state_folder_stays_out_of_git(locked: Path) -> None:
    subprocess.run(["git", "init", "-q", str(locked)], check=True)
    assert dht(locked, "apply").exit_code == 0
    assert (locked / ".dht/state/receipts.json").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=locked,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status and ".dht" not in status  # dht.toml and friends show; .dht/ does not
    assert "dht.lock" in status


def _verify(root: Path) -> dict[str, dict[str, Any]]:
    result = dht(root, "verify", "--json")
    return {e["id"]: e for e in json.loads(result.stdout)["entries"] if e["status"] != "ok"}


def test_each_drift_is_named_and_repaired(locked: Path) -> None:
    assert dht(locked, "apply").exit_code == 0
    uv = uv_bin()

    # A different version installed by hand.
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(locked / ".venv/bin/python"), "--no-deps",
         "--index-url", _index_of(locked), "beta==1.0"],
        check=True, capture_output=True,
    )  # fmt: skip
    bad = _verify(locked)
    assert bad["environment:project"]["status"] == "drifted"
    assert "beta 1.0 instead of 1.5" in bad["environment:project"]["reason"]
    assert bad["environment:project"]["repair"] == "dht apply --only environment"

    # A deleted console script.
    assert dht(locked, "apply").exit_code == 0
    (locked / ".venv/bin/toolish").unlink()
    bad = _verify(locked)
    assert (
        bad["tool:toolish"]["status"] == "broken"
        and "command toolish is missing" in bad["tool:toolish"]["reason"]
    )

    # A removed interpreter link.
    assert dht(locked, "apply").exit_code == 0
    (locked / ".dht/envs/clicky/bin/python").unlink()
    bad = _verify(locked)
    assert bad["environment:clicky"]["status"] == "broken"

    # An emptied tool environment.
    assert dht(locked, "apply").exit_code == 0
    for lib in (locked / ".dht/envs/clicky/lib").glob("python3*/site-packages"):
        shutil.rmtree(lib)
        lib.mkdir()
    bad = _verify(locked)
    assert (
        bad["environment:clicky"]["status"] == "drifted"
        and "clicky 1.0 missing" in bad["environment:clicky"]["reason"]
    )

    # A hand-edited managed table: drift, named key by key (on disk -> locked).
    assert dht(locked, "apply").exit_code == 0
    pyproject = locked / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("line-length = 88", "line-length = 99"))
    bad = _verify(locked)
    assert bad["config:ruff"]["status"] == "drifted"
    assert bad["config:ruff"]["reason"] == "edited by hand: line-length 99 -> 88"

    # A changed env value in the lock.
    assert dht(locked, "apply").exit_code == 0
    intent = locked / "dht.toml"
    intent.write_text(intent.read_text().replace("APP_MODE", "APP_MODE2"))
    assert dht(locked, "lock").exit_code == 0
    bad = _verify(locked)
    assert bad["env"]["status"] == "changed-in-lock"

    result = dht(locked, "apply")
    assert result.exit_code == 0, result.output
    assert _verify(locked) == {}


def _index_of(root: Path) -> str:
    text = (root / "dht.toml").read_text()
    return text.split('url = "', 1)[1].split('"', 1)[0]


def test_check_changes_nothing(locked: Path) -> None:
    before = snapshot(locked)
    result = dht(locked, "verify")
    assert result.exit_code == 3
    assert "missing" in result.output and "repair: dht apply" in result.output
    assert dht(locked, "apply", "--dry-run").exit_code == 3
    assert snapshot(locked) == before


def test_env_and_run(locked: Path) -> None:
    assert dht(locked, "apply").exit_code == 0
    script = locked / ".dht/activate.sh"
    out = subprocess.run(
        ["bash", "-c", f'source "{script}"; printf "%s|%s|%s" "$APP_MODE" "$TZ" "$(command -v toolish)"'],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    mode, tz, tool = out.split("|")
    assert (
        mode == 'it\'s "quoted" $HOME' and tz == "UTC" and tool == str(locked / ".venv/bin/toolish")
    )
    result = dht(locked, "env", "--shell", "fish")
    assert result.exit_code == 0 and "APP_MODE" in result.stdout


HOSTILE = {
    "path traversal": ('file = "pyproject.toml"', 'file = "../outside.toml"'),
    "absolute path": ('file = "pyproject.toml"', 'file = "/tmp/evil.toml"'),
    "newline in env": ('APP_MODE = "', 'APP_MODE = "x\\ny'),
    "bad env name": ("APP_MODE =", '"APP;MODE" ='),
    "shell in probe": ('probe = ["toolish"]', 'probe = ["toolish\\n; rm -rf /"]'),
    "bad hash": ('sha256 = "', 'sha256 = "zz'),
    "url scheme": ('url = "http://127.0.0.1', 'url = "file:///etc/passwd#'),
    "probe through a shell": (
        'probe = ["toolish"]',
        'probe = ["/bin/sh", "-c", "touch /tmp/dht-pwned"]',
    ),
    "PATH from the lock": ('APP_MODE = "', 'PATH = "/tmp/evil"\nAPP_MODE = "'),
    "LD_PRELOAD from the lock": ('APP_MODE = "', 'LD_PRELOAD = "/tmp/evil.so"\nAPP_MODE = "'),
    "write into .git": ('file = "pyproject.toml"', 'file = ".git/config"'),
    "overwrite dht.toml": ('file = "pyproject.toml"', 'file = "dht.toml"'),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_lock_is_refused_before_any_write(case: str, locked: Path, tmp_path: Path) -> None:
    old, new = HOSTILE[case]
    lock = locked / "dht.lock"
    text = lock.read_text()
    assert old in text, case
    lock.write_text(text.replace(old, new, 1))
    outside = tmp_path / "outside.toml"
    before = snapshot(locked)
    result = dht(locked, "apply")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert snapshot(locked) == before
    assert not outside.exists()
    assert not Path("/tmp/dht-pwned").exists()


def test_symlink_escape_is_refused(locked: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (locked / "pyproject.toml").unlink()
    (locked / "pyproject.toml").symlink_to(elsewhere / "pyproject.toml")
    result = dht(locked, "apply", "--only", "config")
    assert result.exit_code == 1
    assert "symlink" in result.output
    assert not (elsewhere / "pyproject.toml").exists()


CRASH_POINTS = [
    "venv-created",
    "installed",
    "before-swap",
    "mid-swap",
    "installed-in-place",
    "config-written",
]


def _apply_process(root: Path, crash: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    if crash:
        env["DHT_TEST_CRASH"] = crash
    return subprocess.run(
        [sys.executable, "-c", "from dht.cli import main; main()", "apply", "--no-probes"],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_killed_apply_converges(point: str, locked: Path) -> None:
    # A machine that was in sync, then the lock moved: every kind has work to do.
    assert _apply_process(locked).returncode == 0
    intent = locked / "dht.toml"
    intent.write_text(
        intent.read_text()
        .replace('"==1.1"', '"==1.0"')  # the shared environment: repaired in place
        .replace(
            "isolated = true", 'isolated = true, with = ["beta"]'
        )  # an isolated one: rebuilt aside
        .replace("line-length = 88", "line-length = 90")
    )
    assert dht(locked, "lock").exit_code == 0
    crashed = _apply_process(locked, point)
    assert crashed.returncode == 137, crashed.stderr  # died at the injected point
    again = _apply_process(locked)
    assert again.returncode == 0, again.stderr
    assert _verify(locked) == {}
    assert (locked / ".venv/bin/toolish").exists()
    assert "line-length = 90" in (locked / "pyproject.toml").read_text()
    assert not list(locked.rglob("*.dht-new")) and not list(locked.rglob("*.dht-old"))
    assert not list(locked.rglob(".*.tmp"))


def test_two_concurrent_applies(locked: Path) -> None:
    env = dict(os.environ)
    argv = [sys.executable, "-c", "from dht.cli import main; main()", "apply", "--no-probes"]
    first = subprocess.Popen(
        argv, cwd=locked, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    second = subprocess.Popen(
        argv, cwd=locked, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out1, out2 = first.communicate(timeout=300), second.communicate(timeout=300)
    assert first.returncode == 0, out1
    assert second.returncode == 0, out2
    assert _verify(locked) == {}


def test_failing_probe_marks_the_tool_broken(locked: Path) -> None:
    intent = locked / "dht.toml"
    intent.write_text(
        intent.read_text().replace('probe = ["toolish"]', 'probe = ["toolish-not-there", "--x"]')
    )
    assert dht(locked, "lock").exit_code == 0
    result = dht(locked, "apply")
    assert result.exit_code == 1  # applied, but the verification failed
    bad = _verify(locked)
    assert bad["tool:toolish"]["status"] == "broken"
    assert "toolish-not-there" in bad["tool:toolish"]["reason"]
    assert dht(locked, "verify", "--no-probes").exit_code == 0  # only the probe is wrong


def test_run_uses_the_locked_environment(locked: Path, tmp_path: Path) -> None:
    assert dht(locked, "apply").exit_code == 0
    out = tmp_path / "out.txt"
    code = f"import os, shutil; open({str(out)!r}, 'w').write(os.environ['APP_MODE'] + '|' + str(shutil.which('toolish')))"
    proc = subprocess.run(
        [sys.executable, "-c", "from dht.cli import main; main()", "run", "--", sys.executable, "-c", code],
        cwd=locked, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    mode, tool = out.read_text().split("|")
    assert mode == 'it\'s "quoted" $HOME' and tool == str(locked / ".venv/bin/toolish")
    failing = subprocess.run(
        [sys.executable, "-c", "from dht.cli import main; main()", "run", "--", sys.executable, "-c", "raise SystemExit(7)"],
        cwd=locked, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failing.returncode == 7  # the command's own exit code


def test_the_projects_own_packages_in_venv_survive(locked: Path) -> None:
    assert dht(locked, "apply").exit_code == 0
    python = str(locked / ".venv/bin/python")
    subprocess.run(
        [uv_bin(), "pip", "install", "--quiet", "--python", python, "--index-url", _index_of(locked), "alpha==1.0"],
        check=True, capture_output=True,
    )  # fmt: skip
    assert _verify(locked) == {}  # not dht's: not drift
    intent = locked / "dht.toml"
    intent.write_text(intent.read_text().replace('"==1.1"', '"==1.0"'))
    assert dht(locked, "lock").exit_code == 0
    assert dht(locked, "apply").exit_code == 0
    check = subprocess.run(
        [python, "-c", "import alpha, toolish"], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr  # the project's package is still there
    gone = subprocess.run(
        [python, "-c", "import beta"], capture_output=True, text=True, check=False
    )
    assert gone.returncode != 0  # beta came with toolish 1.1 and left with it


def test_a_removed_tool_is_reported_then_removed(locked: Path) -> None:
    assert dht(locked, "apply").exit_code == 0
    intent = locked / "dht.toml"
    intent.write_text(
        "\n".join(line for line in intent.read_text().splitlines() if not line.startswith("clicky"))
        + "\n"
    )
    assert dht(locked, "lock").exit_code == 0
    bad = _verify(locked)
    assert set(bad) == {"leftover:.venv/bin/clicky", "leftover:.dht/envs/clicky"}
    assert dht(locked, "apply").exit_code == 0
    assert not (locked / ".venv/bin/clicky").exists() and not (locked / ".dht/envs/clicky").exists()
    assert _verify(locked) == {}


NO_RUFF = PYPROJECT.replace("[tool.ruff]\nline-length = 120  # replaced by the lock\n\n", "")


def _without_section(text: str, header: str) -> str:
    """dht.toml text minus the table starting at `header` (up to the next header)."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line == header
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def test_removed_config_and_env_created_by_dht_are_removed(locked: Path) -> None:
    before = NO_RUFF
    assert "[tool.ruff]" not in before  # dht creates the table here
    (locked / "pyproject.toml").write_text(before, encoding="utf-8")
    intent = locked / "dht.toml"
    intent.write_text(
        intent.read_text()
        + '[config.gitattributes]\nfile = ".gitattributes"\ntext = "* text=auto eol=lf"\n'
    )
    assert dht(locked, "lock").exit_code == 0
    assert dht(locked, "apply").exit_code == 0
    assert "[tool.ruff]" in (locked / "pyproject.toml").read_text()
    assert (locked / ".dht/activate.sh").exists() and (locked / ".gitattributes").exists()

    text = intent.read_text()
    for header in ("[config.ruff]", "[config.gitattributes]", "[env]"):
        text = _without_section(text, header)
    intent.write_text(text)
    assert dht(locked, "lock").exit_code == 0
    bad = _verify(locked)
    assert set(bad) == {
        "leftover:config:ruff",
        "leftover:config:gitattributes",
        "leftover:.dht/activate.sh",
        "leftover:.dht/activate.fish",
        "leftover:.dht/activate.ps1",
    }
    assert bad["leftover:config:ruff"]["repair"] == "dht apply --only config"

    result = dht(locked, "apply")
    assert result.exit_code == 0, result.output
    assert (locked / "pyproject.toml").read_text() == before  # byte for byte as before dht
    assert not (locked / ".gitattributes").exists()
    assert not list((locked / ".dht").glob("activate.*"))
    assert _verify(locked) == {}


def test_removed_config_adopted_or_edited_is_left_in_place(locked: Path) -> None:
    adopted = NO_RUFF + "\n[tool.ruff]\nline-length = 88\n"
    (locked / "pyproject.toml").write_text(adopted, encoding="utf-8")
    intent = locked / "dht.toml"
    intent.write_text(
        intent.read_text()
        + '[config.gitattributes]\nfile = ".gitattributes"\ntext = "* text=auto eol=lf"\n'
    )
    assert dht(locked, "lock").exit_code == 0
    assert dht(locked, "apply").exit_code == 0
    assert (locked / "pyproject.toml").read_text() == adopted  # already as locked: adopted
    (locked / ".gitattributes").write_text("* text=auto eol=lf\n*.png binary\n")  # a hand edit

    text = intent.read_text()
    for header in ("[config.ruff]", "[config.gitattributes]"):
        text = _without_section(text, header)
    intent.write_text(text)
    assert dht(locked, "lock").exit_code == 0
    assert {"leftover:config:ruff", "leftover:config:gitattributes"} <= set(_verify(locked))
    result = dht(locked, "apply", "--json")
    assert result.exit_code == 0, result.output
    actions = {e["id"]: e["action"] for e in json.loads(result.stdout)["entries"]}
    assert "there before dht" in actions["leftover:config:ruff"]
    assert "edited since" in actions["leftover:config:gitattributes"]
    assert (locked / "pyproject.toml").read_text() == adopted
    assert (locked / ".gitattributes").read_text() == "* text=auto eol=lf\n*.png binary\n"
    assert _verify(locked) == {}  # no longer managed, no longer reported


def test_a_file_dht_created_for_a_removed_config_is_removed(locked: Path) -> None:
    intent = locked / "dht.toml"
    entry = '[config.thing]\nfile = "sub/thing.toml"\ntable = "tool.thing"\nset = { a = 1 }\n'
    intent.write_text(intent.read_text() + entry)
    assert dht(locked, "lock").exit_code == 0
    assert dht(locked, "apply").exit_code == 0
    assert (locked / "sub/thing.toml").read_text() == "[tool.thing]\na = 1\n"
    intent.write_text(_without_section(intent.read_text(), "[config.thing]"))
    assert dht(locked, "lock").exit_code == 0
    assert dht(locked, "apply").exit_code == 0
    assert not (locked / "sub/thing.toml").exists()
    assert _verify(locked) == {}


def test_a_change_to_one_tool_marks_only_that_tool(
    tmp_path: Path, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    root = tmp_path / "two"
    root.mkdir()
    intent = (
        f'[project]\npython = "{platform.python_version()}"\n'
        f'[targets]\nplatforms = ["{current_platform()}"]\n'
        f'[index]\nurl = "{server.url}"\n'
        '[tools]\ntoolish = "=={toolish}"\nclicky = "==1.0"\n'
    )
    (root / "dht.toml").write_text(intent.format(toolish="1.1"), encoding="utf-8")
    assert dht(root, "lock").exit_code == 0
    assert dht(root, "apply").exit_code == 0
    (root / "dht.toml").write_text(intent.format(toolish="1.0"), encoding="utf-8")
    assert dht(root, "lock").exit_code == 0
    statuses = {
        e["id"]: e["status"] for e in json.loads(dht(root, "verify", "--json").stdout)["entries"]
    }
    assert statuses["tool:toolish"] == "changed-in-lock"
    assert statuses["environment:project"] == "changed-in-lock"
    assert statuses["tool:clicky"] == "ok"  # same packages: not shown as changed
    assert dht(root, "apply").exit_code == 0
    after = json.loads(dht(root, "verify", "--json").stdout)["entries"]
    assert {e["status"] for e in after} == {"ok"}


@pytest.mark.parametrize("direction", ["isolated-to-shared", "shared-to-isolated"])
def test_a_tool_changing_environment_applies_in_one_run(
    tmp_path: Path, index_server: Callable[..., Any], direction: str
) -> None:
    server = index_server()
    root = tmp_path / "move"
    root.mkdir()
    intent = (
        f'[project]\npython = "{platform.python_version()}"\n'
        f'[targets]\nplatforms = ["{current_platform()}"]\n'
        f'[index]\nurl = "{server.url}"\n'
        '[tools]\nclicky = {{ version = "==1.0", isolated = {isolated}, probe = ["clicky"] }}\n'
    )
    first, second = ("true", "false") if direction == "isolated-to-shared" else ("false", "true")
    (root / "dht.toml").write_text(intent.format(isolated=first), encoding="utf-8")
    assert dht(root, "lock").exit_code == 0
    assert dht(root, "apply").exit_code == 0
    (root / "dht.toml").write_text(intent.format(isolated=second), encoding="utf-8")
    assert dht(root, "lock").exit_code == 0
    moved = dht(root, "apply")
    assert moved.exit_code == 0, moved.output
    run = subprocess.run(
        [str(root / ".venv/bin/clicky")], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0 and "clicky 1.0" in run.stdout
    assert os.path.islink(root / ".venv/bin/clicky") == (second == "true")
    verify = json.loads(dht(root, "verify", "--json").stdout)["entries"]
    assert {e["status"] for e in verify} == {"ok"}, verify


def test_a_passing_probe_is_trusted_until_what_it_verified_changes(locked: Path) -> None:
    first = json.loads(dht(locked, "apply", "--json").stdout)
    assert first["probes"]["run"] == ["tool:clicky", "tool:toolish"]  # installed: probed
    again = json.loads(dht(locked, "apply", "--json").stdout)
    assert again["changed"] == 0
    assert again["probes"] == {"run": [], "trusted": ["tool:clicky", "tool:toolish"]}
    verify = dht(locked, "verify")
    assert "probes: 0 run, 2 trusted" in verify.output
    # A file of toolish's install changes (a hand edit, a half-written reinstall): re-probed.
    script = next((locked / ".venv").glob("lib/python*/site-packages/toolish/__init__.py"))
    # Edited as a new file: uv hardlinks installed files from its cache, so writing into
    # this one would also edit the cache every later install of toolish comes from.
    edited = script.read_text() + "\n# edited\n"
    script.unlink()
    script.write_text(edited)
    moved = json.loads(dht(locked, "verify", "--json").stdout)
    assert moved["probes"] == {"run": ["tool:toolish"], "trusted": ["tool:clicky"]}
    # A probe that fails is never trusted: it runs every time.
    script.unlink()
    script.write_text("raise SystemExit(3)\n")
    for _ in range(2):
        broken = json.loads(dht(locked, "apply", "--json", "--only", "tool").stdout)
        assert "tool:toolish" in broken["probes"]["run"]


def test_verify_probes_runs_every_probe(locked: Path) -> None:
    assert dht(locked, "apply").exit_code == 0
    forced = json.loads(dht(locked, "verify", "--probes", "--json").stdout)
    assert forced["probes"] == {"run": ["tool:clicky", "tool:toolish"], "trusted": []}


def test_a_noop_apply_reads_each_environment_once(
    locked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every tool of an environment probes that environment: while nothing changes, it is
    read once per run (the apply pass and the verification share it), not once per tool
    and pass."""
    import dht.apply.resources as resources

    assert dht(locked, "apply").exit_code == 0
    reads: list[Path] = []
    real = resources.installed

    def counted(env: Path) -> dict[str, str]:
        reads.append(env)
        return real(env)

    monkeypatch.setattr(resources, "installed", counted)
    again = json.loads(dht(locked, "apply", "--json").stdout)
    assert again["changed"] == 0 and {e["status"] for e in again["entries"]} == {"ok"}
    assert reads and max(reads.count(env) for env in set(reads)) == 1
    reads.clear()
    # A package removed behind dht's back is still seen, and repaired, by the next apply.
    site = next((locked / ".venv").glob("lib/python*/site-packages"))
    shutil.rmtree(next(site.glob("toolish-*.dist-info")))
    repaired = json.loads(dht(locked, "apply", "--json").stdout)
    assert repaired["changed"] >= 1
    assert {e["status"] for e in repaired["entries"]} == {"ok"}
    assert json.loads(dht(locked, "verify", "--json").stdout)["changed"] == 0


def _both_paths(root: Path, *args: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """`dht ARGS` through the entry point (its fast path) and through the CLI framework."""
    out = []
    for entry in ("from dht.fast import main", "from dht.cli import main"):
        done = subprocess.run([sys.executable, "-c", f"{entry}; main()", *args], cwd=root,
                              capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
        out.append((done.returncode, done.stdout, done.stderr))
    return out[0], out[1]


def test_the_hooks_fast_path_says_and_exits_as_the_cli_does(locked: Path, tmp_path: Path) -> None:
    from dht.fast import FAST, run_fast

    missing = tmp_path / "nothing-here"
    missing.mkdir()
    fast, slow = _both_paths(missing, "verify")  # no dht.lock: the error and its exit code
    assert fast == slow and fast[0] == 1 and "run `dht lock`" in fast[2]
    assert dht(locked, "apply").exit_code == 0
    for argv in sorted(FAST):
        fast, slow = _both_paths(locked, *argv)
        assert fast == slow and fast[0] == 0, (argv, fast, slow)
    (locked / "pyproject.toml").write_text(PYPROJECT.replace("88", "100"), encoding="utf-8")
    fast, slow = _both_paths(locked, "verify", "--no-probes")  # drift: exit 3 on both
    assert fast == slow and fast[0] == 3, (fast, slow)
    assert run_fast(["apply", "--json"]) is None and run_fast(["--help"]) is None
    assert run_fast(["run", "--"]) is None and run_fast(["run", "pytest"]) is None
    # `dht run -- CMD`: the command's output and exit code, and the same error without a lock.
    probe = "import os, sys; print(os.environ['VIRTUAL_ENV'].endswith('.venv')); sys.exit(3)"
    fast, slow = _both_paths(locked, "run", "--", "python", "-c", probe)
    assert fast == slow and fast[0] == 3 and fast[1] == "True\n", (fast, slow)
    fast, slow = _both_paths(missing, "run", "--", "python", "-c", "pass")
    assert fast == slow and fast[0] == 1 and "run `dht lock`" in fast[2], (fast, slow)
    # The fast path does not load the CLI framework.
    script = "import sys\nfrom dht.fast import run_fast\nrun_fast(['verify'])\nprint('typer' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=locked, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "False", done.stderr


def test_a_hooks_noop_parses_no_lock_and_loads_no_wheel_tags(locked: Path) -> None:
    """After an apply, the lock is read from what that apply validated: a hook's no-op
    neither parses nor validates it again (nor loads packaging's wheel-tag code, the
    thread pool a probe run needs, or what running a process, removing a folder or
    writing a file needs), and still answers from the file: an edited lock is read again."""
    assert dht(locked, "apply").exit_code == 0
    script = (
        "import sys\nimport dht.model.lock as model\n"
        "model.parse_lock = lambda *a, **k: print('parsed')\n"
        "from dht.fast import run_fast\ncode = run_fast(['apply'])\n"
        "print(code, *sorted(m for m in sys.modules if m.startswith(('packaging.utils',"
        " 'packaging.tags', 'concurrent', 'logging', 'subprocess', 'shutil', 'tempfile',"
        " 'dataclasses'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=locked, capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == ["0"], done.stderr
    lock = locked / "dht.lock"
    lock.write_text(lock.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=locked, capture_output=True, text=True, check=False
    )
    assert done.stdout.startswith("parsed\n"), done.stdout
