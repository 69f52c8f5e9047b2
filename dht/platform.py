"""The one place that knows how Linux, macOS and Windows differ.

Functions take the OS name ("linux", "macos", "windows") so every branch can be tested on
any machine; `current()` is the name of the one this process runs on. Nothing here
touches the file system except `make_launcher`, `launcher_in_place`, `lock_file` and `unlock_file`.
"""

from __future__ import annotations

import ntpath
import os
import sys
import time
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Literal

import msgspec

OS = Literal["linux", "macos", "windows"]
ALL: tuple[OS, ...] = ("linux", "macos", "windows")


def current(platform: str = sys.platform) -> OS:
    if platform == "win32" or platform == "cygwin":
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux"  # and the other POSIX systems, which share its layout


def target_platform(platform: str, machine: str, musl: bool = False) -> str | None:
    """dht's target platform name for `sys.platform` and `platform.machine()`; None for a
    machine the lock cannot target (another OS, another architecture)."""
    machine = machine.lower()
    if platform.startswith("linux"):
        arch = {
            "amd64": "x86_64",
            "x86_64": "x86_64",
            "aarch64": "aarch64",
            "arm64": "aarch64",
        }.get(machine)
        if arch == "x86_64" and musl:
            return "linux-musl-x86_64"
        return f"linux-{arch}" if arch else None
    if platform == "darwin":
        return "macos-arm64" if machine == "arm64" else "macos-x86_64"
    if platform == "win32":
        return "windows-arm64" if machine == "arm64" else "windows-x86_64"
    return None


def package_managers(os_name: OS) -> tuple[str, ...] | None:
    """The system package managers dht drives on this OS, most preferred first; None on
    Linux, where the distribution (os-release) decides."""
    return {"macos": ("homebrew",), "windows": ("winget", "choco")}.get(os_name)


def has_namespaces(platform: str = sys.platform) -> bool:
    """Network namespaces (`unshare --net`), for the sandbox's strongest isolation: Linux only."""
    return platform.startswith("linux")


# -- venv layout ---------------------------------------------------------------------


def bin_name(os_name: OS) -> str:
    return "Scripts" if os_name == "windows" else "bin"


def exe_suffix(os_name: OS) -> str:
    return ".exe" if os_name == "windows" else ""


def bin_dir(env: Path, os_name: OS) -> Path:
    return env / bin_name(os_name)


def executable(env: Path, name: str, os_name: OS) -> Path:
    """A program installed in a venv, by its bare name (`ruff`, `python`)."""
    return bin_dir(env, os_name) / f"{name}{exe_suffix(os_name)}"


def python_of(env: Path, os_name: OS) -> Path:
    return executable(env, "python", os_name)


def pyenv_pythons(root: Path, version: str, os_name: OS) -> list[Path]:
    """Where pyenv (pyenv-win on Windows, its PYENV_ROOT) keeps one version's
    interpreter, in the order to look."""
    folder = root / "versions" / version
    if os_name == "windows":
        return [folder / "python.exe", folder / "python3.exe"]
    return [folder / "bin" / "python3", folder / "bin" / "python"]


def site_packages_patterns(os_name: OS) -> tuple[str, ...]:
    """Where a venv keeps its distributions, as globs under the venv (POSIX: per minor)."""
    return ("Lib/site-packages",) if os_name == "windows" else ("lib/python3*/site-packages",)


def script_name(file_name: str, os_name: OS) -> str:
    """The command a console-script file provides (`ruff.exe` is `ruff` on Windows)."""
    if os_name == "windows" and file_name.lower().endswith(".exe"):
        return file_name[:-4]
    return file_name


def file_url_path(path: str, os_name: OS) -> str:
    """The path of a `file://` URL's (unquoted) path part: `/C:/x` is `C:/x` on Windows."""
    if os_name == "windows" and len(path) > 2 and path[0] == "/" and path[2] == ":":
        return path[1:]
    return path


# -- launchers -----------------------------------------------------------------------


class Launcher(msgspec.Struct, frozen=True):
    """How one of a tool's commands appears in the project environment's bin folder.

    POSIX: a relative symlink, so it runs exactly the tool's environment.
    Windows: a `.cmd` shim naming the tool's .exe relative to the shim's own folder.
    Not a symlink (that needs Developer Mode or admin, and cmd does not find a link
    without .exe), and not a copy of the .exe: the venvs are relocatable, so uv's
    launcher .exe runs the python.exe beside itself, which in the project's Scripts
    would be the project's interpreter, without the tool. cmd and PowerShell find the
    shim through PATHEXT; its exit code is the tool's."""

    name: str  # the file name in the project's bin folder
    kind: Literal["symlink", "shim"]
    target: str  # the tool's executable, relative to the launcher's folder

    def content(self) -> bytes:
        """The shim's bytes (CRLF: cmd reads batch files line by line)."""
        return _SHIM_HEAD + self.target.encode() + _SHIM_TAIL


def launcher(name: str, tool_env: Path, project_env: Path, os_name: OS) -> Launcher:
    source = executable(tool_env, name, os_name)
    here = bin_dir(project_env, os_name)
    if os_name == "windows":
        target = ntpath.relpath(str(source), str(here))
        return Launcher(f"{name}.cmd", "shim", target)
    return Launcher(name, "symlink", os.path.relpath(source, here))


def launcher_in_place(plan: Launcher, path: Path) -> str | None:
    """The target of what stands at `path` when it is this plan's launcher, else None."""
    if plan.kind == "symlink":
        return os.readlink(path) if path.is_symlink() else None
    try:
        same = path.read_bytes() == plan.content()
    except OSError:
        return None
    return plan.target if same else None


_SHIM_HEAD, _SHIM_TAIL = b'@"%~dp0', b'" %*\r\n'


def read_launcher(path: Path, os_name: OS) -> Path | None:
    """What a launcher at `path` runs (resolved lexically), or None if it is not one."""
    if os_name != "windows":
        return (path.parent / os.readlink(path)) if path.is_symlink() else None
    if path.suffix.lower() != ".cmd" or not path.is_file() or path.stat().st_size > 4096:
        return None
    data = path.read_bytes()
    if not (data.startswith(_SHIM_HEAD) and data.endswith(_SHIM_TAIL)):
        return None
    target = data[len(_SHIM_HEAD) : -len(_SHIM_TAIL)].decode(errors="replace")
    return path.parent / target.replace("\\", "/")


def make_launcher(plan: Launcher, temp: Path) -> None:
    """Write the launcher at `temp`; the caller renames it into place."""
    if plan.kind == "symlink":
        os.symlink(plan.target, temp)
    else:
        temp.write_bytes(plan.content())


# -- a sandbox's private home --------------------------------------------------------


def home_env(home: Path, tmp: Path, os_name: OS) -> dict[str, str]:
    """The variables that point a program at its home and temporary folders: all of
    them, or a tool reads the user's real profile through the one left out."""
    env = {"HOME": str(home), "TEMP": str(tmp), "TMP": str(tmp), "TMPDIR": str(tmp)}
    if os_name == "windows":
        env.update(
            USERPROFILE=str(home),
            APPDATA=str(home / "AppData" / "Roaming"),
            LOCALAPPDATA=str(home / "AppData" / "Local"),
        )
    return env


def home_folders(home: Path, os_name: OS) -> list[Path]:
    """Folders `home_env` names that must exist before the child starts."""
    if os_name == "windows":
        return [home / "AppData" / "Roaming", home / "AppData" / "Local"]
    return []


# Variables Windows cannot start a process without.
WINDOWS_KEEP = ("SYSTEMROOT", "COMSPEC", "PATHEXT", "WINDIR")


def keep_env(parent: Mapping[str, str], os_name: OS) -> dict[str, str]:
    if os_name != "windows":
        return {}
    upper = {k.upper(): v for k, v in parent.items()}
    return {k: upper[k] for k in WINDOWS_KEEP if k in upper}


def system_path(parent: Mapping[str, str], os_name: OS) -> str:
    """The PATH a sandbox keeps of the machine's: the system's own programs only."""
    if os_name != "windows":
        return "/bin:/usr/bin"
    root = keep_env(parent, os_name).get("SYSTEMROOT", r"C:\Windows")
    return f"{root}\\System32;{root}"


# -- finding a command ---------------------------------------------------------------

DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD"


def path_separator(os_name: OS) -> str:
    return ";" if os_name == "windows" else ":"


def candidates(command: str, path: str, os_name: OS, pathext: str | None = None) -> list[str]:
    """Where `command` may be, in the order the OS would look, on the PATH string given
    (not the parent's: on Windows CreateProcess searches the parent's PATH)."""
    has_dir = "/" in command or (os_name == "windows" and "\\" in command)
    folders = [""] if has_dir else [p for p in path.split(path_separator(os_name)) if p]
    names = [command]
    if os_name == "windows":
        exts = [e for e in (pathext or DEFAULT_PATHEXT).split(";") if e]
        if not any(command.lower().endswith(e.lower()) for e in exts):
            # A name without one of PATHEXT's extensions is not a program there; the
            # current folder is not searched (as with NoDefaultCurrentDirectoryInExePath).
            names = [command + e.lower() for e in exts]
    out = []
    for folder in folders:
        for name in names:
            # Windows takes either slash: keep the one the folder is written with.
            sep = "\\" if os_name == "windows" and "\\" in folder else "/"
            out.append(name if not folder else folder.rstrip("/\\") + sep + name)
    return out


def which(command: str, path: str, os_name: OS, pathext: str | None = None) -> str | None:
    """The first candidate that is an executable file here, or None."""
    for candidate in candidates(command, path, os_name, pathext):
        if os.path.isfile(candidate) and (os_name == "windows" or os.access(candidate, os.X_OK)):
            return candidate
    return None


# -- text and names ------------------------------------------------------------------


def to_lf(text: str) -> str:
    """Text as written on any OS: Git for Windows checks out CRLF by default."""
    return text.replace("\r\n", "\n")


def case_insensitive(os_name: OS) -> bool:
    """Whether the default file system folds case (APFS, NTFS)."""
    return os_name != "linux"


def name_key(name: str) -> str:
    """The form two names share when some file system may see them as one file: NFKC
    folds compatibility forms (full-width letters), casefold folds case. Characters
    that are not folded (a zero-width space) keep names distinct."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFC", name)).casefold()


def same_name(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


# -- the umask -----------------------------------------------------------------------


def has_umask(os_name: OS) -> bool:
    return os_name != "windows"


# -- file locking --------------------------------------------------------------------


def lock_file(handle: IO[bytes], os_name: OS | None = None, poll: float = 0.2) -> None:
    """Hold an exclusive lock on an open file, waiting as long as it takes. msvcrt's
    LK_LOCK gives up after ten tries a second apart; LK_NBLCK in a loop waits."""
    if (os_name or current()) == "windows":
        import msvcrt

        handle.seek(0)
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
                return
            except OSError:
                time.sleep(poll)
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def unlock_file(handle: IO[bytes], os_name: OS | None = None) -> None:
    if (os_name or current()) == "windows":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
