"""Build the fixture index: real wheels and sdists from `fixtures/index/*.toml`.

Deterministic: fixed timestamps, sorted members, fixed modes, so the files
(and their hashes) are the same on every run and every machine.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "index"
EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class FixtureFile:
    project: str
    filename: str
    data: bytes
    metadata: bytes  # core metadata (for PEP 658 `.metadata` files)
    uploaded: str
    requires_python: str | None
    yanked: str | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class FixtureIndex:
    files: dict[str, list[FixtureFile]] = field(default_factory=dict)  # project -> files
    directory: Path | None = None  # where `write` put the files, for --find-links and the like

    def by_filename(self) -> dict[str, FixtureFile]:
        return {f.filename: f for files in self.files.values() for f in files}

    def write(self, directory: Path) -> Path:
        """Every wheel and sdist as a file in `directory` (a flat find-links folder)."""
        directory.mkdir(parents=True, exist_ok=True)
        for filename, found in sorted(self.by_filename().items()):
            (directory / filename).write_bytes(found.data)
        self.directory = directory
        return directory


def _metadata(name: str, version: str, release: dict[str, object], metadata_version: str) -> bytes:
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    for field_name in release.get("dynamic", []):  # type: ignore[attr-defined]
        lines.append(f"Dynamic: {field_name}")
    if release.get("requires-python"):
        lines.append(f"Requires-Python: {release['requires-python']}")
    for req in release.get("requires-dist", []):  # type: ignore[attr-defined]
        lines.append(f"Requires-Dist: {req}")
    for extra, reqs in sorted(dict(release.get("extras", {})).items()):  # type: ignore[call-overload]
        lines.append(f"Provides-Extra: {extra}")
        for req in reqs:
            marker = f'extra == "{extra}"'
            lines.append(
                f"Requires-Dist: {req}; {marker}"
                if ";" not in req
                else f"Requires-Dist: {req} and {marker}"
            )
    return ("\n".join(lines) + "\n\n").encode()


def _noise(size: int) -> bytes:
    """Incompressible, deterministic bytes (a sha256 chain), to make a wheel big."""
    out, block = bytearray(), b"dht"
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in members:  # RECORD last, as wheels have it
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name])
    return buffer.getvalue()


def build_wheel(
    name: str, version: str, tag: str, release: dict[str, object]
) -> tuple[str, bytes, bytes]:
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    metadata = _metadata(name, version, release, "2.1")
    files = dict(release.get("files", {}))  # type: ignore[call-overload]
    members: dict[str, bytes] = {
        **{
            path: text if isinstance(text, bytes) else str(text).encode()
            for path, text in sorted(files.items())
        },
        **(
            {}
            if files
            else {
                f"{module}/__init__.py": f'"""{name} {version}, a dht test fixture."""\n\n\ndef main() -> None:\n    print("{name} {version}")\n'.encode()
            }
        ),
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: dht-fixtures\nRoot-Is-Purelib: {'true' if tag.endswith('none-any') else 'false'}\nTag: {tag}\n".encode(),
    }
    payload_kb = int(release.get("payload-kb", 0))  # type: ignore[call-overload]
    if payload_kb:
        members[f"{module}/_payload.bin"] = _noise(payload_kb * 1024)
        # Package files first, .dist-info last, as real wheels have them.
        members = {k: members[k] for k in sorted(members, key=lambda k: ".dist-info/" in k)}
    scripts = dict(release.get("scripts", {}))  # type: ignore[call-overload]
    if scripts:
        members[f"{dist_info}/entry_points.txt"] = (
            "[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in sorted(scripts.items()))
        ).encode()
    record = []
    for path, data in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    return f"{module}-{version}-{tag}.whl", _zip(members), metadata


def build_sdist(name: str, version: str, release: dict[str, object]) -> tuple[str, bytes, bytes]:
    module = name.replace("-", "_")
    root = f"{module}-{version}"
    pkg_info = _metadata(name, version, release, str(release.get("metadata-version", "2.2")))
    members = {
        f"{root}/PKG-INFO": pkg_info,
        f"{root}/pyproject.toml": f'[project]\nname = "{name}"\nversion = "{version}"\n'.encode(),
        f"{root}/{module}/__init__.py": b"",
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(members):
            info = tarfile.TarInfo(path)
            info.size = len(members[path])
            info.mtime = 315532800
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(members[path]))
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return f"{root}.tar.gz", compressed.getvalue(), pkg_info


def build_index(source: Path = FIXTURES) -> FixtureIndex:
    index = FixtureIndex()
    for path in sorted(source.glob("*.toml")):
        name = path.stem
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        files: list[FixtureFile] = []
        for release in spec["release"]:
            version = release["version"]
            built = [build_wheel(name, version, tag, release) for tag in release.get("wheels", [])]
            if release.get("sdist"):
                built.append(build_sdist(name, version, release))
            for filename, data, metadata in built:
                files.append(
                    FixtureFile(
                        project=name,
                        filename=filename,
                        data=data,
                        metadata=metadata,
                        uploaded=release["uploaded"],
                        requires_python=release.get("requires-python"),
                        yanked=release.get("yanked"),
                    )
                )
        index.files[name] = files
    return index
