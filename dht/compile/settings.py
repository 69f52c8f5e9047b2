"""The parts of the lock that need no index: environment variables and config blobs.

Recorded in full with a content hash, so the executor needs nothing else and a
review shows every value.
"""

from __future__ import annotations

from dht.model.intent import Intent
from dht.model.lock import LockConfig, LockEnv, content_hash


def compile_env(intent: Intent) -> LockEnv | None:
    if intent.env is None:
        return None
    values = dict(intent.env.values)
    return LockEnv(
        preset=intent.env.preset,
        source_date_epoch=intent.env.source_date_epoch,
        values=values,
        sha256=content_hash({"values": values, "source-date-epoch": intent.env.source_date_epoch}),
    )


def compile_configs(intent: Intent) -> tuple[LockConfig, ...]:
    out = []
    for config in intent.configs:
        body = config.text if config.format == "file" else config.values
        out.append(
            LockConfig(
                name=config.name,
                file=config.file,
                format=config.format,  # type: ignore[arg-type]
                table=config.table,
                values=dict(config.values),
                text=config.text,
                sha256=content_hash(
                    {
                        "file": config.file,
                        "format": config.format,
                        "table": config.table,
                        "body": body,
                    }
                ),
            )
        )
    return tuple(out)
