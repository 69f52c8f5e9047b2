"""`dht ci github`: read the lock, find the repository and the build backend, write or check
the workflow that dht/export/github.py renders."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from dht import __version__
from dht.errors import DhtError, InputError, UsageError
from dht.export.github import Facts, check_spec, covered, render, workflow_path
from dht.export.install_spec import DISTRIBUTION, installed
from dht.files import atomic_write
from dht.model.lock import LOCK_FILE, read_lock
from dht.model.toml import parse_toml, read_text
from dht.process import run


@dataclass(frozen=True)
class Outcome:
    path: Path
    shown: str
    """The path as the user reads it (relative to the current folder where possible)."""
    text: str
    current: bool
    """The file on disk already has exactly these bytes."""
    diff: str
    """A unified diff from the file on disk (or nothing) to `text`; empty when current."""
    facts: Facts

    def lines(self, check: bool) -> list[str]:
        matrix, uncovered = covered(self.facts.platforms)
        if self.current:
            head = f"{self.shown} is up to date"
        elif check:
            head = f"{self.shown} is {'missing' if not self.path.exists() else 'not current'}"
        else:
            head = f"wrote {self.shown}"
        out = [head]
        if not check and not self.current:
            jobs = "lock, machines, compare" if self.facts.builds else "lock, machines"
            out.append(
                f"  jobs: {jobs}; Python {self.facts.python}; dht from {self.facts.dht_spec}"
            )
            out += [f"  {platform}: {runner}" for platform, runner in matrix]
            out += [
                f"  {platform}: not covered (no GitHub-hosted runner)" for platform in uncovered
            ]
        return out


def builds(root: Path) -> bool:
    """Does the project have a build backend (pyproject.toml's build-system.build-backend)?"""
    path = root / "pyproject.toml"
    if not path.is_file():
        return False
    data = parse_toml(read_text(path, "pyproject.toml"), str(path))
    system = data.get("build-system")
    return isinstance(system, dict) and bool(system.get("build-backend"))


def repository_root(root: Path) -> Path | None:
    result = run(["git", "rev-parse", "--show-toplevel"], cwd=root, check=False, timeout=60)
    if result.code != 0:
        return None
    return Path(result.output.strip().splitlines()[-1]).resolve()


def github(root: Path, *, spec: str | None, output: Path | None, check: bool) -> Outcome:
    """Render the workflow for the lock in `root`; unless `check`, write it (atomically, only
    when it changed). Changes nothing when anything is wrong."""
    lock_path = root / LOCK_FILE
    if not lock_path.is_file():
        raise InputError(
            "no dht.lock here", where=str(lock_path), hint="run `dht lock` first, then commit it"
        )
    lock, _ = read_lock(lock_path)
    repo = repository_root(root)
    here = root.resolve()
    if repo is None:
        if output is None:
            raise DhtError(
                "not inside a git repository: cannot tell where .github/workflows is",
                where=str(root),
                hint="run `git init` (the workflow runs on GitHub, from a repository), "
                "or give --output PATH to write the workflow for a project at the repository root",
            )
        folder = "."
    else:
        try:
            folder = here.relative_to(repo).as_posix()
        except ValueError:
            folder = "."
    command = "dht ci github" if folder == "." else f"dht -C {folder} ci github"
    derived = installed(__version__)
    if spec is None:
        if derived.spec is None:
            raise UsageError(
                f"cannot tell how a runner should install dht: {derived.why}",
                hint=f"give --dht-spec: `{DISTRIBUTION}=={__version__}` (a release on the index) "
                f"or `{DISTRIBUTION} @ git+https://HOST/ORG/REPO@COMMIT` (a pushed commit)",
            )
        spec = derived.spec
    elif spec != derived.spec:
        command += f" --dht-spec '{spec}'"
    facts = Facts(
        python=lock.python,
        platforms=lock.platforms,
        builds=builds(root),
        dht_spec=check_spec(spec),
        folder=folder,
        # A version from git (hatch-vcs, setuptools-scm) needs the tags to build editable.
        full_history=lock.project is not None and "version" in lock.project.dynamic,
    )
    text = render(facts, command=command)
    path = output if output is not None else (repo or here) / workflow_path(folder)
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = str(path)
    try:
        old = path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise DhtError(f"cannot read the workflow: {exc}", where=shown) from None
    current = old == text
    diff = "".join(
        difflib.unified_diff(
            (old or "").splitlines(True),
            text.splitlines(True),
            f"a/{shown}" if old is not None else "/dev/null",
            f"b/{shown}",
        )
    )
    if not check and not current:
        if path.is_dir():
            raise DhtError("is a folder, not a workflow file", where=shown)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text.encode("utf-8"))
        except OSError as exc:
            raise DhtError(f"cannot write the workflow: {exc.strerror}", where=shown) from None
    return Outcome(path, shown, text, current, "" if current else diff, facts)
