"""JSON Schemas of both files, generated from the msgspec types.

`python -m dht.model.schema` rewrites `schemas/`; a test fails when they are
out of date. Editors use them (Taplo / Even Better TOML) to validate and
complete dht.toml and dht.lock.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from dht.model.intent import IntentFile
from dht.model.lock import Lock

SCHEMAS: dict[str, tuple[type[Any], str]] = {
    "dht.toml.schema.json": (IntentFile, "dht.toml: the intent of a dht project"),
    "dht.lock.schema.json": (Lock, "dht.lock: the pinned record written by `dht lock`"),
}


def render(tp: type[Any], title: str) -> str:
    schema = msgspec.json.schema(tp)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "schemas"
    out.mkdir(parents=True, exist_ok=True)
    for name, (tp, title) in SCHEMAS.items():
        (out / name).write_text(render(tp, title), encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
