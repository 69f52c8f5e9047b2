"""The checks that run something: loadable (shared libraries, a smoke import), installable."""

from __future__ import annotations

from dht.buildcheck.verdict import CheckFn

CHECKS: tuple[CheckFn, ...] = ()
