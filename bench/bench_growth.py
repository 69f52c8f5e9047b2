"""How dht's cost grows with the number of tools (and platforms), against uv on the same work.

For 7, 25 and 50 tools, with one platform and with five, in one run, dht and uv
alternating round by round:
- lock, cold (empty caches) and warm (caches from the previous round, no dht.lock):
  `dht lock` vs `uv pip compile --generate-hashes`, once per platform for uv;
- no-op `dht apply` (probes trusted by their fingerprint) and no-op
  `dht verify --no-probes` on the host's lock vs `uv pip sync --dry-run` of the
  same closure.
Prints medians, ratios and the cost per added tool as Markdown tables. Needs the
real index (PyPI). Not a test: nothing asserts.

    uv run python bench/bench_growth.py [--rounds 3] [--sizes 7,25,50]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_apply import MORE, requirements_of
from bench_lock import EXCLUDE_NEWER, PYTHON, TOOLS, bin_of, dht_bin
from bench_lock import run as timed

PLATFORMS = {
    "linux-x86_64": "x86_64-manylinux_2_28",
    "linux-aarch64": "aarch64-manylinux_2_28",
    "macos-arm64": "aarch64-apple-darwin",
    "macos-x86_64": "x86_64-apple-darwin",
    "windows-x86_64": "x86_64-pc-windows-msvc",
}


def write_intent(root: Path, tools: list[str], platforms: list[str], python: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    names = ", ".join(f'"{p}"' for p in platforms)
    (root / "dht.toml").write_text(
        f'[project]\npython = "{python}"\n[targets]\nplatforms = [{names}]\n'
        f'[index]\nexclude-newer = "{EXCLUDE_NEWER}"\n[tools]\n'
        + "".join(f'{t} = ""\n' for t in tools),
        encoding="utf-8",
    )
    (root / "requirements.in").write_text("".join(f"{t}\n" for t in tools), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="7,25,50")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    dht, uv = dht_bin(), bin_of("uv")
    if dht is None or uv is None:
        raise SystemExit("dht and uv must be installed (run `make setup`)")
    work = Path(tempfile.mkdtemp(prefix="dht-bench-growth-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "DHT_", "VIRTUAL_ENV"))}
    host = subprocess.run(
        [sys.executable, "-c", "from dht.apply.machine import current_platform; print(current_platform())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    host_python = ".".join(map(str, sys.version_info[:3]))
    everything = [*TOOLS, *MORE]

    # One project per size for apply/verify: locked for this machine, applied, probed once.
    apply_env = {**base, "DHT_CACHE_DIR": str(work / "apply-dht-cache"),
                 "UV_CACHE_DIR": str(work / "apply-uv-cache")}  # fmt: skip
    applied: dict[int, tuple[Path, list[str]]] = {}
    for size in sizes:
        root = work / f"apply-{size}"
        write_intent(root, everything[:size], [host], host_python)
        timed([dht, "lock"], root, apply_env)
        timed([dht, "apply"], root, apply_env)
        sync = [uv, "pip", "sync", "--dry-run", "--quiet", "--python",
                str(root / ".venv/bin/python"), str(requirements_of(root))]  # fmt: skip
        applied[size] = (root, sync)

    times: dict[str, list[float]] = {}

    def add(key: str, value: float) -> None:
        times.setdefault(key, []).append(value)

    for round_no in range(args.rounds):
        for size in sizes:
            for count in (1, 5):
                platforms = [host, *(p for p in PLATFORMS if p != host)][:count]
                root = work / f"lock-{size}-{count}"
                write_intent(root, everything[:size], platforms, PYTHON)
                dht_env = {**base, "DHT_CACHE_DIR": str(work / f"dht-{size}-{count}-{round_no}")}
                uv_env = {**base, "UV_CACHE_DIR": str(work / f"uv-{size}-{count}-{round_no}")}
                uv_cmds = [
                    [uv, "pip", "compile", "--quiet", "--generate-hashes", "--python-platform",
                     PLATFORMS.get(p, PLATFORMS["linux-x86_64"]), "--python-version", PYTHON,
                     "--exclude-newer", EXCLUDE_NEWER, "--no-config", "requirements.in",
                     "-o", f"uv-{p}.txt"]
                    for p in platforms
                ]  # fmt: skip
                for case in ("cold", "warm"):
                    (root / "dht.lock").unlink(missing_ok=True)
                    add(f"lock {size} {count} {case} dht", timed([dht, "lock"], root, dht_env))
                    add(f"lock {size} {count} {case} uv",
                        sum(timed(c, root, uv_env) for c in uv_cmds))  # fmt: skip
            root, sync = applied[size]
            add(f"apply {size} dht", timed([dht, "apply"], root, apply_env))
            add(f"verify {size} dht", timed([dht, "verify", "--no-probes"], root, apply_env))
            add(f"sync {size} uv", timed(sync, root, apply_env))

    m = {k: statistics.median(v) for k, v in times.items()}
    print(f"rounds: {args.rounds}; medians in seconds; Python {PYTHON} for locks\n")
    print("| work | tools | dht | uv | dht / uv |")
    print("|---|---:|---:|---:|---:|")
    for count in (1, 5):
        for case in ("cold", "warm"):
            for size in sizes:
                d, u = m[f"lock {size} {count} {case} dht"], m[f"lock {size} {count} {case} uv"]
                where = f"{count} platform{'s' * (count > 1)}"
                print(f"| lock, {case}, {where} | {size} | {d:.2f} | {u:.2f} | {d / u:.2f}x |")
    for label, key in (("no-op apply", "apply"), ("no-op verify --no-probes", "verify")):
        for size in sizes:
            d, u = m[f"{key} {size} dht"], m[f"sync {size} uv"]
            print(
                f"| {label} vs uv pip sync --dry-run | {size} | {d:.2f} | {u:.2f} | {d / u:.2f}x |"
            )
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(f"\ncost per added tool, {first} -> {last} tools (ms):\n")
        print("| work | dht | uv |")
        print("|---|---:|---:|")
        per = last - first
        rows = [(f"lock, {case}, {count} platform{'s' * (count > 1)}",
                 f"lock {{}} {count} {case} dht", f"lock {{}} {count} {case} uv")
                for count in (1, 5) for case in ("cold", "warm")]  # fmt: skip
        rows += [("no-op apply", "apply {} dht", "sync {} uv"),
                 ("no-op verify --no-probes", "verify {} dht", "sync {} uv")]  # fmt: skip
        for label, d_key, u_key in rows:
            d = (m[d_key.format(last)] - m[d_key.format(first)]) / per * 1000
            u = (m[u_key.format(last)] - m[u_key.format(first)]) / per * 1000
            print(f"| {label} | {d:.1f} | {u:.1f} |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
