"""Normalize a pytest JUnit XML report into a canonical result and its checksum.

Pure: text in, data out. What is dropped: timestamps, host names, durations,
captured output and full tracebacks (they carry library line numbers and
reprs). What is kept: per test id, the outcome and the one-line message, with
machine-specific paths replaced by fixed tokens and memory addresses masked.
Tests are sorted by id, so collection order does not change the checksum.

Outcomes are pytest's: an xfail (`<skipped type="pytest.xfail">`) is `xfailed`; a
non-strict xpass, a plain pass in JUnit, is `xpassed` when the sandbox's outcome
plugin marked it (property `dht_xpassed`); a strict xpass is a failure, as pytest
counts it. A collection error keeps the exception line of its traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dht.errors import DhtError

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
# A shortened repr ('/tmp/dht-tes...x1b2/project') keeps a piece of the random sandbox
# name on either side of the `...`; whole paths never get here (they are masked first).
_CUT_HEAD = re.compile(r"[^\s'\"]*dht-t[\w-]*\.\.\.")
_CUT_TAIL = re.compile(r"\.\.\.[\w-]*(?=/(?:project|home|tmp|xdg|inject|junit\.xml)\b)")
# The worst child decides the outcome of a test case with several (failure + teardown error).
_CHILD_OUTCOME = {"error": "error", "failure": "failed", "skipped": "skipped"}
_RANK = {"error": 3, "failed": 2, "skipped": 1, "xfailed": 1, "passed": 0, "xpassed": 0}
XPASS_PROPERTY = "dht_xpassed"  # written by _inject/dht_sandbox_outcomes.py
_EXCEPTION_LINE = re.compile(r"^E {3}(\S.*)$", re.MULTILINE)


@dataclass(frozen=True, order=True)
class TestResult:
    id: str
    outcome: str
    message: str


@dataclass(frozen=True)
class Counts:
    total: int
    passed: int
    failed: int
    error: int
    skipped: int
    xfailed: int = 0
    xpassed: int = 0


def mask(text: str, paths: Sequence[tuple[str, str]]) -> str:
    """Replace each path by its token (longest first, so nested paths win), the pieces of a
    sandbox path pytest shortened by `<sandbox>...`, and addresses by 0x?."""
    return Masker(paths)(text)


class Masker:
    """`mask` with its paths sorted once: parse masks two strings per test."""

    def __init__(self, paths: Sequence[tuple[str, str]]) -> None:
        ordered = sorted(paths, key=lambda p: len(p[0]), reverse=True)
        self.paths = [(path, token) for path, token in ordered if path]

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for path, token in self.paths:
            if path in text:
                text = text.replace(path, token)
        # The regular expressions only where their anchor occurs (most texts have neither).
        if "..." in text:
            text = _CUT_HEAD.sub("<sandbox>...", _CUT_TAIL.sub("...", text))
        if "0x" in text:
            text = _ADDRESS.sub("0x?", text)
        return text


def parse(xml_text: str, paths: Sequence[tuple[str, str]] = ()) -> list[TestResult]:
    """The normalized results of a JUnit XML document, sorted by test id."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise DhtError(f"pytest wrote an unreadable JUnit report: {exc}") from None
    masked = Masker(paths)
    results: list[TestResult] = []
    for case in root.iter("testcase"):
        classname = case.get("classname", "")
        name = case.get("name", "")
        test_id = masked(f"{classname}::{name}" if classname else name)
        outcome, messages = "passed", []
        xpassed = _property(case, XPASS_PROPERTY)
        if xpassed is not None:
            outcome = "xpassed"
            messages.append(f"xpassed: {_first_line(xpassed)}")
        for child in case:
            kind = _CHILD_OUTCOME.get(child.tag)
            if kind is None:
                continue  # system-out, system-err, properties
            if kind == "skipped" and child.get("type") == "pytest.xfail":
                kind = "xfailed"
            if _RANK[kind] > _RANK[outcome]:
                outcome = kind
            messages.append(f"{kind}: {_message(child)}")
        results.append(TestResult(test_id, outcome, masked("\n".join(messages))))
    return sorted(results)


def _property(case: ET.Element, name: str) -> str | None:
    for prop in case.iter("property"):
        if prop.get("name") == name:
            return prop.get("value", "")
    return None


def _message(child: ET.Element) -> str:
    message = _first_line(child.get("message", ""))
    if message == "collection failure":
        # The module that failed to import, or the error, is on the traceback's last E line.
        found = _EXCEPTION_LINE.findall(child.text or "")
        if found:
            return f"{message}: {found[-1].strip()}"
    return message


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def counts(results: Iterable[TestResult]) -> Counts:
    tally = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        tally[result.outcome] += 1
    return Counts(total=sum(tally.values()), **tally)


def canonical(results: Sequence[TestResult]) -> bytes:
    """The one byte form of a result set: sorted JSON, UTF-8, LF.

    The bytes of `json.dumps([asdict(r) ...], sort_keys=True, ensure_ascii=False,
    indent=1)`, built per entry: the indenting encoder is pure Python and took most
    of the time on a large suite. Only the strings go through the (C) encoder."""
    if not results:
        return b"[]\n"
    dump = json.JSONEncoder(ensure_ascii=False).encode
    entries = [
        f' {{\n  "id": {dump(r.id)},\n  "message": {dump(r.message)},\n'
        f'  "outcome": {dump(r.outcome)}\n }}'
        for r in sorted(results)
    ]
    return ("[\n" + ",\n".join(entries) + "\n]\n").encode("utf-8")


def checksum(results: Sequence[TestResult]) -> str:
    return hashlib.sha256(canonical(results)).hexdigest()
