"""The checks that read an artifact and nothing else: well-formed, contents, metadata, platform.

None runs the artifact's code or unpacks it to disk: each reads the members in memory
through archive.read (bounded, cached per file, so the archive is read once)."""

from __future__ import annotations

from collections.abc import Callable

from dht.buildcheck import contents, metadata, platforms, wellformed
from dht.buildcheck.archive import Archive, read
from dht.buildcheck.verdict import CheckFn, Context, Subject, Verdict, failed, skipped
from dht.errors import InputError

Reader = Callable[[Subject, Context, Archive], Verdict]


def _well_formed(subject: Subject, ctx: Context) -> Verdict:
    try:
        archive = read(subject.path, subject.kind)
    except InputError as exc:
        return failed(wellformed.CHECK, [f"{subject.path.name} does not open: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")])  # fmt: skip
    except OSError as exc:
        return failed(wellformed.CHECK, [f"{subject.path.name} cannot be read: {exc.strerror or exc}"])  # fmt: skip
    return wellformed.check(subject, ctx, archive)


def _reading(name: str, body: Reader) -> CheckFn:
    def run(subject: Subject, ctx: Context) -> Verdict:
        try:
            archive = read(subject.path, subject.kind)
        except (InputError, OSError):
            return skipped(name, "the archive does not open (see well-formed)")
        return body(subject, ctx, archive)

    run.__name__ = run.__qualname__ = name.replace("-", "_")
    return run


CHECKS: tuple[CheckFn, ...] = (
    _well_formed,
    _reading(contents.CHECK, contents.check),
    _reading(metadata.CHECK, metadata.check),
    _reading(platforms.CHECK, platforms.check),
)
