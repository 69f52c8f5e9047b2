"""The one function through which every subprocess runs.

An argv list, never a shell string. A failure raises `ProcessError`, whose
message shows the command, its exit code and the tail of what it printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import msgspec

from dht.errors import DhtError

TAIL = 2000


class ProcessError(DhtError):
    def __init__(
        self, argv: Sequence[str], code: int | None, output: str, *, hint: str | None = None
    ) -> None:
        shown = " ".join(argv)
        status = "timed out" if code is None else f"exited {code}"
        tail = output[-TAIL:].strip()
        super().__init__(f"`{shown}` {status}" + (f":\n{tail}" if tail else ""), hint=hint)
        self.argv = list(argv)
        self.code = code
        self.output = output


class Completed(msgspec.Struct, frozen=True):
    argv: tuple[str, ...]
    code: int
    output: str  # stdout and stderr, interleaved


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600.0,
    check: bool = True,
    stdin: str | None = None,
    umask: int | None = None,
) -> Completed:
    """Run argv (no shell), capture stdout+stderr together; raise ProcessError when `check` and it fails.
    `umask` is set in the child only (POSIX; subprocess refuses it on Windows)."""
    if isinstance(argv, str) or not argv:
        raise TypeError("run() takes a non-empty argv list, never a shell string")
    import subprocess  # here: a hook's no-op apply runs nothing, and it costs ~6 ms to load

    try:
        proc = subprocess.run(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
            umask=-1 if umask is None else umask,
        )
    except (FileNotFoundError, NotADirectoryError):
        raise _not_found(argv, cwd) from None
    except subprocess.TimeoutExpired as exc:
        out = (
            exc.output
            if isinstance(exc.output, str)
            else (exc.output or b"").decode("utf-8", "replace")
        )
        raise ProcessError(argv, None, out) from None
    result = Completed(tuple(argv), proc.returncode, proc.stdout or "")
    if check and proc.returncode != 0:
        raise ProcessError(argv, proc.returncode, result.output)
    return result


def _not_found(argv: Sequence[str], cwd: Path | None, hint: str | None = None) -> DhtError:
    """FileNotFoundError names neither side: a missing working folder is not a missing program."""
    if cwd is not None and not Path(cwd).is_dir():
        return DhtError(
            f"cannot run `{argv[0]}`: working folder {str(cwd)!r} does not exist",
            hint="was it removed or renamed while dht ran?",
        )
    return ProcessError(argv, 127, f"{argv[0]}: command not found", hint=hint)


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without variables that would redirect Python or uv."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra or {})
    return env


def call(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> int:
    """Run argv with the terminal attached (for `dht run`); its exit code."""
    if isinstance(argv, str) or not argv:
        raise TypeError("call() takes a non-empty argv list, never a shell string")
    import subprocess

    try:
        return subprocess.call(list(argv), env=dict(env) if env is not None else None, cwd=cwd)
    except (FileNotFoundError, NotADirectoryError):
        raise _not_found(argv, cwd, hint="is it installed by `dht apply`?") from None
