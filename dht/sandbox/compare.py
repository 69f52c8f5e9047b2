"""Compare two builds (wheels, sdists, or folders of them) layer by layer.

1. byte-identical
2. same decompressed content (only the container differs)
3. metadata-only differences: times, permissions, member order, compression
4. content differences: which members, with METADATA / WHEEL / RECORD compared
   field by field and text members as unified diffs
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dht.errors import InputError
from dht.sandbox import archives

LAYERS = ("identical", "same-content", "metadata-only", "content")


@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    mode: int
    mtime: str
    compression: str
    data: bytes = field(repr=False, compare=False)


@dataclass
class Comparison:
    a: str
    b: str
    layer: str
    notes: list[str] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)
    binary: list[str] = field(default_factory=list)  # members that differ and are not text

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _members(path: Path) -> list[Member]:
    data = path.read_bytes()
    where = str(path)
    if path.name.endswith((".whl", ".zip")):
        return [
            Member(i.filename, hashlib.sha256(body).hexdigest(), (i.external_attr >> 16) & 0o7777,
                   "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*i.date_time), str(i.compress_type), body)
            for i, body in archives.zip_members(data, where)
            if not i.is_dir()
        ]  # fmt: skip
    if path.name.endswith((".tar.gz", ".tgz")):
        return [
            Member(i.name, hashlib.sha256(body).hexdigest(), i.mode, str(i.mtime),
                   f"uid={i.uid} gid={i.gid}", body)
            for i, body in archives.tar_members(data, where)
            if body is not None
        ]  # fmt: skip
    raise InputError("not a wheel or sdist (.whl, .zip, .tar.gz)", where=where)


def _fields(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.strip():
            break  # the description body follows
        key, sep, value = line.partition(":")
        if sep:
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def compare_files(a: Path, b: Path, diffoscope: str | None = None) -> Comparison:
    if a.read_bytes() == b.read_bytes():
        return Comparison(str(a), str(b), "identical")
    ma, mb = _members(a), _members(b)
    by_a, by_b = {m.name: m for m in ma}, {m.name: m for m in mb}
    result = Comparison(str(a), str(b), "same-content")
    content = False
    for name in sorted(by_a.keys() | by_b.keys()):
        x, y = by_a.get(name), by_b.get(name)
        if x is None or y is None:
            content = True
            result.notes.append(f"{name}: only in {'B' if x is None else 'A'}")
            continue
        if x.sha256 != y.sha256:
            content = True
            result.notes.append(f"{name}: content differs")
            result.diffs[name] = _member_diff(name, x.data, y.data)
            if result.diffs[name].startswith("binary: "):
                result.binary.append(name)
                if diffoscope:
                    result.diffs[name] = _diffoscope(diffoscope, name, x.data, y.data)
        else:
            for attribute in ("mode", "mtime", "compression"):
                va, vb = getattr(x, attribute), getattr(y, attribute)
                if va != vb:
                    if attribute == "mode":  # permissions read as `ls` and chmod write them
                        va, vb = f"{va:04o}", f"{vb:04o}"
                    result.notes.append(f"{name}: {attribute} {va} vs {vb}")
    if [m.name for m in ma] != [m.name for m in mb] and sorted(by_a) == sorted(by_b):
        result.notes.append("member order differs")
    if content:
        result.layer = "content"
    elif any(n for n in result.notes):
        result.layer = "metadata-only"
    return result


def _member_diff(name: str, a: bytes, b: bytes) -> str:
    try:
        ta, tb = a.decode("utf-8"), b.decode("utf-8")
    except UnicodeDecodeError:
        return f"binary: sha256 {hashlib.sha256(a).hexdigest()[:12]} vs {hashlib.sha256(b).hexdigest()[:12]}"
    base = name.rsplit("/", 1)[-1]
    if base in ("METADATA", "WHEEL", "PKG-INFO"):
        fa, fb = _fields(ta), _fields(tb)
        lines = [
            f"{k}: {fa.get(k)} -> {fb.get(k)}"
            for k in sorted(fa.keys() | fb.keys())
            if fa.get(k) != fb.get(k)
        ]
        if lines:
            return "\n".join(lines)
    if base == "RECORD":
        ra = {line.split(",")[0]: line for line in ta.splitlines()}
        rb = {line.split(",")[0]: line for line in tb.splitlines()}
        return "\n".join(
            f"{k}: {ra.get(k)} -> {rb.get(k)}"
            for k in sorted(ra.keys() | rb.keys())
            if ra.get(k) != rb.get(k)
        )
    return "".join(
        difflib.unified_diff(ta.splitlines(True), tb.splitlines(True), f"A/{name}", f"B/{name}")
    )


def _diffoscope(command: str, name: str, a: bytes, b: bytes) -> str:
    """diffoscope's text report on one member, extracted to A/ and B/ beside each other."""
    from dht.process import run

    base = name.rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="dht-compare-") as tmp:
        for side, data in (("A", a), ("B", b)):
            (Path(tmp) / side).mkdir()
            (Path(tmp) / side / base).write_bytes(data)
        done = run([command, "--text", "-", f"A/{base}", f"B/{base}"], cwd=Path(tmp), timeout=300, check=False)  # fmt: skip
    if done.code not in (0, 1):  # diffoscope: 0 same, 1 different, else it failed
        return f"diffoscope failed (exit {done.code}): {done.output.strip()[-500:]}"
    # Its own log lines (a timestamp and a level) would make the report vary.
    return "\n".join(
        line for line in done.output.splitlines() if not re.match(r"\d{4}-\d\d-\d\d \d\d:", line)
    )


def compare(a: Path, b: Path, diffoscope: str | None = None) -> list[Comparison]:
    """Files pairwise; folders by file name (a file on one side only is a content difference)."""
    if a.is_dir() and b.is_dir():
        names_a = {p.name for p in a.iterdir() if p.is_file()}
        names_b = {p.name for p in b.iterdir() if p.is_file()}
        out = []
        for name in sorted(names_a | names_b):
            if name in names_a and name in names_b:
                out.append(compare_files(a / name, b / name, diffoscope))
            else:
                out.append(
                    Comparison(
                        str(a / name),
                        str(b / name),
                        "content",
                        [f"{name}: only in {'A' if name in names_a else 'B'}"],
                    )
                )
        return out
    for path in (a, b):
        if not path.exists():
            raise InputError("no such file or folder", where=str(path))
    return [compare_files(a, b, diffoscope)]


def diffoscope_used(result: Comparison) -> bool:
    return any(not result.diffs[name].startswith("binary: ") for name in result.binary)


def render_text(results: list[Comparison]) -> str:
    lines = []
    for r in results:
        lines.append(f"{r.layer:<14} {Path(r.a).name}")
        lines.extend(f"  {note}" for note in r.notes[:50])
        for name, text in r.diffs.items():
            lines.append(f"  --- {name}")
            lines.extend(f"  {line}" for line in text.splitlines()[:80])
        if r.binary and not diffoscope_used(r):
            lines.append("  binary members differ: `--diffoscope` hands them to diffoscope")
    return "\n".join(lines) + "\n"
