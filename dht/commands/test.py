"""`dht test [-- PYTEST-ARGS]`: the project's tests in a deterministic sandbox, and the report."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dht.apply import state
from dht.commands.run import env_values
from dht.errors import DhtError, say
from dht.model.lock import LOCK_FILE, read_lock_cached
from dht.sandbox import missing
from dht.sandbox.junit import Counts
from dht.sandbox.testrun import NoReport, Report, run_tests
from dht.uvbackend import python_of


def run_project_tests(
    root: Path,
    pytest_args: Sequence[str] = (),
    *,
    repeat: int = 1,
    vary: Sequence[str] = (),
    isolation: str = "auto",
    timeout: float = 3600.0,
    keep: bool = False,
) -> Report:
    lock, _ = read_lock_cached(root / LOCK_FILE, state.lock_cache(root))  # validated first
    values = env_values(root, lock)
    installed = lock.project is not None and lock.project.install == "editable"
    python = python_of(root / ".venv")
    if not python.is_file():
        raise DhtError(
            "the locked environment is missing",
            where=str(root / ".venv"),
            hint="run `dht apply` to build it from dht.lock",
        )
    from dht.apply.resources import dist_info

    if dist_info(root / ".venv", "pytest") is None:
        raise DhtError(
            "dht test runs the tests with pytest, and .venv has none",
            where=".venv",
            hint='add it to dht.toml: [tools] pytest = ">=9" (it runs unittest test cases too),'
            " then `dht lock && dht apply`",
        )
    # CRLF checkouts of the same lock are the same lock.
    lock_bytes = (root / LOCK_FILE).read_bytes().replace(b"\r\n", b"\n")
    try:
        return run_tests(
            root,
            python,
            values,
            hashlib.sha256(lock_bytes).hexdigest(),
            pytest_args,
            repeat=repeat,
            vary=vary,
            isolation=isolation,
            timeout=timeout,
            keep=keep,
            installed=installed,
        )
    except NoReport as exc:
        # A conftest.py that cannot import stops pytest before any test: no report, but
        # the output names the module.
        found = missing.hints(root, [exc.output])
        if not found:
            raise
        raise DhtError(exc.message, where=exc.where, hint="\n  hint: ".join(found)) from None


def execute(
    root: Path,
    pytest_args: Sequence[str] = (),
    *,
    repeat: int = 1,
    vary: Sequence[str] = (),
    isolation: str = "auto",
    timeout: float = 3600.0,
    keep: bool = False,
    quiet: bool = False,
    as_json: bool = False,
) -> int:
    """Run, print pytest's output (unless quiet) and the report; the exit code. For the
    CLI and for the entry point's fast path, which skips the CLI framework's imports."""
    report = run_project_tests(
        root,
        pytest_args,
        repeat=repeat,
        vary=vary,
        isolation=isolation,
        timeout=timeout,
        keep=keep,
    )
    if not quiet:
        for run in report.runs:
            varied = ", ".join(run.condition.describe()) or "baseline"
            line = f"== dht test: run {run.number}/{len(report.runs)} [{varied}] =="
            say(line)
            sys.stderr.write(run.output if run.output.endswith("\n") else run.output + "\n")
    hints = missing_module_hints(root, report) if report.exit_code else []
    if as_json:
        data = {**to_json(report), "hints": hints}
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_text(report) + "".join(f"hint: {h}\n" for h in hints))
    return report.exit_code


def missing_module_hints(root: Path, report: Report) -> list[str]:
    """For each module the tests could not import: the dht.toml key that brings it
    (a group or extra of pyproject.toml, a pytest plugin in pytest's `with`)."""
    return missing.hints(
        root, (run.output for run in report.runs), report.environment.get("python", "")
    )


def _counts(c: Counts) -> str:
    return (
        f"{c.passed} passed, {c.failed} failed, {c.error} errors, {c.skipped} skipped,"
        f" {c.xfailed} xfailed, {c.xpassed} xpassed"
    )


def _counts_line(report: Report) -> str:
    c = report.baseline.counts
    return f"{_counts(c)} ({c.total} tests)"


def render_text(report: Report) -> str:
    env = report.environment
    lines = [
        f"tests: {_counts_line(report)}",
        f"checksum: sha256:{report.baseline.checksum}",
        f"fingerprint: sha256:{report.fingerprint}"
        f" ({env['implementation']} {env['python']}, {env['platform']},"
        f" lock sha256:{env['lock_sha256'][:12]})",
        f"isolation: {report.isolation.level} ({report.isolation.description})",
    ]
    if report.isolation.note:
        lines.append(f"  note: {report.isolation.note}")
    if len(report.runs) > 1:
        lines.append(f"runs: {len(report.runs)}")
        for run in report.runs:
            varied = ", ".join(run.condition.describe()) or "baseline"
            lines.append(
                f"  {run.number:>2}  {run.checksum[:12]}  {_counts(run.counts)}  [{varied}]"
            )
        if report.unstable:
            lines.append(f"not deterministic: {len(report.unstable)} tests change outcome")
            for test in report.unstable:
                lines.append(f"  {test.id}  (varies with: {', '.join(test.varies_with) or 'none'})")
                by_outcome: dict[str, list[str]] = {}
                for run, outcome in zip(report.runs, test.outcomes, strict=True):
                    by_outcome.setdefault(outcome, []).append(str(run.number))
                for outcome, numbers in sorted(by_outcome.items()):
                    lines.append(f"      {outcome} in run {', '.join(numbers)}")
        else:
            lines.append("deterministic: every test has the same outcome in every run")
    for run in report.runs:
        if run.session_failed:
            where = f" in run {run.number}" if len(report.runs) > 1 else ""
            lines.append(
                f"pytest exited {run.pytest_exit}{where} although every test passed"
                " (a plugin or hook failed the run: see pytest's output)"
            )
    for run in report.runs:
        if run.kept:
            lines.append(f"sandbox of run {run.number} kept: {run.kept}")
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> dict[str, Any]:
    """The stable `--json` shape (documented in the README)."""
    return {
        "checksum": report.baseline.checksum,
        "fingerprint": report.fingerprint,
        "environment": report.environment,
        "isolation": {
            "level": report.isolation.level,
            "description": report.isolation.description,
            "note": report.isolation.note,
        },
        "counts": vars(report.baseline.counts),
        "tests": [
            {"id": r.id, "outcome": r.outcome, "message": r.message}
            for r in report.baseline.results
        ],
        "runs": [run.to_json() for run in report.runs],
        "unstable": [
            {"id": t.id, "outcomes": list(t.outcomes), "varies_with": list(t.varies_with)}
            for t in report.unstable
        ],
        "exit_code": report.exit_code,
    }
