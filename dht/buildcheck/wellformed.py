"""well-formed: the archive opens, its name follows the spec, the dist-info (wheel) or
PKG-INFO and pyproject.toml (sdist) are there and parse, every RECORD hash and size is
right, no member lands outside the archive's folder, no member appears twice."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from collections import Counter
from email.parser import Parser
from email.policy import compat32

from packaging.tags import Tag, parse_tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from dht.buildcheck.archive import Archive, Member, unsafe_name
from dht.buildcheck.verdict import Context, Subject, Verdict, failed

CHECK = "well-formed"
_RECORD_SIGNATURES = ("RECORD.jws", "RECORD.p7s")  # listed nowhere, by the spec
_WEAK_HASHES = {"md5", "sha1"}  # the wheel spec forbids them in RECORD


def check(subject: Subject, ctx: Context, archive: Archive) -> Verdict:
    reasons = _members(archive)
    if subject.kind == "wheel":
        reasons += _wheel(archive)
    else:
        reasons += _sdist(archive)
    return failed(CHECK, reasons)


def _members(archive: Archive) -> list[str]:
    reasons = []
    for m in archive.members:
        why = unsafe_name(m.name)
        if why:
            reasons.append(f"{m.name!r} has {why}: it would be written outside the install folder; an archive a build makes never has one")  # fmt: skip
    counts = Counter(m.name.rstrip("/") for m in archive.members)
    for name, n in sorted(counts.items()):
        if n > 1:
            reasons.append(f"{name} is in the archive {n} times: which one an installer keeps depends on the tool; rebuild from a clean folder")  # fmt: skip
    return reasons


# -- wheels ----------------------------------------------------------------------


def _wheel(archive: Archive) -> list[str]:
    filename = archive.path.name
    try:
        name, version, _build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        return [f"{filename} is not a wheel name ({exc}): it must be name-version[-build]-python-abi-platform.whl"]  # fmt: skip
    reasons = []
    for m in archive.members:
        if m.kind in ("symlink", "hardlink", "other"):
            reasons.append(f"{m.name} is a {m.kind}: a wheel holds regular files only; installers write a link as a file holding its target")  # fmt: skip
    folders = sorted({m.name.split("/", 1)[0] for m in archive.members if m.name.split("/", 1)[0].endswith(".dist-info")})  # fmt: skip
    if len(folders) != 1:
        what = "no .dist-info folder" if not folders else f"{len(folders)} .dist-info folders ({', '.join(folders)})"  # fmt: skip
        return [*reasons, f"the wheel has {what}: it needs exactly one, {name}-{version}.dist-info"]
    dist_info = folders[0]
    stem = dist_info.removesuffix(".dist-info")
    d_name, _, d_version = stem.rpartition("-")
    if canonicalize_name(d_name) != name or not _same_version(d_version, str(version)):
        reasons.append(f"{dist_info} does not match the file's name and version ({name} {version}): rename the wheel or rebuild it")  # fmt: skip
    reasons += _data_folders(archive, stem)
    reasons += _wheel_file(archive, dist_info, tags)
    reasons += _metadata_file(archive, f"{dist_info}/METADATA", name, str(version))
    reasons += _record(archive, dist_info)
    return reasons


_DATA_KEYS = ("purelib", "platlib", "headers", "scripts", "data")  # the install schemes' keys


def _data_folders(archive: Archive, stem: str) -> list[str]:
    """NAME-VERSION.data/KEY/...: installers refuse another .data folder or another key."""
    reasons = set()
    for m in archive.members:
        top, _, rest = m.name.partition("/")
        if not top.endswith(".data"):
            continue
        if top != f"{stem}.data":
            reasons.add(f"{top}/ is not this wheel's data folder ({stem}.data/): installers disagree about where it goes; rename it")  # fmt: skip
        elif rest and (key := rest.split("/", 1)[0]) not in _DATA_KEYS and m.kind != "dir":
            reasons.add(f"{top}/{key}/ is not an install location installers know ({', '.join(_DATA_KEYS)}): they refuse the wheel")  # fmt: skip
    return sorted(reasons)


def _same_version(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return False


def _wheel_file(archive: Archive, dist_info: str, tags: frozenset[Tag]) -> list[str]:
    where = f"{dist_info}/WHEEL"
    data = archive.files.get(where)
    if data is None:
        return [f"{where} is missing: every wheel needs it (Wheel-Version, Root-Is-Purelib, Tag)"]
    fields = _headers(data)
    if fields is None:
        return [f"{where} is not readable as UTF-8 'Key: value' lines"]
    reasons = []
    version = (fields.get("Wheel-Version") or [""])[0]
    if not version:
        reasons.append(f"{where}: Wheel-Version is missing")
    elif not version.split(".")[0].isdigit() or version.split(".")[0] != "1":
        reasons.append(f"{where}: Wheel-Version {version!r} is not 1.x: installers refuse the wheel")  # fmt: skip
    purelib = (fields.get("Root-Is-Purelib") or [""])[0].strip().lower()
    if purelib not in ("true", "false"):
        reasons.append(f"{where}: Root-Is-Purelib must be true or false, not {purelib!r}")
    declared: set[Tag] = set()
    for value in fields.get("Tag", []):
        try:
            declared |= set(parse_tag(value.strip()))
        except (ValueError, IndexError):
            reasons.append(f"{where}: Tag {value!r} is not python-abi-platform")
    if declared and declared != set(tags):
        only_file = sorted(str(t) for t in set(tags) - declared)
        only_wheel = sorted(str(t) for t in declared - set(tags))
        reasons.append(f"{where}: its Tag lines ({', '.join(only_wheel) or 'nothing more'}) do not match the file name's tags ({', '.join(only_file) or 'nothing more'}): rename the wheel with `wheel tags` or rebuild it")  # fmt: skip
    return reasons


def _headers(data: bytes) -> dict[str, list[str]] | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    message = Parser(policy=compat32).parsestr(text)
    out: dict[str, list[str]] = {}
    for key, value in message.items():
        out.setdefault(key, []).append(str(value))
    return out


def _metadata_file(archive: Archive, where: str, name: str, version: str) -> list[str]:
    from packaging.metadata import parse_email

    data = archive.files.get(where)
    if data is None:
        return [f"{where} is missing: installers and the index read the project's metadata from it"]  # fmt: skip
    try:
        raw, _unparsed = parse_email(data)
    except ValueError as exc:
        return [f"{where} is not readable core metadata: {exc}"]
    reasons = []
    if "name" not in raw:
        reasons.append(f"{where}: Name is missing")
    elif canonicalize_name(raw["name"]) != canonicalize_name(name):
        reasons.append(f"{where}: Name {raw['name']!r} is not the file name's {name!r}")
    if "version" not in raw:
        reasons.append(f"{where}: Version is missing")
    elif not _same_version(raw["version"], version) and raw["version"] != version:
        reasons.append(f"{where}: Version {raw['version']!r} is not the file name's {version!r}")
    return reasons


def _record(archive: Archive, dist_info: str) -> list[str]:
    where = f"{dist_info}/RECORD"
    data = archive.files.get(where)
    if data is None:
        return [f"{where} is missing: installers need it to check and uninstall the files"]
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        return [f"{where} is not a UTF-8 CSV file: {exc}"]
    reasons = []
    listed: set[str] = set()
    for number, row in enumerate(rows, 1):
        if not row:
            continue
        if len(row) != 3:
            reasons.append(f"{where} line {number}: {len(row)} fields, not path,hash,size")
            continue
        path, digest, size = row
        if path in listed:
            reasons.append(f"{where}: {path} is listed twice")
        listed.add(path)
        if path == where or (path.rsplit("/", 1)[-1] in _RECORD_SIGNATURES and path.startswith(dist_info + "/")):  # fmt: skip
            continue
        reasons += _record_row(archive, where, path, digest, size)
    present = {m.name for m in archive.members if m.kind != "dir"}
    signatures = {f"{dist_info}/{s}" for s in _RECORD_SIGNATURES}
    for name in sorted(present - listed - {where} - signatures):
        reasons.append(f"{where}: {name} is in the wheel but not in RECORD: installers refuse or cannot uninstall it; rebuild the wheel")  # fmt: skip
    return reasons


def _record_row(archive: Archive, where: str, path: str, digest: str, size: str) -> list[str]:
    body = archive.files.get(path)
    if body is None:
        return [f"{where}: {path} is listed but not in the wheel"]
    algorithm, _, expected = digest.partition("=")
    if not digest:
        return [f"{where}: {path} has no hash: every file but RECORD needs one"]
    if algorithm in _WEAK_HASHES or algorithm not in hashlib.algorithms_guaranteed:
        return [f"{where}: {path} is hashed with {algorithm!r}: use sha256"]
    actual = base64.urlsafe_b64encode(hashlib.new(algorithm, body).digest()).rstrip(b"=").decode()
    reasons = []
    if actual != expected:
        reasons.append(f"{where}: {path} {algorithm} does not match the file (RECORD says {expected}, the file is {actual})")  # fmt: skip
    if size and size != str(len(body)):
        reasons.append(f"{where}: {path} size does not match the file (RECORD says {size}, the file is {len(body)} bytes)")  # fmt: skip
    return reasons


# -- sdists ----------------------------------------------------------------------


def _sdist(archive: Archive) -> list[str]:
    filename = archive.path.name
    if not filename.endswith(".tar.gz"):
        return [f"{filename}: an sdist is a .tar.gz (PEP 625); the index refuses other formats"]
    try:
        name, version = parse_sdist_filename(filename)
    except InvalidSdistFilename as exc:
        return [f"{filename} is not an sdist name ({exc}): it must be name-version.tar.gz"]
    reasons = []
    top = filename.removesuffix(".tar.gz")
    for m in archive.members:
        first = m.name.removeprefix("./").split("/", 1)[0]
        if first != top:
            reasons.append(f"{m.name} is outside the {top}/ folder every member of the sdist belongs in")  # fmt: skip
        if m.kind == "other":
            reasons.append(f"{m.name} is a device or a pipe: an sdist holds files, folders and links")  # fmt: skip
        elif m.kind in ("symlink", "hardlink"):
            reasons += _link(m, top)
    if archive.top != top:
        return reasons
    reasons += _metadata_file(archive, f"{top}/PKG-INFO", str(name), str(version))
    if f"{top}/pyproject.toml" not in archive.files:
        reasons.append(f"{top}/pyproject.toml is missing: an sdist must carry it (the build backend and the project's metadata)")  # fmt: skip
    return reasons


def _link(m: Member, top: str) -> list[str]:
    target = m.link
    if m.kind == "symlink":
        # relative to the link's folder; absolute, or climbing above top/: outside
        parts = m.name.removeprefix("./").split("/")[:-1]
        escaped = target.startswith("/")
        for part in target.split("/"):
            if part == "..":
                escaped = escaped or len(parts) <= 1
                parts = parts[:-1]
            elif part not in ("", "."):
                parts.append(part)
    else:  # a hard link names another member, from the archive's root
        escaped = unsafe_name(target) is not None or target.removeprefix("./").split("/", 1)[0] != top  # fmt: skip
    if escaped:
        return [f"{m.name} links to {target}, outside the sdist: unpacking it would reach files elsewhere"]  # fmt: skip
    return []
