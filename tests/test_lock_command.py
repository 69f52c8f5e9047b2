"""`dht lock` end to end: the CLI, the real index client, the resolver and the
writer, against the fixture index served on loopback."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.cli import app
from dht.model.lock import parse_lock

ALL = ["linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64", "windows-x86_64"]
TWO = ["linux-x86_64", "windows-x86_64"]


class Project:
    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def intent(self, tools: str, *, platforms: list[str] = TWO, extra: str = "") -> None:
        plats = ", ".join(f'"{p}"' for p in platforms)
        (self.root / "dht.toml").write_text(
            f'[project]\npython = "3.11"\n[targets]\nplatforms = [{plats}]\n'
            f'[index]\nurl = "{self.url}"\n{extra}\n[tools]\n{tools}\n',
            encoding="utf-8",
        )

    @property
    def lock_path(self) -> Path:
        return self.root / "dht.lock"

    def lock_text(self) -> str:
        return self.lock_path.read_text(encoding="utf-8")

    def dht(self, *args: str) -> Any:
        result = CliRunner().invoke(app, list(args))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def packages(self) -> dict[tuple[str, str], Any]:
        lock = parse_lock(self.lock_text())
        return {(p.environment, p.name): p for p in lock.packages}


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> Project:
    server = index_server()
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)
    return Project(root, server.url)


def test_lock_pins_every_tool_for_every_target(project: Project) -> None:
    project.intent('toolish = "==1.1"\nclicky = ""')
    result = project.dht("lock")
    assert result.exit_code == 0, result.output
    assert "wrote dht.lock" in result.output
    pkgs = project.packages()
    assert pkgs["project", "toolish"].version == "1.1"
    assert pkgs["project", "beta"].version == "1.5"  # newest allowed
    assert pkgs["project", "beta"].required_by == ("toolish==1.1",)
    assert pkgs["project", "toolish"].required_by == ("tools.toolish",)
    # The marker dependency exists only where its marker holds.
    assert pkgs["project", "winonly-dep"].targets == ("windows-x86_64",)
    assert pkgs["project", "clicky"].targets == tuple(TWO)
    for package in pkgs.values():
        for artifact in (*package.wheels, *([package.sdist] if package.sdist else [])):
            assert re.fullmatch(r"[0-9a-f]{64}", artifact.hashes.sha256)
            assert artifact.size > 0
            assert artifact.url.startswith(project.url.rsplit("/simple", 1)[0])
    assert project.dht("lock", "--check").exit_code == 0


def test_unchanged_intent_rewrites_nothing(project: Project) -> None:
    project.intent('toolish = ""')
    assert project.dht("lock").exit_code == 0
    before = project.lock_path.stat().st_mtime_ns
    os.utime(project.lock_path, ns=(before - 5 * 10**9, before - 5 * 10**9))
    stamp = project.lock_path.stat().st_mtime_ns
    result = project.dht("lock")
    assert result.exit_code == 0
    assert "dht.lock is up to date" in result.output
    assert project.lock_path.stat().st_mtime_ns == stamp


def test_changing_one_tool_changes_only_its_entries(project: Project) -> None:
    project.intent('toolish = "==1.1"\nclicky = ""\nalpha = "<2"')
    assert project.dht("lock").exit_code == 0
    before = project.lock_text()
    project.intent('toolish = "==1.0"\nclicky = ""\nalpha = "<2"')
    assert project.dht("lock", "--check").exit_code == 3
    result = project.dht("lock")
    assert result.exit_code == 0, result.output
    assert " ~ toolish 1.1 -> 1.0" in result.output
    assert " - beta==1.5" in result.output  # toolish 1.0 needs no beta
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), project.lock_text().splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed
    for line in changed:
        assert "clicky" not in line and "alpha" not in line and "winonly" not in line, line
    assert project.dht("lock", "--check").exit_code == 0


def test_check_accepts_a_crlf_checkout_of_a_canonical_lock(project: Project) -> None:
    # Git for Windows checks text out with CRLF by default (core.autocrlf=true).
    project.intent('toolish = "==1.1"')
    assert project.dht("lock").exit_code == 0
    good = project.lock_text()
    project.lock_path.write_bytes(good.replace("\n", "\r\n").encode())
    result = project.dht("lock", "--check")
    assert result.exit_code == 0, result.output
    # Line endings aside, a layout edit is still caught.
    edited = good.replace("lock-version = 1", "lock-version    = 1")
    project.lock_path.write_bytes(edited.replace("\n", "\r\n").encode())
    result = project.dht("lock", "--check")
    assert result.exit_code == 3 and "not in canonical form" in result.output


def test_check_catches_stale_missing_and_hand_edited_locks(project: Project) -> None:
    project.intent('toolish = "==1.1"')
    result = project.dht("lock", "--check")
    assert result.exit_code == 3
    assert "dht.lock: missing" in result.output
    assert not project.lock_path.exists()

    assert project.dht("lock").exit_code == 0
    good = project.lock_text()

    # A version edited by hand no longer matches its wheel or the tool.
    project.lock_path.write_text(good.replace('version = "1.5"', 'version = "1.0"', 1))
    result = project.dht("lock", "--check")
    assert result.exit_code == 1  # a lock dht refuses to read: an error, as apply gives
    assert "'beta-1.5-py3-none-any.whl' is version 1.5, not 1.0" in result.output

    # Valid content, non-canonical layout.
    project.lock_path.write_text(good.replace("lock-version = 1", "lock-version    = 1"))
    result = project.dht("lock", "--check")
    assert result.exit_code == 3
    assert "not in canonical form" in result.output

    # A dependency removed by hand: the closure is incomplete.
    lines = good.splitlines(keepends=True)
    start = lines.index('name = "beta"\n') - 1
    end = lines.index("[[packages]]\n", start + 1)
    project.lock_path.write_text("".join(lines[:start] + lines[end:]))
    result = project.dht("lock", "--check")
    assert result.exit_code == 3
    assert "beta (needed by toolish==1.1) has no entry for linux-x86_64" in result.output

    # The intent moved on: the entry is stale.
    project.lock_path.write_text(good)
    project.intent('toolish = "==1.0"')
    result = project.dht("lock", "--check")
    assert result.exit_code == 3
    assert "tools.toolish: changed in dht.toml" in result.output
    assert project.lock_text() == good  # --check changes nothing


def test_existing_pins_are_kept_until_upgraded(project: Project) -> None:
    # As of a date before alpha 2.0 existed, then without the bound.
    project.intent('alpha = ""', extra='exclude-newer = "2026-01-02T12:00:00Z"')
    assert project.dht("lock").exit_code == 0
    assert project.packages()["project", "alpha"].version == "1.1"
    project.intent('alpha = ""\ntoolish = "==1.0"')
    assert project.dht("lock").exit_code == 0
    assert project.packages()["project", "alpha"].version == "1.1"  # minimal churn
    result = project.dht("lock", "--upgrade-package", "Alpha")
    assert result.exit_code == 0, result.output
    assert " ~ alpha 1.1 -> 2.0" in result.output
    assert project.packages()["project", "alpha"].version == "2.0"


def test_upgrade_moves_everything(project: Project) -> None:
    project.intent('alpha = ""', extra='exclude-newer = "2026-01-02T12:00:00Z"')
    assert project.dht("lock").exit_code == 0
    project.intent('alpha = ""')
    assert project.dht("lock", "--upgrade").exit_code == 0
    pkgs = project.packages()
    assert pkgs["project", "alpha"].version == "2.0"
    assert pkgs["project", "beta"].required_by == ("alpha==2.0",)


def test_platform_specific_wheels(project: Project) -> None:
    project.intent('native = ""', platforms=ALL)
    result = project.dht("lock")
    assert result.exit_code == 0, result.output
    native = project.packages()["project", "native"]
    assert native.version == "2.0"
    served = {t: w.name for w in native.wheels for t in w.targets}
    assert sorted(served) == sorted(ALL)
    assert "manylinux_2_28_aarch64" in served["linux-aarch64"]
    assert "macosx_11_0_arm64" in served["macos-arm64"]
    assert "win_amd64" in served["windows-x86_64"]
    assert len(set(served.values())) == 5


def test_no_artifact_for_a_target_is_an_error_and_writes_nothing(project: Project) -> None:
    project.intent('native = ""', platforms=["linux-musl-x86_64"])
    result = project.dht("lock")
    assert result.exit_code == 1
    assert "native" in result.output and "linux-musl-x86_64" in result.output
    assert not project.lock_path.exists()


def test_yanked_sdist_only_python_bound_and_extras(project: Project) -> None:
    tools = 'yanky = ""\nsdistonly = ""\nnewpy = ""\nextras-pkg = { extras = ["fast"] }'
    project.intent(tools)
    refused = project.dht("lock")  # only an sdist: its build backend would run at install
    assert refused.exit_code == 1
    assert "only an sdist, and index.build-from-source does not list sdistonly" in refused.output
    assert not project.lock_path.exists()
    project.intent(tools, extra='build-from-source = ["sdistonly"]')
    result = project.dht("lock")
    assert result.exit_code == 0, result.output
    pkgs = project.packages()
    assert pkgs["project", "yanky"].version == "1.0"  # 1.1 is yanked
    assert pkgs["project", "newpy"].version == "1.0"  # 2.0 needs Python >= 3.13
    sdist = pkgs["project", "sdistonly"].sdist
    assert sdist is not None and sdist.targets == tuple(TWO)
    assert pkgs["project", "extras-pkg"].extras == ("fast",)
    assert "extras-pkg==1.0" in pkgs["project", "beta"].required_by
    assert project.dht("lock", "--check").exit_code == 0
    # The allowance edited out of a lock that holds the sdist: refused before anything runs.
    text = project.lock_text()
    project.lock_path.write_text(text.replace('build-from-source = ["sdistonly"]\n', ""))
    hostile = project.dht("lock", "--check")
    assert hostile.exit_code == 1 and "index.build-from-source does not allow" in hostile.output
    project.lock_path.write_text(text)

    project.intent('yanky = "==1.1"')  # pinned exactly: a yanked release is allowed
    assert project.dht("lock").exit_code == 0
    assert project.packages()["project", "yanky"].version == "1.1"


def test_conflict_is_explained_and_isolation_solves_it(project: Project) -> None:
    project.intent('conflict-a = ""\nconflict-b = ""')
    result = project.dht("lock")
    assert result.exit_code == 1
    assert "tools.conflict-a" in result.output or "conflict-a==1.0" in result.output
    assert "conflict-b" in result.output
    assert "isolated" in result.output
    assert not project.lock_path.exists()

    project.intent('conflict-a = ""\nconflict-b = { isolated = true }')
    result = project.dht("lock")
    assert result.exit_code == 0, result.output
    pkgs = project.packages()
    assert pkgs["project", "shared"].version == "1.0"
    assert pkgs["conflict-b", "shared"].version == "2.0"
    assert project.dht("lock", "--check").exit_code == 0


def test_bad_input_changes_nothing(project: Project, index_server: Callable[..., Any]) -> None:
    project.intent('toolish = ""')
    assert project.dht("lock").exit_code == 0
    good = project.lock_text()

    (project.root / "dht.toml").write_text(
        '[project]\npython = "3.11"\n[tools]\nruff = { verison = "1" }\n'
    )
    result = project.dht("lock")
    assert result.exit_code == 1
    assert "dht.toml:4: tools.ruff.verison: unknown key" in result.output
    assert "did you mean 'version'?" in result.output

    project.intent('no-such-tool = ""')
    result = project.dht("lock")
    assert result.exit_code == 1
    assert "no-such-tool" in result.output
    assert "Traceback" not in result.output

    project.intent('toolish = ">=5"')
    result = project.dht("lock")
    assert result.exit_code == 1
    assert "toolish" in result.output

    dead = Project(project.root, "http://127.0.0.1:9/simple")
    dead.intent('toolish = ""')
    result = dead.dht("lock")
    assert result.exit_code == 1
    assert "127.0.0.1:9" in result.output

    assert project.lock_text() == good
    leftovers = sorted(p.name for p in project.root.iterdir())
    assert leftovers == ["dht.lock", "dht.toml"]


def test_json_summary(project: Project) -> None:
    project.intent('toolish = "==1.1"')
    result = project.dht("lock", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["written"] is True
    assert data["tools"] == 1
    assert {
        "kind": "added",
        "environment": "project",
        "name": "beta",
        "old": None,
        "new": "1.5",
    } in data["changes"]
    check = json.loads(project.dht("lock", "--check", "--json").stdout)
    assert check == {"ok": True, "findings": []}


def test_offline_uses_the_cache_alone(project: Project) -> None:
    project.intent('toolish = "==1.1"')
    assert project.dht("lock", "--offline").exit_code == 1  # nothing cached yet
    assert project.dht("lock").exit_code == 0
    good = project.lock_text()
    project.lock_path.unlink()
    result = project.dht("lock", "--offline")
    assert result.exit_code == 0, result.output
    assert project.lock_text() == good


@pytest.mark.parametrize(
    "variant",
    [{"metadata_files": False}, {"ranges": False, "metadata_files": False}, {"html_only": True}],
    ids=["range-requests", "whole-wheels", "html-index"],
)
def test_every_index_variant_gives_the_same_lock(
    variant: dict[str, bool], project: Project, index_server: Callable[..., Any]
) -> None:
    tools = 'toolish = "==1.1"\nclicky = ""\nnative = ""'
    project.intent(tools, platforms=ALL)
    assert project.dht("lock").exit_code == 0
    reference = project.lock_text().replace(project.url.rsplit("/simple", 1)[0], "BASE")

    other = index_server(**variant)
    project.lock_path.unlink()
    changed = Project(project.root, other.url)
    changed.intent(tools, platforms=ALL)
    result = changed.dht("lock")
    assert result.exit_code == 0, result.output
    assert changed.lock_text().replace(other.url.rsplit("/simple", 1)[0], "BASE") == reference


def _run_dht(
    args: list[str], cwd: Path, env: dict[str, str], umask: int
) -> subprocess.CompletedProcess[str]:
    code = f"import os, sys; os.umask({umask}); from dht.cli import main; sys.argv = ['dht', *sys.argv[1:]]; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_lock_is_byte_identical_whatever_the_machine_settings(
    project: Project, tmp_path: Path
) -> None:
    project.intent(
        'toolish = "==1.1"\nclicky = ""\nnative = ""\nextras-pkg = { extras = ["fast"] }',
        platforms=ALL,
    )
    outputs = []
    variations = [
        {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"},
        {
            "TZ": "Asia/Kolkata",
            "LC_ALL": "de_DE.UTF-8",
            "LANG": "tr_TR.UTF-8",
            "PYTHONHASHSEED": "12345",
        },
    ]
    for number, variation in enumerate(variations):
        home = tmp_path / f"home{number}"
        home.mkdir()
        elsewhere = tmp_path / f"cwd{number}"
        elsewhere.mkdir()
        env = {**os.environ, **variation, "HOME": str(home), "USER": f"user{number}",
               "DHT_CACHE_DIR": str(tmp_path / f"cache{number}")}  # fmt: skip
        project.lock_path.unlink(missing_ok=True)
        proc = _run_dht(
            ["-C", str(project.root), "lock"], elsewhere, env, 0o022 if number else 0o077
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(project.lock_path.read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode()
    assert str(tmp_path) not in text and "user0" not in text


def test_the_process_ends_with_its_whole_output_and_exit_code(
    project: Project, tmp_path: Path
) -> None:
    """A finished `dht lock` ends its process without the interpreter's teardown: what
    it printed still arrives whole through pipes, and a failure exits as before."""
    project.intent('toolish = "==1.1"\nclicky = ""')
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered pipes
    env["DHT_CACHE_DIR"] = str(tmp_path / "cache")
    proc = _run_dht(["lock", "--json"], project.root, env, 0o022)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tools"] == 2  # the whole document, flushed
    project.lock_path.unlink()
    proc = _run_dht(["lock"], project.root, env, 0o022)
    assert proc.returncode == 0 and proc.stderr.splitlines()[-1] == "wrote dht.lock"
    project.intent('nosuchtool = ""')
    proc = _run_dht(["lock"], project.root, env, 0o022)
    assert proc.returncode not in (0, None) and "nosuchtool" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_plain_lock_takes_the_fast_path_and_says_what_the_cli_says(
    project: Project, tmp_path: Path
) -> None:
    """`dht lock` with no option skips the CLI framework: the same lock, output and exit
    code as through dht.cli, for a lock written and for an intent that cannot be locked."""
    project.intent('toolish = "==1.1"\nclicky = ""')
    env = {**os.environ, "DHT_CACHE_DIR": str(tmp_path / "cache")}

    def both() -> list[tuple[int, str, str, bytes]]:
        out = []
        for entry in ("from dht.fast import main", "from dht.cli import main"):
            project.lock_path.unlink(missing_ok=True)
            code = f"import sys; {entry}; sys.argv = ['dht', 'lock']; main()"
            done = subprocess.run([sys.executable, "-c", code], cwd=project.root, env=env,
                                  capture_output=True, text=True, check=False)  # fmt: skip
            lock = project.lock_path.read_bytes() if project.lock_path.exists() else b""
            out.append((done.returncode, done.stdout, done.stderr, lock))
        return out

    both()  # the cache warm for both paths alike
    fast, slow = both()
    assert fast == slow and fast[0] == 0 and fast[3], (fast[:3], slow[:3])
    project.intent('nosuchtool = ""')
    fast, slow = both()
    assert fast == slow and fast[0] not in (0, None) and "nosuchtool" in fast[2], (fast, slow)
    from dht.fast import run_fast

    assert run_fast(["lock", "--check"]) is None and run_fast(["lock", "--json"]) is None


def test_help_and_check_stay_light(project: Project) -> None:
    project.intent('toolish = ""')
    assert project.dht("lock").exit_code == 0
    code = (
        "import sys\nfrom dht.cli import app\n"
        "for args in (['--help'], ['lock', '--check']):\n"
        "    try:\n        app(args)\n    except SystemExit as e:\n        assert e.code == 0, (args, e.code)\n"
        "print(sorted(m for m in ('httpx', 'resolvelib', 'rich') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=project.root, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_usage_errors_exit_2(project: Project) -> None:
    assert project.dht("lock", "--no-such-option").exit_code == 2
    assert project.dht("no-such-command").exit_code == 2
    result = project.dht("--version")
    assert result.exit_code == 0 and result.output.startswith("dht ")


@pytest.mark.parametrize(
    ("path", "fault", "words"),
    [
        ("/simple/beta/", "500", "failed after 4 attempts: HTTP 500"),
        ("/simple/beta/", "garbage", "a page dht cannot read"),
        ("/simple/beta/", "truncate", "/simple/beta/"),
        ("/files/beta-1.5-py3-none-any.whl", "corrupt", "does not match the hash the index gave"),
    ],
)
def test_broken_index_answers_fail_cleanly(
    path: str,
    fault: str,
    words: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    index_server: Callable[..., Any],
) -> None:
    server = index_server(metadata_files=False, ranges=False)
    server.faults[path] = [fault] * 10
    monkeypatch.chdir(tmp_path)
    project = Project(tmp_path, server.url)
    project.intent('toolish = "==1.1"')
    result = project.dht("lock")
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output
    assert not project.lock_path.exists()


def test_env_and_config_are_locked_in_full_and_checked(project: Project) -> None:
    extra_tables = (
        '[env]\npreset = "deterministic"\nAPP = "one"\n'
        '[config.ruff]\nfile = "pyproject.toml"\ntable = "tool.ruff"\nset = { line-length = 88 }\n'
    )
    (project.root / "dht.toml").write_text(
        f'[project]\npython = "3.11"\n[index]\nurl = "{project.url}"\n{extra_tables}',
        encoding="utf-8",
    )
    assert project.dht("lock").exit_code == 0
    lock = parse_lock(project.lock_text())
    assert (
        lock.env is not None and lock.env.values["APP"] == "one" and lock.env.values["TZ"] == "UTC"
    )
    assert lock.configs[0].values == {"line-length": 88}
    assert project.dht("lock", "--check").exit_code == 0
    before = project.lock_text()
    (project.root / "dht.toml").write_text(
        (project.root / "dht.toml").read_text().replace('APP = "one"', 'APP = "two"'),
        encoding="utf-8",
    )
    result = project.dht("lock", "--check")
    assert result.exit_code == 3 and "env: changed in dht.toml" in result.output
    assert project.dht("lock").exit_code == 0
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), project.lock_text().splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert '+APP = "two"' in changed and '-APP = "one"' in changed
    assert len(changed) == 4  # the value and the env's content hash


def test_verify_index_catches_a_swapped_artifact(project: Project) -> None:
    project.intent('toolish = "==1.0"')
    assert project.dht("lock").exit_code == 0
    text = project.lock_text()
    base = project.url.rsplit("/simple", 1)[0]
    # Another host: refused offline, as dht apply would refuse it.
    elsewhere = text.replace(
        f"{base}/files/toolish-1.0", "https://evil.example.com/x/toolish-1.0", 1
    )
    project.lock_path.write_text(elsewhere)
    offline = project.dht("lock", "--check")
    assert offline.exit_code == 1
    assert "it comes from evil.example.com, not from the index" in offline.output
    # The index's host, another path: consistent offline; only the index can tell.
    swapped = text.replace(f"{base}/files/toolish-1.0", f"{base}/other/toolish-1.0", 1)
    project.lock_path.write_text(swapped)
    assert project.dht("lock", "--check").exit_code == 0
    result = project.dht("lock", "--check", "--verify-index")
    assert result.exit_code == 3
    assert "the index serves it from" in result.output and "/other/toolish-1.0" in result.output
    project.lock_path.write_text(text)
    assert project.dht("lock", "--check", "--verify-index").exit_code == 0


def test_package_from_another_index_is_inconsistent(project: Project) -> None:
    project.intent('toolish = "==1.0"')
    assert project.dht("lock").exit_code == 0
    text = project.lock_text()
    project.lock_path.write_text(
        text.replace(f'index = "{project.url}"', 'index = "https://evil.example.com/simple"', 1)
    )
    result = project.dht("lock", "--check")
    assert result.exit_code == 1 and "not the lock's index" in result.output


def test_a_newer_lock_is_never_relocked_a_broken_one_is(project: Project) -> None:
    project.intent('toolish = ""')
    newer = "lock-version = 99\n# written by a newer dht\n"
    project.lock_path.write_text(newer, encoding="utf-8")
    result = project.dht("lock")
    assert result.exit_code == 1 and "newer than this dht understands" in result.output
    assert project.lock_text() == newer  # untouched
    project.lock_path.write_text("lock-version = 1\npython = 3\n", encoding="utf-8")
    result = project.dht("lock")
    assert result.exit_code == 0, result.output
    assert "ignoring the pins of the existing lock" in result.output
    assert parse_lock(project.lock_text()).packages
