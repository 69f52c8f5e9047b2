"""`dht test`: the project's tests, from its locked environment, in a sandbox.

Each run gets a fresh sandbox in a private temporary root:

    <root>/project   a copy of the project (git's file list, or a walk without
                     .venv, caches and build output); the working directory
    <root>/home      HOME, empty        <root>/tmp  TMPDIR, TEMP, TMP
    <root>/xdg/...   XDG cache, config, data and state homes
    <root>/inject    the launcher, the order plugin, the socket guard
    <root>/junit.xml pytest's report, normalized by dht.sandbox.junit

The environment is built from nothing: the lock's values, then the
deterministic set on top (a lock cannot make the run depend on a random hash
seed), then the sandbox's own paths. A project the lock installs (editable, from
its folder) is imported as installed, as `uv run pytest` would: files its build
writes into the source tree (a version file from git) are there. A folder that
is not a package has the copy (and its `src/`) on PYTHONPATH instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

from dht import platform
from dht.errors import DhtError
from dht.model.presets import ENV_PRESETS
from dht.process import run
from dht.projectfiles import copy_entry, project_files
from dht.sandbox import isolation as iso
from dht.sandbox import junit
from dht.uvbackend import bin_dir

DETERMINISTIC = {**ENV_PRESETS["deterministic"], "PYTHONNOUSERSITE": "1"}
DIMENSIONS = ("seed", "tz", "locale", "order")
# POSIX TZ strings, so the variation works without a time zone database.
TZ_VARIANTS = ("TST+3:30", "TST-5:45", "TST-12:45")
LOCALE_CANDIDATES = ("C.UTF-8", "C", "en_US.UTF-8", "de_DE.UTF-8", "tr_TR.UTF-8")
PYTEST_FLAGS = (
    "-p",
    "no:cacheprovider",
    # Random-order plugins; `-p no:NAME` is harmless when NAME is not installed.
    "-p",
    "no:randomly",
    "-p",
    "no:random_order",
    "-o",
    "junit_family=xunit2",
)
# Untruncated assertion messages: a shortened path keeps part of the random sandbox
# name and escapes the masking. pytest >= 8 has an option for just that; older ones -vv.
FULL_ASSERTIONS = ("-o", "verbosity_assertions=2")
FULL_ASSERTIONS_OLD = ("-vv",)
_INJECT = ("dht_sandbox_launch.py", "dht_sandbox_order.py", "dht_sandbox_outcomes.py")


@dataclass(frozen=True)
class Condition:
    """What one run varies; the baseline is the deterministic set."""

    seed: str = DETERMINISTIC["PYTHONHASHSEED"]
    tz: str = DETERMINISTIC["TZ"]
    locale: str = DETERMINISTIC["LC_ALL"]
    order: str = "collected"

    def env(self) -> dict[str, str]:
        values = {"PYTHONHASHSEED": self.seed, "TZ": self.tz, "LC_ALL": self.locale}
        values["LANG"] = self.locale
        if self.order != "collected":
            values["DHT_TEST_ORDER"] = self.order
        return values

    def describe(self) -> list[str]:
        """What differs from the baseline, e.g. ['PYTHONHASHSEED=1']."""
        base, out = Condition(), []
        for dim, label in (("seed", "PYTHONHASHSEED"), ("tz", "TZ"), ("locale", "LC_ALL")):
            if getattr(self, dim) != getattr(base, dim):
                out.append(f"{label}={getattr(self, dim)}")
        if self.order != base.order:
            out.append(f"order={self.order}")
        return out

    def dimensions(self) -> list[str]:
        base = Condition()
        return [dim for dim in DIMENSIONS if getattr(self, dim) != getattr(base, dim)]

    def to_json(self) -> dict[str, str]:
        return {"seed": self.seed, "tz": self.tz, "locale": self.locale, "order": self.order}


def conditions(repeat: int, vary: Sequence[str], locales: Sequence[str]) -> list[Condition]:
    """Run 1 is the baseline; run i > 1 varies one dimension, in turn, with its next variant."""
    unknown = [v for v in vary if v not in DIMENSIONS]
    if unknown:
        raise DhtError(
            f"--vary: unknown condition {unknown[0]!r}", hint=f"use {','.join(DIMENSIONS)}"
        )
    if repeat < 1:
        raise DhtError("--repeat must be at least 1")
    out = [Condition()]
    other_locales = [name for name in locales if name != Condition().locale]
    for i in range(1, repeat):
        if not vary:
            out.append(Condition())
            continue
        dim, k = vary[(i - 1) % len(vary)], (i - 1) // len(vary) + 1
        if dim == "seed":
            out.append(Condition(seed=str(k)))
        elif dim == "tz":
            out.append(Condition(tz=TZ_VARIANTS[(k - 1) % len(TZ_VARIANTS)]))
        elif dim == "locale":
            pick = other_locales[(k - 1) % len(other_locales)] if other_locales else None
            out.append(Condition(locale=pick) if pick else Condition())
        else:
            out.append(Condition(order="reverse" if k == 1 else f"shuffle:{k}"))
    return out


@dataclass(frozen=True)
class Probe:
    """The locked interpreter, as it reports itself."""

    python: str
    implementation: str
    platform: str
    base_prefix: str
    packages: tuple[str, ...]
    locales: tuple[str, ...]

    def assertion_flags(self) -> tuple[str, ...]:
        """pytest options that keep assertion messages whole, for the installed pytest."""
        for entry in self.packages:
            name, _, version = entry.partition("==")
            if name == "pytest":
                major = version.split(".", 1)[0]
                return (
                    FULL_ASSERTIONS_OLD if major.isdigit() and int(major) < 8 else FULL_ASSERTIONS
                )
        return FULL_ASSERTIONS


_PROBE = """
import json, locale, platform, re, sys, sysconfig
from importlib import metadata
# d.metadata parses the file on each access (d.version too): once per distribution.
heads = [d.metadata for d in metadata.distributions()]
names = sorted({re.sub(r"[-_.]+", "-", m["Name"]).lower() + "==" + m["Version"]
                for m in heads if m["Name"]})
ok = []
for name in json.loads(sys.argv[1]):
    try:
        locale.setlocale(locale.LC_ALL, name)
        ok.append(name)
    except locale.Error:
        pass
print(json.dumps({"python": platform.python_version(), "implementation": sys.implementation.name,
                  "platform": sysconfig.get_platform(), "base_prefix": sys.base_prefix,
                  "packages": names, "locales": ok}))
"""


def probe(python: Path) -> Probe:
    out = run(
        [str(python), "-I", "-c", _PROBE, json.dumps(LOCALE_CANDIDATES)],
        env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"},
        timeout=120,
    ).output
    return _described(python, out)


def _described(python: Path, out: str) -> Probe:
    try:
        data = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise DhtError(f"the locked interpreter {python} did not describe itself: {out}") from None
    return Probe(
        python=data["python"],
        implementation=data["implementation"],
        platform=data["platform"],
        base_prefix=data["base_prefix"],
        packages=tuple(data["packages"]),
        locales=tuple(data["locales"]),
    )


def probe_and_choose(python: Path, isolation: str) -> tuple[Probe, iso.Isolation]:
    """The interpreter's description and the isolation level. The namespace probe starts
    the locked interpreter anyway, so it describes it too: one start fewer."""
    launcher = resources.files("dht.sandbox._inject").joinpath("dht_sandbox_launch.py")
    with resources.as_file(launcher) as launcher_path:
        try:
            chosen, out = iso.choose_and_describe(
                isolation, python, launcher_path, (_PROBE, json.dumps(LOCALE_CANDIDATES))
            )
        except DhtError:
            probe(python)  # a broken interpreter is the error to report, as it was first
            raise
    if out:
        try:
            return _described(python, out), chosen
        except (DhtError, KeyError, TypeError):
            pass  # asked again below, where a failure says what the interpreter printed
    return probe(python), chosen


def fingerprint(found: Probe, lock_sha256: str) -> tuple[str, dict[str, str]]:
    """sha256 over what makes one environment another: Python, platform, lock, installed set."""
    packages = hashlib.sha256("\n".join(found.packages).encode()).hexdigest()
    parts = {
        "python": found.python,
        "implementation": found.implementation,
        "platform": found.platform,
        "lock_sha256": lock_sha256,
        "packages_sha256": packages,
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return digest, parts


# The sandbox


@dataclass(frozen=True)
class Sandbox:
    root: Path

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def inject(self) -> Path:
        return self.root / "inject"

    @property
    def junit(self) -> Path:
        return self.root / "junit.xml"

    def xdg(self, name: str) -> Path:
        return self.root / "xdg" / name


def make_sandbox(source: Path, *, socket_guard: bool) -> Sandbox:
    box = Sandbox(Path(tempfile.mkdtemp(prefix="dht-test-")).resolve())
    for folder in (box.project, box.home, box.tmp, box.inject):
        folder.mkdir()
    for folder in platform.home_folders(box.home, platform.current()):
        folder.mkdir(parents=True)
    for name in ("cache", "config", "data", "state"):
        box.xdg(name).mkdir(parents=True)
    for relative in project_files(source):
        target = box.project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_entry(source / relative, target)
    package = resources.files("dht.sandbox._inject")
    for name in (*_INJECT, *(("sitecustomize.py",) if socket_guard else ())):
        (box.inject / name).write_text(package.joinpath(name).read_text("utf-8"), "utf-8")
    return box


def sandbox_env(
    box: Sandbox,
    venv: Path,
    locked: Mapping[str, str],
    condition: Condition,
    isolation: iso.Isolation,
    installed: bool = False,
) -> dict[str, str]:
    env = dict(locked)
    env.update(DETERMINISTIC)
    env.update(condition.env())
    path = [str(box.inject)]
    if not installed:
        # Not a package: its modules are imported from the copy, as from the folder.
        if (box.project / "src").is_dir():
            path.append(str(box.project / "src"))
        path.append(str(box.project))
    os_name = platform.current()
    env.update(platform.home_env(box.home, box.tmp, os_name))
    env.update(
        {
            "XDG_CACHE_HOME": str(box.xdg("cache")),
            "XDG_CONFIG_HOME": str(box.xdg("config")),
            "XDG_DATA_HOME": str(box.xdg("data")),
            "XDG_STATE_HOME": str(box.xdg("state")),
            "PATH": platform.path_separator(os_name).join(
                [str(bin_dir(venv)), platform.system_path(os.environ, os_name)]
            ),
            "VIRTUAL_ENV": str(venv),
            "PYTHONPATH": os.pathsep.join(path),
        }
    )
    env.update(
        platform.keep_env(os.environ, os_name)
    )  # Windows cannot start processes without these
    if isolation.level != "off":
        env = iso.proxy_env(env, isolation.level)
        env.update({"PIP_NO_INDEX": "1", "UV_OFFLINE": "1"})
    return env


# Runs and the report


class NoReport(DhtError):
    """pytest ended without a JUnit report (a usage error, a conftest.py that fails)."""

    def __init__(self, output: str, message: str, *, where: str, hint: str) -> None:
        super().__init__(message, where=where, hint=hint)
        self.output = output


@dataclass(frozen=True)
class RunResult:
    number: int
    condition: Condition
    pytest_exit: int
    results: tuple[junit.TestResult, ...]
    output: str
    kept: str = ""
    """The sandbox folder, when --keep left it in place."""

    @cached_property  # asked for by the report, the JSON and each run's line
    def checksum(self) -> str:
        return junit.checksum(self.results)

    @cached_property
    def counts(self) -> junit.Counts:
        return junit.counts(self.results)

    def to_json(self) -> dict[str, object]:
        return {
            "run": self.number,
            "condition": self.condition.to_json(),
            "varied": self.condition.describe(),
            "checksum": self.checksum,
            "counts": vars(self.counts),
            "pytest_exit": self.pytest_exit,
        }

    @property
    def session_failed(self) -> bool:
        """pytest failed the run (a plugin, a hook, coverage) although no test failed."""
        c = self.counts
        return self.pytest_exit != 0 and not (c.failed or c.error)


@dataclass(frozen=True)
class Unstable:
    """A test whose outcome is not the same in every run."""

    id: str
    outcomes: tuple[str, ...]
    """Outcome per run, in run order ('absent' when the run did not report it)."""
    varies_with: tuple[str, ...]
    """The dimensions changed in the runs that differ from run 1 (empty: none changed)."""


@dataclass(frozen=True)
class Report:
    fingerprint: str
    environment: dict[str, str]
    isolation: iso.Isolation
    runs: tuple[RunResult, ...]
    unstable: tuple[Unstable, ...] = field(default=())

    @property
    def baseline(self) -> RunResult:
        return self.runs[0]

    @property
    def exit_code(self) -> int:
        """3: outcomes vary between runs; 1: tests failed, or pytest failed a run; 0: all passed."""
        if self.unstable:
            return 3
        counts = self.baseline.counts
        failed = counts.failed or counts.error or any(run.session_failed for run in self.runs)
        return 1 if failed else 0


def unstable_tests(runs: Sequence[RunResult]) -> list[Unstable]:
    per_run = [{r.id: r.outcome for r in run.results} for run in runs]
    ids = sorted(set().union(*per_run))
    found = []
    for test_id in ids:
        outcomes = tuple(seen.get(test_id, "absent") for seen in per_run)
        if len(set(outcomes)) == 1:
            continue
        dims = sorted(
            {
                dim
                for run, outcome in zip(runs, outcomes, strict=True)
                if outcome != outcomes[0]
                for dim in run.condition.dimensions()
            },
            key=DIMENSIONS.index,
        )
        found.append(Unstable(test_id, outcomes, tuple(dims)))
    return found


@contextmanager
def _sandbox(source: Path, *, socket_guard: bool, keep: bool) -> Iterator[Sandbox]:
    box = make_sandbox(source, socket_guard=socket_guard)
    try:
        yield box
    finally:
        if not keep:
            shutil.rmtree(box.root, ignore_errors=True)


def _masks(box: Sandbox, venv: Path, source: Path, base_prefix: str) -> list[tuple[str, str]]:
    pairs = [
        (box.project, "<project>"),
        (box.home, "<home>"),
        (box.tmp, "<tmp>"),
        (box.root, "<sandbox>"),
        (venv, "<venv>"),
        (source, "<origin>"),
        (Path(base_prefix), "<python>"),
    ]
    out: list[tuple[str, str]] = []
    for path, token in pairs:
        for variant in {str(path), str(path.resolve())}:
            if len(variant) > 1:
                out.append((variant, token))
    return out


def run_once(
    number: int,
    source: Path,
    python: Path,
    locked: Mapping[str, str],
    condition: Condition,
    isolation: iso.Isolation,
    found: Probe,
    pytest_args: Sequence[str],
    *,
    timeout: float,
    keep: bool = False,
    installed: bool = False,
) -> RunResult:
    venv = python.parent.parent
    with _sandbox(source, socket_guard=isolation.level == "socket", keep=keep) as box:
        env = sandbox_env(box, venv, locked, condition, isolation, installed)
        launcher = box.inject / "dht_sandbox_launch.py"
        argv = [*isolation.wrapper, str(python), "-I", str(launcher), *isolation.launch_options]
        argv += ["--", str(python), "-m", "pytest", *PYTEST_FLAGS, *found.assertion_flags()]
        argv += ["-p", "dht_sandbox_outcomes", f"--junitxml={box.junit}"]
        if condition.order != "collected":
            argv += ["-p", "dht_sandbox_order"]
        argv += list(pytest_args)
        masks = _masks(box, venv, source, found.base_prefix)
        code, raw = _run_pytest(argv, box, env, timeout)
        output = junit.mask(raw, masks)
        if code is None:
            raise DhtError(
                f"pytest did not finish within {timeout:g} s (--timeout); its processes were"
                f" stopped:\n{output[-2000:].strip()}",
                where=str(source),
                hint="raise --timeout, or find the test that hangs (pytest's output above)",
            )
        if code == 5:
            raise DhtError(
                "pytest collected no tests",
                where=str(source),
                hint="name the tests after --: dht test -- tests/",
            )
        if code not in (0, 1, 2) or not box.junit.is_file():
            raise NoReport(
                output,
                f"pytest exited {code} without a test report:\n{output[-2000:].strip()}",
                where=str(source),
                hint="check the pytest arguments after -- and the project's pytest configuration",
            )
        results = junit.parse(box.junit.read_text("utf-8", errors="replace"), masks)
    kept = str(box.root) if keep else ""
    return RunResult(number, condition, code, tuple(results), output, kept)


def _run_pytest(
    argv: Sequence[str], box: Sandbox, env: Mapping[str, str], timeout: float
) -> tuple[int | None, str]:
    """pytest's exit code (None: timed out) and its output.

    Not process.run: pytest runs in its own process group, and the whole group is
    killed when it ends or times out, so processes the tests started do not outlive
    the sandbox. Output goes to a file, not a pipe: a leftover child holding the pipe
    open would keep a reader waiting.
    """
    log = box.root / "output.log"
    posix = platform.current() != "windows"
    with log.open("wb") as sink:
        try:
            proc = subprocess.Popen(
                list(argv),
                cwd=box.project,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=posix,
            )
        except FileNotFoundError:
            raise DhtError(f"{argv[0]}: command not found") from None
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            if posix:
                with suppress(ProcessLookupError, PermissionError):  # the group is gone
                    os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
            proc.wait()
    return code, log.read_text("utf-8", errors="replace")


def run_tests(
    source: Path,
    python: Path,
    locked: Mapping[str, str],
    lock_sha256: str,
    pytest_args: Sequence[str] = (),
    *,
    repeat: int = 1,
    vary: Sequence[str] = (),
    isolation: str = "auto",
    timeout: float = 3600.0,
    keep: bool = False,
    installed: bool = False,
) -> Report:
    found, chosen = probe_and_choose(python, isolation)
    plan = conditions(repeat, vary, found.locales)
    runs = tuple(
        run_once(
            i + 1,
            source,
            python,
            locked,
            condition,
            chosen,
            found,
            pytest_args,
            timeout=timeout,
            keep=keep,
            installed=installed,
        )
        for i, condition in enumerate(plan)
    )
    digest, parts = fingerprint(found, lock_sha256)
    return Report(digest, parts, chosen, runs, tuple(unstable_tests(runs)))
