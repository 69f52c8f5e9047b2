"""`dht build`: one build into dist/, the reproducibility check, and `--normalize`."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dht.buildcheck import verdict
from dht.errors import DhtError, InputError
from dht.files import atomic_write
from dht.gitrepo import SourceDate, source_date
from dht.sandbox.build import (
    BASELINE,
    VARIED,
    Explain,
    backend,
    build_baseline,
    build_twice,
)
from dht.sandbox.compare import Comparison, compare_files
from dht.sandbox.normalize import ZLIB_VERSION, kind_of, normalize

FORMAT = 1
VERDICTS = ("identical", "identical-after-normalizing", "different")


@dataclass
class Artifact:
    name: str
    kind: str
    verdict: str = "identical"  # for one build: always identical
    layer: str = "identical"  # dht compare-builds' layer of the raw builds
    sha256: str = ""  # build A's file, as kept (normalized when asked)
    sha256_b: str = ""
    normalized_sha256: str = ""
    normalized_sha256_b: str = ""
    notes: list[str] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)  # what --normalize changed


@dataclass
class Report:
    backend: str
    source_date: SourceDate
    normalized: bool
    artifacts: list[Artifact]
    conditions: dict[str, dict[str, str]] = field(default_factory=dict)
    git: dict[str, Any] | None = None
    """How the version from git was given to the builds; None when the project takes none."""
    verification: verdict.Report | None = None
    """The kept build's verification (dht.buildcheck); None with --no-verify."""

    @property
    def ok(self) -> bool:
        wanted = ("identical", "identical-after-normalizing") if self.normalized else ("identical",)
        return bool(self.artifacts) and all(a.verdict in wanted for a in self.artifacts)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "backend": self.backend,
            "source_date_epoch": self.source_date.epoch,
            "source_date_from": self.source_date.source,
            "zlib": ZLIB_VERSION,
            "normalized": self.normalized,
            "conditions": self.conditions,
            "git": self.git,
            "ok": self.ok,
            "artifacts": [asdict(a) for a in self.artifacts],
            "verification": None if self.verification is None else self.verification.to_json(),
        }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalize_files(paths: list[Path], epoch: SourceDate) -> list[Artifact]:
    """Rewrite each wheel/sdist in place into canonical form. All are read and checked
    before any is written, so a bad one among them changes nothing."""
    planned = []
    for path in paths:
        kind = kind_of(path.name)
        if not path.is_file():
            raise InputError("no such file", where=str(path))
        data = path.read_bytes()
        result = normalize(str(path), data, epoch.epoch)
        planned.append((path, kind, data, result))
    out = []
    for path, kind, data, result in planned:
        if result.data != data:
            atomic_write(path, result.data)
        out.append(Artifact(path.name, kind, sha256=_sha(result.data),
                            normalized_sha256=_sha(result.data), changes=result.changes))  # fmt: skip
    return out


def _verified(paths: list[Path], root: Path) -> verdict.Report:
    from dht.commands.verify_build import verify_files

    return verify_files(paths, root=root, lock_root=root)


def reproducible(
    root: Path,
    *,
    normalize_builds: bool = False,
    out_dir: Path | None = None,
    verify: bool = False,
) -> Report:
    """Build twice under varied conditions and compare, raw and after normalizing."""
    name = backend(root)
    if out_dir is not None:
        _check_out_dir(out_dir)
    date = source_date(root)
    with tempfile.TemporaryDirectory(prefix="dht-build-") as temp:
        out_a, out_b, explain = build_twice(root, Path(temp), date.epoch)
        artifacts = []
        for result in _compare_builds(out_a, out_b):
            a, b = Path(result.a), Path(result.b)
            artifact = Artifact(a.name if a.exists() else b.name, "", layer=result.layer,
                                notes=result.notes, diffs=result.diffs)  # fmt: skip
            artifact.kind = kind_of(artifact.name)
            if a.exists() and b.exists():
                data_a, data_b = a.read_bytes(), b.read_bytes()
                norm_a = normalize(a.name, data_a, date.epoch)
                norm_b = normalize(b.name, data_b, date.epoch)
                artifact.sha256, artifact.sha256_b = _sha(data_a), _sha(data_b)
                artifact.normalized_sha256 = _sha(norm_a.data)
                artifact.normalized_sha256_b = _sha(norm_b.data)
                if data_a == data_b:
                    artifact.verdict = "identical"
                elif norm_a.data == norm_b.data:
                    artifact.verdict = "identical-after-normalizing"
                else:
                    artifact.verdict = "different"
                if normalize_builds:
                    artifact.changes = norm_a.changes
                    atomic_write(a, norm_a.data)
                    artifact.sha256 = artifact.normalized_sha256
            else:
                artifact.verdict = "different"
            artifacts.append(artifact)
        if out_dir is not None:
            _keep(out_a, out_dir)
        # Build A is the one kept: verified as it will be published (normalized when asked).
        checked = _verified(sorted(_built(out_a).values()), root) if verify else None
    conditions = {c.label: c.describe() for c in (BASELINE, VARIED)}
    return Report(name, date, normalize_builds, artifacts, conditions, _git(explain), checked)


def _git(explain: Explain) -> dict[str, Any] | None:
    """What the report says about git: the versioning plugin, what git describes, warnings."""
    if explain.versioning is None and not explain.git:
        return None
    notes = []
    if explain.versioning and not explain.git:
        notes.append("not in a git checkout: the backend gets no git metadata")
    elif explain.git and explain.describe and "-g" not in explain.describe:
        notes.append("no tag reachable from HEAD: a git-versioning backend falls back")
    return {
        "versioning": explain.versioning,
        "metadata": explain.git,
        "describe": explain.describe,
        "notes": notes,
    }


def _built(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in folder.iterdir() if p.name.endswith((".whl", ".tar.gz"))}


def _compare_builds(out_a: Path, out_b: Path) -> list[Comparison]:
    """The artifacts pairwise by file name (uv also writes a .gitignore there)."""
    a, b = _built(out_a), _built(out_b)
    return [
        compare_files(a[n], b[n])
        if n in a and n in b
        else Comparison(str(out_a / n), str(out_b / n), "content", [_only(n, n in a)])
        for n in sorted(a.keys() | b.keys())
    ]


def _only(name: str, in_a: bool) -> str:
    return f"{name}: only in build {'A' if in_a else 'B'}"


def _check_out_dir(out_dir: Path) -> None:
    """Before a build that takes seconds: can the artifacts land there?"""
    if out_dir.exists() and not out_dir.is_dir():
        raise DhtError("--out-dir is a file, not a folder", where=str(out_dir),
                       hint="name a folder (it is created when missing)")  # fmt: skip
    existing = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
    if existing is not None and (
        not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK)
    ):
        raise DhtError("--out-dir cannot be written", where=str(out_dir),
                       hint="choose a folder you may write to")  # fmt: skip


def _keep(built: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(_built(built).values()):
        temp = out_dir / f".{path.name}.dht-tmp"
        shutil.copyfile(path, temp)
        os.replace(temp, out_dir / path.name)


def build(
    root: Path, out_dir: Path, *, normalize_builds: bool = False, verify: bool = False
) -> Report:
    """One build of a fresh copy of the project under the baseline conditions (build A of
    `--reproducible`), with SOURCE_DATE_EPOCH set, kept in `out_dir`."""
    name = backend(root)
    _check_out_dir(out_dir)
    date = source_date(root)
    with tempfile.TemporaryDirectory(prefix="dht-build-") as temp:
        built, explain = build_baseline(root, Path(temp), date.epoch)
        artifacts = []
        for path in sorted(_built(built).values()):
            data = path.read_bytes()
            result = normalize(path.name, data, date.epoch)
            artifact = Artifact(path.name, kind_of(path.name), sha256=_sha(data),
                                normalized_sha256=_sha(result.data))  # fmt: skip
            if normalize_builds:
                atomic_write(path, result.data)
                artifact.sha256, artifact.changes = artifact.normalized_sha256, result.changes
            artifacts.append(artifact)
        _keep(built, out_dir)
    checked = _verified([out_dir / a.name for a in artifacts], root) if verify else None
    return Report(name, date, normalize_builds, artifacts, git=_git(explain), verification=checked)


def render_build(report: Report, *, reproducible_check: bool) -> str:
    lines = [
        f"backend: {report.backend}",
        f"SOURCE_DATE_EPOCH: {report.source_date.epoch} ({report.source_date.source})",
    ]
    if report.git is not None and report.git["versioning"]:
        seen = report.git["describe"] or "no git checkout"
        lines.append(f"version from git ({report.git['versioning']}): {seen}")
        lines.extend(f"  note: {note}" for note in report.git["notes"])
    for label, described in report.conditions.items():
        lines.append(f"build {label}: " + ", ".join(f"{k} {v}" for k, v in described.items()))
    width = max((len(a.name) for a in report.artifacts), default=0)
    for artifact in report.artifacts:
        if reproducible_check:
            lines.append(f"{artifact.name:<{width}}  {artifact.verdict}")
            if artifact.verdict != "identical":
                lines.append(f"  raw builds: {artifact.layer}")
                lines.extend(f"  {note}" for note in artifact.notes[:50])
                if artifact.verdict == "different":
                    for member, text in artifact.diffs.items():
                        lines.append(f"  --- {member}")
                        lines.extend(f"  {line}" for line in text.splitlines()[:80])
        else:
            lines.append(f"{artifact.name:<{width}}  sha256 {artifact.sha256}")
        if report.normalized:
            lines.append(f"  normalized: {', '.join(artifact.changes) or 'already canonical'}")
    if report.normalized:
        lines.append(f"zlib: {ZLIB_VERSION}")
    if reproducible_check:
        counts = {v: sum(a.verdict == v for a in report.artifacts) for v in VERDICTS}
        lines.append(", ".join(f"{n} {v}" for v, n in counts.items() if n))
    if report.verification is not None:
        from dht.buildcheck.run import render

        lines.append("")
        lines.append(render(report.verification).rstrip("\n"))
    return "\n".join(lines) + "\n"


def normalized_json(artifacts: list[Artifact]) -> dict[str, Any]:
    return {"format": FORMAT, "zlib": ZLIB_VERSION, "artifacts": [asdict(a) for a in artifacts]}


def render_normalized(artifacts: list[Artifact]) -> str:
    lines = [
        f"{a.name}: {', '.join(a.changes) if a.changes else 'already canonical'}" for a in artifacts
    ]
    return "\n".join([*lines, f"zlib: {ZLIB_VERSION}"]) + "\n"
