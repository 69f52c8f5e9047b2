"""An artifact's members, read with the bounded readers of dht/sandbox/archives.py:
nothing is extracted, nothing of the artifact runs. Shared by the static checks (and
usable by any check that needs a wheel's METADATA or an sdist's PKG-INFO)."""

from __future__ import annotations

import functools
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dht.buildcheck.verdict import Kind
from dht.errors import InputError
from dht.sandbox.archives import MAX_TOTAL, tar_members, zip_members

MemberKind = Literal["file", "dir", "symlink", "hardlink", "other"]


@dataclass(frozen=True)
class Member:
    name: str  # as the archive spells it: maybe unsafe, checked by wellformed
    kind: MemberKind
    data: bytes = b""  # a regular file's bytes
    link: str = ""  # a link's target


@dataclass(frozen=True)
class Archive:
    path: Path
    kind: Kind
    members: tuple[Member, ...]

    @functools.cached_property
    def files(self) -> dict[str, bytes]:
        """Regular files by name (the first of duplicates: wellformed reports them)."""
        out: dict[str, bytes] = {}
        for m in self.members:
            if m.kind == "file":
                out.setdefault(m.name, m.data)
        return out

    @functools.cached_property
    def dist_info(self) -> str | None:
        """A wheel's one top-level `.dist-info` folder (None when there are none or several)."""
        found = {m.name.split("/", 1)[0] for m in self.members if "/" in m.name}
        folders = sorted(f for f in found if f.endswith(".dist-info"))
        return folders[0] if len(folders) == 1 else None

    @functools.cached_property
    def top(self) -> str | None:
        """An sdist's one top-level folder (None when members sit in several)."""
        tops = {m.name.removeprefix("./").split("/", 1)[0] for m in self.members}
        return tops.pop() if len(tops) == 1 else None

    def metadata(self) -> bytes | None:
        """The core metadata: a wheel's METADATA, an sdist's top-level PKG-INFO."""
        if self.kind == "wheel":
            return self.files.get(f"{self.dist_info}/METADATA") if self.dist_info else None
        if self.top is None:
            return None
        return self.files.get(f"{self.top}/PKG-INFO") or self.files.get(f"./{self.top}/PKG-INFO")

    def member(self, name: str) -> bytes | None:
        return self.files.get(name)


def read(path: Path, kind: Kind) -> Archive:
    """The archive at `path`; InputError (with the reason) when it cannot be read safely.
    Cached on the file's identity: the four static checks read it once."""
    st = path.stat()
    return _read(path, kind, (st.st_ino, st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=2)  # the checks run one artifact after another; archives can be big
def _read(path: Path, kind: Kind, identity: tuple[int, int, int]) -> Archive:
    size = identity[1]
    where = path.name
    if size > MAX_TOTAL:
        raise InputError(f"not a build dht reads: {size:,} bytes", where=where)
    data = path.read_bytes()
    members: list[Member] = []
    if kind == "wheel":
        for zinfo, body in zip_members(data, where):
            mode = zinfo.external_attr >> 16
            if zinfo.is_dir():
                members.append(Member(zinfo.filename, "dir"))
            elif stat.S_ISLNK(mode):
                members.append(Member(zinfo.filename, "symlink", link=body.decode("utf-8", "replace")))  # fmt: skip
            else:
                members.append(Member(zinfo.filename, "file", body))
    else:
        for tinfo, tbody in tar_members(data, where):
            members.append(_tar_member(tinfo, tbody))
    return Archive(path, kind, tuple(members))


def _tar_member(info: tarfile.TarInfo, body: bytes | None) -> Member:
    if info.isfile():
        return Member(info.name, "file", body or b"")
    if info.isdir():
        return Member(info.name, "dir")
    if info.issym():
        return Member(info.name, "symlink", link=info.linkname)
    if info.islnk():
        return Member(info.name, "hardlink", link=info.linkname)
    return Member(info.name, "other")


def unsafe_name(name: str) -> str | None:
    """Why a member's name would land outside the folder it is unpacked into, else None."""
    if not name:
        return "an empty name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if "\\" in name:
        return "a backslash in its name"
    if any(part == ".." for part in name.split("/")):
        return "a '..' in its path"
    if "\x00" in name:
        return "a NUL byte in its name"
    return None
