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


INSTALL_MODES = ("auto", "editable", "none")


class ProjectRequest(msgspec.Struct, frozen=True, kw_only=True, rename="kebab", omit_defaults=True):
    """How dht.toml asks for the project itself, normalized. Recorded in the lock for staleness."""

    install: str = "auto"
    """"editable" (from its folder), "none" (not a package), or "auto": editable when the
    project declares a build system or has a setup.py, as uv decides."""
    groups: tuple[str, ...] = ()
    """PEP 735 dependency groups installed with it (normalized, sorted)."""
    extras: tuple[str, ...] = ()
    """Its extras installed with it (normalized, sorted)."""
