"""The command's entry point. A no-op `dht apply` or `dht verify` is what a git or shell
hook runs at every step, `dht run -- CMD` is in front of every command it runs, a plain
`dht lock` is the one a user types most, and a plain `dht test` or `dht test -q` pays
its start-up over pytest's; so those (apply and verify with no options, or only
--no-probes) skip the CLI framework (typer, ~30 ms of imports) and go straight to their
command; everything else, and `--help`, goes through dht.cli. Both paths print the same
and exit the same (tests hold them to it)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from dht.errors import say

# argv after `dht` -> (check, probes)
FAST: dict[tuple[str, ...], tuple[bool, bool]] = {
    ("apply",): (False, True),
    ("apply", "--no-probes"): (False, False),
    ("verify",): (True, True),
    ("verify", "--no-probes"): (True, False),
}
# `dht test` as CI and the README run it -> quiet. Start-up is part of its overhead over pytest.
FAST_TEST: dict[tuple[str, ...], bool] = {("test",): False, ("test", "-q"): True}


def run_fast(argv: Sequence[str]) -> int | None:
    """The exit code of `dht ARGV` when the fast path takes it, else None."""
    if len(argv) > 2 and argv[0] == "run" and argv[1] == "--":
        return _guarded(lambda: _run_command(argv[2:]))
    if tuple(argv) == ("lock",):
        return _guarded(_lock)
    if tuple(argv) in FAST_TEST:
        return _guarded(lambda: _run_test(FAST_TEST[tuple(argv)]))
    wanted = FAST.get(tuple(argv))
    if wanted is None:
        return None
    return _guarded(lambda: _apply(*wanted))


def _apply(check: bool, probes: bool) -> int:
    from dht.apply.executor import Options
    from dht.commands import apply

    options = Options(check=check, probes=probes)
    report = apply.run_apply(Path.cwd(), options)
    for line in apply.lines(report, options):
        say(line)
    return apply.exit_code(report, options)


def _run_command(command: Sequence[str]) -> int:
    from dht.commands.run import run_in_env

    return run_in_env(Path.cwd(), command)


def _lock() -> int:
    from dht.commands.lock import LockRequest, run_lock

    summary = run_lock(LockRequest(root=Path.cwd(), show_progress=sys.stderr.isatty()))
    for line in summary.lines():
        say(line)
    end_without_teardown()  # written and said; its index pages and threads are done with
    return 0


def _guarded(call: Callable[[], int]) -> int:
    """The exit code of `call`, or of the error it raised, said as the CLI says it."""
    from dht.errors import DhtError, error_lines, exit_code, from_os_error, say

    try:
        return call()
    except (DhtError, OSError) as exc:
        error = from_os_error(exc) if isinstance(exc, OSError) else exc
        for line in error_lines(error):
            say(line)
        return exit_code(error)
    except KeyboardInterrupt:
        say("interrupted")
        return 130


def _run_test(quiet: bool) -> int:
    from dht.commands.test import execute

    return execute(Path.cwd(), quiet=quiet)


def main() -> None:
    # A run of dht is short and its objects mostly acyclic (reference counting frees
    # them): the collector's default pace, a pass every 700 allocations over the objects
    # of every import and index page so far, cost ~10 % of a cold `dht lock`. mypy runs
    # with the same. Set here, before the commands' imports, and only for dht's own
    # process: importing dht (a test, a library user) leaves the host's pace alone.
    gc.set_threshold(200_000, 30, 30)
    code = run_fast(sys.argv[1:])
    if code is not None:
        finish(code)
    from dht.cli import main as cli_main

    cli_main()


# Set by a command that has finished all its work: the process may end without the
# interpreter's teardown, which frees every object one by one and runs a last full
# collection (60-100 ms after a cold `dht lock`, which holds every index page decoded).
_teardown = True


def end_without_teardown() -> None:
    global _teardown
    _teardown = False


def finish(code: int) -> NoReturn:
    """Exit with `code`. After end_without_teardown, and with no other thread alive: the
    exit handlers run (a coverage tool's, weakref finalizers: through atexit's own
    runner, the one the interpreter calls), the streams are flushed, then os._exit."""
    import threading

    if not _teardown and threading.active_count() == 1:
        import atexit

        atexit._run_exitfuncs()
        atexit._clear()  # run once, whichever way the process ends below
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)  # the usual way, which reports a stream it cannot flush
        os._exit(code)
    sys.exit(code)
