"""What an earlier apply put on the machine that the lock no longer has.

Like Terraform's destroy of a removed resource, but only for what dht itself
created: isolated environments and their launchers, the activation scripts,
and config regions dht wrote into being. A config region that was there
before dht adopted it, or was edited by hand since, is left in place and only
stops being managed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from dht import platform
from dht.apply import managed, state
from dht.apply.paths import safe_path
from dht.apply.plan import Record, Status
from dht.apply.resources import (
    ConfigResource,
    EnvironmentResource,
    EnvScriptsResource,
    Receipts,
    Resource,
)
from dht.apply.shells import activation_files
from dht.errors import DhtError
from dht.uvbackend import bin_dir


class Leftover(msgspec.Struct, frozen=True):
    id: str
    kind: str
    reason: str
    path: Path | None = None  # a folder, link or file dht owns outright
    region: managed.Region | None = None  # a config region it wrote
    written: str | None = None  # the region's text as dht wrote it
    created: bool = False
    file_created: bool = False  # the file did not exist before dht wrote the region
    superseded: bool = False  # the entry lives on, managing another region now

    def record(self) -> Record:
        return Record(
            id=self.id,
            kind=self.kind,
            desired="absent (not in dht.lock)",
            observed="present",
            status=Status.DRIFTED,
            reason=self.reason,
            repair=f"dht apply --only {self.kind}",
        )

    def remove(self, root: Path, receipts: Receipts) -> str:
        if self.path is not None:
            if self.path.is_symlink() or self.path.is_file():
                self.path.unlink()
            else:
                import shutil  # here: only a removal needs it (start-up of a no-op)

                shutil.rmtree(self.path, ignore_errors=True)
            return "removed: not in dht.lock"
        assert self.region is not None
        entry = self.id.removeprefix("leftover:")
        try:
            # Compared by value: a region dht wrote and the user only reformatted is still dht's.
            unchanged = managed.read_region(root, self.region) is None or managed.region_holds(
                root, self.region, self.written or ""
            )
        except DhtError:
            unchanged = False  # unreadable now: not provably dht's text, so it stays
        if not self.created:
            action = "left in place (it was there before dht): no longer managed"
        elif not unchanged:
            action = "left in place (edited since dht wrote it): no longer managed"
        else:
            managed.remove_region(root, self.region)
            path = root / self.region.file
            if self.file_created and path.is_file() and not path.read_bytes().strip():
                path.unlink()  # dht made the file for this region alone
            action = "removed: not in dht.lock"
        if not self.superseded:
            receipts.forget(entry)  # a superseded entry's receipt is the new region's now
        return action


def find(root: Path, resources: Sequence[Resource], kinds: frozenset[str]) -> list[Leftover]:
    """Leftovers of the selected kinds (all when `kinds` is empty), in a stable order."""
    found: list[Leftover] = []
    if not kinds or "environment" in kinds:
        found += _environments(root, resources)
    if not kinds or "env" in kinds:
        found += _env_scripts(root, resources)
    if not kinds or "config" in kinds:
        found += _configs(root, resources)
    return found


def _environments(root: Path, resources: Sequence[Resource]) -> list[Leftover]:
    wanted = {r.path for r in resources if isinstance(r, EnvironmentResource)}
    envs = root / state.STATE / "envs"
    stale = sorted(
        p
        for p in envs.glob("*")
        if p.is_dir() and p not in wanted and not p.name.endswith((state.ASIDE, state.OLD))
    )
    links = []
    project_bin = bin_dir(root / ".venv")
    for link in sorted(project_bin.glob("*")) if project_bin.is_dir() else []:
        runs = platform.read_launcher(link, platform.current())
        if runs is not None:
            target = runs.resolve(strict=False)
            if any(env.resolve() in target.parents for env in stale):
                links.append(link)
    return [
        Leftover(f"leftover:{p.relative_to(root)}", "environment", "a tool the lock no longer has", path=p)
        for p in [*links, *stale]
    ]  # fmt: skip


def _env_scripts(root: Path, resources: Sequence[Resource]) -> list[Leftover]:
    if any(isinstance(r, EnvScriptsResource) for r in resources):
        return []
    folder = root / state.STATE
    return [
        Leftover(f"leftover:{state.STATE / name}", "env", "the lock has no [env] any more", path=folder / name)
        for name in sorted(activation_files({}, []))
        if (folder / name).is_file()
    ]  # fmt: skip


def _configs(root: Path, resources: Sequence[Resource]) -> list[Leftover]:
    wanted = {r.id: r.region for r in resources if isinstance(r, ConfigResource)}
    found = []
    for entry, record in sorted(Receipts(root).owned().items()):
        if not entry.startswith("config:"):
            continue
        region = _region(root, record)
        if region is None:
            continue  # a receipt dht cannot read back is not acted on
        now = wanted.get(entry)
        if now is not None and now == region:
            continue
        if now is not None and now.file == region.file:
            continue  # the same file, another kind of region: the new one replaces it
        found.append(
            Leftover(
                f"leftover:{entry}",
                "config",
                f"{region.file}"
                + (f" [{region.table}]" if region.table else "")
                + ": a config entry the lock no longer has",
                region=region,
                written=str(record.get("text", "")),
                created=record.get("created") is True,
                file_created=record.get("file-created") is True,
                superseded=now is not None,
            )
        )
    return found


def _region(root: Path, record: dict[str, Any]) -> managed.Region | None:
    file, fmt, table = record.get("file"), record.get("format"), record.get("table")
    if not isinstance(file, str) or fmt not in ("toml", "ini", "file"):
        return None
    if (fmt == "file") != (table is None) or not (table is None or isinstance(table, str)):
        return None
    try:
        safe_path(root, file, where="receipts")  # .dht/ is local, but never trusted blindly
    except DhtError:
        return None
    return managed.Region(file, fmt, table)
