"""The vocabulary of the executor: what an entry's state is, and what to do about it.

`classify` is pure: given what the lock wants (a fingerprint and a content
summary) and what the machine shows (a receipt and observed content), it says
ok / missing / changed-in-lock / drifted / broken. No I/O here, so planning
tests need no machine.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import msgspec


class Status(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"  # never applied on this machine
    CHANGED = "changed-in-lock"  # applied, but the lock has moved on (intended)
    DRIFTED = "drifted"  # applied, then changed outside dht
    BROKEN = "broken"  # present, but unhealthy (a probe fails, a link is gone)


class Observed(msgspec.Struct, frozen=True):
    """What probing an entry found."""

    present: bool
    receipt: str | None = None  # the fingerprint recorded when dht last applied it
    content: Mapping[str, str] = msgspec.field(default_factory=dict)  # e.g. package -> version
    problems: tuple[str, ...] = ()  # broken: what is wrong


class Verdict(msgspec.Struct, frozen=True):
    status: Status
    reason: str


def classify(fingerprint: str, desired: Mapping[str, str], observed: Observed) -> Verdict:
    if not observed.present:
        return Verdict(Status.MISSING, "not on this machine yet")
    if observed.receipt is not None and observed.receipt != fingerprint:
        return Verdict(Status.CHANGED, "the lock changed since it was applied")
    delta = describe_delta(desired, observed.content)
    if delta:
        return Verdict(Status.DRIFTED, delta)
    if observed.problems:
        return Verdict(Status.BROKEN, "; ".join(observed.problems))
    if observed.receipt is None:
        # Right content, but not put there by dht: adopt it on the next apply.
        return Verdict(Status.DRIFTED, "not installed by dht (no receipt)")
    return Verdict(Status.OK, "")


def describe_delta(desired: Mapping[str, str], observed: Mapping[str, str]) -> str:
    """`ruff 0.17.5 -> 0.17.4, + extra 1.0, - colorama`: desired vs what is there."""
    parts: list[str] = []
    for name in sorted(desired.keys() | observed.keys()):
        want, have = desired.get(name), observed.get(name)
        if want == have:
            continue
        if have is None:
            parts.append(f"{name} {want} missing")
        elif want is None:
            parts.append(f"{name} {have} not in the lock")
        else:
            parts.append(f"{name} {have} instead of {want}")
    shown = parts[:5] + ([f"… {len(parts) - 5} more"] if len(parts) > 5 else [])
    return ", ".join(shown)


class Record(msgspec.Struct):
    """One line of the report, and one object of `--json`."""

    id: str
    kind: str
    desired: str
    observed: str
    status: Status
    reason: str
    action: str | None = None  # what apply did or would do
    repair: str | None = None  # the command that repairs it
    duration: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "desired": self.desired,
            "observed": self.observed,
            "status": str(self.status),
            "reason": self.reason,
            "action": self.action,
            "repair": self.repair,
            "duration": round(self.duration, 3),
        }
