"""Benchmark `dht build` and `dht test` against the plain tools doing the same work.

In one run, alternating round by round:
- `dht build` (a clean copy, SOURCE_DATE_EPOCH) vs `uv build --sdist --wheel` of
  this repository (hatchling), uv's cache warm for both;
- `dht build --reproducible` (two builds under varied conditions, compared) vs two
  `uv build` runs;
- `dht test` (sandbox copy, network namespace, JUnit normalization) vs
  `python -m pytest` in the example project's locked `.venv`.
Prints medians and ratios as a Markdown table. `dht apply` runs first in example/
(the real index, PyPI, unless its environment is already in place).

    uv run python bench/bench_sandbox.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from bench_lock import bin_of, dht_bin
from bench_lock import run as timed

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    dht, uv = dht_bin(), bin_of("uv")
    if dht is None or uv is None:
        raise SystemExit("needs dht and uv on PATH (uv run python bench/bench_sandbox.py)")
    env = dict(os.environ)
    timed([dht, "apply", "--no-probes"], EXAMPLE, env)
    python = str(EXAMPLE / ".venv" / "bin" / "python")

    work = Path(tempfile.mkdtemp(prefix="dht-bench-sandbox-"))
    out = work / "out"
    (work / "home").mkdir()
    # Plain pytest with what the example's tests need to pass: the same work, no sandbox.
    plain_env = {**env, "PYTHONPATH": str(EXAMPLE / "src"), "PYTHONHASHSEED": "0", "TZ": "UTC",
                 "HOME": str(work / "home")}  # fmt: skip
    cases: dict[str, tuple[list[str], Path, dict[str, str]]] = {
        # The build against the build: verification (dht verify-build) is not uv's work.
        "dht build": ([dht, "build", "--no-verify", "--out-dir", str(out)], ROOT, env),
        "uv build": ([uv, "build", "--sdist", "--wheel", "--out-dir", str(out)], ROOT, env),
        "dht build --reproducible": ([dht, "build", "--reproducible", "--no-verify"], ROOT, env),
        "dht test": ([dht, "test", "-q"], EXAMPLE, env),
        "pytest": ([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], EXAMPLE, plain_env),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    try:
        for argv, cwd, case_env in cases.values():  # warm-up: uv's cache, build environments
            timed(argv, cwd, case_env)
        for _ in range(args.rounds):
            for name, (argv, cwd, case_env) in cases.items():
                shutil.rmtree(out, ignore_errors=True)
                times[name].append(timed(argv, cwd, case_env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(EXAMPLE / ".pytest-tmp", ignore_errors=True)

    m = {name: statistics.median(values) for name, values in times.items()}
    print(f"\n{args.rounds} rounds, medians\n")
    print("| case | dht | plain | dht / plain |")
    print("|---|---:|---:|---:|")
    rows = [
        ("build (sdist + wheel)", "dht build", "uv build", 1),
        ("reproducible check vs two builds", "dht build --reproducible", "uv build", 2),
        ("tests of the example project", "dht test", "pytest", 1),
    ]
    for label, ours, plain, times_plain in rows:
        base = m[plain] * times_plain
        print(f"| {label} | {m[ours]:.2f} s | {base:.2f} s | {m[ours] / base:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
