"""Benchmark `dht apply` / `dht verify` against uv on the same closure.

In one run, alternating round by round:
- no-op: `dht apply --no-probes`, `dht verify --no-probes` and `dht apply` (probes
  included) on a project whose 7 tools are in place, vs `uv pip sync --dry-run`
  of the same closure;
- fresh: `dht apply --no-probes` from nothing vs `uv tool install` of each tool
  in sequence (uv's cache warm for both);
- growth: no-op `dht verify --no-probes` with 7 and with 50 tools.
Prints medians and ratios as a Markdown table. Needs the real index (PyPI).

    uv run python bench/bench_apply.py [--rounds 5]
"""

from __future__ import annotations

import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench_lock import EXCLUDE_NEWER, TOOLS, set_up
from bench_lock import run as timed

MORE = (
    "attrs", "certifi", "charset-normalizer", "idna", "urllib3", "requests", "six", "packaging",
    "pyparsing", "tomli", "typing-extensions", "wheel", "setuptools", "click", "rich", "markdown-it-py",
    "mdurl", "pygments", "jinja2", "markupsafe", "itsdangerous", "werkzeug", "flask", "blinker",
    "platformdirs", "filelock", "distlib", "virtualenv", "nodeenv", "identify", "cfgv", "pyyaml",
    "toml", "tabulate", "docutils", "pluggy", "iniconfig", "execnet", "sortedcontainers", "pathspec",
    "mccabe", "pycodestyle", "pyflakes",
)  # fmt: skip


def project(root: Path, tools: Sequence[str], dht: str, env: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    here = subprocess.run(
        [sys.executable, "-c", "from dht.apply.machine import current_platform; print(current_platform())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (root / "dht.toml").write_text(
        f'[project]\npython = "{platform.python_version()}"\n'
        f'[targets]\nplatforms = ["{here}"]\n[index]\nexclude-newer = "{EXCLUDE_NEWER}"\n[tools]\n'
        + "".join(f'{t} = ""\n' for t in tools),
        encoding="utf-8",
    )
    timed([dht, "lock"], root, env)
    timed([dht, "apply", "--no-probes"], root, env)
    return root


def requirements_of(root: Path) -> Path:
    """The project environment's closure as hash-pinned requirements, for uv pip sync."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from dht.model.lock import read_lock

    lock, _ = read_lock(root / "dht.lock")
    lines = []
    for package in lock.packages:
        if package.environment == "project":
            artifact = (*package.wheels, *([package.sdist] if package.sdist else []))[0]
            lines.append(
                f"{package.name} @ {artifact.url} --hash=sha256:{artifact.hashes.sha256}\n"
            )
    path = root / "requirements.txt"
    path.write_text("".join(sorted(lines)), encoding="utf-8")
    return path


def main() -> int:
    rounds, dht, uv, work, env = set_up(__doc__ or "", "dht-bench-apply-")

    small = project(work / "seven", TOOLS, dht, env)
    large = project(work / "fifty", (*TOOLS, *MORE), dht, env)
    requirements = requirements_of(small)
    uv_sync = [
        uv,
        "pip",
        "sync",
        "--dry-run",
        "--quiet",
        "--python",
        str(small / ".venv/bin/python"),
        str(requirements),
    ]
    tool_env = {
        **env,
        "UV_TOOL_DIR": str(work / "uv-tools"),
        "UV_TOOL_BIN_DIR": str(work / "uv-bin"),
    }

    times: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        times.setdefault(key, []).append(value)

    for _ in range(rounds):
        add("no-op dht apply --no-probes", timed([dht, "apply", "--no-probes"], small, env))
        add("no-op dht verify --no-probes", timed([dht, "verify", "--no-probes"], small, env))
        add("no-op dht apply (probes)", timed([dht, "apply"], small, env))
        add("uv pip sync --dry-run", timed(uv_sync, small, env))
        add("verify --no-probes, 50 tools", timed([dht, "verify", "--no-probes"], large, env))
        fresh = work / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        shutil.copy(small / "dht.toml", fresh)
        shutil.copy(small / "dht.lock", fresh)
        add("fresh dht apply --no-probes", timed([dht, "apply", "--no-probes"], fresh, env))
        shutil.rmtree(work / "uv-tools", ignore_errors=True)
        shutil.rmtree(work / "uv-bin", ignore_errors=True)
        start = time.perf_counter()
        for tool in TOOLS:
            timed(
                [uv, "tool", "install", "--quiet", "--exclude-newer", EXCLUDE_NEWER, tool],
                work,
                tool_env,
            )
        add("uv tool install x7", time.perf_counter() - start)

    m = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"rounds: {rounds}; medians in seconds; {len(TOOLS)} tools (and {len(TOOLS) + len(MORE)} for growth)\n"
    )
    print("| case | dht | uv | dht / uv |")
    print("|---|---:|---:|---:|")
    base = m["uv pip sync --dry-run"]
    for case in (
        "no-op dht apply --no-probes",
        "no-op dht verify --no-probes",
        "no-op dht apply (probes)",
    ):
        print(
            f"| {case} vs uv pip sync --dry-run | {m[case]:.2f} | {base:.2f} | {m[case] / base:.2f}x |"
        )
    fresh, tools = m["fresh dht apply --no-probes"], m["uv tool install x7"]
    print(
        f"| fresh apply vs uv tool install x7 | {fresh:.2f} | {tools:.2f} | {fresh / tools:.2f}x |"
    )
    grow = m["verify --no-probes, 50 tools"] / m["no-op dht verify --no-probes"]
    print(f"\nno-op verify --no-probes: {m['no-op dht verify --no-probes']:.2f} s with 7 tools, "
          f"{m['verify --no-probes, 50 tools']:.2f} s with 50 ({grow:.2f}x)")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
