"""How a workflow installs dht: derived from how this dht was installed (PEP 610's
direct_url.json), so a runner gets the same dht the developer ran.

The distribution is `dht-lock` (the command stays `dht`): `dht` on the index is an
unrelated, file-less project, so `dht==VERSION` never resolves there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from typing import Any

DISTRIBUTION = "dht-lock"


@dataclass(frozen=True)
class Derived:
    spec: str | None
    """The install spec, or None when none can be derived."""
    why: str = ""
    """Why none can be derived (how this dht is installed)."""


def derive(version: str, direct_url: str | None) -> Derived:
    """The spec for a dht of `version` whose direct_url.json holds `direct_url` (None: it
    came from an index, which is the only case without that file)."""
    if direct_url is None:
        return Derived(f"{DISTRIBUTION}=={version}")
    try:
        data: Any = json.loads(direct_url)
    except ValueError:
        return Derived(None, "its direct_url.json is not JSON")
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return Derived(None, "its direct_url.json has no url")
    url: str = data["url"]
    fragment = ""
    if isinstance(data.get("subdirectory"), str) and data["subdirectory"]:
        fragment = f"#subdirectory={data['subdirectory']}"
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict):
        commit = vcs.get("commit_id")
        if vcs.get("vcs") != "git" or not isinstance(commit, str) or not commit:
            return Derived(None, f"it was installed from {url} without a git commit")
        if not url.startswith("https://"):
            return Derived(None, f"it was installed from {url}, which a runner cannot reach")
        return Derived(f"{DISTRIBUTION} @ git+{url}@{commit}{fragment}")
    if isinstance(data.get("dir_info"), dict):
        editable = " (editable)" if data["dir_info"].get("editable") else ""
        return Derived(None, f"it runs from the local folder {url}{editable}")
    if isinstance(data.get("archive_info"), dict):
        if not url.startswith("https://"):
            return Derived(None, f"it was installed from {url}, which a runner cannot reach")
        return Derived(f"{DISTRIBUTION} @ {url}{fragment}")
    return Derived(None, f"its direct_url.json names {url} in a form dht does not know")


def installed(version: str) -> Derived:
    """The spec for the dht that is running."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return Derived(None, f"no installed distribution named {DISTRIBUTION}")
    if dist.version != version:
        return Derived(None, f"the installed {DISTRIBUTION} is {dist.version}, not {version}")
    return derive(version, dist.read_text("direct_url.json"))
