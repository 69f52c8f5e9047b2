"""Verified once, trusted until something changes: a passing probe is recorded with a
fingerprint of what it verified, so a no-op apply checks the fingerprint instead of
running the tool again.

The fingerprint covers the tool's installed files as its packages' RECORDs list them
(path, size and modification time of each: a reinstall, an upgrade or a hand edit moves
them), the interpreter (its resolved path and the same stat), the probe itself (argv,
files, expectations) and the environment it runs with (dht's clean environment, without
the private folders each run gets). A failing probe is never recorded: it runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.utils import canonicalize_name

from dht.apply import state
from dht.apply.probes import Probe, steady_env
from dht.process import clean_env
from dht.uvbackend import python_of, site_packages

CACHE = "probes.json"


def _stat(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}"


# One distribution's `path size:mtime` lines, by its dist-info folder: shared by the
# probes of one run (tools in one environment share most of their closure).
Stats = dict[str, list[str]]


def _dist_files(lib: str, info: str, seen: Stats) -> list[str]:
    folder = os.path.join(lib, info)
    found = seen.get(folder)
    if found is not None:
        return found
    try:
        with open(os.path.join(folder, "RECORD"), encoding="utf-8", errors="replace") as f:
            record = f.read()
    except OSError:
        found = [f"{info}/RECORD missing"]
    else:
        found = []
        for line in record.splitlines():
            relative = line.split(",", 1)[0]
            if relative and not relative.endswith(".pyc"):
                found.append(f"{relative} {_stat(os.path.join(lib, relative))}")
    seen[folder] = found
    return found


def _installed_files(env: Path, dists: Iterable[str], seen: Stats | None = None) -> list[str]:
    """`path size:mtime` of every file the distributions' RECORDs list, sorted."""
    wanted = set(dists)
    seen = {} if seen is None else seen
    out: list[str] = []
    for lib in site_packages(env):
        try:
            infos = sorted(
                n for n in os.listdir(lib) if n.endswith(".dist-info") and not n.startswith(".")
            )
        except OSError:
            continue
        for info in infos:
            name = canonicalize_name(info.removesuffix(".dist-info").rsplit("-", 1)[0])
            if name in wanted:
                out.extend(_dist_files(str(lib), info, seen))
    return sorted(out)


def fingerprint(env: Path, dists: Iterable[str], probe: Probe, seen: Stats | None = None) -> str:
    """`seen`: what this run already read of the environment (files do not move
    between the probes of one run); a new dict for each run."""
    python = python_of(env)
    try:
        interpreter = f"{os.path.realpath(python)} {_stat(os.path.realpath(python))}"
    except OSError:
        interpreter = "missing"
    base = steady_env(clean_env())
    identity = {
        "files": _installed_files(env, dists, seen),
        "interpreter": interpreter,
        "probe": [list(probe.argv), sorted(probe.files.items()), repr(probe.expect_code),
                  probe.expect_output, sorted(probe.expect_files.items())],
        "env": sorted(base.items()),
    }  # fmt: skip
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


class ProbeCache:
    def __init__(self, root: Path) -> None:
        self.path = state.state_dir(root) / CACHE
        data = state.read_json(self.path) or {}
        self.entries: dict[str, str] = {
            k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)
        }

    def trusted(self, entry: str, print_: str) -> bool:
        return self.entries.get(entry) == print_

    def update(self, results: Mapping[str, str | None]) -> None:
        """Record passing probes (entry -> fingerprint), forget failing ones (None)."""
        changed = False
        for entry, print_ in results.items():
            if print_ is None:
                changed |= self.entries.pop(entry, None) is not None
            elif self.entries.get(entry) != print_:
                self.entries[entry] = print_
                changed = True
        if changed:
            state.write_json(self.path, dict(sorted(self.entries.items())))
