"""`dht apply` / `dht verify`: make the machine match dht.lock, or report how it differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dht.apply.executor import KINDS, Options, Report, apply
from dht.apply.plan import Status
from dht.errors import EXIT_DIFF, EXIT_FAIL, EXIT_OK, UsageError, did_you_mean


def parse_only(values: list[str] | None) -> frozenset[str]:
    kinds: set[str] = set()
    for value in values or ():
        for kind in value.split(","):
            kind = kind.strip()
            if kind not in KINDS:
                close = did_you_mean(kind, KINDS)
                raise UsageError(
                    f"--only: unknown kind {kind!r}",
                    hint=f"{close + ' ' if close else ''}kinds: {', '.join(KINDS)}",
                )
            kinds.add(kind)
    return frozenset(kinds)


def run_apply(root: Path, options: Options) -> Report:
    return apply(root, options)


def exit_code(report: Report, options: Options) -> int:
    """0 when nothing is pending; 3 when a check or dry run found differences; 1 when an
    apply left something undone."""
    if not report.pending:
        return EXIT_OK
    return EXIT_DIFF if (options.check or options.dry_run) else EXIT_FAIL


def lines(report: Report, options: Options) -> list[str]:
    out: list[str] = []
    for record in report.records:
        if record.status == Status.OK and not record.action:
            continue
        if options.check or options.dry_run:
            head = f"{record.status:<16} {record.id}: {record.reason}"
            out.append(head)
            if record.repair and options.check:
                out.append(f"{'':16} repair: {record.repair}")
            if options.dry_run:
                out.append(f"{'':16} would rebuild/write ({record.desired})")
        else:
            state = "ok" if record.status == Status.OK else str(record.status)
            action = f" ({record.action})" if record.action else ""
            out.append(
                f"{state:<16} {record.id}{action}"
                + (f": {record.reason}" if record.status != Status.OK else "")
            )
    if report.trusted:
        out.append(
            f"probes: {len(report.probed)} run, {len(report.trusted)} trusted "
            "(unchanged since they passed: `dht verify --probes` runs them all)"
        )
    total = len(report.records)
    pending = len(report.pending)
    if options.check or options.dry_run:
        out.append(
            f"{total - pending} of {total} entries ok"
            + (f", {pending} to change" if pending else "")
        )
    else:
        out.append(
            f"{report.changed} changed, {total - pending} of {total} entries verified ok"
            + (f", {pending} failed" if pending else "")
        )
    return out


def to_json(report: Report) -> dict[str, Any]:
    return {
        "changed": report.changed,
        "ok": not report.pending,
        "entries": [r.to_json() for r in report.records],
        "probes": {"run": report.probed, "trusted": report.trusted},
    }
