"""Readers for what a project already declares about its dev tools.

Each reader takes file contents and returns `Candidate`s (a requirement and
where it came from) and `Skip`s (what it saw but cannot import, and why). No
decision about what becomes a tool is made here; `init.py` does that.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from dht.errors import DhtError, InputError
from dht.onboard import yamlfile
from dht.onboard.hookmap import NotAPackage, lookup, lookup_hook, normalize_repo, rev_version
from dht.onboard.known import DEV_EXTRAS, REQUIREMENTS_FILES

PRECOMMIT_FILE = ".pre-commit-config.yaml"


@dataclass(frozen=True)
class Candidate:
    name: str  # normalized
    specifier: str  # "" when any version
    source: str  # "dependency-groups.dev", ".pre-commit-config.yaml", "tox.ini [testenv:lint]"
    line: int | None = None
    extras: tuple[str, ...] = ()
    # requirements installed beside it (pre-commit additional_dependencies)
    with_: tuple[str, ...] = ()
    text: str = ""  # the requirement as normalized by packaging, for plugins
    note: str = ""
    kind: str = ""  # the family of the place (known.PIN_ORDER), for precedence
    file: str = ""  # the file it was read from, to match what CI runs; "" for none
    tool: bool = False  # a command-line tool whatever DEV_TOOLS says (a hook's package)
    constraint: bool = False  # from a constraints file (-c): pins, installs nothing

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass(frozen=True)
class Skip:
    what: str
    where: str
    reason: str


def requirement(
    text: str, source: str, line: int | None = None, *, kind: str = "", file: str = ""
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
        kind=kind,
        file=file,
    ), None


def table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`data[key]` when it is a table, else empty: a wrongly typed entry imports nothing."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


# pre-commit


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
        root_node = yamlfile.compose(text)
        data = yamlfile.load(text)
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
    nodes = _repo_nodes(root_node)
    lines = text.splitlines()
    found: list[Candidate] = []
    skipped: list[Skip] = []
    for index, repo in enumerate(data["repos"]):
        node = nodes[index] if index < len(nodes) else _RepoNode(None, None, [])
        where = f"{file}:{node.line}" if node.line else file
        if not isinstance(repo, dict) or not isinstance(repo.get("repo"), str):
            skipped.append(Skip(f"repos[{index}]", where, "not a mapping with a `repo:` key"))
            continue
        url = repo["repo"]
        listed = repo.get("hooks")
        hooks = [h for h in listed if isinstance(h, dict)] if isinstance(listed, list) else []
        hook_ids = sorted({str(h.get("id")) for h in hooks if h.get("id")})
        if url == "local":
            _local_hooks(hooks, node, file, found, skipped)
            continue
        if url == "meta":
            skipped.append(Skip(f"meta ({', '.join(hook_ids)})", where, "pre-commit's meta hooks"))
            continue
        key = normalize_repo(url)
        short = "/".join(key.split("/")[1:]) or key
        rev = str(repo.get("rev", "")).strip()
        frozen = ""
        if node.rev_line and node.rev_line <= len(lines):
            match = _FROZEN.search(lines[node.rev_line - 1])
            frozen = match.group(1) if match else ""
        shown = f"{short} {_short_rev(rev)}".strip() + (f" # frozen: {frozen}" if frozen else "")
        known = lookup(url, hook_ids)
        if isinstance(known, NotAPackage):
            skipped.append(Skip(short, where, known.reason))
            continue
        if known is None:
            guessed = {p for h in hook_ids if (p := lookup_hook(h)) is not None}
            if len(guessed) != 1:
                skipped.append(
                    Skip(
                        short,
                        where,
                        "dht does not know which PyPI package this repository runs;"
                        " add it under [tools] by hand",
                    )
                )
                continue
            package, extras = guessed.pop()
            spec = ""
            note = (
                f"an unknown repository running {package}'s hook"
                f" ({', '.join(hook_ids)}): its rev may not be {package}'s version, unpinned"
            )
        else:
            package, extras = known.package, known.extras
            if known.rev == "none":
                spec, note = "", f"{known.note}: unpinned"
            elif not rev:
                spec, note = "", "no rev: unpinned"
            else:
                spec, note = rev_version(frozen or rev, known.rev)
                if frozen and spec:
                    note = ""  # the comment is the version `pre-commit autoupdate --freeze` wrote
        with_, own_extras = _additional(hooks, package, file, node.line, skipped)
        found.append(
            Candidate(
                name=package,
                specifier=spec,
                source=file,
                line=node.line,
                extras=tuple(sorted({*extras, *own_extras})),
                with_=with_,
                text=shown,
                note=note,
                kind="pre-commit",
                file=file,
                tool=True,
            )
        )
    minimum = data.get("minimum_pre_commit_version")
    return found, skipped, str(minimum) if minimum else ""


_FROZEN = re.compile(r"#\s*frozen:\s*(\S+)")


def _short_rev(rev: str) -> str:
    return rev[:12] if re.fullmatch(r"[0-9a-f]{13,40}", rev) else rev


def _additional(
    hooks: list[dict[str, Any]], package: str, file: str, line: int | None, skipped: list[Skip]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The hooks' additional_dependencies: (what goes in `with`, extras of the package itself,
    as in `bandit[toml]` beside bandit's own hook)."""
    with_: set[str] = set()
    extras: set[str] = set()
    for hook in hooks:
        deps = hook.get("additional_dependencies")
        for dep in deps if isinstance(deps, list) else []:
            candidate, skip = requirement(str(dep), file, line)
            if skip is not None:
                skipped.append(skip)
            elif candidate is not None and candidate.name == package:
                extras.update(candidate.extras)
            elif candidate is not None:
                with_.add(candidate.text)
    return tuple(sorted(with_)), tuple(sorted(extras))


def _local_hooks(
    hooks: list[dict[str, Any]],
    node: _RepoNode,
    file: str,
    found: list[Candidate],
    skipped: list[Skip],
) -> None:
    """`repo: local` hooks: a `language: python` hook installs its additional_dependencies,
    which name PyPI packages; other local hooks run this repository's own commands."""
    for index, hook in enumerate(hooks):
        hook_id = str(hook.get("id", f"hooks[{index}]"))
        line = node.hook_lines[index] if index < len(node.hook_lines) else node.line
        where = f"{file}:{line}" if line else file
        deps = hook.get("additional_dependencies")
        if hook.get("language") not in ("python", "python_venv") or not isinstance(deps, list):
            skipped.append(
                Skip(f"local ({hook_id})", where, "local hooks run this repository's own commands")
            )
            continue
        parsed: list[Candidate] = []
        for dep in deps:
            candidate, skip = requirement(str(dep), file, line, kind="pre-commit", file=file)
            if skip is not None:
                skipped.append(skip)
            if candidate is not None:
                parsed.append(candidate)
        entry = str(hook.get("entry", "")).split()
        command = canonicalize_name(Path(entry[0]).name) if entry else ""
        main = next((c for c in parsed if c.name == command), None)
        if main is None:
            # No package named like the command: each requirement stands on its own.
            found += [replace(c, note=f"local hook {hook_id}") for c in parsed]
            continue
        same = [c for c in parsed if c.name == main.name]  # `pyright[nodejs]` beside `pyright==…`
        pinned = next((c for c in same if c.specifier), main)
        found.append(
            replace(
                pinned,
                extras=tuple(sorted({e for c in same for e in c.extras})),
                with_=tuple(sorted(c.text for c in parsed if c.name != main.name)),
                text=f"local hook {hook_id}",
                tool=True,
            )
        )


@dataclass(frozen=True)
class _RepoNode:
    line: int | None  # of the repo entry
    rev_line: int | None  # of its `rev:` value, where a `# frozen:` comment sits
    hook_lines: list[int]


def _repo_nodes(node: Any) -> list[_RepoNode]:
    """Where each entry of the top-level `repos:` sequence is (1-based lines)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) != "repos" or not isinstance(value, yaml.SequenceNode):
            continue
        out = []
        for item in value.value:
            rev_line, hook_lines = None, []
            for k, v in item.value if isinstance(item, yaml.MappingNode) else []:
                if getattr(k, "value", None) == "rev":
                    rev_line = v.start_mark.line + 1
                elif getattr(k, "value", None) == "hooks" and isinstance(v.value, list):
                    hook_lines = [h.start_mark.line + 1 for h in v.value]
            out.append(_RepoNode(item.start_mark.line + 1, rev_line, hook_lines))
        return out
    return []


# requirements files


def requirements_files(root: Path) -> list[str]:
    """The requirements files at the project's top and in requirements/, in reading order:
    requirements.txt, the usual dev names, then the others sorted."""
    names = sorted(p.name for p in root.glob("*.txt") if p.is_file())
    top = [n for n in names if _REQUIREMENTS_NAME.fullmatch(n)]
    nested = sorted(
        f"requirements/{p.name}" for p in root.glob("requirements/*.txt") if p.is_file()
    )
    found = top + nested
    ordered = [f for f in ("requirements.txt", *REQUIREMENTS_FILES) if f in found]
    return ordered + [f for f in found if f not in ordered]


_REQUIREMENTS_NAME = re.compile(r"requirements([-_.].+)?\.txt|.+[-_]requirements\.txt")


def parse_requirements(
    root: Path,
    relpath: str,
    seen: list[str] | None = None,
    includes: dict[str, list[str]] | None = None,
) -> tuple[list[Candidate], list[Skip]]:
    """Requirements of a pip requirements file, following `-r` includes and `-c` constraints
    inside the project. `seen` (files already read) is shared by callers reading several
    files; `includes` collects which file includes which (for what CI runs)."""
    reader = RequirementsReader(root, [] if seen is None else seen, includes)
    reader.read(relpath, constraint=False)
    return reader.found, reader.skipped


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


_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s=]))(\S+)$")


class RequirementsReader:
    def __init__(self, root: Path, seen: list[str], includes: dict[str, list[str]] | None) -> None:
        self.root = root
        self.seen = seen
        self.includes = includes if includes is not None else {}
        self.found: list[Candidate] = []
        self.skipped: list[Skip] = []

    def include(self, target: str, base: str, where: str, option: str) -> None:
        """Follow `-r target` / `-c target` written in `base` (a path relative to the root,
        or "" for the root itself, as tox and nox give them)."""
        constraint = option in ("-c", "--constraint")
        flag = "-c" if constraint else "-r"
        target = target.replace("{toxinidir}/", "").replace("{toxinidir}", ".")
        if "{" in target:
            self.skipped.append(
                Skip(f"{flag} {target}", where, "a tox substitution in the path: not followed")
            )
            return
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
        if Path(target).is_absolute() or joined.split("/")[0] == "..":
            self.skipped.append(
                Skip(f"{flag} {target}", where, "outside the project: not followed")
            )
            return
        self.includes.setdefault(base, []).append(joined)
        self.read(joined, constraint=constraint, label=f"{flag} {target}", where=where)

    def read(self, relpath: str, *, constraint: bool, label: str = "", where: str = "") -> None:
        path = self.root / relpath
        real = path.resolve()
        # The same file by another name (a symlinked folder) is the same file: read once.
        if relpath in self.seen or any((self.root / o).resolve() == real for o in self.seen):
            return
        label, where = label or f"-r {relpath}", where or relpath
        if not real.is_relative_to(self.root.resolve()):
            self.skipped.append(Skip(label, where, "outside the project: not followed"))
            return
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            missing = isinstance(exc, (FileNotFoundError, IsADirectoryError))
            reason = "no such file" if missing else f"cannot read it: {exc}"
            self.skipped.append(Skip(label, where, reason))
            return
        self.seen.append(relpath)
        for number, line, comments in _logical_lines(text):
            self.line(relpath, number, line, comments, constraint)

    def line(
        self, relpath: str, number: int, line: str, comments: list[str], constraint: bool
    ) -> None:
        where = f"{relpath}:{number}"
        include = _INCLUDE.match(line)
        if include:
            self.include(include.group(2), relpath, where, include.group(1))
            return
        if line.startswith(("-e", "--editable")):
            self.skipped.append(Skip(line, where, "an editable install: the project's own code"))
            return
        if line.startswith("-"):
            return  # --hash alone, --index-url, --no-binary …: pip options, no requirement
        if line.startswith((".", "/")) or "://" in line.split(" ")[0]:
            self.skipped.append(Skip(line, where, "a path or URL, not an index package"))
            return
        # Drop per-requirement options (--hash=…) after the requirement.
        text_req = re.split(r"\s+--?[a-z]", line, maxsplit=1)[0].strip()
        candidate, skip = requirement(text_req, relpath, number, kind="requirements", file=relpath)
        if skip is not None:
            self.skipped.append(skip)
            return
        assert candidate is not None
        via = _via(comments)
        if via and not any(v.startswith(("-r", "-c")) for v in via):
            self.skipped.append(
                Skip(
                    candidate.name, where, f"pulled in by {', '.join(via)} (pip-compile annotation)"
                )
            )
            return
        self.found.append(replace(candidate, constraint=constraint))


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


# uv.lock


def uv_lock_candidates(root: Path, names: Iterable[str]) -> tuple[list[Candidate], list[Skip]]:
    """The versions uv.lock pins for these packages (those pyproject.toml names), read with
    the compiler's own uv.lock reader."""
    from dht.compile.uvlock import UV_LOCK, read_uv_lock

    try:
        lock = read_uv_lock(root / UV_LOCK)
    except DhtError as exc:
        return [], [Skip(UV_LOCK, exc.where or UV_LOCK, f"not read: {exc.message}")]
    if lock is None:
        return [], []
    found: list[Candidate] = []
    skipped: list[Skip] = []
    lines = lock.text.splitlines()
    for name in sorted(set(names)):
        entries = [p for p in lock.packages.get(name, ()) if p.version is not None]
        versions = sorted({str(p.version) for p in entries})
        if not versions:
            continue
        line = next(
            (
                i + 1
                for i, text in enumerate(lines)
                if text.strip() in (f'name = "{name}"', f"name = '{name}'")
            ),
            None,
        )
        if len(versions) > 1:
            skipped.append(
                Skip(
                    name,
                    f"{UV_LOCK}:{line}" if line else UV_LOCK,
                    f"uv.lock holds several versions ({', '.join(versions)}), one per"
                    " environment: not pinned from it",
                )
            )
            continue
        if entries[0].source != "registry":
            continue  # a path or git source: the project's own, nothing to pin from an index
        found.append(
            Candidate(
                name=name,
                specifier=f"=={versions[0]}",
                source=UV_LOCK,
                line=line,
                text=f"{name}=={versions[0]}",
                kind="uv.lock",
                file=UV_LOCK,
            )
        )
    return found, skipped


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
    candidate, skip = requirement(text, where, kind="pyproject", file="pyproject.toml")
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
