"""uv.lock read for real: locks made by the real uv against the loopback fixture index
(marker-dependent dependencies, extras, groups with include-group, a requires-python
fork, conflicting extras and groups, every kind of source), a few hand-written files
where uv will not write the case, and the real projects' locks in /tmp/real when
they are there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dht.compile.targets import Target
from dht.compile.uvlock import UV_LOCK, UvLock, UvPin, read_uv_lock
from dht.errors import InputError
from dht.uvbackend import uv_bin
from tests.support.index_server import IndexServer
from tests.support.wheels import FixtureIndex

LINUX = Target("linux-x86_64", "3.11.7").marker_environment()
WINDOWS = Target("windows-x86_64", "3.11.7").marker_environment()
LINUX_313 = Target("linux-x86_64", "3.13.1").marker_environment()


def versions(pins: dict[str, UvPin]) -> dict[str, str | None]:
    return {name: pin.version for name, pin in pins.items()}


# -- locks made by the real uv


@pytest.fixture(scope="module")
def server(fixture_index: FixtureIndex) -> Iterator[IndexServer]:
    """One loopback index for the module, so each project is locked once."""
    server = IndexServer(fixture_index)
    yield server
    server.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uvlock")


def uv_lock(root: Path, server: IndexServer, pyproject: str) -> UvLock:
    """`uv lock` on a project written to `root`, reading only the loopback index."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "GIT_"))}
    env["UV_CACHE_DIR"] = str(root.parent / "uv-cache")
    proc = subprocess.run(
        [uv_bin(), "lock", "--no-config", "--index-url", server.url, "--python", sys.executable],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lock = read_uv_lock(root / UV_LOCK)
    assert lock is not None
    return lock


APP = """\
[project]
name = "My_App"
version = "0.1"
requires-python = ">=3.8"
dependencies = ["clicky", "alpha<2"]

[project.optional-dependencies]
Fast = ["extras-pkg[fast]"]
nothing = []

[dependency-groups]
lint = ["toolish==1.1"]
Tests = ["newpy", {include-group = "lint"}]
all = ["my-app[fast]"]
void = []

[tool.uv]
package = false
"""


@pytest.fixture(scope="module")
def app(workdir: Path, server: IndexServer) -> UvLock:
    return uv_lock(workdir / "app", server, APP)


def test_the_project_its_groups_and_extras_normalized(app: UvLock) -> None:
    assert app.root == "my-app"
    assert app.requires_python == ">=3.8"
    # Groups and extras with nothing in them are listed too (uv keeps them in metadata only).
    assert app.groups() == ("all", "lint", "tests", "void")
    assert app.extras() == ("fast", "nothing")


def test_a_windows_only_dependency_is_pinned_for_windows_only(
    app: UvLock, server: IndexServer
) -> None:
    linux = app.pins(LINUX)
    assert versions(linux) == {"alpha": "1.1", "clicky": "1.0"}
    assert linux["alpha"] == UvPin("alpha", "1.1", "registry", server.url, ("alpha",))
    windows = app.pins(WINDOWS)
    assert versions(windows) == {"alpha": "1.1", "clicky": "1.0", "winonly-dep": "1.0"}
    assert windows["winonly-dep"].via == ("clicky", "winonly-dep")


def test_an_extra_and_the_extra_it_asks_of_a_dependency(app: UvLock) -> None:
    # beta is reached only through extras-pkg's own extra `fast`.
    pins = app.pins(LINUX, extras=["FAST"])
    assert versions(pins) == {"alpha": "1.1", "clicky": "1.0", "extras-pkg": "1.0", "beta": "1.5"}
    assert pins["beta"].via == ("extra fast", "extras-pkg[fast]", "beta")
    assert "extras-pkg" not in app.pins(LINUX)


def test_a_group_follows_its_include_group(app: UvLock) -> None:
    pins = app.pins(LINUX, groups=["Tests"])
    assert versions(pins) == {
        "alpha": "1.1",
        "clicky": "1.0",
        "newpy": "1.0",
        "toolish": "1.1",
        "beta": "1.5",
    }
    assert pins["beta"].via == ("group tests", "toolish", "beta")
    assert versions(app.pins(LINUX, groups=["lint"])).keys() == {
        "alpha",
        "clicky",
        "toolish",
        "beta",
    }


def test_a_requires_python_fork_picks_the_version_for_the_target(app: UvLock) -> None:
    # uv forked the resolution on python_full_version: newpy 2.0 needs Python >= 3.13.
    assert app.text.count('\nname = "newpy"\n') == 2
    assert app.pins(LINUX, groups=["tests"])["newpy"].version == "1.0"
    assert app.pins(LINUX_313, groups=["tests"])["newpy"].version == "2.0"


def test_a_group_asking_for_the_projects_own_extra(app: UvLock) -> None:
    pins = app.pins(LINUX, groups=["all"])
    assert pins["beta"].via == ("group all", "my-app[fast]", "extras-pkg[fast]", "beta")
    assert "my-app" not in pins


def test_empty_extras_and_groups_add_nothing(app: UvLock) -> None:
    assert app.pins(WINDOWS, extras=["nothing"], groups=["void"]) == app.pins(WINDOWS)


def test_an_unknown_group_or_extra_suggests_the_close_one(app: UvLock) -> None:
    with pytest.raises(InputError) as group:
        app.pins(LINUX, groups=["test"])
    assert group.value.message == "uv.lock has no dependency group 'test' for my-app"
    assert group.value.hint == (
        "did you mean 'tests'? groups there: all, lint, tests, void;"
        " run `uv lock` if pyproject.toml has it"
    )
    with pytest.raises(InputError) as extra:
        app.pins(LINUX, extras=["fats"])
    assert extra.value.message == "uv.lock has no extra 'fats' for my-app"
    assert extra.value.hint is not None
    assert extra.value.hint.startswith("did you mean 'fast'? extras there: fast, nothing;")


def test_a_python_outside_requires_python_is_refused(app: UvLock) -> None:
    with pytest.raises(InputError, match=r"uv.lock is for Python >=3.8; this target runs 3.7.9"):
        app.pins(Target("linux-x86_64", "3.7.9").marker_environment())


SELF = """\
[project]
name = "beta"
version = "3.0"
requires-python = ">=3.8"
dependencies = []

[dependency-groups]
testing = ["toolish==1.1"]

[tool.uv]
package = false
"""


def test_a_dependency_on_the_project_itself_is_not_a_pin(
    workdir: Path, server: IndexServer
) -> None:
    # toolish 1.1 needs beta; this project is beta, so uv.lock points toolish at it
    # (as pytest's pluggy in pluggy's own lock): the project, not an index release.
    lock = uv_lock(workdir / "self", server, SELF)
    assert '\nname = "beta"\nversion = "3.0"\nsource = { virtual = "." }' in lock.text
    assert versions(lock.pins(LINUX, groups=["testing"])) == {"toolish": "1.1"}


CONFLICTS = """\
[project]
name = "confl"
version = "0.1"
requires-python = ">=3.8"
dependencies = ["toolish"]

[project.optional-dependencies]
old = ["toolish==1.1"]
new = ["toolish==1.0"]

[dependency-groups]
g1 = ["conflict-a"]
g2 = ["conflict-b"]
g3 = ["shared"]

[tool.uv]
package = false
conflicts = [[{extra = "old"}, {extra = "new"}], [{group = "g1"}, {group = "g2"}]]
"""


@pytest.fixture(scope="module")
def conflicts(workdir: Path, server: IndexServer) -> UvLock:
    return uv_lock(workdir / "conflicts", server, CONFLICTS)


def test_conflict_markers_follow_the_chosen_extras(conflicts: UvLock) -> None:
    # uv writes `extra == 'extra-5-confl-new'` on the root's toolish entries.
    assert "extra-5-confl-new" in conflicts.text
    assert versions(conflicts.pins(LINUX)) == {"toolish": "1.1", "beta": "1.5"}
    assert versions(conflicts.pins(LINUX, extras=["new"])) == {"toolish": "1.0"}
    assert versions(conflicts.pins(LINUX, extras=["old"])) == {"toolish": "1.1", "beta": "1.5"}


def test_conflict_markers_follow_the_chosen_groups(conflicts: UvLock) -> None:
    assert conflicts.pins(WINDOWS, groups=["g3"])["shared"].version == "2.0"
    with_a = conflicts.pins(WINDOWS, groups=["g1", "g3"])
    assert versions(with_a)["shared"] == "1.0"
    assert with_a["shared"].via == ("group g3", "shared")
    with_b = conflicts.pins(WINDOWS, groups=["g2", "g3"])
    assert (versions(with_b)["shared"], "conflict-a" in with_b) == ("2.0", False)


def test_conflicting_extras_together_are_refused(conflicts: UvLock) -> None:
    with pytest.raises(InputError) as caught:
        conflicts.pins(LINUX, extras=["new", "old"])
    assert "extra 'new' of confl and extra 'old' of confl conflicting" in caught.value.message


ENVIRONMENTS = """\
[project]
name = "envs"
version = "0.1"
requires-python = ">=3.8"
dependencies = ["clicky"]

[tool.uv]
package = false
environments = ["sys_platform == 'linux'"]
"""


def test_a_target_outside_the_locks_environments_is_refused(
    workdir: Path, server: IndexServer
) -> None:
    # uv drops what only Windows needs from such a lock: pins for Windows would be wrong.
    lock = uv_lock(workdir / "envs", server, ENVIRONMENTS)
    assert versions(lock.pins(LINUX)) == {"clicky": "1.0"}
    with pytest.raises(InputError, match="covers only the environments") as caught:
        lock.pins(WINDOWS)
    assert caught.value.where is not None and caught.value.where.endswith("uv.lock:7")


WORKSPACE = """\
[project]
name = "ws-root"
version = "0.1"
requires-python = ">=3.8"
dependencies = ["lib", "vend", "alpha @ {wheel}", "clicky @ {url}"]

[build-system]
requires = ["tinybuild"]
build-backend = "tinybuild"

[tool.uv.workspace]
members = ["packages/*"]

[tool.uv.sources]
lib = {{ workspace = true }}
vend = {{ path = "vend" }}
"""

MEMBER = """\
[project]
name = "{name}"
version = "0.2"
requires-python = ">=3.8"
dependencies = ["{needs}"]

[build-system]
requires = ["tinybuild"]
build-backend = "tinybuild"
"""


def test_every_kind_of_source_is_reported_as_uv_lock_gives_it(
    workdir: Path, server: IndexServer, fixture_index: FixtureIndex
) -> None:
    root = workdir / "workspace"
    for folder, name, needs in (("packages/lib", "lib", "toolish<1.1"), ("vend", "vend", "beta")):
        (root / folder).mkdir(parents=True)
        (root / folder / "pyproject.toml").write_text(MEMBER.format(name=name, needs=needs))
    assert fixture_index.directory is not None
    wheel = fixture_index.directory / "alpha-1.0-py3-none-any.whl"
    url = f"{server.base}/files/clicky-1.0-py3-none-any.whl"
    lock = uv_lock(root, server, WORKSPACE.format(wheel=wheel.as_uri(), url=url))
    assert lock.root == "ws-root"
    pins = lock.pins(WINDOWS)
    found = {name: (pin.source, pin.location) for name, pin in pins.items()}
    assert found["lib"] == ("editable", "packages/lib")
    assert found["vend"] == ("directory", "vend")
    assert found["alpha"][0] == "path" and found["alpha"][1].endswith(wheel.name)
    assert found["clicky"] == ("url", url)
    assert found["toolish"] == ("registry", server.url)
    assert pins["winonly-dep"].via == ("clicky", "winonly-dep")
    assert pins["toolish"].via == ("lib", "toolish")
    assert "ws-root" not in pins


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
def test_a_git_source(workdir: Path, server: IndexServer) -> None:
    repo = workdir / "gitdep"
    repo.mkdir()
    (repo / "pyproject.toml").write_text(MEMBER.format(name="gitdep", needs="beta"))
    git = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    for argv in (["init", "-q"], ["add", "pyproject.toml"], ["commit", "-qm", "one"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *argv],
            cwd=repo,
            env=git,
            check=True,
            timeout=60,
        )
    project = (
        f'[project]\nname = "g"\nversion = "1"\ndependencies = ["gitdep @ git+{repo.as_uri()}"]\n'
    )
    lock = uv_lock(workdir / "git-user", server, project + "[tool.uv]\npackage = false\n")
    pin = lock.pins(LINUX)["gitdep"]
    assert (pin.source, pin.version) == ("git", "0.2")
    assert pin.location.startswith(repo.as_uri() + "#")


# -- hand-written files, in uv's format, for what uv will not write


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / UV_LOCK
    path.write_text(text, encoding="utf-8")
    return path


def read(tmp_path: Path, text: str) -> UvLock:
    lock = read_uv_lock(write(tmp_path, text))
    assert lock is not None
    return lock


def line_of(text: str, part: str) -> int:
    """The one line of `text` that holds `part`."""
    [line] = [n for n, line in enumerate(text.splitlines(), start=1) if part in line]
    return line


# uv always writes `version` on an entry whose name has several packages, so an entry
# without one that has to be decided by the packages' resolution-markers is hand-written.
FORK = """\
version = 1
revision = 3
requires-python = ">=3.8"
resolution-markers = [
    "python_full_version >= '3.13'",
    "python_full_version < '3.13'",
]

[[package]]
name = "alpha"
version = "2.0"
source = { registry = "https://example.invalid/simple" }
dependencies = [
    { name = "newpy" },
]

[[package]]
name = "app"
version = "0.1"
source = { virtual = "." }
dependencies = [
    { name = "alpha" },
]

[[package]]
name = "newpy"
version = "1.0"
source = { registry = "https://example.invalid/simple" }
resolution-markers = [
    "%s",
]

[[package]]
name = "newpy"
version = "2.0"
source = { registry = "https://example.invalid/simple" }
resolution-markers = [
    "python_full_version >= '3.13'",
]
"""


def test_an_entry_without_a_version_is_decided_by_resolution_markers(tmp_path: Path) -> None:
    lock = read(tmp_path, FORK % "python_full_version < '3.13'")
    assert lock.pins(LINUX)["newpy"] == UvPin(
        "newpy", "1.0", "registry", "https://example.invalid/simple", ("alpha", "newpy")
    )
    assert lock.pins(LINUX_313)["newpy"].version == "2.0"


def test_several_candidates_that_cannot_be_told_apart(tmp_path: Path) -> None:
    lock = read(tmp_path, FORK % "python_full_version >= '3.8'")
    assert lock.pins(LINUX)["newpy"].version == "1.0"  # only 1.0 holds below 3.13
    with pytest.raises(InputError) as caught:
        lock.pins(LINUX_313)
    assert "several versions of newpy (1.0, 2.0)" in caught.value.message
    assert "more than one" in caught.value.message
    lock = read(tmp_path, FORK % "python_full_version < '3.10'")
    with pytest.raises(InputError, match=r"several versions of newpy .* none of them"):
        lock.pins(LINUX)


# An extra asked of another package (lib[x], by group dev) switches on a conflict marker
# on the root's own dependencies, which the walk meets before the ask: uv writes such
# markers for conflicts declared on workspace members; a loopback lock with one would
# need a workspace of conflicting members, so this is hand-written. It also has plain
# `extra == ...` markers in an optional-dependencies list, and a source without a version.
ASKED = """\
version = 1
revision = 3
requires-python = ">=3.8"

[[package]]
name = "app"
version = "0.1"
source = { virtual = "." }
dependencies = [
    { name = "lib" },
    { name = "shared", version = "1.0", source = { registry = "https://example.invalid/simple" }, marker = "extra == 'extra-3-lib-x'" },
    { name = "shared", version = "2.0", source = { registry = "https://example.invalid/simple" }, marker = "extra != 'extra-3-lib-x'" },
]

[package.dev-dependencies]
dev = [
    { name = "lib", extra = ["x", "y"] },
]

[[package]]
name = "gamma"
version = "1.0"
source = { registry = "https://example.invalid/simple" }

[[package]]
name = "delta"
version = "1.0"
source = { registry = "https://example.invalid/simple" }

[[package]]
name = "lib"
source = { directory = "lib" }

[package.optional-dependencies]
x = [
    { name = "gamma", marker = "extra == 'x'" },
]
y = [
    { name = "delta", marker = "extra == 'x'" },
]

[[package]]
name = "shared"
version = "1.0"
source = { registry = "https://example.invalid/simple" }

[[package]]
name = "shared"
version = "2.0"
source = { registry = "https://example.invalid/simple" }
"""


def test_an_extra_asked_of_a_dependency_switches_its_conflict_markers(tmp_path: Path) -> None:
    lock = read(tmp_path, ASKED)
    assert versions(lock.pins(LINUX)) == {"lib": None, "shared": "2.0"}
    pins = lock.pins(LINUX, groups=["dev"])
    assert versions(pins) == {"gamma": "1.0", "lib": None, "shared": "1.0"}
    assert pins["gamma"].via == ("group dev", "lib[x,y]", "gamma")
    assert (pins["lib"].source, pins["lib"].location) == ("directory", "lib")


def test_two_versions_of_one_package_on_one_target(tmp_path: Path) -> None:
    text = ASKED.replace("extra == 'extra-3-lib-x'", "sys_platform == 'linux'").replace(
        "extra != 'extra-3-lib-x'", "os_name == 'posix'"
    )
    lock = read(tmp_path, text)
    with pytest.raises(InputError, match=r"two versions of shared on this target: shared 1\.0"):
        lock.pins(LINUX)
    assert "shared" not in lock.pins(WINDOWS)


def test_a_workspace_root_without_a_project_has_no_root(tmp_path: Path) -> None:
    lock = read(
        tmp_path,
        'version = 1\nrevision = 3\nrequires-python = ">=3.8"\n\n[manifest]\nmembers = [\n'
        '    "lib",\n]\n\n[[package]]\nname = "lib"\nversion = "0.2"\n'
        'source = { editable = "packages/lib" }\n',
    )
    assert (lock.root, lock.groups(), lock.extras()) == (None, (), ())
    with pytest.raises(InputError, match="no package for the project itself"):
        lock.pins(LINUX)


# -- files dht cannot use


def test_no_file_is_no_lock(tmp_path: Path) -> None:
    assert read_uv_lock(tmp_path / UV_LOCK) is None


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Messages name uv.lock as the user would: relative to the working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_broken_toml_names_the_line(here: Path) -> None:
    with pytest.raises(InputError, match="not valid TOML") as caught:
        read_uv_lock(write(here, "version = 1\nrevision = 3\nrequires-python = \n"))
    assert caught.value.where == "uv.lock:3"


def test_another_format_version_is_refused(here: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_uv_lock(write(here, "version = 2\nrevision = 1\n"))
    assert caught.value.message == "uv.lock version 2 is not one dht reads"
    assert caught.value.hint == "dht reads uv.lock version 1 (uv 0.3 and newer)"
    assert caught.value.where == "uv.lock:1"


def test_a_field_of_the_wrong_type_names_its_line(here: Path) -> None:
    text = FORK % "python_full_version < '3.13'"
    broken = text.replace('{ name = "newpy" }', "{ name = 5 }")
    with pytest.raises(InputError) as caught:
        read_uv_lock(write(here, broken))
    assert caught.value.message == "package[0].dependencies[0].name: expected a string, got int"
    assert caught.value.where == f"uv.lock:{line_of(broken, '{ name = 5 }')}"
    # The second newpy: its version line, not the first package's.
    broken = text.replace(
        'version = "2.0"\nsource = { registry = "https://example.invalid/simple" }\nresolution',
        'version = 2\nsource = { registry = "https://example.invalid/simple" }\nresolution',
    )
    with pytest.raises(InputError) as caught:
        read_uv_lock(write(here, broken))
    assert caught.value.message == "package[3].version: expected a string, got int"
    assert caught.value.where == f"uv.lock:{line_of(broken, 'version = 2')}"


def test_an_invalid_marker_names_its_line(here: Path) -> None:
    text = (FORK % "python_full_version < '3.13'").replace(
        '{ name = "newpy" }', '{ name = "newpy", marker = "python_version >> \'3\'" }'
    )
    with pytest.raises(InputError, match="is not a valid marker") as caught:
        read_uv_lock(write(here, text))
    assert caught.value.where == f"uv.lock:{line_of(text, '>>')}"


# -- the real projects' locks in /tmp/real: present on the machine this was written on,
# absent in CI (these tests then skip). What they check is covered above on loopback.

REAL = Path("/tmp/real")


def real(project: str) -> UvLock:
    path = REAL / project / UV_LOCK
    if not path.is_file():
        pytest.skip(f"{path} is not here (a copy of a real project's uv.lock, not in CI)")
    lock = read_uv_lock(path)
    assert lock is not None
    return lock


def test_real_click_pins_pytest_for_its_tests_group() -> None:
    pins = real("click").pins(LINUX, groups=["tests"])
    assert pins["pytest"].version == "9.0.2"
    assert pins["pluggy"].via == ("group tests", "pytest", "pluggy")
    assert "colorama" not in pins and "colorama" in real("click").pins(WINDOWS, groups=["tests"])


def test_real_pluggy_does_not_pin_itself_through_pytest() -> None:
    pins = real("pluggy").pins(LINUX, groups=["testing"])
    assert "pytest" in pins
    assert "pluggy" not in pins


def test_real_attrs_follows_an_extra_of_a_dependency() -> None:
    pins = real("attrs").pins(LINUX, groups=["tests"])
    assert pins["psutil"].via == ("group tests", "pytest-xdist[psutil]", "psutil")


# -- a release yanked after uv locked it


def test_a_release_yanked_after_uv_locked_it_is_kept_marked_and_warned(
    fixture_index: FixtureIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uv.lock pins yanky 1.1; the index yanks it later. uv keeps installing it (an exact
    pin may select a yanked release, PEP 592), so dht locks it too: marked, with a warning."""
    import dataclasses

    from typer.testing import CliRunner

    from dht.cli import app
    from dht.model.lock import read_lock

    before = FixtureIndex(
        {
            **fixture_index.files,
            "yanky": [dataclasses.replace(f, yanked=None) for f in fixture_index.files["yanky"]],
        }
    )
    server = IndexServer(before)
    try:
        root = tmp_path / "app"
        lock = uv_lock(
            root,
            server,
            '[project]\nname = "app"\nversion = "0.1"\nrequires-python = ">=3.8"\n'
            '[dependency-groups]\npins = ["yanky>=1"]\n[tool.uv]\npackage = false\n',
        )
        assert versions(lock.pins(LINUX, groups=["pins"])) == {"yanky": "1.1"}
        server.index = fixture_index  # the index yanks 1.1 ("broken")
        (root / "dht.toml").write_text(
            f'[project]\npython = "3.11"\ngroups = ["pins"]\n[targets]\n'
            f'platforms = ["linux-x86_64"]\n[index]\nurl = "{server.url}"\n',
            encoding="utf-8",
        )
        monkeypatch.chdir(root)
        result = CliRunner().invoke(app, ["lock"])
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    assert (
        "warning: yanky 1.1 (project) is yanked on the index: broken; uv.lock pins exactly"
        " this version" in result.output
    )
    locked, _ = read_lock(root / "dht.lock")
    (yanky,) = [p for p in locked.packages if p.name == "yanky"]
    assert (yanky.version, yanky.yanked) == ("1.1", "broken")


def test_a_yanked_release_the_pyproject_pins_exactly_is_locked_and_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Any
) -> None:
    """No uv.lock: pyproject.toml's own `==` pin may select the yanked release, as uv's does."""
    from typer.testing import CliRunner

    from dht.cli import app
    from dht.model.lock import read_lock

    server = index_server()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1"\nrequires-python = ">=3.8"\n'
        'dependencies = ["yanky==1.1"]\n'
        '[build-system]\nrequires = ["tinybuild"]\nbuild-backend = "tinybuild"\n',
        encoding="utf-8",
    )
    (tmp_path / "dht.toml").write_text(
        f'[project]\npython = "3.11"\n[targets]\nplatforms = ["linux-x86_64"]\n[index]\nurl = "{server.url}"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lock"])
    assert result.exit_code == 0, result.output
    assert (
        "yanky 1.1 (project) is yanked on the index: broken; pyproject.toml pins exactly"
        in result.output
    )
    (yanky,) = [p for p in read_lock(tmp_path / "dht.lock")[0].packages if p.name == "yanky"]
    assert (yanky.version, yanky.yanked) == ("1.1", "broken")
