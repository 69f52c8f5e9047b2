"""Apply every check to every artifact, merge verdicts per check, render the report."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from dht.buildcheck import dynamic, static
from dht.buildcheck.verdict import (
    CHECKS,
    ArtifactReport,
    CheckFn,
    Context,
    Kind,
    Report,
    Subject,
    Verdict,
    failed,
)
from dht.errors import DhtError, UsageError, shown_safely


def kind_of(path: Path) -> Kind:
    """The artifact's kind from its file name; a UsageError for anything else."""
    if path.name.endswith(".whl"):
        return "wheel"
    if path.name.endswith(".tar.gz"):
        return "sdist"
    raise UsageError(
        "not a wheel or an sdist: dht verifies *.whl and *.tar.gz files",
        where=str(path),
        hint="give the files `dht build` or `uv build` wrote, e.g. dist/*.whl dist/*.tar.gz",
    )


def subjects(paths: Sequence[Path]) -> list[Subject]:
    """Every path checked before any check runs: a bad one is a usage error, nothing is done."""
    out = []
    for path in paths:
        kind = kind_of(path)
        if not path.is_file():
            raise UsageError(
                "no such file", where=str(path), hint="check the path (dht build writes dist/)"
            )
        out.append(Subject(path, kind))
    names = [s.path.name for s in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(
            f"the same file name given twice: {', '.join(twice)}", hint="give each artifact once"
        )
    return sorted(out, key=lambda s: s.path.name)


def verify(
    paths: Sequence[Path],
    ctx: Context,
    checks: Sequence[CheckFn] | None = None,
) -> Report:
    """Each artifact (sorted by file name) through static.CHECKS, then dynamic.CHECKS."""
    chosen = [*static.CHECKS, *dynamic.CHECKS] if checks is None else list(checks)
    reports = []
    for subject in subjects(paths):
        own = Context(_scratch(ctx.work, subject.path.name), ctx.root, ctx.lock, ctx.offline)
        own.work.mkdir(parents=True, exist_ok=True)
        verdicts = [_run_one(check, subject, own) for check in chosen]
        reports.append(ArtifactReport(subject.path.name, subject.kind, merge(verdicts)))
    return Report(tuple(reports))


def _scratch(work: Path, name: str) -> Path:
    return work / re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _run_one(check: CheckFn, subject: Subject, ctx: Context) -> Verdict:
    try:
        return check(subject, ctx)
    except DhtError as exc:
        # One check's trouble (a file it could not read) is its verdict, not the end of the report.
        module = sys.modules.get(getattr(check, "__module__", ""))
        name = getattr(module, "CHECK", None)
        return failed(
            name if isinstance(name, str) else getattr(check, "__name__", "check"), [exc.message]
        )


def merge(verdicts: Sequence[Verdict]) -> tuple[Verdict, ...]:
    """One verdict per check name, in CHECKS order: failed if any failed (their reasons),
    skipped only if all skipped (their reasons), else ok (the notes of the ok ones)."""
    by_name: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        by_name.setdefault(verdict.check, []).append(verdict)
    order = [c for c in CHECKS if c in by_name] + sorted(set(by_name) - set(CHECKS))
    merged = []
    for name in order:
        group = by_name[name]
        for status in ("failed", "skipped", "ok"):
            if status == "skipped" and any(v.status == "ok" for v in group):
                continue
            chosen = [v for v in group if v.status == status]
            if chosen:
                reasons = tuple(r for v in chosen for r in v.reasons)
                merged.append(Verdict(name, status, reasons))
                break
    return tuple(merged)


def render(report: Report) -> str:
    """A table, one line per artifact and a column per check, then each failure's and
    each skip's reasons, indented. Deterministic: artifacts by name, checks in CHECKS order."""
    if not report.artifacts:
        return "no artifacts to verify\n"
    shown = [c for c in CHECKS if any(v.check == c for a in report.artifacts for v in a.verdicts)]
    width = max(len("artifact"), *(len(a.name) for a in report.artifacts))
    widths = [max(len(c), len("skipped")) for c in shown]
    lines = [
        "  ".join(
            ["artifact".ljust(width), *(c.ljust(w) for c, w in zip(shown, widths, strict=True))]
        ).rstrip()
    ]
    for artifact in report.artifacts:
        status = {v.check: v.status for v in artifact.verdicts}
        cells = [status.get(c, "-").ljust(w) for c, w in zip(shown, widths, strict=True)]
        lines.append("  ".join([shown_safely(artifact.name).ljust(width), *cells]).rstrip())
    for artifact in report.artifacts:
        noted = [v for v in artifact.verdicts if v.reasons]
        if not noted:
            continue
        lines.extend(["", f"{shown_safely(artifact.name)}:"])
        for verdict in noted:
            label = {"failed": "FAILED", "skipped": "skipped", "ok": "ok"}[verdict.status]
            lines.append(f"  {verdict.check} {label}:")
            # Reasons quote what the artifact said (an import error, uv's output): shown, never interpreted.
            lines.extend(f"    - {shown_safely(reason)}" for reason in verdict.reasons)
    bad = sum(not a.ok for a in report.artifacts)
    count = len(report.artifacts)
    lines.append("")
    lines.append(
        f"verified {count} artifact{'s' if count != 1 else ''}: "
        + ("all passed" if not bad else f"{bad} failed")
    )
    return "\n".join(lines) + "\n"
