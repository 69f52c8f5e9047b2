"""What a project declares (pyproject.toml, PEP 621/735/517/518/660) and what its build
backend says of it, through real hooks in real venvs: an in-tree backend offline, and
hatchling, setuptools and flit_core from PyPI (marked `online`)."""

from __future__ import annotations

import json
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dht.compile.project import (
    DEFAULT_BACKEND,
    BackendError,
    BuildSystem,
    PyProject,
    build_requires,
    check_extras,
    group_requirements,
    parse_metadata,
    prepare_metadata,
    read_pyproject,
)
from dht.errors import InputError
from dht.process import clean_env, run
from dht.uvbackend import python_of, uv_bin
from tests.support.network import SKIP_REASON, pypi_reachable


def project(root: Path, pyproject: str | None, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(textwrap.dedent(pyproject), encoding="utf-8")
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def read(root: Path) -> PyProject:
    found = read_pyproject(root)
    assert found is not None
    return found


def refused(root: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_pyproject(root)
    return caught.value


# Reading pyproject.toml


STATIC = """\
[project]
name = "My_Lib"
version = "1.0-post1"
requires-python = ">=3.9"
dependencies = ["requests>=2", "Click; sys_platform == 'win32'"]

[project.optional-dependencies]
Fast_Path = ["orjson"]
docs = []

[build-system]
requires = ["hatchling>=1.26"]
build-backend = "hatchling.build"
"""


def test_a_static_project_reads_normalized(tmp_path: Path) -> None:
    p = read(project(tmp_path, STATIC))
    assert p.root == tmp_path
    assert p.name == "my-lib"
    assert p.version == "1.0.post1"  # PEP 440 normal form
    assert p.dynamic == ()
    assert p.dependencies == ("requests>=2", "Click; sys_platform == 'win32'")  # as written
    assert p.optional_dependencies == {"fast-path": ("orjson",), "docs": ()}
    assert p.requires_python == ">=3.9"
    assert p.build == BuildSystem(("hatchling>=1.26",), "hatchling.build", (), declared=True)
    assert p.groups == {} and p.uv_default_groups is None and p.uv_package is None
    assert not p.has_setup_py and p.installable()


def test_a_dynamic_version_is_none_and_dynamic_is_lowercased_and_sorted(tmp_path: Path) -> None:
    p = read(project(tmp_path, '[project]\nname = "x"\ndynamic = ["Version", "dependencies"]\n'))
    assert p.version is None
    assert p.dynamic == ("dependencies", "version")
    assert p.dependencies == ()


def test_a_field_both_static_and_dynamic_is_refused(tmp_path: Path) -> None:
    err = refused(
        project(tmp_path, '[project]\nname = "x"\nversion = "1"\ndynamic = ["version"]\n')
    )
    assert err.message.startswith("project.version:") and "dynamic" in err.message
    assert err.where == "pyproject.toml:3"


def test_without_build_system_the_pep517_defaults_apply_and_uv_decides(tmp_path: Path) -> None:
    root = project(tmp_path, '[project]\nname = "scripts"\nversion = "0.1"\n')
    p = read(root)
    assert p.build.declared is False
    assert p.build.backend == DEFAULT_BACKEND == "setuptools.build_meta:__legacy__"
    assert p.build.requires == ("setuptools>=40.8.0",)
    assert not p.installable()
    (root / "setup.py").write_text("from setuptools import setup\nsetup()\n", encoding="utf-8")
    assert read(root).has_setup_py and read(root).installable()
    (root / "setup.py").unlink()
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("[tool.uv]\npackage = true\n")
    assert read(root).uv_package is True and read(root).installable()


def test_tool_uv_package_false_wins_over_a_build_system(tmp_path: Path) -> None:
    p = read(project(tmp_path, STATIC + "[tool.uv]\npackage = false\n"))
    assert p.build.declared and not p.installable()


def test_a_setup_py_only_folder_and_an_empty_one(tmp_path: Path) -> None:
    assert read_pyproject(tmp_path) is None
    p = read(project(tmp_path, None, {"setup.py": "from setuptools import setup\nsetup()\n"}))
    assert p.name is None and p.has_setup_py and p.installable()
    assert p.build.declared is False and p.build.backend == DEFAULT_BACKEND


def test_build_system_without_backend_is_legacy_but_declared(tmp_path: Path) -> None:
    p = read(project(tmp_path, '[build-system]\nrequires = ["setuptools>=64", "wheel"]\n'))
    assert p.build == BuildSystem(("setuptools>=64", "wheel"), DEFAULT_BACKEND, (), True)
    assert p.name is None and p.installable()


GROUPS = """\
[project]
name = "g"
version = "1"

[dependency-groups]
Tests_Group = [
    "pytest>=8",
    {include-group = "LINT"},
    {include-group = "coverage"},
]
lint = ["ruff", {include-group = "Typing.Stuff"}]
typing-stuff = ["mypy", "Ruff"]
coverage = ["coverage[toml]", "PyTest>=8"]
docs = ["sphinx"]

[tool.uv]
default-groups = ["Tests.Group", "docs"]
"""


def test_include_group_expands_recursively_each_requirement_once_in_order(
    tmp_path: Path,
) -> None:
    p = read(project(tmp_path, GROUPS))
    assert list(p.groups) == ["tests-group", "lint", "typing-stuff", "coverage", "docs"]
    assert p.groups["lint"] == ("ruff", {"include-group": "Typing.Stuff"})  # raw
    got = group_requirements(p, ["TESTS_group", "docs"])
    assert got == {
        "tests-group": ("pytest>=8", "ruff", "mypy", "coverage[toml]"),
        "docs": ("sphinx",),
    }
    assert group_requirements(p, ["lint"]) == {"lint": ("ruff", "mypy")}


def test_uv_default_groups_are_normalized_and_all_means_every_group(tmp_path: Path) -> None:
    root = project(tmp_path, GROUPS)
    assert read(root).uv_default_groups == ("tests-group", "docs")
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(
        text.replace('["Tests.Group", "docs"]', '"all"'), encoding="utf-8"
    )
    assert read(root).uv_default_groups == (
        "tests-group",
        "lint",
        "typing-stuff",
        "coverage",
        "docs",
    )
    (root / "pyproject.toml").write_text(
        text.replace('["Tests.Group", "docs"]', '["doc"]'), encoding="utf-8"
    )
    err = refused(root)
    assert "tool.uv.default-groups" in err.message and err.hint == "did you mean 'docs'?"
    assert err.where == "pyproject.toml:17"


def test_a_cycle_of_includes_is_named_with_its_line(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """\
        [dependency-groups]
        ok = ["attrs"]
        a = [
            "x",
            {include-group = "B"},
        ]
        b = [{include-group = "a"}]
        """,
    )
    p = read(root)
    assert group_requirements(p, ["ok"]) == {"ok": ("attrs",)}  # only asked groups expand
    with pytest.raises(InputError) as caught:
        group_requirements(p, ["a"])
    assert "a -> b -> a" in caught.value.message
    assert caught.value.where == "pyproject.toml:5"  # the include that starts it


def test_an_unknown_group_says_did_you_mean_and_lists_the_groups(tmp_path: Path) -> None:
    p = read(project(tmp_path, GROUPS))
    with pytest.raises(InputError) as caught:
        group_requirements(p, ["doc"])
    err = caught.value
    assert err.where == "dht.toml" and err.message.startswith("project.groups:")
    assert "'doc'" in err.message
    assert err.hint is not None and err.hint.startswith("did you mean 'docs'?")
    assert "tests-group, lint, typing-stuff, coverage, docs" in err.hint
    empty = read(project(tmp_path / "empty", '[project]\nname = "e"\n'))
    with pytest.raises(InputError, match="no dependency group 'tests'") as caught:
        group_requirements(empty, ["tests"])
    assert caught.value.hint == "pyproject.toml has no [dependency-groups] table"


def test_an_include_of_an_undefined_group_points_at_it(tmp_path: Path) -> None:
    p = read(project(tmp_path, '[dependency-groups]\ntests = [\n  "x",\n  {include-group = "lnt"},\n]\nlint = ["y"]\n'))  # fmt: skip
    with pytest.raises(InputError) as caught:
        group_requirements(p, ["tests"])
    assert "'lnt'" in caught.value.message and caught.value.where == "pyproject.toml:4"
    assert caught.value.hint is not None and "did you mean 'lint'?" in caught.value.hint


def test_an_invalid_requirement_in_a_group_names_the_group_and_the_string(
    tmp_path: Path,
) -> None:
    p = read(project(tmp_path, '[dependency-groups]\nDev_Tools = [\n  "ruff",\n  "pytest >=",\n]\n'))  # fmt: skip
    with pytest.raises(InputError) as caught:
        group_requirements(p, ["dev-tools"])
    err = caught.value
    assert err.message.startswith("dependency-groups.Dev_Tools:")
    assert "'pytest >='" in err.message and "not a valid requirement" in err.message
    assert err.where == "pyproject.toml:4"


def test_a_malformed_group_entry_and_two_spellings_of_one_group(tmp_path: Path) -> None:
    err = refused(project(tmp_path, '[dependency-groups]\ntests = ["x", {include = "y"}]\n'))
    assert err.message.startswith("dependency-groups.tests[1]:") and "include-group" in err.message
    assert err.where == "pyproject.toml:2"
    err = refused(project(tmp_path, '[dependency-groups]\nTests = ["x"]\ntests = ["y"]\n'))
    assert "same group" in err.message and err.where == "pyproject.toml:3"


def test_unknown_extra_says_did_you_mean_and_metadata_extras_win(tmp_path: Path) -> None:
    p = read(project(tmp_path, STATIC))
    check_extras(p, ["Fast.Path", "docs"])  # normalized comparison
    with pytest.raises(InputError) as caught:
        check_extras(p, ["fats-path"])
    err = caught.value
    assert (
        err.where == "dht.toml" and err.message == "project.extras: my-lib has no extra 'fats-path'"
    )
    assert err.hint == "did you mean 'fast-path'? its extras: docs, fast-path"
    check_extras(p, ["computed"], metadata_extras=["Computed"])  # the backend knows better
    with pytest.raises(InputError, match="no extra 'docs'"):
        check_extras(p, ["docs"], metadata_extras=["computed"])
    dynamic = read(
        project(tmp_path / "d", '[project]\nname = "d"\ndynamic = ["optional-dependencies"]\n')
    )
    check_extras(dynamic, ["anything"])  # cannot know without the backend
    with pytest.raises(InputError, match="it declares no extras"):
        check_extras(dynamic, ["anything"], metadata_extras=[])


def test_broken_toml_names_the_line(tmp_path: Path) -> None:
    err = refused(project(tmp_path, '[project]\nname = "x"\nversion = 1.0.0\n'))
    assert err.where == "pyproject.toml:3" and "not valid TOML" in err.message


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ('[project]\nname = "x"\ndependencies = "requests"\n', "project.dependencies:", 3),
        (
            '[project]\nname = "x"\ndependencies = [\n  "a",\n  3,\n]\n',
            "project.dependencies[1]:",
            3,
        ),
        (
            '[project]\nname = "x"\ndependencies = [\n  "a",\n  "b >>",\n]\n',
            "project.dependencies[1]:",
            5,
        ),
        ('[project]\nversion = "1"\n', "project.name:", 1),
        ('[project]\nname = "x"\nversion = "one"\n', "project.version:", 3),
        ('[project]\nname = "x"\nrequires-python = "3.9+"\n', "project.requires-python:", 3),
        ('[build-system]\nbuild-backend = "hatchling.build"\n', "build-system.requires:", 1),
        (
            '[build-system]\nrequires = []\nbuild-backend = "hatchling build"\n',
            "build-system.build-backend:",
            3,
        ),
        ("[tool.uv]\npackage = 1\n", "tool.uv.package:", 2),
        ('[tool.uv]\ndefault-groups = "some"\n', "tool.uv.default-groups:", 2),
    ],
)
def test_wrong_types_and_forms_name_the_dotted_key_and_line(
    tmp_path: Path, text: str, key: str, line: int
) -> None:
    err = refused(project(tmp_path, text))
    assert err.message.startswith(key), err.message
    assert err.where == f"pyproject.toml:{line}"


@pytest.mark.parametrize(
    ("entry", "reason"),
    [("../elsewhere", "leads out"), ("_build/../..", "leads out"), ("/opt/backend", "absolute")],
)
def test_backend_path_must_stay_inside_the_project(tmp_path: Path, entry: str, reason: str) -> None:
    root = project(
        tmp_path / "p",
        f'[build-system]\nrequires = []\nbuild-backend = "b"\nbackend-path = [\n  "_build",\n  "{entry}",\n]\n',
    )
    err = refused(root)
    assert err.message.startswith("build-system.backend-path[1]:") and reason in err.message
    assert err.where == "pyproject.toml:6"
    inside = project(tmp_path / "q", '[build-system]\nrequires = []\nbuild-backend = "b"\nbackend-path = ["_build/../tools", "."]\n')  # fmt: skip
    assert read(inside).build.backend_path == ("_build/../tools", ".")


def test_a_backend_path_through_a_link_out_of_the_project_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path / "p", '[build-system]\nrequires = []\nbuild-backend = "b"\nbackend-path = ["_build"]\n')  # fmt: skip
    (tmp_path / "outside").mkdir()
    try:
        (root / "_build").symlink_to(tmp_path / "outside", target_is_directory=True)
    except OSError:
        pytest.skip("this file system cannot make symlinks")
    assert "link" in refused(root).message


# Core metadata


def test_parse_metadata_normalizes_and_tolerates_old_versions() -> None:
    meta = parse_metadata(
        "Metadata-Version: 2.4\nName: Hooked_Pkg\nVersion: 0.7.1\nRequires-Python: >=3.8\n"
        'Requires-Dist: helper-dep>=2\nRequires-Dist: fancy-dep; extra == "fancy"\n'
        "Provides-Extra: Fancy\nDynamic: Version\nX-Unknown: kept out\n\nA long description.\n"
    )
    assert meta.name == "hooked-pkg" and meta.version == "0.7.1"
    assert meta.requires_dist == ("helper-dep>=2", 'fancy-dep; extra == "fancy"')
    assert meta.provides_extra == ("fancy",) and meta.requires_python == ">=3.8"
    assert meta.dynamic == ("version",)
    old = parse_metadata("Metadata-Version: 1.0\nName: oldie\nVersion: 0.1\nSummary: x\n")
    assert (old.name, old.requires_dist, old.provides_extra, old.requires_python) == (
        "oldie",
        (),
        (),
        None,
    )


def test_parse_metadata_without_name_or_version_is_refused() -> None:
    with pytest.raises(InputError, match="no \\(single\\) Version"):
        parse_metadata("Metadata-Version: 2.1\nName: x\n")
    with pytest.raises(InputError, match="no \\(single\\) Name"):
        parse_metadata("Metadata-Version: 2.1\nName: x\nName: y\nVersion: 1\n")


# Hooks, offline: an in-tree backend, run by an empty venv's interpreter

BACKEND = '''\
import json, os, sys, time, zipfile

METADATA = """Metadata-Version: 2.1
Name: Hooked_Pkg
Version: {version}
Requires-Python: >=3.8
Requires-Dist: helper-dep>=2
Requires-Dist: fancy-dep; extra == "fancy"
Provides-Extra: Fancy
"""


def _dist_info(version):
    return "hooked_pkg-" + version + ".dist-info"


def _record_env(directory):
    with open(os.path.join(directory, "hook-env.json"), "w") as handle:
        json.dump({"cwd": os.getcwd(), "pythonpath": os.environ.get("PYTHONPATH"),
                   "sde": os.environ.get("SOURCE_DATE_EPOCH"), "prefix": sys.prefix}, handle)


def _wheel(directory, version):
    name = "hooked_pkg-" + version + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as whl:
        whl.writestr("hooked_pkg.pth", os.getcwd() + "\\n")
        whl.writestr(_dist_info(version) + "/METADATA", METADATA.format(version=version))
        whl.writestr(_dist_info(version) + "/WHEEL",
                     "Wheel-Version: 1.0\\nGenerator: inbackend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        whl.writestr(_dist_info(version) + "/RECORD", "")
    return name


def get_requires_for_build_editable(config_settings=None):
    print("the in-tree backend was asked for its editable requirements")
    return ["helper-pkg>=1"]


def get_requires_for_build_wheel(config_settings=None):
    return ["wheel-helper; python_version >= '3'"]


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    _record_env(metadata_directory)
    os.makedirs(os.path.join(metadata_directory, _dist_info("0.7.1")))
    with open(os.path.join(metadata_directory, _dist_info("0.7.1"), "METADATA"), "w") as handle:
        handle.write(METADATA.format(version="0.7.1"))
    return _dist_info("0.7.1")


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, "0.7.1")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, "0.7.1")
'''

# No prepare_metadata hook: pyproject_hooks builds the editable wheel and reads it.
FALLBACK = """\
from inbackend import _wheel

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, "0.9.0")

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, "0.9.0")
"""

# A backend from before PEP 660: wheels only.
WHEELS_ONLY = """\
from inbackend import _wheel, get_requires_for_build_wheel

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, "0.5.0")
"""

FAILING = """\
import sys

def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    for number in range(1, 50):
        print(f"backend line {number:02d}", file=sys.stderr if number % 2 else sys.stdout)
    raise RuntimeError("the version file _version.txt is missing")

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("unreachable")
"""

SLEEPY = """\
import time

def get_requires_for_build_editable(config_settings=None):
    time.sleep(60)
    return []
"""

BROKEN_IMPORT = """\
import not_installed_dep_xyz

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("unreachable")
"""


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv made by `uv venv`, nothing installed: the in-tree backend needs only the stdlib."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    run([uv_bin(), "venv", "--quiet", "--no-project", "--python", sys.executable, str(venv)],
        env=clean_env())  # fmt: skip
    return python_of(venv)


@pytest.fixture
def in_tree(tmp_path: Path) -> Path:
    return project(
        tmp_path / "proj",
        """\
        [project]
        name = "hooked-pkg"
        dynamic = ["version", "dependencies", "optional-dependencies"]

        [build-system]
        requires = []
        build-backend = "inbackend"
        backend-path = ["_build"]
        """,
        {
            "_build/inbackend.py": BACKEND,
            "_build/fallback.py": FALLBACK,
            "_build/wheelsonly.py": WHEELS_ONLY,
            "_build/failing.py": FAILING,
            "_build/sleepy.py": SLEEPY,
            "_build/brokenimport.py": BROKEN_IMPORT,
        },
    )


def backend(root: Path, module: str) -> BuildSystem:
    return BuildSystem((), module, ("_build",), declared=True)


def test_an_in_tree_backend_answers_requires_and_metadata(
    in_tree: Path,
    bare_python: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    p = read(in_tree)
    assert p.build.backend_path == ("_build",) and p.build.requires == ()
    build = backend(in_tree, "inbackend")
    assert build_requires(in_tree, bare_python, build) == ("helper-pkg>=1",)
    assert build_requires(in_tree, bare_python, build, editable=False) == (
        "wheel-helper; python_version >= '3'",
    )
    assert "asked for its editable requirements" not in capfd.readouterr().out  # captured

    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "leaked"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "315532800")
    scratch = tmp_path / "scratch"
    meta = prepare_metadata(in_tree, bare_python, build, scratch)
    assert meta.name == "hooked-pkg" and meta.version == "0.7.1"
    assert meta.requires_dist == ("helper-dep>=2", 'fancy-dep; extra == "fancy"')
    assert meta.provides_extra == ("fancy",) and meta.requires_python == ">=3.8"
    assert (scratch / "hooked_pkg-0.7.1.dist-info" / "METADATA").is_file()
    env = json.loads((scratch / "hook-env.json").read_text(encoding="utf-8"))
    assert Path(env["cwd"]).resolve() == in_tree.resolve()  # the project folder: git works
    assert env["pythonpath"] is None and env["sde"] == "315532800"
    assert Path(env["prefix"]).resolve() == bare_python.parent.parent.resolve()
    check_extras(p, ["Fancy"], meta.provides_extra)

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    prepare_metadata(in_tree, bare_python, build, tmp_path / "again")
    assert json.loads((tmp_path / "again" / "hook-env.json").read_text())["sde"] is None


def test_without_a_metadata_hook_the_editable_wheel_is_built_and_read(
    in_tree: Path, bare_python: Path, tmp_path: Path
) -> None:
    build = backend(in_tree, "fallback")
    assert build_requires(in_tree, bare_python, build) == ()  # no hook: nothing more (PEP 660)
    meta = prepare_metadata(in_tree, bare_python, build, tmp_path / "scratch")
    assert meta.version == "0.9.0" and meta.requires_dist[0] == "helper-dep>=2"
    assert (tmp_path / "scratch" / "hooked_pkg-0.9.0.dist-info" / "METADATA").is_file()


def test_a_backend_without_editable_hooks_says_pep_660(
    in_tree: Path, bare_python: Path, tmp_path: Path
) -> None:
    build = backend(in_tree, "wheelsonly")
    with pytest.raises(BackendError) as caught:
        prepare_metadata(in_tree, bare_python, build, tmp_path / "scratch")
    err = caught.value
    assert (
        err.message == "the build backend 'wheelsonly' does not support editable installs (PEP 660)"
    )
    assert err.hint is not None and "setuptools>=64" in err.hint and "install = false" in err.hint
    assert err.where == "pyproject.toml:7"  # build-backend
    # Not editable: the wheel hooks answer (here through the build_wheel fallback).
    meta = prepare_metadata(in_tree, bare_python, build, tmp_path / "w", editable=False)
    assert meta.version == "0.5.0"
    assert build_requires(in_tree, bare_python, build, editable=False) == (
        "wheel-helper; python_version >= '3'",
    )


def test_a_backend_that_cannot_be_imported(in_tree: Path, bare_python: Path) -> None:
    build = backend(in_tree, "brokenimport")
    with pytest.raises(BackendError) as caught:
        build_requires(in_tree, bare_python, build)
    err = caught.value
    assert err.message.startswith("the build backend 'brokenimport' could not be imported")
    assert "No module named 'not_installed_dep_xyz'" in err.message
    assert "not_installed_dep_xyz" in err.output and err.hint and "backend-path" in err.hint
    # A backend build-system.requires did not install: hatchling is not in the empty venv.
    absent = BuildSystem(("hatchling",), "hatchling.build", (), declared=True)
    with pytest.raises(BackendError) as caught:
        build_requires(in_tree, bare_python, absent)
    assert "No module named 'hatchling'" in caught.value.message
    assert caught.value.hint and "build-system.requires" in caught.value.hint


def test_a_backend_that_fails_shows_the_tail_of_its_output(
    in_tree: Path, bare_python: Path, tmp_path: Path
) -> None:
    build = backend(in_tree, "failing")
    with pytest.raises(BackendError) as caught:
        prepare_metadata(in_tree, bare_python, build, tmp_path / "scratch")
    err = caught.value
    assert err.message.startswith(
        "the build backend 'failing' failed in prepare_metadata_for_build_editable (exit 1):"
    )
    assert "RuntimeError: the version file _version.txt is missing" in err.message
    assert "backend line 49" in err.message and "backend line 48" in err.message  # both streams
    assert "backend line 02" not in err.message  # only the tail
    assert len(err.output.splitlines()) == 30
    assert err.hint is not None and "uv build" in err.hint


def test_a_backend_that_hangs_is_stopped(in_tree: Path, bare_python: Path) -> None:
    build = backend(in_tree, "sleepy")
    with pytest.raises(
        BackendError, match="did not finish get_requires_for_build_editable within 1 s"
    ):
        build_requires(in_tree, bare_python, build, timeout=1)


def test_hooks_refuse_a_backend_path_out_of_the_project(
    in_tree: Path, bare_python: Path, tmp_path: Path
) -> None:
    outside = BuildSystem((), "inbackend", ("../elsewhere",), declared=True)
    with pytest.raises(InputError, match="leads out of the project"):
        build_requires(in_tree, bare_python, outside)
    with pytest.raises(BackendError, match="Python is missing"):
        build_requires(in_tree, tmp_path / "no-python", backend(in_tree, "inbackend"))


# Hooks, online: real backends from PyPI


@pytest.fixture(scope="module")
def backends_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One venv holding every real backend these tests use (they coexist fine)."""
    if not pypi_reachable():
        pytest.skip(SKIP_REASON)
    venv = tmp_path_factory.mktemp("backends") / "venv"
    uv = uv_bin()
    run([uv, "venv", "--quiet", "--no-project", "--python", sys.executable, str(venv)],
        env=clean_env())  # fmt: skip
    python = python_of(venv)
    run([uv, "pip", "install", "--quiet", "--python", str(python), "hatchling>=1.26",
         "hatch-vcs", "setuptools>=64", "setuptools-scm>=8", "flit_core>=3.4"],
        env=clean_env(), timeout=300)  # fmt: skip
    yield python


def git(root: Path, *args: str) -> str:
    env = clean_env({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    argv = ["git", "-c", "user.name=dht", "-c", "user.email=dht@example.invalid",
            "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args]  # fmt: skip
    return run(argv, cwd=root, env=env).output.strip()


def tagged_repo(root: Path, module: Path) -> str:
    """A tag v1.2.0 and one commit after it; the head's sha."""
    git(root, "init", "--quiet")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "first")
    git(root, "tag", "v1.2.0")
    with module.open("a", encoding="utf-8") as handle:
        handle.write("LATER = True\n")
    git(root, "commit", "--quiet", "-am", "after the tag")
    return git(root, "rev-parse", "HEAD")


def names(requirements: tuple[str, ...]) -> set[str]:
    return {re.split(r"[^A-Za-z0-9._-]", r, maxsplit=1)[0].lower() for r in requirements}


@pytest.mark.online
def test_hatchling_with_hatch_vcs_versions_from_git(tmp_path: Path, backends_python: Path) -> None:
    root = project(
        tmp_path / "vcs",
        """\
        [build-system]
        requires = ["hatchling", "hatch-vcs"]
        build-backend = "hatchling.build"

        [project]
        name = "Vcs_Pkg"
        dynamic = ["version"]
        dependencies = ["packaging>=24"]

        [tool.hatch.version]
        source = "vcs"

        [tool.hatch.build.targets.wheel]
        packages = ["src/vcs_pkg"]
        """,
        {"src/vcs_pkg/__init__.py": "X = 1\n"},
    )
    sha = tagged_repo(root, root / "src" / "vcs_pkg" / "__init__.py")
    p = read(root)
    assert p.version is None and p.dynamic == ("version",)
    requires = build_requires(root, backends_python, p.build)
    assert names(requires) <= {"editables"}  # hatchling 1.33 still asks for editables~=0.3
    meta = prepare_metadata(root, backends_python, p.build, tmp_path / "scratch")
    assert meta.name == "vcs-pkg" and meta.requires_dist == ("packaging>=24",)
    match = re.fullmatch(r"1\.2\.1\.dev1\+g([0-9a-f]{7,})", meta.version)
    assert match and sha.startswith(match.group(1)), meta.version


@pytest.mark.online
def test_setuptools_with_setuptools_scm_versions_from_git(
    tmp_path: Path, backends_python: Path
) -> None:
    root = project(
        tmp_path / "scm",
        """\
        [build-system]
        requires = ["setuptools>=64", "setuptools-scm>=8"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "scm_pkg"
        dynamic = ["version"]

        [tool.setuptools_scm]

        [tool.setuptools]
        py-modules = ["scm_pkg"]
        """,
        {"scm_pkg.py": "X = 1\n"},
    )
    sha = tagged_repo(root, root / "scm_pkg.py")
    p = read(root)
    requires = build_requires(root, backends_python, p.build)
    assert names(requires) <= {"wheel"}  # setuptools >= 70.1 asks for nothing
    meta = prepare_metadata(root, backends_python, p.build, tmp_path / "scratch")
    assert meta.name == "scm-pkg"
    match = re.fullmatch(r"1\.2\.1\.dev1\+g([0-9a-f]{7,})", meta.version)
    assert match and sha.startswith(match.group(1)), meta.version


@pytest.mark.online
def test_flit_core_with_a_static_version(tmp_path: Path, backends_python: Path) -> None:
    root = project(
        tmp_path / "flit",
        """\
        [build-system]
        requires = ["flit_core>=3.4,<5"]
        build-backend = "flit_core.buildapi"

        [project]
        name = "flitpkg"
        version = "2.0.1"
        description = "static"
        dependencies = ["attrs>=20"]

        [project.optional-dependencies]
        Fast = ["orjson"]
        """,
        {"flitpkg.py": '"""A module."""\n'},
    )
    p = read(root)
    assert build_requires(root, backends_python, p.build) == ()
    meta = prepare_metadata(root, backends_python, p.build, tmp_path / "scratch")
    assert (meta.name, meta.version) == ("flitpkg", p.version) == ("flitpkg", "2.0.1")
    assert meta.requires_dist[0] == "attrs>=20" and meta.provides_extra == ("fast",)
    check_extras(p, ["fast"], meta.provides_extra)


@pytest.mark.online
def test_setuptools_dependencies_from_a_requirements_file(
    tmp_path: Path, backends_python: Path
) -> None:
    root = project(
        tmp_path / "reqs",
        """\
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "reqs-pkg"
        version = "0.1"
        dynamic = ["dependencies"]

        [tool.setuptools.dynamic]
        dependencies = {file = ["requirements.txt"]}

        [tool.setuptools]
        py-modules = ["reqs_pkg"]
        """,
        {"reqs_pkg.py": "X = 1\n", "requirements.txt": "requests>=2\n# a comment\nclick==8.*\n"},
    )
    p = read(root)
    assert p.dependencies == () and p.dynamic == ("dependencies",)
    meta = prepare_metadata(root, backends_python, p.build, tmp_path / "scratch")
    assert meta.requires_dist == ("requests>=2", "click==8.*")
