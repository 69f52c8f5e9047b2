"""The GitHub Actions workflow `dht ci github` writes: lock facts in, YAML text out (pure).

Written by hand as text, so the same facts give the same bytes: no YAML library,
no timestamps, nothing from the machine. The workflow depends only on the lock's
platforms and Python, whether the project builds, where it sits in the repository
and how dht is installed: a lock change that touches only packages leaves it as it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dht.errors import DhtError, UsageError
from dht.export.install_spec import DISTRIBUTION

WORKFLOW_PATH = ".github/workflows/dht.yml"


def workflow_path(folder: str) -> str:
    """One workflow per dht project of a repository: `dht.yml` at the root,
    `dht-FOLDER.yml` (slashes as dashes) for a project in a subfolder."""
    return (
        WORKFLOW_PATH if folder == "." else f".github/workflows/dht-{folder.replace('/', '-')}.yml"
    )


# Plain YAML-safe words: project folders and install specs are written into the file.
_FOLDER = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
_SPEC_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f'\"`$\\]")


@dataclass(frozen=True)
class Action:
    name: str
    tag: str
    sha: str

    @property
    def uses(self) -> str:
        return f"{self.name}@{self.sha} # {self.tag}"


@dataclass(frozen=True)
class Pins:
    actions: dict[str, Action]
    runners: dict[str, str]
    uv_version: str


@cache
def pins() -> Pins:
    """dht/data/github_actions.json: action shas, runner labels, the uv version."""
    raw: dict[str, Any] = json.loads(
        resources.files("dht.data").joinpath("github_actions.json").read_text(encoding="utf-8")
    )
    actions = {
        name: Action(name, entry["tag"], entry["sha"]) for name, entry in raw["actions"].items()
    }
    return Pins(actions, dict(raw["runners"]), str(raw["uv-version"]))


@dataclass(frozen=True)
class Facts:
    """Everything the workflow depends on."""

    python: str
    platforms: tuple[str, ...]
    builds: bool
    """The project has a build backend: build reproducibly, upload, compare across platforms."""
    dht_spec: str
    folder: str = "."
    """The project folder relative to the repository root (POSIX), "." at the root."""
    full_history: bool = False
    """The project's version comes from git: the machines check out every commit and tag."""


def check_spec(spec: str) -> str:
    """An install spec for dht must pin one version (`dht-lock==1.2.3`) or a direct URL."""
    bad = UsageError(
        f"--dht-spec: {spec!r} does not pin dht",
        hint=f"give `{DISTRIBUTION}==VERSION`, or a direct reference `{DISTRIBUTION} @ URL` "
        "(a wheel, or git+https://…@COMMIT)",
    )
    if _SPEC_FORBIDDEN.search(spec):
        raise bad
    try:
        req = Requirement(spec)
    except InvalidRequirement:
        raise bad from None
    if canonicalize_name(req.name) != DISTRIBUTION:
        unrelated = " (`dht` on the index is an unrelated project)" if req.name == "dht" else ""
        raise UsageError(
            f"--dht-spec: {spec!r} installs {req.name!r}, not {DISTRIBUTION}{unrelated}",
            hint=f"give `{DISTRIBUTION}==VERSION` or `{DISTRIBUTION} @ URL`",
        )
    if req.url:
        return spec
    specs = list(req.specifier)
    if len(specs) != 1 or specs[0].operator not in ("==", "===") or "*" in specs[0].version:
        raise bad
    return spec


def check_folder(folder: str) -> str:
    if (folder != "." and not _FOLDER.match(folder)) or ".." in folder.split("/"):
        raise DhtError(
            f"the project folder {folder!r} cannot be written into a workflow",
            hint="keep the project in a folder whose path uses letters, digits, '.', '_', '-'",
        )
    return folder


def covered(platforms: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[str]]:
    """(platform, runner label) for platforms with a GitHub-hosted runner; the others."""
    runners = pins().runners
    return (
        [(p, runners[p]) for p in platforms if p in runners],
        [p for p in platforms if p not in runners],
    )


def _in(folder: str, path: str) -> str:
    return path if folder == "." else f"{folder}/{path}"


def render(facts: Facts, *, command: str = "dht ci github") -> str:
    """The workflow text. `command` is how to regenerate it (shown in the header)."""
    check_spec(facts.dht_spec)
    folder = check_folder(facts.folder)
    p = pins()
    a = p.actions
    matrix, uncovered = covered(facts.platforms)
    if not matrix:
        raise DhtError(
            "no platform of dht.lock has a GitHub-hosted runner",
            hint=f"add one of {', '.join(p.runners)} to targets.platforms in dht.toml",
        )
    lock = _in(folder, "dht.lock")
    out: list[str] = [
        "# Generated by `dht ci github` from dht.lock. Do not edit by hand:",
        f"# regenerate with `{command}`; `{command} --check` verifies it.",
        "# Runner images are pinned versions (not -latest) so a run means the same thing",
        "# until the lock or dht changes; actions are pinned by commit sha.",
    ]
    if uncovered:
        out.append("# Not covered (no GitHub-hosted runner): " + ", ".join(uncovered) + ".")
    out += [
        "name: dht" if folder == "." else f"name: dht ({folder})",  # also the concurrency group
        "",
        "on:",
        "  push:",
        "  pull_request:",
        "",
        "permissions: {}",
        "",
        "concurrency:",
        "  group: ${{ github.workflow }}-${{ github.ref }}",
        "  cancel-in-progress: true",
        "",
        "env:",
        f"  DHT_SPEC: '{facts.dht_spec}'",
        "",
        "defaults:",
        "  run:",
        "    shell: bash",
    ]
    # Per job, not workflow-wide: the compare job has no checkout, so no such folder.
    in_folder = (
        []
        if folder == "."
        else ["    defaults:", "      run:", f"        working-directory: {folder}"]
    )
    setup_uv = [
        "      - name: Set up uv",
        f"        uses: {a['astral-sh/setup-uv'].uses}",
        "        with:",
        f'          version: "{p.uv_version}"',
        "          enable-cache: true",
        f"          cache-dependency-glob: {lock}",
        "      - name: Install dht",
        '        run: uv tool install "$DHT_SPEC"',
    ]
    checkout = [
        "      - name: Check out",
        f"        uses: {a['actions/checkout'].uses}",
        "        with:",
        "          persist-credentials: false",
    ]
    out += [
        "",
        "jobs:",
        "  lock:",
        "    name: lock is current",
        "    runs-on: ubuntu-24.04",
        "    timeout-minutes: 10",
        "    permissions:",
        "      contents: read",
        *in_folder,
        "    steps:",
        *checkout,
        "          fetch-depth: 0",
        *setup_uv,
        # --verify-index: a lock from a pull request is untrusted; every artifact as the index has it.
        "      - name: dht lock --check --verify-index",
        "        run: dht lock --check --verify-index",
        "      - name: Lock changes (job summary)",
        "        if: github.event_name == 'pull_request'",
        "        env:",
        "          BASE_REF: ${{ github.base_ref }}",
        "        run: |",
        '          if git diff --quiet "origin/$BASE_REF" HEAD -- dht.lock; then',
        '            echo "dht.lock is unchanged by this pull request."',
        "            exit 0",
        "          fi",
        "          status=0",
        '          dht diff "origin/$BASE_REF" HEAD --format markdown >> "$GITHUB_STEP_SUMMARY" || status=$?',
        "          # dht diff exits 3 when the locks differ: that is the expected case here",
        '          [ "$status" -eq 0 ] || [ "$status" -eq 3 ]',
        "",
        "  machines:",
        "    name: ${{ matrix.platform }}",
        "    needs: lock",
        "    runs-on: ${{ matrix.runner }}",
        "    timeout-minutes: 60",
        "    permissions:",
        "      contents: read",
        *in_folder,
        "    strategy:",
        "      fail-fast: false",
        "      matrix:",
        "        include:",
    ]
    for platform, runner in matrix:
        out += [f"          - platform: {platform}", f"            runner: {runner}"]
    out += [
        "    steps:",
        *checkout,
        *(["          fetch-depth: 0"] if facts.full_history else []),
        "      - name: Set up Python",
        f"        uses: {a['actions/setup-python'].uses}",
        "        with:",
        f'          python-version: "{facts.python}"',
        *setup_uv,
        "      - name: dht apply",
        "        run: dht apply --yes",
        "      - name: dht verify",
        "        run: dht verify",
        "      - name: dht test",
        "        run: dht test",
    ]
    if facts.builds:
        out += [
            "      - name: dht build --reproducible",
            "        # Builds twice and compares, then verifies the kept build on this runner:",
            "        # metadata, shared libraries, a smoke import, installable on every locked",
            "        # platform. A failure stops here: only verified builds are uploaded.",
            "        run: dht build --reproducible --verify --out-dir dist",
            "      - name: Upload the build",
            f"        uses: {a['actions/upload-artifact'].uses}",
            "        with:",
            "          name: dist-${{ matrix.platform }}",
            f"          path: {_in(folder, 'dist')}/",
            "          if-no-files-found: error",
            "",
            "  compare:",
            "    name: builds agree across platforms",
            "    needs: machines",
            "    runs-on: ubuntu-24.04",
            "    timeout-minutes: 15",
            "    permissions: {}",
            "    steps:",
            "      - name: Download the builds",
            f"        uses: {a['actions/download-artifact'].uses}",
            "        with:",
            "          pattern: dist-*",
            "          path: dists",
            "      - name: Set up uv",
            f"        uses: {a['astral-sh/setup-uv'].uses}",
            "        with:",
            f'          version: "{p.uv_version}"',
            "      - name: Install dht",
            '        run: uv tool install "$DHT_SPEC"',
            "      - name: dht compare-builds",
            "        # Every platform's (verified) build against the first in name order: a pure-Python",
            "        # project builds the same bytes everywhere; platform wheels differ by design.",
            "        run: |",
            "          first=",
            "          status=0",
            "          for build in dists/dist-*; do",
            '            if [ -z "$first" ]; then first=$build; continue; fi',
            '            dht compare-builds "$first" "$build" || status=1',
            "          done",
            '          exit "$status"',
        ]
    return "\n".join(out) + "\n"
