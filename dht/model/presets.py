"""Named sets of values the intent can ask for by name."""

from __future__ import annotations

# The environment that makes Python runs repeatable: one hash seed, one time
# zone, one locale, no stray bytecode, unbuffered output.
ENV_PRESETS: dict[str, dict[str, str]] = {
    "deterministic": {
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONUNBUFFERED": "1",
        "TZ": "UTC",
    },
}
