"""`dht init`: write a starter dht.toml from what the project already declares, and say
what was found where and what was left out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dht.model.intent import INTENT_FILE
from dht.onboard.init import InitPlan, check, inspect, refuse_overwrite, write
from dht.onboard.render import render


@dataclass(frozen=True)
class InitResult:
    plan: InitPlan
    text: str
    written: Path | None  # None for --dry-run


def run_init(root: Path, *, force: bool = False, dry_run: bool = False) -> InitResult:
    if not dry_run:
        refuse_overwrite(root, force=force)  # before any work
    plan = inspect(root)
    text = render(plan)
    if dry_run:
        check(text)
        return InitResult(plan, text, None)
    return InitResult(plan, text, write(root, text, force=force))


def report_lines(result: InitResult) -> list[str]:
    plan = result.plan
    out = [
        f"Read: {', '.join(plan.read) if plan.read else 'nothing (no pyproject.toml, pre-commit config or requirements files)'}"
    ]
    out.append(f"  python {plan.python:<22} {plan.python_source}")
    if plan.index_source != "the default (PyPI)":
        out.append(f"  index {plan.index_url}  ({plan.index_source})")
    for tool in plan.tools:
        spec = tool.version or "(any)"
        extra = f" with {', '.join(tool.with_)}" if tool.with_ else ""
        out.append(f"  tool {tool.name} {spec}{extra}  <- {'; '.join(tool.wheres)}")
        out += [f"      {note}" for note in tool.notes]
    for config in plan.configs:
        out.append(
            f"  config {config.name}  <- {config.file} [{config.table}] ({_count(len(config.values), 'key')}, adopted as is)"
        )
    for dep_id, why in plan.system:
        out.append(f"  system {dep_id}  <- {why} (inferred by `dht lock`)")
    if plan.ci:
        out.append("CI installs from:")
        out += [f"  {run}" for run in plan.ci]
    if plan.notes:
        out.append("Choices:")
        out += [f"  {note}" for note in plan.notes]
    if plan.skipped:
        out.append("Not imported:")
        out += [f"  {s.what} ({s.where}): {s.reason}" for s in plan.skipped]
    if not plan.git:
        out.append(
            "Not a git repository: `dht diff`, the merge driver and `dht ci github` need one (git init)."
        )
    if result.written is None:
        return out
    out.append(f"wrote {INTENT_FILE}")
    out.append("next: dht lock && dht apply")
    if plan.git:
        out += [
            "to merge dht.lock without conflict markers (once per clone):",
            '  git config merge.dht.name "dht lock merge"',
            '  git config merge.dht.driver "dht merge-driver %O %A %B"',
            '  echo "dht.lock merge=dht text eol=lf" >> .gitattributes',
        ]
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"
