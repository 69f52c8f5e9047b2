"""`dht test`'s overhead against plain pytest in the same environment, as a suite grows.

A copy of the example project (its lock, `dht apply` from uv's cache) gets generated
suites of 10, 1,000 and 20,000 tiny tests (100 per file); each size is run alternately
by `dht test -q` (sandbox copy, network namespace, JUnit normalization and checksum)
and by `python -m pytest -q` in the same `.venv`, with the settings the sandbox fixes
(hash seed, time zone, a private HOME). Prints medians, the fixed cost and the relative
cost per size. `--baseline SRC` also times another version of dht in the same rotation:
SRC holds its `dht/` package (e.g. `git archive OLD dht | tar -x -C SRC`), run with this
environment's Python.

    uv run python bench/bench_test.py [--rounds 3] [--sizes 10,1000] [--baseline SRC]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_lock import dht_bin
from bench_lock import run as wall_time

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example"
SIZES = (10, 1_000, 20_000)
PER_FILE = 100


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and the user+sys CPU seconds of the command and all it waited for (on a
    shared machine the CPU time is the steadier of the two)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = wall_time(argv, cwd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def generate(tests: Path, count: int) -> None:
    for old in tests.glob("test_generated_*.py"):
        old.unlink()
    for index in range(0, count, PER_FILE):
        n = min(PER_FILE, count - index)
        body = "".join(f"def test_{i}():\n    assert {i} + 1 == {i + 1}\n\n\n" for i in range(n))
        (tests / f"test_generated_{index // PER_FILE:04d}.py").write_text(body, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--baseline", type=Path, help="a folder holding another dht/ package")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    dht = dht_bin()
    if dht is None:
        raise SystemExit("needs dht on PATH (uv run python bench/bench_test.py)")
    work = Path(tempfile.mkdtemp(prefix="dht-bench-test-"))
    project = work / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".venv", ".dht", "__pycache__"))
    env = dict(os.environ)
    (work / "home").mkdir()
    plain_env = {**env, "PYTHONHASHSEED": "0", "TZ": "UTC", "HOME": str(work / "home")}
    python = str(project / ".venv" / "bin" / "python")
    base_env = {**env, "PYTHONPATH": str(args.baseline.resolve())} if args.baseline else env
    if args.baseline:  # byte-compiled, as dht_bin() does for this checkout
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.baseline)], check=True)
    base = [sys.executable, "-c", "from dht.fast import main; main()", "test", "-q"]
    rows = []
    try:
        timed([dht, "apply", "--no-probes"], project, env)
        for size in sizes:
            generate(project / "tests", size)
            ours = [dht, "test", "-q"]
            plain = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            timed(ours, project, env)  # warm-up: bytecode, page cache
            timed(plain, project, plain_env)
            if args.baseline:
                timed(base, project, base_env)
            a: list[tuple[float, float]] = []
            b: list[tuple[float, float]] = []
            c: list[tuple[float, float]] = []
            for _ in range(args.rounds):
                a.append(timed(ours, project, env))
                b.append(timed(plain, project, plain_env))
                if args.baseline:
                    c.append(timed(base, project, base_env))
            rows.append((size, _median(a), _median(b), _median(c) if c else None))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for label, k in (("wall time", 0), ("CPU time (user+sys)", 1)):
        print(f"\n{label}, {args.rounds} rounds, medians\n")
        extra = " | baseline | its overhead" if args.baseline else ""
        print(f"| tests | dht test | pytest | overhead | dht / pytest{extra} |")
        print("|---:|---:|---:|---:|---:" + ("|---:|---:|" if args.baseline else "|"))
        for size, ours, plain, other in rows:
            line = (f"| {size + 5:,} | {ours[k]:.2f} s | {plain[k]:.2f} s | {ours[k] - plain[k]:+.2f} s "
                    f"| {ours[k] / plain[k]:.2f}x |")  # fmt: skip
            if other is not None:
                line += f" {other[k]:.2f} s | {other[k] - plain[k]:+.2f} s |"
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
