"""The git metadata a build copy carries, so that a version taken from git is the version
the backend computes in the real checkout.

setuptools-scm, hatch-vcs, versioningit, pdm-backend's `scm` source, poetry-dynamic-
versioning, dunamai and pbr all run git in the project folder: the tag, the distance
from it, the commit, whether the tree is dirty (and setuptools-scm's file finder: what
goes into the sdist). A copy without `.git` fails them or gives a fallback version.
Rather than guess each backend's version scheme, dht gives every copy a `.git` of its
own describing the real checkout, and the backend computes what it always computes:

- objects borrowed from the real repository (`objects/info/alternates`: nothing copied),
- every ref (branches, tags) in `packed-refs`, HEAD as it is (a branch or detached),
- the index's entries (`ls-files --stage`): a modified or staged file makes the copy
  dirty exactly when it makes the checkout dirty; entries git skips (a sparse checkout)
  or outside the project's folder are marked skip-worktree,
- the shallow list, `info/exclude`, and the core settings that decide what counts as
  modified (autocrlf, eol, filemode, …).

The real repository is only read (no index refresh: GIT_OPTIONAL_LOCKS=0). A project in
a subfolder of its repository is copied to the same subfolder of the copy's top.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dht.gitrepo import git, git_env, try_git
from dht.process import Completed

# Settings that decide whether a file differs from the index (and so the -dirty suffix).
_CORE = ("core.autocrlf", "core.eol", "core.filemode", "core.symlinks", "core.ignorecase",
         "core.precomposeunicode", "core.checkroundtripencoding", "core.attributesfile")  # fmt: skip
# Build requirements that take the version from git (PEP 503 names).
GIT_VERSIONING = ("setuptools-scm", "hatch-vcs", "versioningit", "poetry-dynamic-versioning",
                  "dunamai", "setuptools-git-versioning", "flit-scm", "pbr",
                  "uv-dynamic-versioning", "vcs-versioning")  # fmt: skip


@dataclass(frozen=True)
class Snapshot:
    """What the copy's `.git` holds, read once from the real checkout."""

    top: Path
    prefix: str
    """The project's folder inside the repository, `a/b` ("" at the top)."""
    object_format: str
    objects: Path
    head: str
    """`ref: refs/heads/main`, or a commit id (detached)."""
    refs: tuple[tuple[str, str], ...]
    """(object id, ref name), sorted by name."""
    index: str
    """`git ls-files --stage -z` of the checkout."""
    skip: tuple[str, ...]
    """Paths to mark skip-worktree: skipped in the checkout, or outside the project."""
    shallow: str
    exclude: str
    config: tuple[tuple[str, str], ...]

    @property
    def is_shallow(self) -> bool:
        return bool(self.shallow.strip())


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    # Without GIT_DIR and the like: the checkout read is the folder's, the copy's its own.
    return git_env(extra, redirected=False)


def _git(cwd: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
    return git(cwd, *args, stdin=stdin, env=env or _env())


def _ask(cwd: Path, *args: str) -> Completed | None:
    return try_git(cwd, *args, env=_env(), timeout=60)


def read(root: Path) -> Snapshot | None:
    """The checkout `root` is in, as a build copy needs it; None outside git (or without git)."""
    probe = _ask(root, "rev-parse", "--show-toplevel")
    if probe is None or probe.code != 0 or not probe.output.strip():
        return None
    top = Path(probe.output.strip().splitlines()[-1])
    prefix = _git(root, "rev-parse", "--show-prefix").strip().rstrip("/")
    fmt = _ask(root, "rev-parse", "--show-object-format")
    object_format = fmt.output.strip() if fmt and fmt.code == 0 and fmt.output.strip() else "sha1"
    branch = _ask(root, "symbolic-ref", "-q", "HEAD")
    if branch is not None and branch.code == 0:
        head = f"ref: {branch.output.strip()}"
    else:
        head = _git(root, "rev-parse", "--verify", "HEAD").strip()
    refs = []
    for line in _git(root, "for-each-ref", "--format=%(objectname) %(refname)").splitlines():
        oid, _, name = line.partition(" ")
        if oid and name:
            refs.append((oid, name))
    index = _git(top, "ls-files", "--stage", "-z")
    tagged = _git(top, "ls-files", "-t", "-z").split("\0")
    skipped = {entry[2:] for entry in tagged if entry.startswith("S ")}
    # Submodules: the copy's submodule folder has no working .git of its own.
    skipped |= {e.split("\t", 1)[1] for e in index.split("\0") if e.startswith("160000 ")}
    if prefix:
        inside = prefix + "/"
        listed = {entry[2:] for entry in tagged if len(entry) > 2}
        skipped |= {p for p in listed if not p.startswith(inside)}
    config = []
    for key in _CORE:
        got = _ask(root, "config", "--get", key)
        if got is not None and got.code == 0:
            config.append((key, got.output.strip()))
    return Snapshot(
        top=top,
        prefix=prefix,
        object_format=object_format,
        objects=_git_path(root, "objects"),
        head=head,
        refs=tuple(sorted(refs, key=lambda r: r[1])),
        index=index,
        skip=tuple(sorted(skipped)),
        shallow=_read(_git_path(root, "shallow")),
        exclude=_read(_git_path(root, "info/exclude")),
        config=tuple(config),
    )


def _git_path(root: Path, name: str) -> Path:
    out = _git(root, "rev-parse", "--path-format=absolute", "--git-path", name).strip()
    return Path(out)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def plant_env(home: Path) -> dict[str, str]:
    """git's environment in a copy: none of the user's or system's configuration."""
    return _env({"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})


def plant(snap: Snapshot, top: Path, home: Path) -> None:
    """Give the copy whose repository top is `top` a `.git` describing the checkout."""
    env = plant_env(home)
    _git(top, "init", "-q", f"--object-format={snap.object_format}", ".", env=env)
    git_dir = top / ".git"
    for key, value in snap.config:
        _git(top, "config", key, value, env=env)
    (git_dir / "objects" / "info" / "alternates").write_text(f"{snap.objects}\n", "utf-8")
    packed = "".join(f"{oid} {name}\n" for oid, name in snap.refs)
    (git_dir / "packed-refs").write_text("# pack-refs with: sorted \n" + packed, "utf-8")
    (git_dir / "HEAD").write_text(snap.head + "\n", "utf-8")
    if snap.shallow:
        (git_dir / "shallow").write_text(snap.shallow, "utf-8")
    (git_dir / "info").mkdir(exist_ok=True)
    (git_dir / "info" / "exclude").write_text(snap.exclude, "utf-8")
    if snap.index:
        _git(top, "update-index", "-z", "--index-info", stdin=snap.index, env=env)
    if snap.skip:
        stdin = "".join(f"{p}\0" for p in snap.skip)
        _git(top, "update-index", "-z", "--skip-worktree", "--stdin", stdin=stdin, env=env)


def describe(project: Path, home: Path) -> str:
    """`git describe` in a planted copy, as a person would read it: tag-distance-gsha[-dirty]."""
    got = try_git(
        project, "describe", "--tags", "--long", "--dirty", "--always", env=plant_env(home)
    )
    return (
        got.output.strip().splitlines()[-1] if got and got.code == 0 and got.output.strip() else ""
    )


def versioning(root: Path) -> str | None:
    """The git-versioning plugin the project builds with, by its build requirements; None."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    system = data.get("build-system")
    requires = system.get("requires", []) if isinstance(system, dict) else []
    names = [_name(r) for r in requires if isinstance(r, str)]
    for known in GIT_VERSIONING:
        if known in names:
            return known
    tool = data.get("tool")
    pdm = tool.get("pdm", {}) if isinstance(tool, dict) else {}
    version = pdm.get("version", {}) if isinstance(pdm, dict) else {}
    if isinstance(version, dict) and version.get("source") == "scm":
        return "pdm-backend (scm)"
    if not (root / "pyproject.toml").is_file() and (root / "setup.py").is_file():
        text = _read(root / "setup.py")
        if "use_scm_version" in text:
            return "setuptools-scm"
    return None


def _name(requirement: str) -> str:
    head = re.split(r"[\s\[<>=!~;@(]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", head).lower()
