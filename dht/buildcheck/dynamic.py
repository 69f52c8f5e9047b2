"""The checks that run something: the sdist's metadata against the wheel it builds,
loadable (shared libraries, a smoke import), installable (the resolver, per platform)."""

from __future__ import annotations

from dht.buildcheck import consistency, installable, loadable
from dht.buildcheck.verdict import CheckFn

CHECKS: tuple[CheckFn, ...] = (consistency.check, loadable.check, installable.check)
