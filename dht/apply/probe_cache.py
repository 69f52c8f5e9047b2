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

from dht.apply import state
from dht.apply.probes import Probe, steady_env
from dht.apply.resources import dist_infos
from dht.process import clean_env
from dht.uvbackend import python_of, site_packages

CACHE = "probes.json"


# What one run has read of its environments, shared by its probes (tools in one
# environment share most of their closure): site-packages folder -> normalized name ->
# dist-info folder, and dist-info folder -> the digest of its files.
class Stats:
    def __init__(self) -> None:
        self.infos: dict[str, dict[str, list[str]]] = {}
        self.digests: dict[str, str] = {}


def _dist_digest(lib: str, info: str, seen: Stats) -> str:
    """The size and modification time of every file the distribution's RECORD lists (in
    RECORD's order: RECORD lists itself, so a rewritten RECORD moves the digest anyway)."""
    folder = f"{lib}/{info}"
    found = seen.digests.get(folder)
    if found is not None:
        return found
    digest = hashlib.sha256()
    try:
        with open(f"{folder}/RECORD", encoding="utf-8", errors="replace") as f:
            record = f.read()
    except OSError:
        digest.update(b"RECORD missing")
    else:
        stat = os.stat
        for line in record.splitlines():
            relative = line.split(",", 1)[0]
            if not relative or relative.endswith(".pyc"):
                continue
            try:
                st = stat(f"{lib}/{relative}")
                digest.update(f"{relative}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            except OSError:
                digest.update(f"{relative}\0missing\n".encode())
    found = seen.digests[folder] = digest.hexdigest()
    return found


def _dist_infos(lib: str, seen: Stats) -> dict[str, list[str]]:
    found = seen.infos.get(lib)
    if found is None:
        found = seen.infos[lib] = dist_infos(Path(lib))
    return found


def _installed_files(env: Path, dists: Iterable[str], seen: Stats | None = None) -> list[str]:
    """`dist-info digest` of each of the distributions, sorted (see _dist_digest)."""
    seen = Stats() if seen is None else seen
    out: list[str] = []
    for lib in map(str, site_packages(env)):
        infos = _dist_infos(lib, seen)
        for name in sorted(set(dists)):
            for info in infos.get(name, ()):  # a stale second dist-info counts too
                out.append(f"{info} {_dist_digest(lib, info, seen)}")
    return sorted(out)


def fingerprint(env: Path, dists: Iterable[str], probe: Probe, seen: Stats | None = None) -> str:
    """`seen`: what this run already read of the environment (files do not move
    between the probes of one run); a new Stats for each run."""
    python = python_of(env)
    real = os.path.realpath(python)
    try:
        st = os.stat(real)
        interpreter = f"{real} {st.st_size}:{st.st_mtime_ns}"
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
