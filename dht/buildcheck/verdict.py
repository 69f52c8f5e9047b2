"""What a verification says: one verdict per check per artifact, with its reasons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dht.model.lock import Lock

FORMAT = 1
CHECKS = ("well-formed", "contents", "metadata", "platform", "loadable", "installable")
"""Every check, in the order they run and are shown."""

Status = Literal["ok", "failed", "skipped"]
Kind = Literal["wheel", "sdist"]


@dataclass(frozen=True)
class Verdict:
    check: str  # one of CHECKS
    status: Status
    reasons: tuple[str, ...] = ()
    """Why it failed (each a sentence naming the member, field or platform), or why it was skipped."""

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "reasons": list(self.reasons)}


def ok(check: str) -> Verdict:
    return Verdict(check, "ok")


def failed(check: str, reasons: list[str] | tuple[str, ...]) -> Verdict:
    """`ok` when there are no reasons, else failed with them (sorted: deterministic)."""
    return (
        Verdict(check, "failed", tuple(sorted(set(reasons)))) if reasons else Verdict(check, "ok")
    )


def skipped(check: str, why: str) -> Verdict:
    return Verdict(check, "skipped", (why,))


@dataclass(frozen=True)
class Subject:
    """One artifact to verify."""

    path: Path
    kind: Kind


@dataclass(frozen=True)
class Context:
    """What the checks may use besides the artifact."""

    work: Path
    """A private temporary folder for this run (installs, unpacked archives)."""
    root: Path | None = None
    """The project the artifacts were built from; None for files from elsewhere."""
    lock: Lock | None = None
    """The project's dht.lock, when there is one: index, target platforms, Python."""
    offline: bool = False


CheckFn = Callable[[Subject, Context], Verdict]


@dataclass(frozen=True)
class ArtifactReport:
    name: str  # the file's name
    kind: Kind
    verdicts: tuple[Verdict, ...]

    @property
    def ok(self) -> bool:
        return all(v.status != "failed" for v in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "ok": self.ok,
            "checks": [v.to_json() for v in self.verdicts],
        }


@dataclass(frozen=True)
class Report:
    artifacts: tuple[ArtifactReport, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.artifacts)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "ok": self.ok, "artifacts": [a.to_json() for a in self.artifacts]}
