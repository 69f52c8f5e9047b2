"""Benchmark the project environment: `dht apply` against `uv sync` on one project.

A package with a few dozen dependencies (its own, and a tests group), a uv.lock
made by uv and a dht.lock made by dht that agree. In one run, alternating round by
round, with uv's cache warm for both:
- fresh: `dht apply` from nothing (venv on the locked Python, every package, the
  project editable with its locked build requirements) vs `uv sync --frozen`;
- no-op: `dht apply` vs `uv sync --inexact --check --frozen` (and plain
  `uv sync --frozen`, what people type).
Prints medians and ratios as a Markdown table. Needs the real index (PyPI).

    uv run python bench/bench_project.py [--rounds 5]
"""

from __future__ import annotations

import platform
import shutil
import statistics
import sys
from pathlib import Path

from bench_lock import EXCLUDE_NEWER, set_up
from bench_lock import run as timed

DEPENDENCIES = ("httpx", "rich", "pydantic", "jinja2", "click", "requests", "pyyaml", "attrs")
TESTS = ("pytest", "hypothesis", "pytest-cov")


def project(root: Path, uv: str, dht: str, env: dict[str, str]) -> Path:
    (root / "src" / "benchapp").mkdir(parents=True)
    (root / "src" / "benchapp" / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    quoted = ", ".join(f'"{d}"' for d in DEPENDENCIES)
    tests = ", ".join(f'"{d}"' for d in TESTS)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "benchapp"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{quoted}]\n\n[dependency-groups]\ntests = [{tests}]\n\n"
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[tool.uv]\ndefault-groups = ["tests"]\n',
        encoding="utf-8",
    )
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\ngroups = ["tests"]\n'
        f'[targets]\nplatforms = ["linux-x86_64"]\n[index]\nexclude-newer = "{EXCLUDE_NEWER}"\n',
        encoding="utf-8",
    )
    timed([uv, "lock", "--exclude-newer", EXCLUDE_NEWER, "--python", sys.executable], root, env)
    timed([dht, "lock"], root, env)
    timed([dht, "apply"], root, env)  # warms uv's cache with every artifact
    return root


def main() -> int:
    rounds, dht, uv, work, env = set_up(__doc__ or "", "dht-bench-project-")
    env["UV_PYTHON"] = sys.executable  # uv sync on the interpreter dht.lock pins
    root = project(work / "app", uv, dht, env)
    timed([uv, "sync", "--inexact", "--check", "--frozen"], root, env)  # they agree, or this fails
    packages = sum(1 for _ in (root / ".venv").glob("lib/python3*/site-packages/*.dist-info"))

    times: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        times.setdefault(key, []).append(value)

    for _ in range(rounds):
        for folder in (".venv", ".dht"):
            shutil.rmtree(root / folder, ignore_errors=True)
        add("fresh dht apply", timed([dht, "apply"], root, env))
        add("no-op dht apply", timed([dht, "apply"], root, env))
        add(
            "uv sync --inexact --check",
            timed([uv, "sync", "--inexact", "--check", "--frozen"], root, env),
        )
        add("no-op uv sync", timed([uv, "sync", "--frozen"], root, env))
        shutil.rmtree(root / ".venv")
        add("fresh uv sync", timed([uv, "sync", "--frozen"], root, env))
        # uv sync removed nothing dht needs (no tools here): the next round starts clean anyway.

    m = {k: statistics.median(v) for k, v in times.items()}
    print(f"rounds: {rounds}; medians in seconds; {packages} distributions in .venv\n")
    print("| case | dht | uv | dht / uv |")
    print("|---|---:|---:|---:|")
    rows = (
        ("fresh: dht apply vs uv sync", "fresh dht apply", "fresh uv sync"),
        (
            "no-op: dht apply vs uv sync --inexact --check",
            "no-op dht apply",
            "uv sync --inexact --check",
        ),
        ("no-op: dht apply vs uv sync", "no-op dht apply", "no-op uv sync"),
    )
    for label, ours, theirs in rows:
        print(f"| {label} | {m[ours]:.2f} | {m[theirs]:.2f} | {m[ours] / m[theirs]:.2f}x |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
