"""The checks that read an artifact and nothing else: well-formed, contents, metadata, platform."""

from __future__ import annotations

from dht.buildcheck.verdict import CheckFn

CHECKS: tuple[CheckFn, ...] = ()
