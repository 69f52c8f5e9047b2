"""The resolver against a frozen index of JSON cases (tests/resolver_cases/).

Each case is a small index, a target, root requirements, preferences and the
expected pins (or the words the error must contain). The source is in memory:
the resolver's only I/O goes through it, so these tests need no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from dht.compile.index import Artifact, CoreMetadata, ProjectPage
from dht.compile.resolve import RootRequirement, resolve
from dht.compile.targets import Target
from dht.errors import ResolutionError

CASES = Path(__file__).parent / "resolver_cases"


class FrozenIndex:
    """A PackageSource over a case's `index`; counts metadata reads."""

    def __init__(self, index: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.index = index
        self.metadata_reads: list[str] = []

    def project(self, name: str) -> ProjectPage:
        artifacts = []
        for version, release in self.index.get(name, {}).items():
            stem = f"{name.replace('-', '_')}-{version}"
            files = [f"{stem}-{tag}.whl" for tag in release.get("wheels", [])]
            if release.get("sdist"):
                files.append(f"{name}-{version}.tar.gz")
            for filename in files:
                artifacts.append(
                    Artifact(
                        filename=filename,
                        url=f"https://files.example/{filename}",
                        sha256="0" * 64,
                        size=1,
                        requires_python=release.get("requires_python"),
                        yanked=release.get("yanked"),
                    )
                )
        return ProjectPage(name, tuple(sorted(artifacts, key=lambda a: a.filename)))

    def metadata(self, artifact: Artifact) -> CoreMetadata:
        self.metadata_reads.append(artifact.filename)
        for name, releases in self.index.items():
            for version, release in releases.items():
                if artifact.filename.startswith(
                    (f"{name.replace('-', '_')}-{version}-", f"{name}-{version}.")
                ):
                    return CoreMetadata(
                        name=name,
                        version=version,
                        requires_dist=tuple(release.get("requires_dist", ())),
                        requires_python=release.get(
                            "metadata_requires_python", release.get("requires_python")
                        ),
                        provides_extra=(),
                    )
        raise AssertionError(artifact.filename)


def run_case(case: dict[str, Any]) -> Any:
    roots = [RootRequirement(Requirement(r["requirement"]), r["origin"]) for r in case["roots"]]
    return resolve(
        roots,
        Target(case["platform"], case["python"]),
        FrozenIndex(case["index"]),
        preferences=case["preferences"],
        upgrade=case["upgrade"],
    )


@pytest.mark.parametrize("path", sorted(CASES.glob("*.json")), ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(ResolutionError) as info:
            run_case(case)
        text = str(info.value)
        for words in expected["error"]:
            assert words in text, f"{case['description']}: {words!r} not in:\n{text}"
        return
    result = run_case(case)
    assert {n: p.version for n, p in result.pins.items()} == expected["pins"], case["description"]
    for name, parents in expected.get("required_by", {}).items():
        assert list(result.pins[name].required_by) == parents
    for name, deps in expected.get("dependencies", {}).items():
        assert list(result.pins[name].dependencies) == deps
    for name, extras in expected.get("extras", {}).items():
        assert list(result.pins[name].extras) == extras
    for name, filename in expected.get("artifacts", {}).items():
        assert result.pins[name].artifact.filename == filename


def test_metadata_is_read_once_per_release() -> None:
    case = json.loads((CASES / "diamond.json").read_text(encoding="utf-8"))
    source = FrozenIndex(case["index"])
    roots = [RootRequirement(Requirement(r["requirement"]), r["origin"]) for r in case["roots"]]
    resolve(roots, Target("linux-x86_64", "3.11"), source)
    assert len(source.metadata_reads) == len(set(source.metadata_reads))


def test_same_result_under_any_hash_seed() -> None:
    script = (
        "import json, pathlib, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_resolve import run_case\n"
        "out = {}\n"
        "for p in sorted(pathlib.Path('tests/resolver_cases').glob('*.json')):\n"
        "    case = json.loads(p.read_text())\n"
        "    try:\n"
        "        r = run_case(case)\n"
        "        out[p.stem] = [[n, x.version, list(x.required_by), list(x.dependencies)] for n, x in r.pins.items()]\n"
        "    except Exception as e:\n"
        "        out[p.stem] = str(e)\n"
        "print(json.dumps(out, sort_keys=True))\n"
    )
    root = Path(__file__).parents[1]
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        proc = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
