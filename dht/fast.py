"""The command's entry point. A no-op `dht apply` or `dht verify` is what a git or shell
hook runs at every step, so those (with no options, or only --no-probes) skip the CLI
framework (typer, ~30 ms of imports) and go straight to the executor; so does a plain
`dht test` or `dht test -q` (its start-up is overhead over pytest); everything else,
and `--help`, goes through dht.cli. Both paths print the same and exit the same (a test
holds them to it)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

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
    if tuple(argv) in FAST_TEST:
        return _run_test(FAST_TEST[tuple(argv)])
    wanted = FAST.get(tuple(argv))
    if wanted is None:
        return None
    from dht.errors import DhtError, error_lines, exit_code, from_os_error

    check, probes = wanted
    try:
        from dht.apply.executor import Options
        from dht.commands import apply

        options = Options(check=check, probes=probes)
        report = apply.run_apply(Path.cwd(), options)
    except (DhtError, OSError) as exc:
        error = from_os_error(exc) if isinstance(exc, OSError) else exc
        for line in error_lines(error):
            say(line)
        return exit_code(error)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    for line in apply.lines(report, options):
        say(line)
    return apply.exit_code(report, options)


def _run_test(quiet: bool) -> int:
    from dht.errors import DhtError, error_lines, exit_code, from_os_error

    try:
        from dht.commands.test import execute

        return execute(Path.cwd(), quiet=quiet)
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
