"""Behaviour probes: prove a tool works by using it on a tiny sample.

"Installed" means the tool does its job, not that a file exists. Each probe runs
an argv (never a shell string) in a fresh temp dir holding its sample files, with
a private HOME and TMP so neither the user's config nor the project's can change
the outcome, and checks the exit code, a substring of the output and the files
the tool was expected to rewrite. Probes run in parallel threads; a failure of
any kind (missing executable, crash, timeout) is a failed `ProbeResult`, never
an exception, so one broken tool cannot hide the state of the others.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import msgspec

from dht import platform
from dht.errors import InputError
from dht.model.names import canonical_name
from dht.process import ProcessError, clean_env, run

TAIL = 2000

# Variables that would make a probe test something other than the installed tool:
# an import path, a foreign interpreter home, or options injected from outside.
DROPPED_ENV = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "MYPYPATH",
    "COVERAGE_PROCESS_START",
    "COVERAGE_RCFILE",
)
# Shell and terminal bookkeeping that changes from one command or window to the next
# and that no tool's behaviour depends on, and dht's own settings: a probe runs without
# them, so a new terminal does not make every recorded probe run again.
VOLATILE_ENV = frozenset({"_", "PWD", "OLDPWD", "SHLVL", "COLUMNS", "LINES", "TERM_SESSION_ID",
                          "WINDOWID", "SECURITYSESSIONID", "SSH_CLIENT", "SSH_CONNECTION",
                          "SSH_TTY", "SSH_AUTH_SOCK", "GPG_TTY", "TMUX", "TMUX_PANE", "STY",
                          "WT_SESSION", "ITERM_SESSION_ID", "KITTY_WINDOW_ID", "PROMPT"})  # fmt: skip
VOLATILE_PREFIXES = ("DHT_", "VSCODE_", "__CF", "XPC_")


def steady_env(env: Mapping[str, str]) -> dict[str, str]:
    """What of `env` a probe runs with (and its fingerprint covers)."""
    return {
        k: v
        for k, v in env.items()
        if k not in DROPPED_ENV and k not in VOLATILE_ENV and not k.startswith(VOLATILE_PREFIXES)
    }


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


class Probe(msgspec.Struct, frozen=True):
    tool: str  # normalized tool name
    argv: tuple[str, ...]  # argv[0]: a bare name resolved in bin_dir, or an absolute path
    files: Mapping[str, str] = msgspec.field(default_factory=_frozen)  # written into the cwd first
    expect_code: int | frozenset[int] = 0
    expect_output: str | None = None  # a substring of the output; None: anything
    expect_files: Mapping[str, str] = msgspec.field(
        default_factory=_frozen
    )  # exact content afterwards


class ProbeResult(msgspec.Struct, frozen=True):
    tool: str
    ok: bool
    argv: tuple[str, ...]
    code: int | None  # None: it never ran to an exit (missing, refused, timed out)
    output: str  # tail of what it printed
    detail: str  # one line: what was expected and what came out


# The built-in probes. Each one pins its own config file (or --isolated) so a
# pyproject.toml or setup.cfg above the temp dir cannot change the verdict.
_SAMPLE_TEST = "def test_ok():\n    assert 1 + 1 == 2\n"

_BEHAVIOUR: dict[str, tuple[Probe, ...]] = {
    "ruff": (
        Probe(
            tool="ruff",
            argv=("ruff", "check", "--no-cache", "--isolated", "--select", "F401", "sample.py"),
            files=_frozen({"sample.py": "import os\n"}),
            expect_code=1,
            expect_output="F401",
        ),
        Probe(
            tool="ruff",
            argv=("ruff", "format", "--no-cache", "--isolated", "sample.py"),
            files=_frozen({"sample.py": "x=1\n"}),
            expect_code=0,
            expect_files=_frozen({"sample.py": "x = 1\n"}),
        ),
    ),
    "black": (
        Probe(
            tool="black",
            argv=("black", "--quiet", "--config", "pyproject.toml", "sample.py"),
            files=_frozen({"sample.py": "x=1\n", "pyproject.toml": "[tool.black]\n"}),
            expect_code=0,
            expect_files=_frozen({"sample.py": "x = 1\n"}),
        ),
    ),
    "isort": (
        Probe(
            tool="isort",
            argv=("isort", "--settings-file", ".isort.cfg", "sample.py"),
            files=_frozen(
                {
                    "sample.py": "import sys\nimport os\n",
                    ".isort.cfg": "[settings]\nline_length = 88\n",
                }
            ),
            expect_code=0,
            expect_files=_frozen({"sample.py": "import os\nimport sys\n"}),
        ),
    ),
    "mypy": (
        Probe(
            tool="mypy",
            argv=(
                "mypy",
                "--no-incremental",
                "--cache-dir=.mypy",
                "--config-file=mypy.ini",
                "sample.py",
            ),
            files=_frozen({"sample.py": 'x: int = "a"\n', "mypy.ini": "[mypy]\n"}),
            expect_code=1,
            expect_output="Incompatible types",
        ),
    ),
    "pytest": (
        Probe(
            tool="pytest",
            argv=("pytest", "-q", "-p", "no:cacheprovider", "-c", "pytest.ini", "test_sample.py"),
            files=_frozen({"test_sample.py": _SAMPLE_TEST, "pytest.ini": "[pytest]\n"}),
            expect_code=0,
            expect_output="1 passed",
        ),
    ),
    # One command: `coverage run` must execute the sample under its tracer (the
    # sample's own output proves it ran) and write its data file. Reporting is
    # not probed; it reads the same data file with the same code.
    "coverage": (
        Probe(
            tool="coverage",
            argv=("coverage", "run", "--rcfile=.coveragerc", "--data-file=.cov", "sample.py"),
            files=_frozen(
                {"sample.py": "print('covered', 6 * 7)\n", ".coveragerc": "[run]\nbranch = true\n"}
            ),
            expect_code=0,
            expect_output="covered 42",
        ),
    ),
}


def behaviour_probe(tool: str) -> Probe | None:
    """The main built-in probe for a known tool; None for a tool dht knows nothing about."""
    probes = behaviour_probes(tool)
    return probes[0] if probes else None


def behaviour_probes(tool: str) -> tuple[Probe, ...]:
    """Every built-in probe for a tool (ruff has two: check and format); empty if unknown."""
    return _BEHAVIOUR.get(canonical_name(tool), ())


def argv_probe(tool: str, argv: Sequence[str], *, where: str = "dht.lock") -> Probe:
    """A probe declared in the intent: run argv in an empty dir, expect exit 0."""
    if isinstance(argv, str) or not argv:
        raise InputError(
            f"the probe of {tool!r} must be a non-empty argv list",
            where=where,
            hint='write it as a list, e.g. probe = ["mypy", "--version"]',
        )
    problem = _argv_problem(argv)
    if problem:
        raise InputError(
            f"the probe of {tool!r} is refused: {problem}",
            where=where,
            hint='argv[0] is a command installed with the tool (e.g. "mypy") or an absolute path; '
            "arguments are single lines",
        )
    return Probe(tool=canonical_name(tool), argv=tuple(argv))


def _argv_problem(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if not isinstance(arg, str):
            return f"argument {arg!r} is not a string"
        if any(c in arg for c in "\0\n\r"):
            return f"argument {arg!r} contains a NUL or line break"
    name = argv[0]
    if not name:
        return "the command is empty"
    # Only a bare command, looked up in the tool's own bin folder: a path (absolute
    # or relative) could name any program, e.g. /bin/sh -c, from an untrusted lock.
    if "/" in name or "\\" in name or os.path.isabs(name):
        return f"command {name!r} is a path; a probe names one of the tool's own commands"
    return None


def _resolve(name: str, bin_dir: Path) -> Path | None:
    # A launcher in a project's bin is a .cmd shim on Windows: PATHEXT finds it.
    # A file that is not executable is found, so the probe says it cannot start.
    os_name = platform.current()
    for candidate in platform.candidates(name, str(bin_dir), os_name, os.environ.get("PATHEXT")):
        if os.path.isfile(candidate):
            return Path(candidate)
    return None


def _probe_env(base: Mapping[str, str] | None, root: Path, bin_dir: Path) -> dict[str, str]:
    env = steady_env(base if base is not None else clean_env())
    home, tmp = root / "home", root / "tmp"
    home.mkdir()
    tmp.mkdir()
    # Every place a tool looks for user config or writes a cache, on each OS.
    private = {
        "HOME": home,
        "USERPROFILE": home,
        "APPDATA": home / "AppData" / "Roaming",
        "LOCALAPPDATA": home / "AppData" / "Local",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
        "TMPDIR": tmp,
        "TMP": tmp,
        "TEMP": tmp,
    }
    env.update({k: str(v) for k, v in private.items()})
    # Tools that start their siblings (pytest plugins, mypy's dmypy) find them first.
    path = env.get("PATH")
    env["PATH"] = str(bin_dir) + (os.pathsep + path if path else "")
    return env


def _write_files(cwd: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise ValueError(f"sample file {name!r} is not a plain relative path")
        path = cwd.joinpath(*rel.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="")


def _expectation(probe: Probe) -> str:
    code = probe.expect_code
    codes = (
        f"exit {code}"
        if isinstance(code, int)
        else "exit " + " or ".join(str(c) for c in sorted(code))
    )
    parts = [codes]
    if probe.expect_output is not None:
        parts.append(f"{probe.expect_output!r} in the output")
    parts.extend(f"{name} == {text!r}" for name, text in probe.expect_files.items())
    return ", ".join(parts)


def _code_ok(probe: Probe, code: int) -> bool:
    expected = probe.expect_code
    return code == expected if isinstance(expected, int) else code in expected


def _run_one(
    probe: Probe, bin_dir: Path, env: Mapping[str, str] | None, timeout: float
) -> ProbeResult:
    shown = " ".join(probe.argv)
    expected = _expectation(probe)

    def failed(why: str, code: int | None = None, output: str = "") -> ProbeResult:
        return ProbeResult(
            probe.tool,
            False,
            probe.argv,
            code,
            output[-TAIL:],
            f"`{shown}`: expected {expected}; {why}",
        )

    if not probe.argv:
        return failed("the probe has no command")
    problem = _argv_problem(probe.argv)
    if problem:
        return failed(f"refused: {problem}")
    exe = _resolve(probe.argv[0], bin_dir)
    if exe is None:
        where = probe.argv[0] if os.path.isabs(probe.argv[0]) else f"{probe.argv[0]!r} in {bin_dir}"
        return failed(f"not found: no executable {where}", 127)

    import tempfile  # here, as the thread pool below: a trusted no-op runs no probe

    with tempfile.TemporaryDirectory(prefix=f"dht-probe-{probe.tool}-") as tmp:
        root = Path(tmp)
        cwd = root / "work"
        cwd.mkdir()
        try:
            _write_files(cwd, probe.files)
        except ValueError as exc:
            return failed(f"refused: {exc}")
        argv = (str(exe), *probe.argv[1:])
        try:
            done = run(
                argv, cwd=cwd, env=_probe_env(env, root, bin_dir), timeout=timeout, check=False
            )
        except ProcessError as exc:  # timeout, or vanished between the check and the start
            if exc.code is None:
                return failed(f"timed out after {timeout:g} s", None, exc.output)
            return failed(f"could not start ({exc.code})", exc.code, exc.output)
        except OSError as exc:  # e.g. not executable, bad interpreter line
            return failed(f"could not start: {exc.strerror or exc}", None)

        output, code = done.output, done.code
        said = f"output: {_last_line(output)!r}" if output.strip() else "no output"
        if not _code_ok(probe, code):
            return failed(f"got exit {code}, {said}", code, output)
        if probe.expect_output is not None and probe.expect_output not in output:
            return failed(
                f"exit {code} but {probe.expect_output!r} not in the output ({said})", code, output
            )
        for name, want in probe.expect_files.items():
            path = cwd.joinpath(*PurePosixPath(name).parts)
            if not path.is_file():
                return failed(f"{name} is missing after the run", code, output)
            got = path.read_bytes().decode("utf-8", "replace")
            if got != want:
                return failed(f"{name} is {got[:200]!r}", code, output)
    return ProbeResult(
        probe.tool, True, probe.argv, code, output[-TAIL:], f"`{shown}`: {expected}, as expected"
    )


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    line = lines[-1] if lines else ""
    return line if len(line) <= 160 else line[:157] + "..."


def run_probes(
    probes: Sequence[Probe],
    bin_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    jobs: int = 4,
) -> list[ProbeResult]:
    """Run every probe (threads, each in its own temp dir); results in input order.

    `env` is the base environment (default: the caller's, cleaned); each probe
    gets it with a private HOME/TMP, bin_dir first on PATH and no PYTHONPATH.
    """
    if not probes:
        return []
    workers = max(1, min(jobs, len(probes)))
    if workers == 1:
        return [_run_one(p, bin_dir, env, timeout) for p in probes]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dht-probe") as pool:
        return list(pool.map(lambda p: _run_one(p, bin_dir, env, timeout), probes))
