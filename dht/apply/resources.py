"""Entry kinds behind one small interface: probe (read the machine), desired
content and fingerprint (from the lock), apply (change the machine).

Kinds: `environment` (the project's .venv and each isolated tool's own), `tool`
(a locked tool inside its environment: version, console scripts, probe),
`launcher` (an isolated tool's commands in the project's bin), `env` (the
activation scripts), `config` (a managed table, section or file).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import msgspec

from dht import platform
from dht.apply import managed, shells, state
from dht.apply.plan import Observed, Status, Verdict
from dht.model.names import canonical_name
from dht.model.regions import Change, summary
from dht.uvbackend import Wheel, bin_dir, create_venv, install, python_of, site_packages, uninstall


class Resource(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...
    def desired(self) -> Mapping[str, str]: ...
    def summary(self) -> str: ...
    def probe(self) -> Observed: ...
    def apply(self, scratch: Path) -> str: ...  # what it did, in a few words


def _hash(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


# Python environments


def installed(env: Path) -> dict[str, str]:
    """name -> version of every distribution in the environment, from its metadata."""
    found: dict[str, str] = {}
    libs = site_packages(env)
    for lib in libs:
        for meta in sorted(lib.glob("*.dist-info/METADATA")):
            name = version = None
            try:
                with meta.open(encoding="utf-8", errors="replace") as handle:
                    for line in handle:
                        if line.startswith("Name:"):
                            name = line[5:].strip()
                        elif line.startswith("Version:"):
                            version = line[8:].strip()
                        if (name and version) or not line.strip():
                            break
            except OSError:
                continue
            if name and version:
                found[canonical_name(name)] = version
    return found


def console_scripts(env: Path, dist: str) -> list[str]:
    """The commands a distribution installs, sorted: its console scripts (entry_points.txt)
    and the programs its wheel puts in the environment's bin itself (RECORD), as ruff's
    and uv's binaries are."""
    if _observed is None:
        return _console_scripts(env, dist)
    found = _observed.get((env, dist))
    if found is None:
        found = _observed[(env, dist)] = _console_scripts(env, dist)
    return list(found)


def _console_scripts(env: Path, dist: str) -> list[str]:
    names: set[str] = set()
    here = bin_dir(env).resolve()
    for lib in site_packages(env):
        for folder in dist_infos(lib).get(dist, ()):
            info = lib / folder
            names.update(_entry_point_scripts(info / "entry_points.txt"))
            names.update(_bin_files(info / "RECORD", lib, here))
    return sorted(names)


def dist_infos(lib: Path) -> dict[str, list[str]]:
    """Normalized name -> its .dist-info folders in one site-packages (sorted; a stale
    second one of the same name is listed too). Hidden names are not distributions."""
    try:
        names = sorted(n for n in os.listdir(lib) if n.endswith(".dist-info"))
    except OSError:
        return {}
    found: dict[str, list[str]] = {}
    for folder in names:
        if not folder.startswith("."):
            name = canonical_name(folder.removesuffix(".dist-info").rsplit("-", 1)[0])
            found.setdefault(name, []).append(folder)
    return found


def _entry_point_scripts(path: Path) -> list[str]:
    if not path.exists():
        return []
    names, section = [], ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[console_scripts]" and "=" in line:
            names.append(line.split("=", 1)[0].strip())
    return names


def _bin_files(record: Path, lib: Path, here: Path) -> list[str]:
    try:
        text = record.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    names = []
    for line in text.splitlines():
        relative = line.split(",", 1)[0]
        if not relative.startswith(".."):
            continue  # files inside site-packages
        target = (lib / relative).resolve(strict=False)
        if target.parent == here:
            name = target.name
            names.append(platform.script_name(name, platform.current()))
    return names


def _python_version(env: Path) -> str | None:
    try:
        for line in (env / "pyvenv.cfg").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version_info", "version"):
                return value.strip()
    except OSError:
        return None
    return None


RECEIPT = "dht-receipt.json"


PYTHON_KEY = "Python"  # in an environment's content, beside package names (which are lowercase)

# Environments observed while nothing is being changed (see `observing`): each tool in
# an environment probes it, and a no-op apply of 50 tools would read every METADATA 150 times.
# Keyed by (environment, ""), and by (environment, distribution) for its commands.
_observed: dict[tuple[Path, str], Any] | None = None


@contextlib.contextmanager
def observing() -> Iterator[dict[tuple[Path, str], Any]]:
    """Within the block, an environment is observed once; the caller clears the returned
    dict before and after anything that may change an environment."""
    global _observed
    outer, _observed = _observed, {}
    try:
        yield _observed
    finally:
        _observed = outer


class EnvironmentResource(msgspec.Struct):
    name: str  # "project" or the isolated tool's name
    path: Path
    python: str  # "3.11.7" (a lock from before exact pins may say "3.11")
    wheels: Sequence[tuple[Wheel, str]]  # (artifact, version)
    download: str | None = None  # uv's key for this platform's build of `python`
    kind: str = "environment"

    @property
    def id(self) -> str:
        return f"environment:{self.name}"

    @property
    def fingerprint(self) -> str:
        return _hash(
            {"python": self.python, "wheels": sorted((w.name, v, w.sha256) for w, v in self.wheels)}
        )

    def packages(self) -> dict[str, str]:
        return {canonical_name(w.name): v for w, v in self.wheels}

    def desired(self) -> Mapping[str, str]:
        return {PYTHON_KEY: self.python, **self.packages()}

    def summary(self) -> str:
        return f"Python {self.python}, {len(self.wheels)} packages"

    def _python_matches(self, version: str | None) -> bool:
        return version is not None and (
            version == self.python
            or (self.python.count(".") == 1 and version.startswith(self.python + "."))
        )

    def probe(self) -> Observed:
        if _observed is None:
            return self._probe()
        found: Observed | None = _observed.get((self.path, ""))
        if found is None:
            found = _observed[(self.path, "")] = self._probe()
        return found

    def _probe(self) -> Observed:
        if not (self.path / "pyvenv.cfg").exists():
            return Observed(present=False)
        receipt = state.read_json(self.path / RECEIPT) or {}
        problems = []
        python = python_of(self.path)
        if not python.exists():  # exists() follows the link: a dangling one is gone too
            problems.append(f"its interpreter {python.relative_to(self.path)} is missing")
        version = _python_version(self.path)
        content = installed(self.path)
        if self.shared:
            # Packages dht does not manage (uv sync of other groups, pip install) live here too: not drift.
            wanted = self.desired()
            content = {name: v for name, v in content.items() if name in wanted}
        # An environment on another Python is drift with one repair: rebuild it on the locked one.
        content[PYTHON_KEY] = self.python if self._python_matches(version) else (version or "?")
        return Observed(
            present=True,
            receipt=receipt.get("fingerprint")
            if isinstance(receipt.get("fingerprint"), str)
            else None,
            content=content,
            problems=tuple(problems),
        )

    @property
    def shared(self) -> bool:
        return self.name == "project"

    def apply(self, scratch: Path) -> str:
        """Build aside, then swap in: a failed build leaves the previous environment working.

        The shared project environment is repaired in place while its interpreter is
        right, so packages dht does not manage there (the project's own) survive."""
        if self.shared and (self.path / "pyvenv.cfg").exists():
            observed = self.probe()
            if not observed.problems and observed.content.get(PYTHON_KEY) == self.python:
                previous = (state.read_json(self.path / RECEIPT) or {}).get("packages", {})
                dropped = sorted(
                    n for n in previous if isinstance(n, str) and n not in self.packages()
                )
                uninstall(self.path, dropped)  # what dht put here before and the lock no longer has
                install(self.path, [w for w, _ in self.wheels], scratch)
                state.crash_point("installed-in-place")
                receipt = {
                    "fingerprint": self.fingerprint,
                    "packages": self.packages(),
                    "python": self.python,
                }
                state.write_json(self.path / RECEIPT, receipt)
                return f"installed {len(self.wheels)} packages in place"
        if (
            self.path.is_dir()
            and not (self.path / "pyvenv.cfg").exists()
            and any(self.path.iterdir())
        ):
            from dht.errors import DhtError

            raise DhtError(
                f"{self.path.name} exists and is not a virtual environment (no pyvenv.cfg)",
                hint=f"dht replaces only virtual environments: move {self.path.name} away, then `dht apply`",
            )
        was = _python_version(self.path) if (self.path / "pyvenv.cfg").exists() else None
        aside = self.path.with_name(self.path.name + state.ASIDE)
        if aside.exists():
            import shutil  # here: only a removal needs it (start-up of a no-op)

            shutil.rmtree(aside)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        create_venv(aside, self._interpreter())
        state.crash_point("venv-created")
        install(aside, [w for w, _ in self.wheels], scratch)
        state.crash_point("installed")
        receipt = {
            "fingerprint": self.fingerprint,
            "packages": self.packages(),
            "python": self.python,
        }
        state.write_json(aside / RECEIPT, receipt)
        state.crash_point("before-swap")
        state.swap_in(aside, self.path)
        if was is not None and not self._python_matches(was):
            return f"rebuilt on Python {self.python} (was {was}) with {len(self.wheels)} packages"
        return f"built with {len(self.wheels)} packages"

    def _interpreter(self) -> str:
        if self.python.count(".") != 2:
            return self.python  # a lock from before exact pins: any patch of the minor
        from dht.apply.interpreter import find_interpreter

        return find_interpreter(self.python, self.download)


class ToolResource(msgspec.Struct):
    """A tool inside its environment: the locked version, its commands, its probe."""

    name: str
    version: str
    env: EnvironmentResource
    closure: frozenset[str] = frozenset()  # its packages in env: only their change is its change
    probe_problems: list[str] = msgspec.field(default_factory=list)  # filled by the verify phase
    kind: str = "tool"

    @property
    def id(self) -> str:
        return f"tool:{self.name}"

    def _mine(self, packages: Mapping[str, object]) -> dict[str, object]:
        return {n: v for n, v in packages.items() if n in self.closure or n == self.name}

    @property
    def fingerprint(self) -> str:
        return _hash({"python": self.env.python, "packages": self._mine(self.env.packages())})

    def _receipt(self) -> str | None:
        """The fingerprint of what the environment's last apply installed for this tool: the
        same as `fingerprint` unless one of the tool's own packages moved in the lock."""
        receipt = state.read_json(self.env.path / RECEIPT) or {}
        packages = receipt.get("packages")
        if not isinstance(receipt.get("fingerprint"), str) or not isinstance(packages, dict):
            return None
        if receipt["fingerprint"] == self.env.fingerprint:
            return self.fingerprint
        return _hash({"python": receipt.get("python"), "packages": self._mine(packages)})

    def desired(self) -> Mapping[str, str]:
        return {self.name: self.version}

    def summary(self) -> str:
        return f"{self.name} {self.version}"

    def probe(self) -> Observed:
        env = self.env.probe()
        if not env.present:
            return Observed(present=False)
        have = env.content.get(self.name)
        problems = list(self.probe_problems)
        if have is not None:
            for script in console_scripts(self.env.path, self.name):
                if not _script(self.env.path, script).exists():
                    problems.append(f"command {script} is missing")
        return Observed(
            present=True,
            receipt=self._receipt() if env.receipt is not None else None,
            content={self.name: have} if have else {},
            problems=tuple(problems),
        )

    def apply(self, scratch: Path) -> str:
        return self.env.apply(scratch)


def _script(env: Path, name: str) -> Path:
    return platform.executable(env, name, platform.current())


def dist_info(env: Path, dist: str) -> Path | None:
    """The .dist-info folder of a distribution in the environment, by normalized name."""
    for lib in site_packages(env):
        for folder in dist_infos(lib).get(dist, ()):
            return lib / folder
    return None


EDITABLE_HERE = "editable from this folder"


def install_origin(info: Path, root: Path) -> str:
    """Where an installed distribution came from, as PEP 610's direct_url.json says."""
    data = state.read_json(info / "direct_url.json")
    if not isinstance(data, dict):
        return "installed from an index"
    url = data.get("url")
    where = _file_path(url) if isinstance(url, str) else None
    dir_info = data.get("dir_info")
    if isinstance(dir_info, dict) and where is not None:
        here = where == root.resolve()
        if dir_info.get("editable"):
            return EDITABLE_HERE if here else f"editable from {where}"
        return "installed (not editable) from this folder" if here else f"installed from {where}"
    return f"installed from {url}" if isinstance(url, str) else "installed from an index"


def _file_path(url: str) -> Path | None:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    path = platform.file_url_path(unquote(parsed.path), platform.current())
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path)


class ProjectResource(msgspec.Struct):
    """The project itself, installed editable from its folder into the shared environment,
    built with the lock's own build requirements (hash-checked build constraints)."""

    root: Path
    name: str
    env: EnvironmentResource
    build: Sequence[Wheel]  # the locked build requirements for this platform
    entry: Mapping[str, object]  # the lock's project table: a change reinstalls
    receipts: Receipts
    kind: str = "project"

    @property
    def id(self) -> str:
        return f"project:{self.name}"

    @property
    def fingerprint(self) -> str:
        return _hash(
            {
                "project": self.entry,
                "build": sorted((w.name, w.version, w.sha256) for w in self.build),
            }
        )

    def desired(self) -> Mapping[str, str]:
        return {self.name: EDITABLE_HERE}

    def summary(self) -> str:
        return f"{self.name}, editable from this folder"

    def probe(self) -> Observed:
        if not (self.env.path / "pyvenv.cfg").exists():
            return Observed(present=False)
        info = dist_info(self.env.path, self.name)
        if info is None:
            return Observed(present=False)
        origin = install_origin(info, self.root)
        receipt = self.receipts.get(self.id)
        if receipt is None and origin == EDITABLE_HERE:
            # Put there by `uv sync` or `pip install -e .`: the same thing, so adopted.
            receipt = self.fingerprint
        return Observed(present=True, receipt=receipt, content={self.name: origin})

    def apply(self, scratch: Path) -> str:
        from dht.uvbackend import index_options, requirement_lines, run_cache_first, uv_bin

        constraints = scratch / "build-constraints.txt"
        constraints.write_text(requirement_lines(self.build), encoding="utf-8")
        argv = [
            uv_bin(), "pip", "install", "--quiet", "--python", str(python_of(self.env.path)),
            "--no-deps", "--no-config", "--reinstall-package", self.name,
            "--build-constraints", str(constraints), *index_options(self.build),
            "--editable", str(self.root),
        ]  # fmt: skip
        run_cache_first(argv)
        state.crash_point("project-installed")
        self.receipts.set(self.id, self.fingerprint)
        return "installed editable from this folder"


class LauncherResource(msgspec.Struct):
    """An isolated tool's commands in the project environment's bin, made the way the OS
    runs them (dht.platform.launcher: relative symlinks, `.cmd` shims on Windows)."""

    tool: str
    tool_env: EnvironmentResource
    project_env: EnvironmentResource
    kind: str = "launcher"

    @property
    def id(self) -> str:
        return f"launcher:{self.tool}"

    @property
    def fingerprint(self) -> str:
        return _hash({"env": self.tool_env.fingerprint, "tool": self.tool})

    def plans(self) -> dict[str, platform.Launcher]:
        return {
            script: platform.launcher(
                script, self.tool_env.path, self.project_env.path, platform.current()
            )
            for script in console_scripts(self.tool_env.path, self.tool)
        }

    def _links(self) -> dict[str, str]:
        return {script: plan.target for script, plan in self.plans().items()}

    def desired(self) -> Mapping[str, str]:
        return self._links()

    def summary(self) -> str:
        return f"{self.tool}'s commands in {self.project_env.path.name}"

    def probe(self) -> Observed:
        here = bin_dir(self.project_env.path)
        found = {}
        plans = self.plans()
        for script, plan in plans.items():
            target = platform.launcher_in_place(plan, here / plan.name)
            if target is not None:
                found[script] = target
        desired = self._links()
        present = bool(found) or not desired
        return Observed(
            present=present, receipt=self.fingerprint if present else None, content=found
        )

    def apply(self, scratch: Path) -> str:
        here = bin_dir(self.project_env.path)
        here.mkdir(parents=True, exist_ok=True)
        plans = self.plans()
        for plan in plans.values():
            temp = here / f".{plan.name}{state.ASIDE}"
            temp.unlink(missing_ok=True)
            platform.make_launcher(plan, temp)
            os.replace(temp, here / plan.name)
        return f"linked {', '.join(plans) or 'nothing'}"


# Files: activation scripts and config blobs. Their receipts live in .dht/state.


class Receipts:
    def __init__(self, root: Path) -> None:
        self.path = state.state_dir(root) / "receipts.json"

    def get(self, entry: str) -> str | None:
        value = (state.read_json(self.path) or {}).get(entry)
        return value if isinstance(value, str) else None

    def set(self, entry: str, fingerprint: str) -> None:
        data = state.read_json(self.path) or {}
        if data.get(entry) != fingerprint:
            data[entry] = fingerprint
            state.write_json(self.path, data)

    # What dht wrote for an entry that can outlive it in the lock (a config
    # region): enough to take it out again, and whether dht created it.

    def owned(self) -> dict[str, dict[str, Any]]:
        data = (state.read_json(self.path) or {}).get(OWNED)
        return (
            {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}
        )

    def set_owned(self, entry: str, record: dict[str, Any]) -> None:
        data = state.read_json(self.path) or {}
        owned = _owned_of(data)
        if owned.get(entry) != record:
            data[OWNED] = {**owned, entry: record}
            state.write_json(self.path, data)

    def forget(self, entry: str) -> None:
        data = state.read_json(self.path) or {}
        owned = _owned_of(data)
        if entry in data or entry in owned:
            data.pop(entry, None)
            data[OWNED] = {k: v for k, v in owned.items() if k != entry}
            state.write_json(self.path, data)


OWNED = "owned"  # a key of receipts.json no entry id can take (ids have a colon)


def _owned_of(data: dict[str, Any]) -> dict[str, Any]:
    owned = data.get(OWNED)
    return owned if isinstance(owned, dict) else {}


class EnvScriptsResource(msgspec.Struct):
    root: Path
    values: Mapping[str, str]
    path_prepend: Sequence[Path]
    receipts: Receipts
    kind: str = "env"
    id: str = "env"

    @property
    def folder(self) -> Path:
        return self.root / state.STATE

    @property
    def fingerprint(self) -> str:
        return _hash({"values": dict(self.values), "path": [str(p) for p in self.path_prepend]})

    def _texts(self) -> dict[str, bytes]:
        return shells.activation_files(self.values, self.path_prepend)

    def desired(self) -> Mapping[str, str]:
        return {name: hashlib.sha256(data).hexdigest()[:12] for name, data in self._texts().items()}

    def summary(self) -> str:
        return f"{len(self.values)} variables in .dht/activate.*"

    def probe(self) -> Observed:
        found = {}
        for name in self._texts():
            path = self.folder / name
            if path.exists():
                found[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return Observed(present=bool(found), receipt=self.receipts.get(self.id), content=found)

    def apply(self, scratch: Path) -> str:
        shells.write_activation_scripts(self.folder, self.values, self.path_prepend)
        self.receipts.set(self.id, self.fingerprint)
        return "wrote .dht/activate.sh, .fish, .ps1"


class ConfigResource(msgspec.Struct):
    """A managed region. In sync when it holds the lock's values, whatever its layout,
    comments or quoting; drift and repairs are told key by key."""

    root: Path
    name: str
    region: managed.Region
    values: Mapping[str, object] | str
    fingerprint: str
    receipts: Receipts
    kind: str = "config"

    IN_SYNC = "as locked"

    @property
    def id(self) -> str:
        return f"config:{self.name}"

    def desired(self) -> Mapping[str, str]:
        return {self.region.file: self.IN_SYNC}

    def summary(self) -> str:
        where = f" [{self.region.table}]" if self.region.table else ""
        return f"{self.region.file}{where}"

    def changes(self) -> list[Change] | None:
        return managed.region_changes(self.root, self.region, self.values)

    def probe(self) -> Observed:
        found = self.changes()
        if found is None:
            return Observed(present=False)
        if not found:
            # The locked values are there: in sync, whether or not dht wrote them.
            return Observed(
                present=True, receipt=self.fingerprint, content={self.region.file: self.IN_SYNC}
            )
        return Observed(
            present=True,
            receipt=self.receipts.get(self.id),
            content={self.region.file: summary(found)},
        )

    def reason(self, verdict: Verdict) -> str:
        """What differs, key by key: the value on disk -> the locked one."""
        found = self.changes() or []
        if self.region.format == "file":
            told = "\n" + managed.region_diff(self.root, self.region, self.values)
        else:
            told = summary(found)
        if verdict.status == Status.CHANGED:
            return f"{verdict.reason}: {told}" if told.strip() else verdict.reason
        if self.receipts.get(self.id) is None:
            return f"not as locked: {told}"  # dht never wrote it: no telling who changed it
        return f"edited by hand: {told}"

    def apply(self, scratch: Path) -> str:
        before = self.receipts.owned().get(self.id)
        file_existed = os.path.lexists(self.root / self.region.file)
        result = managed.repair_region(self.root, self.region, self.values)
        state.crash_point("config-written")
        self._record(before, created=result.created, file_created=not file_existed)
        if not result.wrote:
            return "adopted (already as locked)"
        if result.created or self.region.format == "file":
            return "wrote the managed region"
        return "repaired: " + summary(result.changes)

    def adopt(self) -> str | None:
        """Record an entry found in sync but never applied as dht's (it writes nothing):
        a later lock change then shows as one, and removing the entry leaves the region
        in place. None when it is recorded already."""
        if self.receipts.get(self.id) is not None:
            return None
        self._record(self.receipts.owned().get(self.id), created=False, file_created=False)
        return "adopted (already as locked)"

    def _record(self, before: dict[str, Any] | None, *, created: bool, file_created: bool) -> None:
        if before is not None and (
            before.get("file"),
            before.get("format"),
            before.get("table"),
        ) != (self.region.file, self.region.format, self.region.table):
            before = None  # another region under the same name (table <-> file): a new entry
        self.receipts.set(self.id, self.fingerprint)
        self.receipts.set_owned(
            self.id,
            {
                "file": self.region.file,
                "format": self.region.format,
                "table": self.region.table,
                # Only a region dht created is removed with its entry; an adopted one stays.
                "created": bool(before["created"]) if before else created,
                "file-created": bool(before.get("file-created")) if before else file_created,
                "text": managed.desired_text(self.region, self.values),
            },
        )


class SystemResource(msgspec.Struct):
    """A system dependency, installed and checked with the machine's package manager."""

    dep_id: str
    system: str  # the lock's system this machine matched, e.g. debian+12; "" when none did
    packages: tuple[str, ...] | None  # None: the lock says it is unavailable here
    receipts: Receipts
    declared: tuple[str, ...] = ()
    version: str | None = None  # the exact version the lock pins here
    kind: str = "system"

    @property
    def id(self) -> str:
        return f"system:{self.dep_id}"

    @property
    def manager(self) -> Any:
        from dht.apply.system import manager_for

        return manager_for(self.system)

    @property
    def fingerprint(self) -> str:
        return _hash(
            {"system": self.system, "packages": list(self.packages or ()), "version": self.version}
        )

    def desired(self) -> Mapping[str, str]:
        return {p: self.version or "installed" for p in self.packages or ()}

    def summary(self) -> str:
        if not self.system:
            return "no system of the lock matches this machine"
        if self.packages is None:
            return f"unavailable on {self.system}"
        return f"{' '.join(self.packages) or 'nothing'} ({self.manager.name})"

    def probe(self) -> Observed:
        if not self.system:
            problem = f"this machine is none of the lock's systems ({', '.join(self.declared)})"
            return Observed(present=True, receipt=self.fingerprint, problems=(problem,))
        if not self.packages:
            return Observed(present=True, receipt=self.fingerprint)
        found = self.manager.installed(self.packages)
        content = {
            p: (version if self.version else "installed")
            for p, version in found.items()
            if version is not None
        }
        receipt = self.receipts.get(self.id)
        if receipt is None and len(content) < len(self.packages):
            # Never fully installed by dht: missing, not drifted.
            return Observed(present=False)
        return Observed(present=True, receipt=receipt or self.fingerprint, content=content)

    def install_commands(self) -> list[list[str]]:
        from dht.apply.system import install_commands

        return install_commands(self.manager, list(self.packages or ()), self.version)

    def repair(self) -> str:
        if not self.system:
            return "add this machine's system (ID+VERSION_ID of /etc/os-release) to targets.systems; run `dht lock`"
        commands = self.install_commands()
        if hasattr(os, "geteuid") and os.geteuid() != 0 and self.manager.needs_root:
            return " && ".join(f"sudo {' '.join(argv)}" for argv in commands)
        return "dht apply --only system"

    def apply(self, scratch: Path) -> str:
        from dht.errors import DhtError
        from dht.process import run

        if not self.system:
            raise DhtError(self.probe().problems[0], hint=self.repair())
        if self.repair().startswith("sudo "):
            raise DhtError(
                f"installing {' '.join(self.packages or ())} needs root",
                hint=f"run `{self.repair()}`",
            )
        if self.manager.refresh:  # a fresh machine has no package lists
            run(list(self.manager.refresh), timeout=900)
        for argv in self.install_commands():
            run(argv, timeout=1800, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        self.receipts.set(self.id, self.fingerprint)
        return f"installed {' '.join(self.packages or ())}"
