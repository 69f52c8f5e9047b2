"""Entry kinds behind one small interface: probe (read the machine), desired
content and fingerprint (from the lock), apply (change the machine).

Kinds: `environment` (the project's .venv and each isolated tool's own), `tool`
(a locked tool inside its environment: version, console scripts, probe),
`launcher` (an isolated tool's commands in the project's bin), `env` (the
activation scripts), `config` (a managed table, section or file).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from packaging.utils import canonicalize_name

from dht.apply import managed, shells, state
from dht.apply.plan import Observed
from dht.uvbackend import Wheel, bin_dir, create_venv, install, python_of, uninstall


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


def site_packages(env: Path) -> list[Path]:
    if sys.platform == "win32":
        return [env / "Lib" / "site-packages"]
    return sorted(env.glob("lib/python3*/site-packages"))


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
                found[canonicalize_name(name)] = version
    return found


def console_scripts(env: Path, dist: str) -> list[str]:
    """The console scripts a distribution declares (entry_points.txt), sorted."""
    names: list[str] = []
    libs = site_packages(env)
    for lib in libs:
        for info in lib.glob("*.dist-info"):
            if canonicalize_name(info.name.removesuffix(".dist-info").rsplit("-", 1)[0]) != dist:
                continue
            entry_points = info / "entry_points.txt"
            if not entry_points.exists():
                continue
            section = ""
            for line in entry_points.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.strip()
                if line.startswith("["):
                    section = line
                elif section == "[console_scripts]" and "=" in line:
                    names.append(line.split("=", 1)[0].strip())
    return sorted(set(names))


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


@dataclass
class EnvironmentResource:
    name: str  # "project" or the isolated tool's name
    path: Path
    python: str  # "3.11" or "3.11.7"
    wheels: Sequence[tuple[Wheel, str]]  # (artifact, version)
    kind: str = "environment"

    @property
    def id(self) -> str:
        return f"environment:{self.name}"

    @property
    def fingerprint(self) -> str:
        return _hash(
            {"python": self.python, "wheels": sorted((w.name, v, w.sha256) for w, v in self.wheels)}
        )

    def desired(self) -> Mapping[str, str]:
        return {canonicalize_name(w.name): v for w, v in self.wheels}

    def summary(self) -> str:
        return f"Python {self.python}, {len(self.wheels)} packages"

    def probe(self) -> Observed:
        if not (self.path / "pyvenv.cfg").exists():
            return Observed(present=False)
        receipt = state.read_json(self.path / RECEIPT) or {}
        problems = []
        python = python_of(self.path)
        if not python.exists():  # exists() follows the link: a dangling one is gone too
            problems.append(f"its interpreter {python.relative_to(self.path)} is missing")
        version = _python_version(self.path)
        if version is None or not (version == self.python or version.startswith(self.python + ".")):
            problems.append(f"runs Python {version or '?'}, the lock wants {self.python}")
        content = installed(self.path)
        if self.shared:
            # The project's own packages (uv sync, pip install -e .) live here too: not drift.
            content = {name: v for name, v in content.items() if name in self.desired()}
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
            if not observed.problems:
                previous = (state.read_json(self.path / RECEIPT) or {}).get("packages", {})
                dropped = sorted(
                    n for n in previous if isinstance(n, str) and n not in self.desired()
                )
                uninstall(self.path, dropped)  # what dht put here before and the lock no longer has
                install(self.path, [w for w, _ in self.wheels], scratch)
                state.crash_point("installed-in-place")
                receipt = {"fingerprint": self.fingerprint, "packages": dict(self.desired())}
                state.write_json(self.path / RECEIPT, receipt)
                return f"installed {len(self.wheels)} packages in place"
            if observed.receipt is None:
                from dht.errors import DhtError

                raise DhtError(
                    f"{self.path.name} exists, was not made by dht, and is unhealthy: {'; '.join(observed.problems)}",
                    hint=f"dht replaces only environments it built: move {self.path.name} away (or delete it), then `dht apply`",
                )
        aside = self.path.with_name(self.path.name + state.ASIDE)
        if aside.exists():
            shutil.rmtree(aside)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        create_venv(aside, self.python)
        state.crash_point("venv-created")
        install(aside, [w for w, _ in self.wheels], scratch)
        state.crash_point("installed")
        receipt = {"fingerprint": self.fingerprint, "packages": dict(self.desired())}
        state.write_json(aside / RECEIPT, receipt)
        state.crash_point("before-swap")
        state.swap_in(aside, self.path)
        return f"built with {len(self.wheels)} packages"


@dataclass
class ToolResource:
    """A tool inside its environment: the locked version, its commands, its probe."""

    name: str
    version: str
    env: EnvironmentResource
    probe_problems: list[str] = field(default_factory=list)  # filled by the verify phase
    kind: str = "tool"

    @property
    def id(self) -> str:
        return f"tool:{self.name}"

    @property
    def fingerprint(self) -> str:
        return self.env.fingerprint

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
            receipt=env.receipt,
            content={self.name: have} if have else {},
            problems=tuple(problems),
        )

    def apply(self, scratch: Path) -> str:
        return self.env.apply(scratch)


def _script(env: Path, name: str) -> Path:
    return bin_dir(env) / (f"{name}.exe" if sys.platform == "win32" else name)


@dataclass
class LauncherResource:
    """An isolated tool's commands in the project environment's bin: relative symlinks,
    so they run exactly the tool's locked environment."""

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

    def _links(self) -> dict[str, str]:
        here = bin_dir(self.project_env.path)
        return {
            script: os.path.relpath(_script(self.tool_env.path, script), here)
            for script in console_scripts(self.tool_env.path, self.tool)
        }

    def desired(self) -> Mapping[str, str]:
        return self._links()

    def summary(self) -> str:
        return f"{self.tool}'s commands in {self.project_env.path.name}"

    def probe(self) -> Observed:
        here = bin_dir(self.project_env.path)
        found = {}
        for script in self._links():
            link = here / script
            if link.is_symlink():
                found[script] = os.readlink(link)
        desired = self._links()
        present = bool(found) or not desired
        return Observed(
            present=present, receipt=self.fingerprint if present else None, content=found
        )

    def apply(self, scratch: Path) -> str:
        here = bin_dir(self.project_env.path)
        here.mkdir(parents=True, exist_ok=True)
        links = self._links()
        for script, target in links.items():
            temp = here / f".{script}{state.ASIDE}"
            temp.unlink(missing_ok=True)
            os.symlink(target, temp)
            os.replace(temp, here / script)
        return f"linked {', '.join(links) or 'nothing'}"


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


@dataclass
class EnvScriptsResource:
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


@dataclass
class ConfigResource:
    root: Path
    name: str
    region: managed.Region
    values: Mapping[str, object] | str
    fingerprint: str
    receipts: Receipts
    kind: str = "config"

    @property
    def id(self) -> str:
        return f"config:{self.name}"

    def desired(self) -> Mapping[str, str]:
        return {self.region.file: managed.desired_text(self.region, self.values)}

    def summary(self) -> str:
        where = f" [{self.region.table}]" if self.region.table else ""
        return f"{self.region.file}{where}"

    def probe(self) -> Observed:
        text = managed.read_region(self.root, self.region)
        if text is None:
            return Observed(present=False)
        return Observed(
            present=True, receipt=self.receipts.get(self.id), content={self.region.file: text}
        )

    def diff(self) -> str:
        return managed.region_diff(self.root, self.region, self.values)

    def apply(self, scratch: Path) -> str:
        before = self.receipts.owned().get(self.id)
        existed = managed.read_region(self.root, self.region) is not None
        file_existed = os.path.lexists(self.root / self.region.file)
        changed = managed.write_region(self.root, self.region, self.values)
        state.crash_point("config-written")
        self.receipts.set(self.id, self.fingerprint)
        self.receipts.set_owned(
            self.id,
            {
                "file": self.region.file,
                "format": self.region.format,
                "table": self.region.table,
                # Only a region dht created is removed with its entry; an adopted one stays.
                "created": bool(before["created"]) if before else not existed,
                "file-created": bool(before.get("file-created")) if before else not file_existed,
                "text": managed.desired_text(self.region, self.values),
            },
        )
        return "wrote the managed region" if changed else "adopted (already as locked)"


@dataclass
class SystemResource:
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
        if (
            hasattr(os, "geteuid")
            and os.geteuid() != 0
            and self.manager.name not in ("brew", "winget", "choco")
        ):
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
        if self.manager.name == "apt":
            run(["apt-get", "update", "-qq"], timeout=900)  # a fresh machine has no package lists
        for argv in self.install_commands():
            run(argv, timeout=1800, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        self.receipts.set(self.id, self.fingerprint)
        return f"installed {' '.join(self.packages or ())}"
