"""System dependencies: compiled per declared system, inferred from the project's
Python dependencies, installed and checked with the machine's package manager."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dht.apply.system import OsRelease, manager_for, read_os_release
from dht.apply.system.apt import Apt
from dht.cli import app
from dht.compile.system import compile_system
from dht.errors import InputError
from dht.model.intent import parse_intent
from dht.model.lock import Artifact, Hashes, Package, parse_lock

BASE = '[project]\npython = "3.11"\n'
ALL = ("alpine", "arch", "choco", "debian", "fedora", "homebrew", "opensuse", "ubuntu", "winget")


def entries(text: str, root: Path | None = None) -> dict[str, Any]:
    return {e.id: e for e in compile_system(parse_intent(BASE + text), [], root)}


def test_alias_and_id_resolve_for_every_system() -> None:
    found = entries('[system]\nlibpq = {}\n"dep:generic/zlib" = {}\n')
    libpq = found["dep:generic/libpq"]
    assert libpq.why == ("system.libpq",)
    assert libpq.packages["debian"] == ("libpq-dev",)
    assert libpq.packages["fedora"] == ("libpq-devel",)
    assert set(libpq.packages) | set(libpq.unavailable) == set(ALL)  # complete for every system
    assert "dep:generic/zlib" in found


def test_overrides_and_custom_dependencies() -> None:
    found = entries(
        "[targets]\nsystems = ['debian+12', 'debian', 'fedora', 'winget']\n"
        '[system]\nlibpq = { fedora = ["my-libpq"], winget = false }\n'
        'tinytool = { debian = ["sl"], "debian+12" = ["sl"] }\n'
    )
    assert found["dep:generic/libpq"].packages["fedora"] == ("my-libpq",)
    assert "winget" in found["dep:generic/libpq"].unavailable
    tiny = found["tinytool"]
    assert tiny.packages == {"debian": ("sl",), "debian+12": ("sl",)}
    assert tiny.unavailable == ("fedora", "winget")


def test_unknown_dependency_says_what_to_do() -> None:
    with pytest.raises(InputError) as info:
        entries("[system]\nlibpqq = {}\n")
    assert "unknown system dependency 'libpqq'" in info.value.message
    assert (
        info.value.hint is not None
        and "libpq" in info.value.hint
        and "debian = [" in info.value.hint
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[system]\nx = { debian = ["a;rm -rf /"] }\n', "list of package names"),
        ('[system]\nx = { debain = ["a"] }\n', "unknown system 'debain'"),
        ("[targets]\nsystems = ['ubuntu+noble']\n", "unknown system"),
        ("[system]\nlibpq = true\n", "must be a table"),
        (
            "[targets]\nsystems = ['debian']\n[system]\nlibpq = { fedora = ['x'] }\n",
            "'fedora' is not one of targets.systems",
        ),
    ],
)
def test_bad_system_entries(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        entries(text)
    assert message in str(info.value)


def test_inferred_from_the_project_dependencies(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = ["psycopg2>=2.9", "Pillow", "lxml; python_version > \'3\'"]\n'
    )
    found = entries("", tmp_path)
    assert found["dep:generic/libpq"].why == ("psycopg2 (project.dependencies)",)
    assert {
        "dep:generic/libjpeg",
        "dep:generic/zlib",
        "dep:generic/libxml2",
        "dep:generic/libxslt",
    } <= set(found)
    assert "pillow (project.dependencies)" in found["dep:generic/zlib"].why
    assert found["dep:generic/libxslt"].packages["debian"] == ("libxslt1-dev",)

    assert entries("[system]\ninfer = false\n", tmp_path) == {}
    without = entries('[system]\nexclude = ["libpq"]\n', tmp_path)
    assert "dep:generic/libpq" not in without and "dep:generic/zlib" in without


@pytest.mark.parametrize(
    "text",
    [
        'project = "x"\n',
        '[project]\noptional-dependencies = ["psycopg2"]\n',
        'dependency-groups = "dev"\n',
        "[project]\ndependencies = 3\n",
    ],
)
def test_malformed_pyproject_infers_nothing(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert entries("", tmp_path) == {}


def test_lock_records_system_and_check_detects_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    monkeypatch.chdir(tmp_path)
    intent = tmp_path / "dht.toml"
    intent.write_text(BASE + f'[index]\nurl = "{server.url}"\n[system]\nlibpq = {{}}\n')
    runner = CliRunner()
    assert runner.invoke(app, ["lock"]).exit_code == 0
    lock = parse_lock((tmp_path / "dht.lock").read_text())
    assert [e.id for e in lock.system] == ["dep:generic/libpq"]
    assert runner.invoke(app, ["lock", "--check"]).exit_code == 0
    intent.write_text(intent.read_text() + "zlib = {}\n")
    result = runner.invoke(app, ["lock", "--check"])
    assert result.exit_code == 3 and "system.dep:generic/zlib: not in the lock" in result.output


OS_RELEASES = {
    "debian": ('ID=debian\nVERSION_ID="12"\n', ["debian+12", "debian"]),
    "ubuntu": (
        'ID=ubuntu\nVERSION_ID="24.04"\nID_LIKE=debian\n',
        ["ubuntu+24.04", "ubuntu", "debian"],
    ),
    "leap": (
        'ID="opensuse-leap"\nVERSION_ID="15.6"\nID_LIKE="suse opensuse"\n',
        ["opensuse+15.6", "opensuse", "suse"],
    ),
    "arch": ("ID=arch\n", ["arch"]),
    "alma": (
        'ID="almalinux"\nVERSION_ID="9.4"\nID_LIKE="rhel centos fedora"\n',
        ["almalinux+9.4", "almalinux", "rhel", "centos", "fedora"],
    ),
}


@pytest.mark.parametrize("name", sorted(OS_RELEASES))
def test_os_release(name: str, tmp_path: Path) -> None:
    text, candidates = OS_RELEASES[name]
    (tmp_path / "os-release").write_text(text)
    release = read_os_release(tmp_path / "os-release")
    assert release is not None and release.candidates() == candidates


def test_odd_or_missing_os_release(tmp_path: Path) -> None:
    assert read_os_release(tmp_path / "absent") is None
    (tmp_path / "odd").write_text("garbage without equals\nVERSION=1\n")
    assert read_os_release(tmp_path / "odd") is None
    assert OsRelease("debian", "", ()).candidates() == ["debian"]


@pytest.mark.parametrize(
    ("system", "argv"),
    [
        ("debian+12", ["apt-get", "install", "-y", "--no-install-recommends", "--", "libpq-dev", "zlib1g-dev"]),
        ("fedora", ["dnf", "install", "-y", "--", "libpq-dev", "zlib1g-dev"]),
        ("arch", ["pacman", "-S", "--needed", "--noconfirm", "--", "libpq-dev", "zlib1g-dev"]),
        ("alpine", ["apk", "add", "--no-interactive", "--", "libpq-dev", "zlib1g-dev"]),
        ("opensuse", ["zypper", "--non-interactive", "install", "--", "libpq-dev", "zlib1g-dev"]),
        ("homebrew", ["brew", "install", "--formula", "libpq-dev", "zlib1g-dev"]),
        ("choco", ["choco", "install", "-y", "--no-progress", "libpq-dev", "zlib1g-dev"]),
        ("winget", ["winget", "install", "--exact", "--silent", "--accept-package-agreements",
                    "--accept-source-agreements", "--id", "libpq-dev", "zlib1g-dev"]),
    ],
)  # fmt: skip
def test_install_commands(system: str, argv: list[str]) -> None:
    # Managers that cannot run here are checked by the exact command they would run.
    assert manager_for(system).install_argv(["libpq-dev", "zlib1g-dev"]) == argv


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs dpkg (Debian or Ubuntu)")
def test_dpkg_query_reads_real_status() -> None:
    found = Apt().installed(["dpkg", "surely-not-a-package-xyz"])
    assert found["dpkg"] and found["dpkg"][0].isdigit()
    assert found["surely-not-a-package-xyz"] is None


def _debian_reachable() -> bool:
    try:
        socket.create_connection(("deb.debian.org", 80), timeout=5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="installs a Debian package: needs root"
)
@pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt (Debian or Ubuntu)")
def test_apt_installs_for_real(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    if not _debian_reachable():
        pytest.skip("needs the Debian archive: deb.debian.org:80 is out of reach")
    release = read_os_release()
    assert release is not None
    system = release.candidates()[0]
    package = "hello"  # tiny, and it can prove itself: hello --version
    subprocess_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    import subprocess

    subprocess.run(
        ["apt-get", "remove", "-y", "-qq", package],
        env=subprocess_env,
        capture_output=True,
        check=False,
    )
    server = index_server()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        BASE + f"[targets]\nsystems = ['{system}']\n[index]\nurl = \"{server.url}\"\n"
        f'[system]\ntinytool = {{ {system.split("+")[0]} = ["{package}"] }}\n'
    )
    runner = CliRunner()
    assert runner.invoke(app, ["lock"]).exit_code == 0
    result = runner.invoke(app, ["verify", "--only", "system"])
    assert result.exit_code == 3 and "system:tinytool" in result.output
    result = runner.invoke(app, ["apply", "--only", "system"])
    assert result.exit_code == 0, result.output
    assert Apt().installed([package])[package] is not None
    assert runner.invoke(app, ["verify", "--only", "system"]).exit_code == 0
    version = subprocess.run(
        ["hello", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert "hello" in version.lower()  # the package works: its own probe
    again = runner.invoke(app, ["apply", "--only", "system"])
    assert "0 changed" in again.output
    subprocess.run(["dpkg", "-r", package], env=subprocess_env, capture_output=True, check=True)
    result = runner.invoke(app, ["verify", "--only", "system"])
    # Installed by dht, then removed by hand: drift.
    assert result.exit_code == 3 and "drifted" in result.output and "hello" in result.output
    assert runner.invoke(app, ["apply", "--only", "system"]).exit_code == 0
    assert Apt().installed([package])[package] is not None
    subprocess.run(
        ["apt-get", "remove", "-y", "-qq", package],
        env=subprocess_env,
        capture_output=True,
        check=False,
    )


def test_a_package_name_apt_would_read_as_remove_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    server = index_server()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        BASE + f'[index]\nurl = "{server.url}"\n[system]\nx = {{ debian = ["git"] }}\n'
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    lock = tmp_path / "dht.lock"
    lock.write_text(lock.read_text().replace('debian = ["git"]', 'debian = ["git-"]'))
    result = CliRunner().invoke(app, ["apply", "--dry-run"])
    assert result.exit_code == 1 and "packages" in result.output
    with pytest.raises(InputError):
        entries('[system]\nx = { debian = ["git-"] }\n')


@pytest.mark.parametrize(
    "name",
    ["PATH", "LD_PRELOAD", "DYLD_INSERT_LIBRARIES", "BASH_ENV", "GIT_SSH_COMMAND", "PYTHONPATH"],
)
def test_env_names_that_change_what_runs_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="may not be set"):
        parse_intent(BASE + f'[env]\n{name} = "x"\n')


@pytest.mark.parametrize(
    "file",
    [".git/config", ".git/hooks/pre-commit", ".dht/activate.sh", ".venv/pyvenv.cfg", "dht.lock"],
)
def test_reserved_config_paths_are_refused(file: str) -> None:
    with pytest.raises(InputError, match="reserved"):
        parse_intent(BASE + f'[config.x]\nfile = "{file}"\ntext = "x"\n')


def test_winget_takes_one_id_per_install() -> None:
    from dht.apply.system import install_commands

    commands = install_commands(manager_for("winget"), ["Git.Git", "Kitware.CMake"])
    assert [argv[-1] for argv in commands] == ["Git.Git", "Kitware.CMake"]
    assert len(install_commands(manager_for("debian"), ["a", "b"])) == 1


@pytest.mark.skipif(read_os_release() is None, reason="needs /etc/os-release (Linux)")
def test_a_machine_outside_the_lock_systems_still_applies_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    release = read_os_release()
    assert release is not None
    other = (
        "winget"
        if "debian" in release.candidates() or "ubuntu" in release.candidates()
        else "debian"
    )
    server = index_server()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        BASE + f"[targets]\nsystems = ['{other}']\n[index]\nurl = \"{server.url}\"\n"
        f'[system]\ntinytool = {{ {other} = ["x"] }}\n[env]\nFOO = "1"\n'
    )
    runner = CliRunner()
    assert runner.invoke(app, ["lock"]).exit_code == 0
    assert runner.invoke(app, ["apply", "--only", "env"]).exit_code == 0
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 3
    assert "system:this-machine" in result.output and "none of the lock's systems" in result.output
    assert "add this machine's system" in result.output


def test_version_pins_are_locked_per_system() -> None:
    found = entries(
        "[targets]\nsystems = ['debian+12', 'fedora', 'winget']\n"
        '[system]\ntinytool = { debian = ["hello"], fedora = ["hello"], version = { debian = "2.10-3" } }\n'
    )
    tiny = found["tinytool"]
    assert tiny.versions == {"debian+12": "2.10-3"}  # the bare key applies to the release
    with pytest.raises(InputError, match="not a package version"):
        entries('[system]\nx = { debian = ["a"], version = { debian = "2.10; rm -rf /" } }\n')


@pytest.mark.parametrize(
    ("system", "argvs"),
    [
        ("debian", [["apt-get", "install", "-y", "--no-install-recommends", "--", "hello=2.10-3"]]),
        ("fedora", [["dnf", "install", "-y", "--", "hello-2.10-3"]]),
        ("alpine", [["apk", "add", "--no-interactive", "--", "hello=2.10-3"]]),
        ("opensuse", [["zypper", "--non-interactive", "install", "--", "hello=2.10-3"]]),
        ("homebrew", [["brew", "install", "--formula", "hello@2.10-3"]]),
        ("choco", [["choco", "install", "-y", "--no-progress", "hello", "--version", "2.10-3"]]),
        ("winget", [["winget", "install", "--exact", "--silent", "--accept-package-agreements",
                     "--accept-source-agreements", "--id", "hello", "--version", "2.10-3"]]),
    ],
)  # fmt: skip
def test_pinned_install_commands_use_each_managers_syntax(
    system: str, argvs: list[list[str]]
) -> None:
    from dht.apply.system import install_commands

    assert install_commands(manager_for(system), ["hello"], "2.10-3") == argvs


def test_pacman_refuses_a_version_pin() -> None:
    from dht.errors import DhtError

    with pytest.raises(DhtError, match="exact version"):
        manager_for("arch").install_argv(["hello"], "1.0")


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs dpkg (Debian or Ubuntu)")
def test_wrong_version_is_drift(tmp_path: Path) -> None:
    from dht.apply.plan import Status, classify
    from dht.apply.resources import Receipts, SystemResource

    receipts = Receipts(tmp_path)
    resource = SystemResource("x", "debian", ("dpkg",), receipts, version="0.0-not-this")
    receipts.set(resource.id, resource.fingerprint)
    verdict = classify(resource.fingerprint, resource.desired(), resource.probe())
    assert verdict.status == Status.DRIFTED and "instead of 0.0-not-this" in verdict.reason


@pytest.mark.skipif(
    shutil.which("rpm") is None, reason="needs rpm (Debian: apt-get install rpm; CI installs it)"
)
def test_rpm_query_against_an_empty_private_database(tmp_path: Path) -> None:
    import subprocess

    from dht.apply.system.dnf import Dnf

    db = tmp_path / "rpmdb"
    subprocess.run(["rpm", "--dbpath", str(db), "--initdb"], check=True)
    assert Dnf(dbpath=str(db)).installed(["hello", "glibc"]) == {"hello": None, "glibc": None}


@pytest.mark.skipif(
    shutil.which("pacman") is None,
    reason="needs pacman (Debian: apt-get install pacman-package-manager; CI installs it)",
)
def test_pacman_query_against_an_empty_private_database(tmp_path: Path) -> None:
    from dht.apply.system.pacman import Pacman

    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "ALPM_DB_VERSION").write_text("9\n")
    assert Pacman(dbpath=str(tmp_path)).installed(["hello"]) == {"hello": None}


def _locked(name: str, *, sdist: bool) -> Package:
    artifact = Artifact(
        name=f"{name}-1.0.tar.gz" if sdist else f"{name}-1.0-py3-none-any.whl",
        url=f"https://files.example.org/{name}-1.0",
        size=1,
        hashes=Hashes(sha256="0" * 64),
        targets=("linux-x86_64",),
    )
    return Package(
        name=name,
        version="1.0",
        environment="project",
        index="https://pypi.org/simple",
        targets=("linux-x86_64",),
        sdist=artifact if sdist else None,
        wheels=() if sdist else (artifact,),
    )


def test_a_dependency_with_wheels_for_every_target_infers_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = ["psycopg2", "coverage", "lxml"]\n'
    )
    locked = [_locked("coverage", sdist=False), _locked("psycopg2", sdist=True)]
    found = compile_system(parse_intent(BASE), locked, tmp_path)
    why = {reason for entry in found for reason in entry.why}
    assert not any(reason.startswith("coverage") for reason in why)  # wheels everywhere
    assert "psycopg2 (project.dependencies)" in why  # built from its sdist
    assert any(reason.startswith("lxml") for reason in why)  # not locked: cannot tell, inferred
    unlocked = {r for e in compile_system(parse_intent(BASE), [], tmp_path) for r in e.why}
    assert any(reason.startswith("coverage") for reason in unlocked)


# Real `winget list` output, as users posted it in microsoft/winget-cli issues
# #4718, #3072, #1481 and #2528 (winget 1.x; ids as asked for with --exact).
WINGET_POWERSHELL = """\
Name                                    Id                                                     Version      Available Source
----------------------------------------------------------------------------------------------------------------------------
PowerShell 7.4.3.0-x64                  Microsoft.PowerShell                                   7.4.3.0      7.4.4.0   winget
Windows Terminal                        Microsoft.WindowsTerminal                              1.20.11781.0           winget
Microsoft Azure PowerShell - April 2018 ARP\\Machine\\X64\\{3BA7CAA9-97BA-4528-B7E1-B640910BB149} 5.7.0.18831
"""
WINGET_PYTHON2 = """\
Name                   Id                 Version    Available Source
---------------------------------------------------------------------
Python 2.7.14 (64-bit) Python.Python.2    < 3.12.0a1 3.12.0a5  winget
"""
WINGET_GIT = (
    "   - \r   \\ \r"  # the spinner winget draws before the table
    "Name                                     Id                                       Version             Available Source\r\n"
    "-----------------------------------------------------------------------------------------------------------------------\r\n"
    "Git                                      Git.Git                                  2.31.0.0.1          2.33.0.2  winget\r\n"
    "CodeFlow                                 CodeFlow_is1                             Unknown\r\n"
)
WINGET_NONE = "No installed package found matching input criteria.\n"


@pytest.mark.parametrize(
    ("output", "package", "version"),
    [
        (WINGET_POWERSHELL, "Microsoft.PowerShell", "7.4.3.0"),
        (WINGET_POWERSHELL, "microsoft.windowsterminal", "1.20.11781.0"),  # ids fold case
        (WINGET_POWERSHELL, "Microsoft.Edge", None),
        (WINGET_PYTHON2, "Python.Python.2", "< 3.12.0a1"),  # not a version a pin can match
        (WINGET_GIT, "Git.Git", "2.31.0.0.1"),
        (WINGET_GIT, "CodeFlow_is1", "Unknown"),
        (WINGET_NONE, "Git.Git", None),
        ("", "Git.Git", None),
    ],
)
def test_winget_reads_the_installed_version(output: str, package: str, version: str | None) -> None:
    from dht.apply.system.winget import listed_version

    assert listed_version(output, package) == version


def test_a_winget_pin_matches_after_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only winget itself is stood in for (it exists on Windows only): it answers with
    # the recorded table, and the lock's pin is compared with the version it shows.
    from dht.apply.plan import Status, classify
    from dht.apply.resources import Receipts, SystemResource
    from dht.apply.system import winget
    from dht.process import Completed

    asked: list[list[str]] = []

    def fake_run(argv: list[str], **_: object) -> Completed:
        asked.append(list(argv))
        return Completed(tuple(argv), 0, WINGET_GIT)

    monkeypatch.setattr(winget, "run", fake_run)
    receipts = Receipts(tmp_path)
    for pin, status in (("2.31.0.0.1", Status.OK), ("2.40.0", Status.DRIFTED)):
        resource = SystemResource("git", "winget", ("Git.Git",), receipts, version=pin)
        receipts.set(resource.id, resource.fingerprint)
        verdict = classify(resource.fingerprint, resource.desired(), resource.probe())
        assert verdict.status == status, pin
    assert asked[-1] == ["winget", "list", "--id", "Git.Git", "--exact", "--disable-interactivity"]


@pytest.mark.parametrize(
    ("system", "root", "pin", "refresh"),
    [
        ("debian", True, True, ("apt-get", "update", "-qq")),
        ("fedora", True, True, ()),
        ("arch", True, False, ()),
        ("alpine", True, True, ()),
        ("opensuse", True, True, ()),
        ("homebrew", False, True, ()),
        ("winget", False, True, ()),
        ("choco", False, True, ()),
    ],
)
def test_managers_state_their_capabilities(
    system: str, root: bool, pin: bool, refresh: tuple[str, ...]
) -> None:
    manager = manager_for(system)
    assert (manager.needs_root, manager.can_pin, manager.refresh) == (root, pin, refresh)


def test_a_pin_a_manager_cannot_install_is_refused_at_lock_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_server: Callable[..., Any]
) -> None:
    with pytest.raises(InputError) as caught:
        parse_intent(
            BASE + '[system]\nlibpq = { version = { debian = "15.1-1", arch = "15.1-1" } }\n'
        )
    assert "system.libpq.version.arch" in str(caught.value)
    assert "a version cannot be pinned on arch: pacman installs only the current release" in str(
        caught.value
    )
    assert "remove version.arch" in str(caught.value)
    assert entries('[system]\nlibpq = { version = { debian = "15.1-1" } }\n')  # others keep theirs
    # A lock from elsewhere that pins on arch anyway is refused when read (untrusted input).
    server = index_server()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dht.toml").write_text(
        BASE
        + f'[index]\nurl = "{server.url}"\n[system]\nlibpq = {{ version = {{ debian = "15.1-1" }} }}\n'
    )
    assert CliRunner().invoke(app, ["lock"]).exit_code == 0
    text = (tmp_path / "dht.lock").read_text()
    assert 'debian = "15.1-1"' in text
    with pytest.raises(InputError) as bad:
        parse_lock(text.replace('debian = "15.1-1"', 'arch = "15.1-1", debian = "15.1-1"'))
    assert "versions.arch: a version cannot be pinned on arch" in str(bad.value)


def test_the_lock_rule_and_the_managers_agree_on_pins() -> None:
    from dht.model.names import ECOSYSTEMS, pin_problem

    for system in ECOSYSTEMS:
        assert manager_for(system).can_pin == (pin_problem(system) is None), system
        assert pin_problem(f"{system}+1") == pin_problem(system)
