"""metadata: what `twine check` and the index would refuse in the core metadata (a
wheel's METADATA, an sdist's PKG-INFO): missing or invalid fields, fields newer than
the Metadata-Version declared, a long description that does not render in its
declared content type (reStructuredText when none is declared, as PyPI does)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from dht.buildcheck.archive import Archive
from dht.buildcheck.verdict import Context, Subject, Verdict, failed, skipped

CHECK = "metadata"
_REQUIRED = ("metadata-version", "name", "version")


def check(subject: Subject, ctx: Context, archive: Archive) -> Verdict:
    data = archive.metadata()
    where = (
        f"{archive.dist_info}/METADATA" if subject.kind == "wheel" else f"{archive.top}/PKG-INFO"
    )
    if data is None:
        return skipped(CHECK, f"there is no {where} to read (see well-formed)")
    return failed(CHECK, problems(data, where))


def problems(data: bytes, where: str) -> list[str]:
    """Each reason the index would refuse this core metadata, naming the field."""
    from packaging.metadata import InvalidMetadata, Metadata, parse_email

    try:
        raw, _unparsed = parse_email(data)
    except ValueError as exc:
        return [f"{where} is not readable core metadata: {exc}"]
    reasons = []
    missing = [f for f in _REQUIRED if f.replace("-", "_") not in raw]
    for name in missing:
        reasons.append(f"{where}: the required field {_title(name)} is missing")
    try:
        Metadata.from_email(data, validate=True)
    except ExceptionGroup as group:
        for problem in group.exceptions:
            if isinstance(problem, InvalidMetadata):
                if problem.field in missing or _tolerated(problem):
                    continue
                hint = ": upgrade the build backend, which wrote a field newer than the Metadata-Version it declares" if "introduced in metadata version" in str(problem) else ""  # fmt: skip
                reasons.append(f"{where}: {_title(problem.field)}: {problem}{hint}")
            else:  # pragma: no cover - packaging raises InvalidMetadata only
                reasons.append(f"{where}: {problem}")
    reasons += _index_rules(raw, where)
    description = raw.get("description")
    if description and description.strip():
        content_type = raw.get("description_content_type") or "text/x-rst"
        why = _unrendered(description, content_type)
        if why:
            declared = "declared" if raw.get("description_content_type") else "assumed when Description-Content-Type is absent"  # fmt: skip
            reasons.append(f"{where}: the long description does not render as reStructuredText ({declared}), so PyPI refuses the upload: {why}; fix the markup or declare its real type (Description-Content-Type: text/markdown)")  # fmt: skip
    return reasons


def _index_rules(raw: Mapping[str, Any], where: str) -> list[str]:
    """What PyPI checks beyond the core metadata spec: classifiers from its list, and
    Project-URLs it can link to."""
    from trove_classifiers import classifiers, deprecated_classifiers

    reasons = []
    for value in raw.get("classifiers", []):
        if value in deprecated_classifiers:
            instead = ", ".join(deprecated_classifiers[value]) or "nothing: remove it"
            reasons.append(f"{where}: Classifier {value!r} is deprecated and PyPI refuses it: use {instead}")  # fmt: skip
        elif value not in classifiers:
            reasons.append(f"{where}: Classifier {value!r} is not one PyPI knows, so it refuses the upload: pick one from https://pypi.org/classifiers/")  # fmt: skip
    for label, url in raw.get("project_urls", {}).items():
        if not label or not url:
            reasons.append(f"{where}: Project-URL {label or url!r} needs both a label and a URL ('Label, https://...')")  # fmt: skip
        elif len(label) > 32:
            reasons.append(f"{where}: Project-URL label {label!r} is longer than the 32 characters PyPI accepts")  # fmt: skip
        elif not _http(url):
            reasons.append(f"{where}: Project-URL {label!r} is not an http(s) URL ({url!r})")
    return reasons


def _http(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _tolerated(problem: Exception) -> bool:
    """License-File under a Metadata-Version before 2.4: setuptools wrote it for years,
    and twine drops it from such uploads, so the index accepts the file."""
    return getattr(problem, "field", None) == "license-file" and "introduced in" in str(problem)


def _title(field: str) -> str:
    return "-".join(p.upper() if p in ("url",) else p.capitalize() for p in field.split("-"))


def _unrendered(text: str, content_type: str) -> str | None:
    """Why `text` does not render (reStructuredText only: Markdown and plain text always
    render), else None."""
    if content_type.split(";", 1)[0].strip().lower() != "text/x-rst":
        return None
    from readme_renderer.rst import render

    stream = io.StringIO()
    if render(text, stream=stream) is not None:
        return None
    lines = [line.strip() for line in stream.getvalue().splitlines() if line.strip()]
    if not lines:
        return "no content rendered"
    match = re.match(r"<string>:(\d+): \((\w+)/\d\) (.*)", lines[0])
    if not match:
        return lines[0]
    line, _level, text = match.groups()
    if text.endswith(":") and len(lines) > 1:  # the detail is on the next line
        text = f"{text} {lines[1]}"
    return f"line {line} of the description: {text.rstrip('.')}"
