"""`dht run -- CMD` and `dht env`: the locked environment, for a command or a shell."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from dht import platform
from dht.apply import shells, state
from dht.errors import DhtError
from dht.gitrepo import source_date
from dht.model.lock import LOCK_FILE, Lock, read_lock_cached
from dht.process import call
from dht.uvbackend import bin_dir


def locked_env(root: Path) -> tuple[dict[str, str], list[Path]]:
    lock, _ = read_lock_cached(root / LOCK_FILE, state.lock_cache(root))  # apply records it
    return env_values(root, lock), [bin_dir(root / ".venv")]


def env_values(root: Path, lock: Lock) -> dict[str, str]:
    """The lock's env values, each validated, and SOURCE_DATE_EPOCH when it asks for one."""
    values: dict[str, str] = {}
    if lock.env is not None:
        for key, value in lock.env.values.items():
            shells.validate_env(key, value, where=f"{LOCK_FILE}: env.values.{key}")
        values.update(lock.env.values)
        if lock.env.source_date_epoch:
            values["SOURCE_DATE_EPOCH"] = str(source_date(root).epoch)
    return values


def run_in_env(root: Path, command: Sequence[str]) -> int:
    if not command:
        raise DhtError("nothing to run", hint="dht run -- pytest -q")
    values, prepend = locked_env(root)
    env = dict(os.environ)
    env.update(values)
    env["PATH"] = os.pathsep.join([*(str(p) for p in prepend), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(root / ".venv")
    return call(resolve(command, env), env=env, cwd=root)


def resolve(command: Sequence[str], env: dict[str, str]) -> list[str]:
    """argv with its program found on the environment's PATH, as a shell would: Windows
    looks a bare name up on the parent's PATH, which lacks .venv\\Scripts. Unresolved,
    the name is passed on as given (and the OS says it is not found)."""
    os_name = platform.current()
    found = platform.which(command[0], env.get("PATH", ""), os_name, env.get("PATHEXT"))
    return [found if found is not None else command[0], *command[1:]]


def env_script(root: Path, shell: str) -> str:
    shells.shell_name(shell)  # a bad --shell is a usage error, before the lock is read
    values, prepend = locked_env(root)
    return shells.render(shell, values, prepend)
