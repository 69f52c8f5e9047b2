"""The one exception hierarchy. Every message is what the user reads.

A `DhtError` carries what went wrong, where (a file, a line, a dotted key or a
URL) and what to do about it (the hint). The CLI prints them and maps them to
exit codes; nothing below the CLI prints or exits.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

# What a lock, an index or a project file may smuggle into text dht shows: terminal
# escape sequences, carriage returns that overwrite a line, C1 controls, U+2028/9.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_KEEPING_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def shown_safely(text: str, *, lines: bool = False) -> str:
    """`text` with its control characters escaped (`\\x1b`), never interpreted; with
    `lines`, tabs and line breaks stay (a multi-line message)."""
    pattern = _CONTROL_KEEPING_LINES if lines else _CONTROL
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class DhtError(Exception):
    """Base for errors a user can act on. Exit code 1."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        head = f"{self.where}: {self.message}" if self.where else self.message
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class InputError(DhtError):
    """A file the user gave (dht.toml, dht.lock) is malformed or invalid."""


class NewerFormatError(InputError):
    """A file written by a newer dht: never rewritten from scratch by this one."""


class IndexError_(DhtError):
    """The package index could not be read, or answered something unusable."""


class NetworkError(IndexError_):
    """The index was out of reach (after retries), or offline mode lacked a cache entry."""


class IntegrityError(IndexError_):
    """A downloaded file did not match the hash the index announced."""


class ResolutionError(DhtError):
    """No set of versions satisfies the intent."""


class UsageError(DhtError):
    """An option was given a value it does not take. Exit code 2, like a typo in a flag."""


class CheckFailed(DhtError):
    """A check mode found differences. Exit code 3."""

    def __init__(
        self, message: str, *, details: Iterable[str] = (), hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.details = list(details)


EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_DIFF = 0, 1, 2, 3


def exit_code(exc: DhtError) -> int:
    if isinstance(exc, CheckFailed):
        return EXIT_DIFF
    return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAIL


def error_lines(exc: DhtError) -> list[str]:
    """What the user reads on stderr for `exc`, line by line (escaped when printed)."""
    prefix = "" if isinstance(exc, CheckFailed) else "error: "
    lines = [f"{prefix}{exc.where + ': ' if exc.where else ''}{exc.message}"]
    if isinstance(exc, CheckFailed):
        lines.extend(f"  {d}" for d in exc.details)
    if exc.hint:
        lines.append(f"  hint: {exc.hint}")
    return lines


def from_os_error(exc: OSError) -> DhtError:
    """A file the user named, or a folder dht may not write: theirs to fix, not a crash."""
    where = exc.filename if isinstance(exc.filename, str) else None
    return DhtError(
        exc.strerror or str(exc), where=where, hint="check the path and its permissions"
    )


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice, or None when nothing is close."""
    import difflib  # here: only an error pays for it

    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None


def say(line: str) -> None:
    """One line for the user, on stderr, its control characters escaped: how every
    command path (the CLI, the entry point's fast path, a command itself) speaks."""
    print(shown_safely(line, lines=True), file=sys.stderr)
