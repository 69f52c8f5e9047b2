"""The resolver against a frozen index of JSON cases (tests/resolver_cases/).

Each case is a small index, a target, root requirements, preferences and the
expected pins (or the words the error must contain); `max_rounds` bounds the
backtracking where a case is about giving up. The source is in memory:
the resolver's only I/O goes through it, so these tests need no network.
A project the case's index does not list answers as an HTTP 404 does
(ProjectNotFound); a release with `metadata_unavailable` fails its metadata
read. The outcomes match `uv pip compile` against the same index served on
loopback, except where a case's `differs_from_uv` says why dht's policy differs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from dht.compile.index import Artifact, CoreMetadata, IndexClient, ProjectNotFound, ProjectPage
from dht.compile.releases import Releases, group
from dht.compile.resolve import LocalProject, RootRequirement, resolve
from dht.compile.targets import Target
from dht.errors import IndexError_, NetworkError, ResolutionError
from tests.support.index_server import IndexServer
from tests.support.wheels import FixtureFile, FixtureIndex, build_sdist, build_wheel

CASES = Path(__file__).parent / "resolver_cases"


class FrozenIndex:
    """A PackageSource over a case's `index`; counts metadata reads."""

    def __init__(self, index: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.index = index
        self.metadata_reads: list[str] = []

    def project(self, name: str) -> ProjectPage:
        if name not in self.index:  # as the index client says an HTTP 404
            raise ProjectNotFound(f"no project named {name!r} on the index")
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

    def releases(self, name: str) -> Releases[Artifact, Artifact]:
        return group(name, self.project(name).artifacts)

    def metadata(self, artifact: Artifact) -> CoreMetadata:
        self.metadata_reads.append(artifact.filename)
        for name, releases in self.index.items():
            for version, release in releases.items():
                if artifact.filename.startswith(
                    (f"{name.replace('-', '_')}-{version}-", f"{name}-{version}.")
                ):
                    if release.get("metadata_unavailable"):  # e.g. a damaged .metadata file
                        raise IndexError_(f"cannot read the metadata of {artifact.filename}")
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


class InterleavedIndex(FrozenIndex):
    """The same pages with their files out of order, one release's wheels apart: a
    PackageSource need not list them sorted, as the index client does."""

    def project(self, name: str) -> ProjectPage:
        files = super().project(name).artifacts
        return ProjectPage(name, files[1::2] + files[::2])


def run_case(case: dict[str, Any], source: type[FrozenIndex] = FrozenIndex) -> Any:
    roots = [RootRequirement(Requirement(r["requirement"]), r["origin"]) for r in case["roots"]]
    local = case.get("local")  # the project in the folder: {name, version, requires_dist}
    return resolve(
        roots,
        Target(case["platform"], case["python"]),
        source(case["index"]),
        preferences=case["preferences"],
        upgrade=case["upgrade"],
        local=LocalProject(
            local["name"],
            local["version"],
            tuple(local.get("requires_dist", ())),
            local.get("requires_python"),
        )
        if local
        else None,
        pinned={k: (v[0], v[1]) for k, v in case.get("pinned", {}).items()},
        max_rounds=case.get("max_rounds", 2000),
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
        for words in expected.get("error_excludes", []):
            assert words not in text, f"{case['description']}: {words!r} in:\n{text}"
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


def test_files_in_any_order_resolve_the_same() -> None:
    """Files are grouped by release whatever their order (the resolver takes a shortcut
    for a wheel that follows one of its release)."""
    compared = 0
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if "error" in case["expected"]:
            continue
        sorted_pins = run_case(case).pins
        interleaved_pins = run_case(case, InterleavedIndex).pins
        assert {n: (p.version, p.artifact.filename) for n, p in interleaved_pins.items()} == {
            n: (p.version, p.artifact.filename) for n, p in sorted_pins.items()
        }, path.stem
        compared += 1
    assert compared > 20


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


def _roots(*pairs: tuple[str, str]) -> list[RootRequirement]:
    return [RootRequirement(Requirement(text), origin) for text, origin in pairs]


_SIMPLE = {
    "a": {"1.0": {"requires_dist": ["b>=1"], "wheels": ["py3-none-any"]}},
    "b": {"1.0": {"requires_dist": [], "wheels": ["py3-none-any"]}},
}


class PrefetchingIndex(FrozenIndex):
    """Records what the resolver announces it will need."""

    def __init__(self, index: dict[str, dict[str, dict[str, Any]]]) -> None:
        super().__init__(index)
        self.pages: list[list[str]] = []
        self.metadata_files: list[str] = []

    def prefetch(self, names: Any) -> None:
        self.pages.append(list(names))

    def prefetch_metadata(self, artifacts: Any) -> None:
        self.metadata_files.extend(a.filename for a in artifacts)


def test_prefetch_announces_pages_and_metadata() -> None:
    source = PrefetchingIndex(_SIMPLE)
    resolve(_roots(("a", "tools.a")), Target("linux-x86_64", "3.11"), source)
    assert source.pages[0] == ["a"]
    assert ["b"] in source.pages
    assert all(names == sorted(names) for names in source.pages)
    assert "a-1.0-py3-none-any.whl" in source.metadata_files


def test_source_errors_pass_through_unchanged() -> None:
    class Offline(FrozenIndex):
        def project(self, name: str) -> ProjectPage:
            raise NetworkError(f"cannot reach the index for {name}", hint="go online")

    with pytest.raises(NetworkError) as info:
        resolve(_roots(("a", "tools.a")), Target("linux-x86_64", "3.11"), Offline(_SIMPLE))
    assert info.value.hint == "go online"


def test_metadata_that_names_another_release_is_an_error() -> None:
    class Lying(FrozenIndex):
        def metadata(self, artifact: Artifact) -> CoreMetadata:
            return CoreMetadata("other", "9.9", (), None, ())

    with pytest.raises(ResolutionError) as info:
        resolve(_roots(("a", "tools.a")), Target("linux-x86_64", "3.11"), Lying(_SIMPLE))
    assert "a-1.0-py3-none-any.whl says it is other 9.9" in str(info.value)


def test_too_many_rounds_is_a_resolution_error() -> None:
    with pytest.raises(ResolutionError) as info:
        resolve(
            _roots(("a", "tools.a")),
            Target("linux-x86_64", "3.11"),
            FrozenIndex(_SIMPLE),
            max_rounds=1,
        )
    assert "did not settle within 1 rounds" in str(info.value)
    assert "tools.a" in str(info.value)


def test_upgrade_accepts_one_name_as_a_string() -> None:
    index = {"a": {v: {"requires_dist": [], "wheels": ["py3-none-any"]} for v in ("1.0", "2.0")}}
    target = Target("linux-x86_64", "3.11")
    kept = resolve(_roots(("a", "tools.a")), target, FrozenIndex(index), preferences={"a": "1.0"})
    moved = resolve(
        _roots(("a", "tools.a")),
        target,
        FrozenIndex(index),
        preferences={"a": "1.0"},
        upgrade="a",
    )
    assert (kept.pins["a"].version, moved.pins["a"].version) == ("1.0", "2.0")


def test_pin_records_the_target_artifact_and_dependencies_with_markers() -> None:
    index = {
        "a": {
            "1.0": {
                "requires_dist": ["b; sys_platform == 'linux'", "c; sys_platform == 'win32'"],
                "wheels": ["py3-none-any", "cp311-cp311-manylinux_2_17_x86_64"],
            }
        },
        "b": {"1.0": {"requires_dist": [], "wheels": ["py3-none-any"]}},
        "c": {"1.0": {"requires_dist": [], "wheels": ["py3-none-any"]}},
    }
    result = resolve(_roots(("a", "tools.a")), Target("linux-x86_64", "3.11"), FrozenIndex(index))
    pin = result.pins["a"]
    assert pin.artifact.filename == "a-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    assert pin.dependencies == ('b; sys_platform == "linux"',)
    assert list(result.pins) == ["a", "b"]
    assert result.pins["b"].required_by == ("a==1.0",)


def test_excluded_versions_are_listed_newest_first_whatever_was_tried_first() -> None:
    index = {
        "a": {
            "1.0": {"requires_dist": [], "wheels": ["py3-none-any"]},
            "2.0": {"requires_dist": [], "requires_python": ">=3.13", "wheels": ["py3-none-any"]},
            "3.0": {"requires_dist": [], "wheels": ["cp311-cp311-win_amd64"]},
        }
    }
    with pytest.raises(ResolutionError) as info:
        # The preferred 2.0 is evaluated first; the message still reads newest first.
        resolve(
            _roots(("a>=2", "tools.a")),
            Target("linux-x86_64", "3.11"),
            FrozenIndex(index),
            preferences={"a": "2.0"},
        )
    text = str(info.value)
    assert text.index("3.0: no wheel for linux-x86_64") < text.index("2.0: needs Python >=3.13")


def test_same_roots_in_any_order_give_the_same_pins() -> None:
    case = json.loads((CASES / "diamond.json").read_text(encoding="utf-8"))
    forward = run_case(case)
    case["roots"] = list(reversed(case["roots"]))
    backward = run_case(case)
    assert forward.pins == backward.pins
    assert list(forward.pins) == sorted(forward.pins)


def test_no_roots_pin_nothing() -> None:
    result = resolve([], Target("linux-x86_64", "3.11"), FrozenIndex(_SIMPLE))
    assert result.pins == {}


def test_loopback_index_backtracks_past_a_missing_project(
    index_server: Callable[..., IndexServer], tmp_path: Path
) -> None:
    """The real index client answers HTTP 404 for the missing project: 2.0 is dropped."""
    server = index_server()
    target = Target("linux-x86_64", "3.11")
    with IndexClient(server.url, cache_dir=tmp_path) as source:
        result = resolve([RootRequirement(Requirement("ghostly"), "tools.ghostly")], target, source)
        assert {n: p.version for n, p in result.pins.items()} == {"ghostly": "1.0"}
        with pytest.raises(ResolutionError) as info:
            resolve([RootRequirement(Requirement("ghostly>=2"), "tools.ghostly")], target, source)
    text = str(info.value)
    assert "no project named 'no-such-dependency' on the index" in text
    assert "tools.ghostly -> ghostly==2.0 -> no-such-dependency>=1" in text


def test_loopback_index_transitive_pin_to_a_yanked_release(
    index_server: Callable[..., IndexServer], tmp_path: Path
) -> None:
    server = index_server()
    target = Target("linux-x86_64", "3.11")
    with IndexClient(server.url, cache_dir=tmp_path) as source:
        with pytest.raises(ResolutionError) as info:
            resolve([RootRequirement(Requirement("yanky-pinner"), "tools.p")], target, source)
        direct = resolve([RootRequirement(Requirement("yanky==1.1"), "tools.y")], target, source)
    assert "tools.p -> yanky-pinner==1.0 -> yanky==1.1" in str(info.value)
    assert "1.1: yanked (broken)" in str(info.value)
    assert direct.pins["yanky"].version == "1.1"


def test_a_locked_yanked_release_is_marked_warned_diffed_and_explained(
    index_server: Callable[..., IndexServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from dht.cli import app
    from dht.model.lock import parse_lock

    server = index_server()
    monkeypatch.chdir(tmp_path)

    def lock(pin: str) -> Any:
        (tmp_path / "dht.toml").write_text(
            f'[project]\npython = "3.11"\n[targets]\nplatforms = ["linux-x86_64"]\n'
            f'[index]\nurl = "{server.url}"\n[tools]\nyanky = "{pin}"\n',
            encoding="utf-8",
        )
        return CliRunner().invoke(app, ["lock"])

    assert lock(">=1").exit_code == 0
    (tmp_path / "old.lock").write_bytes((tmp_path / "dht.lock").read_bytes())
    text = (tmp_path / "dht.lock").read_text(encoding="utf-8")
    assert "yanked" not in text  # unchanged for releases that are not yanked

    result = lock("==1.1")
    assert result.exit_code == 0, result.output
    assert (
        "warning: yanky 1.1 (project) is yanked on the index: broken; dht.toml pins exactly"
        " this version" in result.output
    )
    (package,) = parse_lock((tmp_path / "dht.lock").read_text(encoding="utf-8")).packages
    assert package.yanked == "broken"
    assert 'yanked = "broken"' in (tmp_path / "dht.lock").read_text(encoding="utf-8")

    diff = CliRunner().invoke(app, ["diff", "old.lock", "dht.lock"])
    assert "yanky yanked: ∅ -> broken" in diff.stdout, diff.output
    explained = CliRunner().invoke(app, ["explain", "yanky"])
    assert "yanked on the index: broken" in explained.stdout


# The same cases against the real uv, the index served on loopback


_UV_PLATFORMS = {
    "linux-x86_64": "x86_64-unknown-linux-gnu",
    "windows-x86_64": "x86_64-pc-windows-msvc",
}


def case_index(case: dict[str, Any]) -> FixtureIndex:
    """A case's index as real wheels and sdists, for a loopback IndexServer."""
    index = FixtureIndex()
    for name, releases in sorted(case["index"].items()):
        files = []
        for version, release in releases.items():
            if release.get("metadata_unavailable"):
                raise ValueError("uv has no way to fail one metadata read")
            metadata = {
                "requires-dist": release.get("requires_dist", []),
                "requires-python": release.get(
                    "metadata_requires_python", release.get("requires_python")
                ),
            }
            built = [build_wheel(name, version, tag, metadata) for tag in release.get("wheels", [])]
            if release.get("sdist"):
                built.append(build_sdist(name, version, metadata))
            files.extend(
                FixtureFile(
                    name,
                    filename,
                    data,
                    meta,
                    "2026-01-01T00:00:00Z",
                    release.get("requires_python"),
                    release.get("yanked"),
                )
                for filename, data, meta in built
            )
        index.files[name] = files
    return index


@pytest.mark.parametrize(
    "stem",
    [
        "every-version-fails-differently",
        "every-version-grouped",
        "every-version-against-a-tool",
        "every-version-of-a-dependency",
        "backjump-finds-the-oldest",
        "yanked-direct-pin",
        "yanked-transitive-pin",
    ],
)
def test_uv_reaches_the_same_outcome(stem: str, tmp_path: Path) -> None:
    """`uv pip compile` on the case's index: it fails where dht fails, and pins what dht pins."""
    from dht.uvbackend import uv_bin

    case = json.loads((CASES / f"{stem}.json").read_text(encoding="utf-8"))
    (tmp_path / "req.in").write_text("".join(f"{r['requirement']}\n" for r in case["roots"]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    env["UV_CACHE_DIR"] = str(tmp_path / "cache")
    server = IndexServer(case_index(case))
    try:
        proc = subprocess.run(
            [uv_bin(), "pip", "compile", "--no-config", "--index-url", server.url,
             "--python-version", case["python"], "--python-platform", _UV_PLATFORMS[case["platform"]],
             "--no-header", "--no-annotate", str(tmp_path / "req.in")],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
    finally:
        server.close()
    if "error" in case["expected"]:
        assert proc.returncode == 1 and "No solution found" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
        pins = dict(line.split("==") for line in proc.stdout.split())
        assert pins == case["expected"]["pins"]


def test_dht_lock_shows_every_versions_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real command on a loopback index: exit 1, the reasons one per line, no lock."""
    from typer.testing import CliRunner

    from dht.cli import app

    case = json.loads((CASES / "every-version-fails-differently.json").read_text("utf-8"))
    server = IndexServer(case_index(case))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        f'[project]\npython = "3.11"\n[targets]\nplatforms = ["linux-x86_64"]\n'
        f'[index]\nurl = "{server.url}"\n[tools]\na = ">=0.5,!=0.8"\n',
        encoding="utf-8",
    )
    try:
        result = CliRunner().invoke(app, ["lock"])
    finally:
        server.close()
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: no usable version of a for linux-x86_64 (Python 3.11")
    assert lines[0].endswith("asked by tools.a -> a!=0.8,>=0.5:")
    assert [line.split(":")[0].strip() for line in lines[1:7]] == [
        "3.0", "2.0", "1.2, 1.1", "1.0", "0.9", "0.8"
    ]  # fmt: skip
    assert lines[-1] == "  hint: change the version of tools.a in dht.toml, or raise project.python"
    assert not (tmp_path / "dht.lock").exists()
