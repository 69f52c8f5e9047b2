"""Benchmark `dht lock` against `uv pip compile` (and pip-compile) on the same work.

One invocation, alternating the tools round by round so machine noise hits
both alike; cold (empty cache) and warm (cache from the previous run) cases;
medians and ratios printed as a Markdown table. Not a test: nothing asserts.

    uv run python bench/bench_lock.py                 # real index (PyPI)
    uv run python bench/bench_lock.py --index URL     # any simple index
    uv run python bench/bench_lock.py --rounds 5 --no-pip-compile
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TOOLS = ("ruff", "black", "mypy", "pytest", "isort", "pre-commit", "coverage")
EXCLUDE_NEWER = "2026-11-20T00:00:00Z"
PYTHON = "3.11"
DHT_PLATFORM = "linux-x86_64"
UV_PLATFORM = "x86_64-manylinux_2_28"


def run(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    return elapsed


def dht_bin() -> str | None:
    """dht, with its modules and those a lock imports byte-compiled first, as an installed
    dht has them (`make setup` compiles them): the checkout is an editable install, and
    under PYTHONDONTWRITEBYTECODE an environment synced without compiling would make
    every timed run compile httpx, typer and the rest again (~0.2 s), which no user pays."""
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, dht.cli, dht.commands.lock, dht.compile.compiler, "
         "dht.compile.index; print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    folders = set()
    for name in imported:
        if name == "__main__":
            continue
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin and "site-packages" in spec.origin:
            origin = Path(spec.origin)
            folders.add(str(origin.parent if origin.name == "__init__.py" else origin))
    import dht

    folders.add(str(Path(dht.__file__).parent))
    subprocess.run([sys.executable, "-m", "compileall", "-q", *sorted(folders)], check=True)
    return bin_of("dht")


def set_up(doc: str, prefix: str) -> tuple[int, str, str, Path, dict[str, str]]:
    """What the apply benchmarks share: --rounds, dht and uv, a work folder, and an
    environment without the caller's uv/dht settings, with one uv cache for both sides."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    dht, uv = dht_bin(), bin_of("uv")
    if dht is None or uv is None:
        raise SystemExit("dht and uv must be installed (run `make setup`)")
    work = Path(tempfile.mkdtemp(prefix=prefix))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "DHT_", "VIRTUAL_ENV"))}
    env["UV_CACHE_DIR"] = str(work / "uv-cache")  # shared: both sides install from a warm cache
    return rounds, dht, uv, work, env


def bin_of(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


PIP_TOOLS = "pip-tools==7.6.2"


def pip_tools(uv: str, work: Path) -> str:
    """pip-compile in a virtual environment of its own: installed beside dht, its click
    would be imported by httpx on every dht run (+40 ms), which a user's dht never pays."""
    venv = work / "pip-tools"
    subprocess.run([uv, "venv", "--quiet", str(venv)], check=True)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(venv), PIP_TOOLS], check=True)
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / "pip-compile")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default="https://pypi.org/simple")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--no-pip-compile", action="store_true")
    args = parser.parse_args()
    tools = args.tools.split(",")

    work = Path(tempfile.mkdtemp(prefix="dht-bench-"))
    project = work / "project"
    project.mkdir()
    (project / "dht.toml").write_text(
        f'[project]\npython = "{PYTHON}"\n[targets]\nplatforms = ["{DHT_PLATFORM}"]\n'
        f'[index]\nurl = "{args.index}"\nexclude-newer = "{EXCLUDE_NEWER}"\n[tools]\n'
        + "".join(f'{t} = ""\n' for t in tools),
        encoding="utf-8",
    )
    (project / "requirements.in").write_text("\n".join(tools) + "\n", encoding="utf-8")

    dht = dht_bin()
    uv = bin_of("uv")
    if dht is None or uv is None:
        raise SystemExit("dht and uv must be installed (run `make setup`)")
    pip_compile = None if args.no_pip_compile else pip_tools(uv, work)

    def dht_cmd() -> list[str]:
        (project / "dht.lock").unlink(missing_ok=True)  # no pins to reuse: the same work as uv
        return [dht, "lock"]

    uv_cmd = [
        uv, "pip", "compile", "--quiet", "--generate-hashes", "--python-platform", UV_PLATFORM,
        "--python-version", PYTHON, "--exclude-newer", EXCLUDE_NEWER, "--index-url", args.index,
        "--no-config", "requirements.in", "-o", "uv-requirements.txt",
    ]  # fmt: skip
    pip_cmd = [
        pip_compile or "", "--quiet", "--generate-hashes", "--index-url", args.index,
        "--no-config", "--output-file", "pip-requirements.txt", "requirements.in",
    ]  # fmt: skip

    times: dict[str, list[float]] = {}
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "DHT_", "PIP_"))}
    for round_no in range(args.rounds):
        for name, make_cmd, cache_var in (
            ("dht", dht_cmd, "DHT_CACHE_DIR"),
            ("uv", lambda: uv_cmd, "UV_CACHE_DIR"),
        ):
            cache = work / f"cache-{name}-{round_no}"
            env = {**base_env, cache_var: str(cache)}
            times.setdefault(f"{name} cold", []).append(run(make_cmd(), project, env))
            times.setdefault(f"{name} warm", []).append(run(make_cmd(), project, env))
        if pip_compile and round_no == 0:
            # ~50x slower than uv: one cold run is enough to give the ratio.
            env = {**base_env, "PIP_CACHE_DIR": str(work / "cache-pip"), "PIP_CONSTRAINT": ""}
            times["pip-compile cold"] = [run(pip_cmd, project, env)]

    median = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"index: {args.index}; tools: {', '.join(tools)}; platform {DHT_PLATFORM}, Python {PYTHON}"
    )
    print(f"rounds: {args.rounds}; medians in seconds\n")
    print("| case | dht | uv | dht / uv |")
    print("|---|---:|---:|---:|")
    for case in ("cold", "warm"):
        d, u = median[f"dht {case}"], median[f"uv {case}"]
        print(f"| {case} cache | {d:.2f} | {u:.2f} | {d / u:.2f}x |")
    if "pip-compile cold" in median:
        p = median["pip-compile cold"]
        print(
            f"\npip-compile cold: {p:.2f} s ({p / median['uv cold']:.1f}x uv, {p / median['dht cold']:.1f}x dht)"
        )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
