"""Which of the lock's target platforms this machine is."""

from __future__ import annotations

from dht.errors import DhtError
from dht.host import current_platform

__all__ = ["current_platform", "require_target"]


def require_target(platforms: tuple[str, ...]) -> str:
    here = current_platform()
    if here not in platforms:
        raise DhtError(
            f"this machine is {here}, which dht.lock does not cover (it has {', '.join(platforms)})",
            hint=f'add "{here}" to targets.platforms in dht.toml and run `dht lock`',
        )
    return here
