"""What dht.toml asks of a tool, normalized: shared by the intent and the lock, in a
module of its own so that reading a lock (dht apply, dht verify) does not load the
intent's parser and packaging's requirement grammar."""

from __future__ import annotations

import msgspec


class ToolRequest(msgspec.Struct, frozen=True, kw_only=True, rename="kebab", omit_defaults=True):
    """One tool as the intent asks for it, normalized. Recorded in the lock for staleness."""

    version: str = ""
    extras: tuple[str, ...] = ()
    with_: tuple[str, ...] = msgspec.field(default=(), name="with")
    isolated: bool = False
    probe: tuple[str, ...] | None = None
