"""`dht explain NAME`: why a package (or a system dependency) is in the lock, as chains from
the intent entry down to it, with the requirement at each step (like `uv tree --invert`)."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dht.errors import DhtError, did_you_mean
from dht.model.lock import Lock, Package


def _asks(parent: Package, child: str) -> str:
    for text in parent.dependencies:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if canonicalize_name(req.name) == child:
            return str(req)
    return child


def chains(lock: Lock, package: Package, limit: int = 20) -> list[list[str]]:
    """Paths from a tools.X entry down to the package, each step naming what it asks for."""
    by_name = {p.name: p for p in lock.packages if p.environment == package.environment}
    out: list[list[str]] = []

    def walk(current: Package, below: list[str], seen: frozenset[str]) -> None:
        if len(out) >= limit:
            return
        for reason in sorted(current.required_by):
            if reason.startswith("tools."):
                out.append([reason, *below])
                continue
            parent = by_name.get(reason.split("==", 1)[0])
            if parent is None or parent.name in seen:
                continue
            step = f"{parent.name}=={parent.version} needs {_asks(parent, current.name)}"
            walk(parent, [step, *below], seen | {parent.name})

    walk(package, [f"{package.name}=={package.version}"], frozenset({package.name}))
    return out


def explain(lock: Lock, name: str) -> list[str]:
    wanted = canonicalize_name(name)
    lines: list[str] = []
    for package in (p for p in lock.packages if p.name == wanted):
        lines.append(
            f"{package.name} {package.version} in environment {package.environment}, for {', '.join(package.targets)}"
        )
        if package.yanked is not None:
            lines.append(
                f"  yanked on the index: {package.yanked} (locked because an exact pin in dht.toml or uv.lock asks for it)"
            )
        lines.extend("  " + " -> ".join(chain) for chain in chains(lock, package))
    for entry in lock.system:
        if entry.id == name or entry.id.endswith(f"/{name}"):
            lines.append(f"{entry.id}: system dependency, because of {', '.join(entry.why)}")
            lines.extend(
                f"  {system}: {' '.join(pkgs) or '(nothing to install)'}"
                for system, pkgs in entry.packages.items()
            )
    if not lines:
        known = sorted({p.name for p in lock.packages} | {e.id for e in lock.system})
        close = did_you_mean(wanted, known)
        raise DhtError(
            f"{name!r} is not in dht.lock",
            hint=close or "names are PyPI names or system dependency ids",
        )
    return lines
