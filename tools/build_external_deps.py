"""Generate dht/data/external_deps.json: which system dependencies a source build
of a popular Python package needs, from the PEP 725 `[external]` tables in
shared/data/system-deps/external-deps-build (MIT). Run by developers, never by dht.

    python tools/build_external_deps.py [DATA_DIR]
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The data set names a package by its PyPI name; a few have a sibling that builds the same way.
SIBLINGS = {"psycopg2-binary": ["psycopg2"]}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv: list[str]) -> int:
    data = Path(argv[0]) if argv else ROOT.parent / "shared" / "data" / "system-deps"
    source = data / "external-deps-build"
    packages: dict[str, dict[str, list[str]]] = {}
    for path in sorted(source.glob("*.toml")):
        external = tomllib.loads(path.read_text(encoding="utf-8")).get("external", {})
        ids: set[str] = set()
        for key in ("build-requires", "build-host-requires", "host-requires"):
            ids.update(i.split("@", 1)[0] for i in external.get(key, []))
        name = normalize(path.stem)
        for each in [name, *SIBLINGS.get(name, [])]:
            packages[each] = {"build": sorted(ids)}
    snapshot = (source / "SOURCE").read_text(encoding="utf-8").split()[0]
    out = {"format": 1, "source": f"external-deps-build {snapshot} (MIT)", "packages": packages}
    target = ROOT / "dht" / "data" / "external_deps.json"
    target.write_text(
        json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8", newline="\n"
    )
    print(f"wrote {target.relative_to(ROOT)}: {len(packages)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
