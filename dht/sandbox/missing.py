"""What the tests could not import, and the dht.toml key that brings it.

Read from pytest's output (sandbox paths already masked): `ModuleNotFoundError: No
module named 'x'` and `ImportError: cannot import name 'y' from 'x' (path)`, in a
test module, a conftest.py or a fixture. For a missing module the hint names the
group or extra of pyproject.toml that lists its distribution (to add to
`project.groups` / `project.extras` of dht.toml), or, for a pytest plugin, the
`with` list of the pytest tool. For a name missing from an installed module it
names the distribution and version that lack it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from dht.errors import DhtError

_MISSING = re.compile(r"ModuleNotFoundError: No module named '([A-Za-z0-9_.]+)'")
_CANNOT = re.compile(
    r"ImportError: cannot import name '([A-Za-z0-9_]+)' from '([A-Za-z0-9_.]+)'(?: \(([^)\n]*)\))?"
)
# Import names that are not their distribution's name.
_DISTRIBUTIONS = {"yaml": "pyyaml", "pil": "pillow", "cv2": "opencv-python", "dateutil": "python-dateutil",
                  "attr": "attrs", "sklearn": "scikit-learn", "bs4": "beautifulsoup4", "jwt": "pyjwt",
                  "google": "protobuf", "socks": "pysocks", "magic": "python-magic",
                  "openssl": "pyopenssl", "serial": "pyserial", "usb": "pyusb", "git": "gitpython",
                  "dns": "dnspython", "nacl": "pynacl", "zmq": "pyzmq", "pytest_httpbin": "pytest-httpbin",
                  "xdist": "pytest-xdist", "pytest_cov": "pytest-cov", "pytest_mock": "pytest-mock",
                  "pytest_asyncio": "pytest-asyncio", "pytest_benchmark": "pytest-benchmark"}  # fmt: skip
_LOCK_AND_APPLY = "then `dht lock && dht apply`"


@dataclass
class _Intent:
    """What dht.toml already installs: groups, extras, and each tool's `with`."""

    groups: set[str] = field(default_factory=set)
    extras: set[str] = field(default_factory=set)
    tools: dict[str, str] = field(default_factory=dict)
    """tool name -> its version spec."""
    with_: dict[str, str] = field(default_factory=dict)
    """distribution in some tool's `with` -> that tool."""
    has_with: set[str] = field(default_factory=set)
    """Tools whose table has a `with` list already."""


def hints(root: Path, outputs: Iterable[str], python: str = "") -> list[str]:
    """One hint per module the tests could not import (or name they could not import)."""
    texts = list(outputs)
    missing = sorted({m.split(".")[0] for text in texts for m in _MISSING.findall(text)})
    cannot = sorted({found for text in texts for found in _CANNOT.findall(text)})
    if not missing and not cannot:
        return []
    offers, intent = _offers(root), _intent(root)
    lines = [_missing_hint(module, offers, intent) for module in missing]
    for name, module, path in cannot:
        line = _cannot_hint(root, name, module, path, offers, intent, python)
        if line and line not in lines:
            lines.append(line)
    return lines


def distribution(module: str) -> str:
    """The distribution an import name most likely comes from."""
    top = module.split(".")[0]
    return canonicalize_name(_DISTRIBUTIONS.get(top.lower(), top))


def _missing_hint(module: str, offers: dict[str, list[str]], intent: _Intent) -> str:
    dist = distribution(module)
    head = f"the tests import {module!r}, which .venv does not have"
    where = offers.get(dist, [])
    chosen = [w for w in where if _selected(w, intent)]
    if where and len(chosen) < len(where):
        todo = [w for w in where if w not in chosen]
        return (
            f"{head}: {', '.join(todo)} of pyproject.toml list{'s' * (len(todo) == 1)} {dist}; add "
            + " or ".join(_intent_key(w) for w in todo)
            + f" in dht.toml, {_LOCK_AND_APPLY}"
        )
    if chosen or dist in intent.with_:
        via = ", ".join(chosen) or f"the with list of tools.{intent.with_[dist]}"
        return (
            f"{head}, though dht.toml asks for {dist} ({via}): .venv is behind dht.toml, run"
            f" `dht lock && dht apply`; if it still misses, {module!r} comes from another distribution"
            f" than {dist}: add that one"
        )
    if dist.startswith("pytest-") and "pytest" in intent.tools:
        spec = intent.tools["pytest"]
        example = (
            "" if "pytest" in intent.has_with
            else f' (pytest = {{ version = "{spec}", with = ["{dist}"] }})'
        )  # fmt: skip
        return (
            f"{head}; it is the pytest plugin {dist}: add it to the with list of pytest in [tools]"
            f" of dht.toml{example}, {_LOCK_AND_APPLY}"
        )
    return (
        f"{head}, and no dependency group or extra of pyproject.toml lists {dist}: add it to one"
        f" (say [dependency-groups] tests), name that group in project.groups of dht.toml,"
        f" {_LOCK_AND_APPLY}"
    )


def _cannot_hint(
    root: Path,
    name: str,
    module: str,
    path: str,
    offers: dict[str, list[str]],
    intent: _Intent,
    python: str,
) -> str | None:
    head = f"the tests import {name!r} from {module!r}"
    if path.startswith("<project>"):
        return None  # the project's own code: a bug or an import cycle, not a dependency
    if path.startswith("<python>") and "site-packages" not in path:
        on = f"Python {python}" if python else "the locked Python"
        return (
            f"{head}, which the standard library of {on} does not have: the tests may need"
            f" another Python; set python in [project] of dht.toml, {_LOCK_AND_APPLY}"
        )
    dist, version = _installed(root / ".venv", module)
    what = f"{dist} {version}" if version else dist
    where = offers.get(dist, [])
    if dist in intent.with_:
        place = f"in the with list of tools.{intent.with_[dist]} in dht.toml"
    elif dist in intent.tools:
        place = f"as the version of tools.{dist} in dht.toml"
    elif where:
        place = f"where {', '.join(where)} of pyproject.toml list{'s' * (len(where) == 1)} it"
    else:
        place = "where the project declares it (pyproject.toml)"
    return (
        f"{head}, which {what} in .venv does not have: the tests may need another version of"
        f" {dist}; require one that has it {place}, {_LOCK_AND_APPLY}"
    )


def _installed(venv: Path, module: str) -> tuple[str, str]:
    """The distribution in the environment that owns `module`, and its version."""
    from dht.uvbackend import site_packages

    top = module.split(".")[0]
    owned = (f"{top}/__init__.py", f"{top}.py", f"{top}/")
    for lib in site_packages(venv):
        for info in sorted(lib.glob("*.dist-info")):
            try:
                record = (info / "RECORD").read_text("utf-8", errors="replace")
            except OSError:
                continue
            if any(line.startswith(owned) for line in record.splitlines()):
                name, _, version = info.name.removesuffix(".dist-info").partition("-")
                return canonicalize_name(name), version
    return distribution(module), ""


def _selected(where: str, intent: _Intent) -> bool:
    kind, _, name = where.partition(" ")
    return name in (intent.groups if kind == "group" else intent.extras)


def _intent_key(where: str) -> str:
    kind, _, name = where.partition(" ")
    return f'"{name}" to project.groups' if kind == "group" else f'"{name}" to project.extras'


def _intent(root: Path) -> _Intent:
    from packaging.requirements import InvalidRequirement, Requirement

    from dht.model.intent import INTENT_FILE, load_intent

    found = _Intent()
    if not (root / INTENT_FILE).is_file():
        return found
    try:
        intent = load_intent(root / INTENT_FILE)
    except DhtError:
        return found  # a broken dht.toml: `dht lock` says what is wrong
    found.groups = {canonicalize_name(g) for g in intent.project.groups}
    found.extras = {canonicalize_name(e) for e in intent.project.extras}
    for tool in intent.tools:
        found.tools[tool.name] = tool.request.version or "*"
        if tool.request.with_:
            found.has_with.add(tool.name)
        for item in tool.request.with_:
            try:
                found.with_[canonicalize_name(Requirement(item).name)] = tool.name
            except InvalidRequirement:
                continue
    return found


def _offers(root: Path) -> dict[str, list[str]]:
    """distribution -> the groups and extras of pyproject.toml that list it."""
    from packaging.requirements import InvalidRequirement, Requirement

    from dht.compile.project import read_pyproject

    try:
        project = read_pyproject(root)
    except DhtError:
        return {}  # a broken pyproject.toml: `dht lock` says what is wrong
    if project is None:
        return {}
    sources = [
        *((f"group {name}", items) for name, items in project.groups.items()),
        *((f"extra {name}", items) for name, items in project.optional_dependencies.items()),
    ]
    found: dict[str, list[str]] = {}
    for label, items in sources:
        for item in items:
            if not isinstance(item, str):
                continue  # an include-group: its own group lists what it brings
            try:
                name = canonicalize_name(Requirement(item).name)
            except InvalidRequirement:
                continue
            if label not in found.setdefault(name, []):
                found[name].append(label)
    return found
