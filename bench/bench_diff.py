"""`dht diff` and the lock reader at scale: two locks of N packages (one version bump in
ten), read and compared, timed at 1k, 10k and 100k packages. Linear growth is the goal:
the time per package stays flat. Prints a table; nothing here talks to an index.

    uv run python bench/bench_diff.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dht.model.lock import (  # noqa: E402
    LOCK_VERSION,
    Artifact,
    Hashes,
    Lock,
    LockIndex,
    Package,
    dumps,
    parse_lock,
)
from dht.review.diff import diff, render_text  # noqa: E402

FILES = "https://files.pythonhosted.org/packages/ab/cd"


def lock(n: int, bump: bool) -> Lock:
    packages = []
    for i in range(n):
        version = f"1.{i % 7}.{1 if bump and i % 10 == 0 else 0}"
        name = f"pkg-{i:06d}"
        filename = f"pkg_{i:06d}-{version}-py3-none-any.whl"
        parent = f"pkg-{i - 1:06d}=={version}" if i % 50 else "tools.root"
        packages.append(
            Package(
                name=name,
                version=version,
                environment="project",
                index="https://pypi.org/simple",
                targets=("linux-x86_64",),
                required_by=(parent,),
                wheels=(
                    Artifact(
                        name=filename,
                        url=f"{FILES}/{filename}",
                        size=1000 + i,
                        hashes=Hashes(sha256=f"{i:064x}"),
                        targets=("linux-x86_64",),
                    ),
                ),
            )
        )
    return Lock(
        lock_version=LOCK_VERSION,
        python="3.11.7",
        platforms=("linux-x86_64",),
        index=LockIndex(url="https://pypi.org/simple"),
        packages=tuple(packages),
    )


def timed(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def review(old: Lock, new: Lock) -> str:
    return render_text(diff(old, new))


def read_both(old_text: str, new_text: str) -> None:
    parse_lock(old_text)
    parse_lock(new_text)


def main() -> None:
    print("| packages | read both locks | diff + render | per 1k packages (read + diff) |")
    print("|---:|---:|---:|---:|")
    for n in (1_000, 10_000, 100_000):
        old_text, new_text = dumps(lock(n, False)), dumps(lock(n, True))
        rounds = 3 if n < 100_000 else 1
        read = timed(partial(read_both, old_text, new_text), rounds)
        old, new = parse_lock(old_text), parse_lock(new_text)
        compare = timed(partial(review, old, new), rounds)
        per = (read + compare) / n * 1000
        print(f"| {n:,} | {read:.2f} s | {compare:.2f} s | {per * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
