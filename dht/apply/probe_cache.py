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
from dht.apply.probes import DROPPED_ENV, Probe
from dht.process import clean_env
from dht.uvbackend import python_of, site_packages

CACHE = "probes.json"


def _stat(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}"


def _installed_files(env: Path, dists: Iterable[str]) -> list[str]:
    """`path size:mtime` of every file the distributions' RECORDs list, sorted."""
    wanted = set(dists)
    out: list[str] = []
    for lib in site_packages(env):
        for info in sorted(lib.glob("*.dist-info")):
            name = canonicalize_name(info.name.removesuffix(".dist-info").rsplit("-", 1)[0])
            if name not in wanted:
                continue
            try:
                record = (info / "RECORD").read_text(encoding="utf-8", errors="replace")
            except OSError:
                out.append(f"{info.name}/RECORD missing")
                continue
            for line in record.splitlines():
                relative = line.split(",", 1)[0]
                if relative and not relative.endswith(".pyc"):
                    out.append(f"{relative} {_stat(lib / relative)}")
    return sorted(out)


def fingerprint(env: Path, dists: Iterable[str], probe: Probe) -> str:
    python = python_of(env)
    try:
        interpreter = f"{os.path.realpath(python)} {_stat(Path(os.path.realpath(python)))}"
    except OSError:
        interpreter = "missing"
    base = {k: v for k, v in clean_env().items() if k not in DROPPED_ENV}
    identity = {
        "files": _installed_files(env, dists),
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
