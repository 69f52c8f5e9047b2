"""The command's entry point. A no-op `dht apply` or `dht verify` is what a git or shell
hook runs at every step, and `dht run -- CMD` is in front of every command it runs, so
those (apply and verify with no options, or only --no-probes) skip the CLI framework
(typer, ~30 ms of imports) and go straight to their command; everything else, and
`--help`, goes through dht.cli. Both paths print the same and exit the same (a test
holds them to it)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

# argv after `dht` -> (check, probes)
FAST: dict[tuple[str, ...], tuple[bool, bool]] = {
    ("apply",): (False, True),
    ("apply", "--no-probes"): (False, False),
    ("verify",): (True, True),
    ("verify", "--no-probes"): (True, False),
}


def run_fast(argv: Sequence[str]) -> int | None:
    """The exit code of `dht ARGV` when the fast path takes it, else None."""
    if len(argv) > 2 and argv[0] == "run" and argv[1] == "--":
        return _guarded(lambda: _run_command(argv[2:]))
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


def _guarded(call: Callable[[], int]) -> int:
    """The exit code of `call`, or of the error it raised, said as the CLI says it."""
    from dht.errors import DhtError, error_lines, exit_code, from_os_error

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


def say(line: str) -> None:
    """One line for the user, on stderr, its control characters escaped."""
    from dht.errors import shown_safely

    print(shown_safely(line, lines=True), file=sys.stderr)


def main() -> None:
    code = run_fast(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from dht.cli import main as cli_main

    cli_main()
