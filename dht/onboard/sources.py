"""Readers for what a project already declares about its dev tools.

Each reader takes file contents and returns `Candidate`s (a requirement and
where it came from) and `Skip`s (what it saw but cannot import, and why). No
decision about what becomes a tool is made here; `init.py` does that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dht.errors import DhtError, InputError
from dht.onboard.known import DEV_EXTRAS, HOOK_EXTRAS, PRECOMMIT_ONLY, PRECOMMIT_REPOS

PRECOMMIT_FILE = ".pre-commit-config.yaml"


@dataclass(frozen=True)
class Candidate:
    name: str  # normalized
    specifier: str  # "" when any version
    source: str  # "dependency-groups.dev", ".pre-commit-config.yaml", "requirements-dev.txt"
    line: int | None = None
    extras: tuple[str, ...] = ()
    with_: tuple[
        str, ...
    ] = ()  # requirements installed beside it (pre-commit additional_dependencies)
    text: str = ""  # the requirement as normalized by packaging, for plugins
    note: str = ""

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass(frozen=True)
class Skip:
    what: str
    where: str
    reason: str


def requirement(
    text: str, source: str, line: int | None = None
) -> tuple[Candidate | None, Skip | None]:
    where = f"{source}:{line}" if line else source
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        return None, Skip(text, where, f"not a valid requirement: {exc}")
    if req.url:
        return None, Skip(
            req.name, where, "a direct URL: dht locks index packages with hashes only"
        )
    note = f"environment marker dropped ({req.marker})" if req.marker else ""
    req.name = canonicalize_name(req.name)
    return Candidate(
        name=req.name,
        specifier=str(req.specifier),
        source=source,
        line=line,
        extras=tuple(sorted(canonicalize_name(e) for e in req.extras)),
        text=str(req),
        note=note,
    ), None


def table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`data[key]` when it is a table, else empty: a wrongly typed entry imports nothing."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


# pre-commit


def normalize_repo(url: str) -> str:
    url = url.strip().lower()
    url = re.sub(r"^(https?://|git://|ssh://)", "", url)
    url = re.sub(r"^git@([^:/]+):", r"\1/", url)
    url = url.removeprefix("www.").rstrip("/")
    return url.removesuffix(".git")


def rev_specifier(rev: str) -> tuple[str, str]:
    """('==X.Y.Z', '') for a version tag; ('', why not) for a commit, a branch or anything else."""
    text = rev.strip()
    if re.fullmatch(r"[0-9a-f]{7,40}", text) and not re.fullmatch(r"[0-9.]+", text):
        return "", f"rev {text[:12]} is a commit, not a version: unpinned"
    try:
        return f"=={Version(text.removeprefix('v'))}", ""
    except InvalidVersion:
        return "", f"rev {text!r} is not a version: unpinned"


def parse_precommit(
    text: str, file: str = PRECOMMIT_FILE
) -> tuple[list[Candidate], list[Skip], str]:
    """Tools from the hook repositories, what is not imported, and pre-commit's own minimum version."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - a packaging error, pyyaml is a dependency
        raise DhtError(
            "reading .pre-commit-config.yaml needs PyYAML, which is not installed",
            where=file,
            hint="install dht with its dependencies (pip install pyyaml)",
        ) from None

    try:
        root_node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            f"not valid YAML: {problem}",
            where=f"{file}:{mark.line + 1}" if mark is not None else file,
            hint="fix it (pre-commit cannot read it either), or move it aside and run `dht init` again",
        ) from None
    if data is None:
        return [], [], ""
    if not isinstance(data, dict) or not isinstance(data.get("repos"), list):
        raise InputError(
            "has no `repos:` list",
            where=file,
            hint="a pre-commit config is a mapping with a `repos:` list",
        )
    lines = _repo_lines(root_node)
    found: list[Candidate] = []
    skipped: list[Skip] = []
    for index, repo in enumerate(data["repos"]):
        line = lines[index] if index < len(lines) else None
        where = f"{file}:{line}" if line else file
        if not isinstance(repo, dict) or not isinstance(repo.get("repo"), str):
            skipped.append(Skip(f"repos[{index}]", where, "not a mapping with a `repo:` key"))
            continue
        url = repo["repo"]
        listed = repo.get("hooks")
        hooks = [h for h in listed if isinstance(h, dict)] if isinstance(listed, list) else []
        hook_ids = sorted({str(h.get("id")) for h in hooks if h.get("id")})
        if url in ("local", "meta"):
            reason = (
                "local hooks run this repository's own commands"
                if url == "local"
                else "pre-commit's meta hooks"
            )
            skipped.append(Skip(f"{url} ({', '.join(hook_ids)})", where, reason))
            continue
        key = normalize_repo(url)
        short = "/".join(key.split("/")[1:]) or key
        if key in PRECOMMIT_ONLY:
            skipped.append(Skip(short, where, PRECOMMIT_ONLY[key]))
            continue
        package = PRECOMMIT_REPOS.get(key)
        if package is None:
            skipped.append(
                Skip(
                    short,
                    where,
                    "dht does not know which PyPI package this repository runs; add it under [tools] by hand",
                )
            )
            continue
        rev = str(repo.get("rev", ""))
        spec, note = rev_specifier(rev) if rev else ("", "no rev: unpinned")
        extras = sorted({e for h in hook_ids if (e := HOOK_EXTRAS.get((package, h)))})
        with_: set[str] = set()
        for hook in hooks:
            deps = hook.get("additional_dependencies")
            for dep in deps if isinstance(deps, list) else []:
                candidate, skip = requirement(str(dep), file, line)
                if candidate is not None:
                    with_.add(candidate.text)
                if skip is not None:
                    skipped.append(skip)
        found.append(
            Candidate(
                name=package,
                specifier=spec,
                source=file,
                line=line,
                extras=tuple(extras),
                with_=tuple(sorted(with_)),
                text=f"{short} {rev}".strip(),
                note=note,
            )
        )
    minimum = data.get("minimum_pre_commit_version")
    return found, skipped, str(minimum) if minimum else ""


def _repo_lines(node: Any) -> list[int]:
    """1-based lines of the entries of the top-level `repos:` sequence."""
    for key, value in getattr(node, "value", []) if hasattr(node, "value") else []:
        if getattr(key, "value", None) == "repos" and isinstance(value.value, list):
            return [item.start_mark.line + 1 for item in value.value]
    return []


# requirements files


def parse_requirements(
    root: Path, relpath: str, seen: list[str] | None = None
) -> tuple[list[Candidate], list[Skip]]:
    """Requirements of a pip requirements file, following `-r` includes inside the project.
    `seen` (files already read) is shared by callers reading several files."""
    found: list[Candidate] = []
    skipped: list[Skip] = []
    _read_requirements(root, relpath, found, skipped, [] if seen is None else seen)
    return found, skipped


def _logical_lines(text: str) -> Iterable[tuple[int, str, list[str]]]:
    """(first line number, the line without comment, the comment lines after it)."""
    out: list[tuple[int, str, list[str]]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not buffer and stripped.startswith("#"):
            if out:
                out[-1][2].append(stripped.lstrip("#").strip())
            continue
        content = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not buffer:
            start = number
        if content.endswith("\\"):
            buffer += content[:-1] + " "
            continue
        line = (buffer + content).strip()
        buffer = ""
        if line:
            out.append((start, line, []))
    if buffer.strip():
        out.append((start, buffer.strip(), []))
    return out


def _read_requirements(
    root: Path, relpath: str, found: list[Candidate], skipped: list[Skip], seen: list[str]
) -> None:
    path = root / relpath
    real = path.resolve()
    # The same file by another name (a symlinked folder) is the same file: read once.
    if relpath in seen or any((root / other).resolve() == real for other in seen):
        return
    if not real.is_relative_to(root.resolve()):
        skipped.append(Skip(f"-r {relpath}", relpath, "outside the project: not followed"))
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else f"cannot read it: {exc}"
        skipped.append(Skip(f"-r {relpath}", relpath, reason))
        return
    seen.append(relpath)
    for number, line, comments in _logical_lines(text):
        where = f"{relpath}:{number}"
        if line.startswith(("-r", "--requirement")):
            target = re.sub(r"^(-r|--requirement)[\s=]*", "", line).strip()
            include = (Path(relpath).parent / target).as_posix()
            if Path(target).is_absolute() or ".." in Path(include).parts:
                skipped.append(Skip(f"-r {target}", where, "outside the project: not followed"))
            else:
                _read_requirements(root, include, found, skipped, seen)
            continue
        if line.startswith(("-e", "--editable")):
            skipped.append(Skip(line, where, "an editable install: the project's own code"))
            continue
        if line.startswith(("-c", "--constraint")):
            skipped.append(Skip(line, where, "constraints files are not read"))
            continue
        if line.startswith("-"):
            continue  # --hash alone, --index-url, --no-binary …: pip options, no requirement
        if line.startswith((".", "/")) or "://" in line.split(" ")[0]:
            skipped.append(Skip(line, where, "a path or URL, not an index package"))
            continue
        # Drop per-requirement options (--hash=…) after the requirement.
        text_req = re.split(r"\s+--?[a-z]", line, maxsplit=1)[0].strip()
        candidate, skip = requirement(text_req, relpath, number)
        if skip is not None:
            skipped.append(skip)
            continue
        assert candidate is not None
        via = _via(comments)
        if via and not any(v.startswith("-r") for v in via):
            skipped.append(
                Skip(
                    candidate.name, where, f"pulled in by {', '.join(via)} (pip-compile annotation)"
                )
            )
            continue
        found.append(candidate)


def _via(comments: list[str]) -> list[str]:
    """The `# via` annotation of pip-compile / uv pip compile, as a list of parents."""
    parents: list[str] = []
    collecting = False
    for comment in comments:
        if comment.startswith("via"):
            collecting = True
            rest = comment[3:].strip()
            if rest:
                parents.append(rest)
        elif collecting and comment:
            parents.append(comment)
        else:
            collecting = False
    return parents


# pyproject.toml


def pyproject_candidates(data: Mapping[str, Any]) -> tuple[list[Candidate], list[Skip]]:
    """Dev requirements: every PEP 735 dependency group, the dev-like optional extras, and
    uv's legacy `dev-dependencies`."""
    found: list[Candidate] = []
    skipped: list[Skip] = []
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for name in groups:
            where = f"dependency-groups.{name}"
            for item in _group_items(groups, name, where, skipped):
                _add(item, where, found, skipped)
    extras = table(table(data, "project"), "optional-dependencies")
    if isinstance(extras, dict):
        for name, items in extras.items():
            where = f"project.optional-dependencies.{name}"
            if canonicalize_name(name) not in DEV_EXTRAS:
                continue  # a feature of the project, not its dev tooling
            for item in items if isinstance(items, list) else []:
                if isinstance(item, str):
                    _add(item, where, found, skipped)
    legacy = table(table(data, "tool"), "uv").get("dev-dependencies")
    for item in legacy if isinstance(legacy, list) else []:
        if isinstance(item, str):
            _add(item, "tool.uv.dev-dependencies", found, skipped)
    return found, skipped


def _add(text: str, where: str, found: list[Candidate], skipped: list[Skip]) -> None:
    candidate, skip = requirement(text, where)
    if candidate is not None:
        found.append(candidate)
    if skip is not None:
        skipped.append(skip)


def _group_items(
    groups: Mapping[str, Any], name: str, where: str, skipped: list[Skip]
) -> list[str]:
    """A group's own requirement strings. Every group is read, so `{include-group = ...}`
    adds nothing new; it is only checked (PEP 735: the group exists, no cycle)."""
    items = groups[name]
    if not isinstance(items, list):
        skipped.append(Skip(name, where, "a dependency group must be a list"))
        return []
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            problem = _include_problem(groups, item["include-group"], (canonicalize_name(name),))
            if problem:
                skipped.append(Skip(f"include-group {item['include-group']}", where, problem))
        else:
            skipped.append(Skip(str(item), where, "neither a requirement nor an include-group"))
    return out


def _include_problem(groups: Mapping[str, Any], name: str, stack: tuple[str, ...]) -> str:
    by_normal = {canonicalize_name(k): k for k in groups}
    key = by_normal.get(canonicalize_name(name))
    if key is None:
        return "no such dependency group"
    if canonicalize_name(key) in stack:
        return "the includes form a cycle"
    items = groups[key] if isinstance(groups[key], list) else []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("include-group"), str):
            problem = _include_problem(
                groups, item["include-group"], (*stack, canonicalize_name(key))
            )
            if problem:
                return problem
    return ""


# Python version


def python_from(
    root: Path, pyproject: Mapping[str, Any], running: tuple[int, int]
) -> tuple[str, str]:
    """The minor version for `project.python`, and where it came from."""
    try:
        first = (root / ".python-version").read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        first = []
    if first:
        match = re.fullmatch(r"(?:cpython-|python|py)?(3\.\d{1,2})(\.\d{1,3})?\S*", first[0])
        if match:
            return match.group(1) + (match.group(2) or ""), f".python-version ({first[0]})"
    requires = table(pyproject, "project").get("requires-python")
    if isinstance(requires, str):
        try:
            spec = SpecifierSet(requires)
        except InvalidSpecifier:
            spec = None
        if spec is not None:
            for minor in range(6, 30):
                if any(spec.contains(f"3.{minor}.{patch}") for patch in range(0, 40)):
                    return (
                        f"3.{minor}",
                        f'requires-python "{requires}" in pyproject.toml (its lowest)',
                    )
    major, minor = running
    return f"{major}.{minor}", "the Python running dht (nothing in the project says)"
