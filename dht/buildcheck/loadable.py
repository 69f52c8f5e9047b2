"""loadable (wheels): its binaries find their shared libraries here, and it installs into
a clean environment and imports its top-level packages.

Two parts, one verdict. The shared-library part runs `ldd` on every ELF file the
wheel holds (Linux only; `not found` is the loader failing before any code runs).
The smoke import installs the wheel with its dependencies into a fresh venv of
this interpreter, then imports each top-level name in an isolated interpreter
(`-I`: no cwd, no user site, no PYTHONPATH) with a private HOME and temp folder,
from an empty working folder, so nothing but the installed wheel can answer.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from packaging import tags
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from dht import platform
from dht.buildcheck import archive, coremeta
from dht.buildcheck.verdict import Context, Subject, Verdict, failed, ok, skipped
from dht.errors import DhtError
from dht.process import Completed, clean_env, run

CHECK = "loadable"
ELF = b"\x7fELF"
# One Python process imports every name, and says which failed and how (the last line).
_IMPORT = """\
import importlib, sys, traceback
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        last = last.replace("\\r", "\\\\r").replace("\\n", "\\\\n")  # one line per name
        print(f"DHT-IMPORT-FAILED {name}: {last}")
"""


def check(subject: Subject, ctx: Context) -> Verdict:
    if subject.kind != "wheel":
        return skipped(CHECK, "an sdist holds no binaries: the wheel it builds is what loads")
    work = ctx.work / "loadable" / subject.path.name
    work.mkdir(parents=True, exist_ok=True)
    try:
        wheel = archive.read(subject.path, "wheel")
    except (OSError, DhtError) as exc:
        return failed(CHECK, [f"cannot read the wheel: {exc}"])
    names = [m.name for m in wheel.members]
    try:
        libraries = shared_libraries(wheel.files, work / "unpacked")
    except OSError as exc:  # members that cannot all be files (a/ and a)
        return failed(CHECK, [f"cannot unpack the wheel's binaries: {exc}"])
    smoke = smoke_import(subject, names, work, ctx)
    reasons = [*(libraries or []), *(smoke.reasons if smoke and smoke.status == "failed" else [])]
    if reasons:
        return failed(CHECK, reasons)
    if smoke is not None and smoke.status == "skipped" and libraries is None:
        # Neither part could run: say why, for both.
        return skipped(CHECK, f"{smoke.reasons[0]}; {_no_library_check(names)}")
    return ok(CHECK)


def shared_libraries(files: Mapping[str, bytes], unpacked: Path) -> list[str] | None:
    """One reason per library an ELF member of the wheel needs and the loader does not
    find here; None when there was nothing to check (not Linux, no ldd, a pure wheel)."""
    ldd = shutil.which("ldd")
    if platform.current() != "linux" or ldd is None:
        return None
    elves = [n for n, data in files.items() if _safe(n) and data[:4] == ELF]
    if not elves:
        return None
    # Every ELF member, bundled libraries (auditwheel's foo.libs/) included: ldd
    # resolves $ORIGIN, so they must sit where the wheel puts them.
    for name in elves:
        target = unpacked.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[name])
    reasons = []
    for name in elves:
        done = run(
            [ldd, str(unpacked.joinpath(*PurePosixPath(name).parts))], timeout=60, check=False
        )
        for line in done.output.splitlines():
            if "=> not found" in line:
                library = line.split("=>", 1)[0].strip()
                reasons.append(
                    f"{name} needs {library}, which the loader does not find on this machine"
                )
    return reasons


def _no_library_check(names: list[str]) -> str:
    if platform.current() != "linux":
        return f"shared libraries are checked on Linux only (this is {platform.current()})"
    if shutil.which("ldd") is None:
        return "ldd is not installed: shared libraries not checked"
    if any(_is_binary_name(n) for n in names):
        return "its binaries are not Linux (ELF) files: shared libraries not checked here"
    return "no binaries in the wheel: no shared libraries to check"


def _is_binary_name(name: str) -> bool:
    return name.endswith((".so", ".pyd", ".dll", ".dylib")) or ".so." in name


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and not name.endswith("/")


def supported(filename: str) -> bool:
    """This interpreter accepts one of the wheel's tags."""
    try:
        _, _, _, wheel_tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return False
    return not wheel_tags.isdisjoint(set(tags.sys_tags()))


def smoke_import(subject: Subject, names: list[str], work: Path, ctx: Context) -> Verdict | None:
    """None when every top-level name imports; else a failed or skipped verdict."""
    here = f"Python {sys.version_info.major}.{sys.version_info.minor} on {sys.platform}"
    if not supported(subject.path.name):
        return skipped(
            CHECK, f"its tags do not run on this machine's interpreter ({here}): not imported"
        )
    meta = coremeta.read(subject)
    spec = coremeta.field(meta, "Requires-Python")
    if spec:
        try:
            if not SpecifierSet(spec).contains(platform_python(), prereleases=True):
                return skipped(
                    CHECK, f"Requires-Python {spec} excludes this machine's {here}: not imported"
                )
        except InvalidSpecifier:
            pass  # the metadata check says so
    modules = coremeta.top_level(names)
    if not modules:
        return failed(
            CHECK, ["the wheel installs nothing importable (no top-level package or module)"]
        )
    venv = work / "venv"
    try:
        from dht.uvbackend import create_venv, python_of, uv_bin

        create_venv(venv, sys.executable)
    except DhtError as exc:
        return skipped(CHECK, f"no clean environment could be made here: {exc.message}")
    argv = [uv_bin(), "pip", "install", "--quiet", "--no-config", "--python", str(python_of(venv))]
    if ctx.lock is not None:
        argv += ["--index-url", ctx.lock.index.url]
    if ctx.offline:
        argv.append("--offline")
    done = run([*argv, str(subject.path.resolve())], env=clean_env(), timeout=1800, check=False)
    if done.code != 0:
        tail = " / ".join([x.strip() for x in done.output.splitlines() if x.strip()][-3:])
        if ctx.offline:
            return skipped(
                CHECK,
                f"offline: the wheel and its dependencies could not be installed from uv's cache ({tail})",
            )
        return failed(CHECK, [f"the wheel does not install into a clean environment: {tail}"])
    home, tmp, empty = work / "home", work / "tmp", work / "cwd"
    for folder in (home, tmp, empty, *platform.home_folders(home, platform.current())):
        folder.mkdir(parents=True, exist_ok=True)
    env = clean_env(platform.home_env(home, tmp, platform.current()))
    env.pop("PYTHONSTARTUP", None)
    result = _run_isolated(python_of(venv), ["-I", "-c", _IMPORT, *modules], empty, env)
    reasons = [
        f"import {line.removeprefix('DHT-IMPORT-FAILED ').strip()}"
        for line in result.output.splitlines()
        if line.startswith("DHT-IMPORT-FAILED ")
    ]
    if result.code != 0 and not reasons:
        tail = " / ".join([x.strip() for x in result.output.splitlines() if x.strip()][-3:])
        reasons.append(
            f"importing {', '.join(modules)} crashed the interpreter (exit {result.code}): {tail}"
        )
    return failed(CHECK, reasons) if reasons else None


def _run_isolated(python: Path, args: list[str], cwd: Path, env: dict[str, str]) -> Completed:
    """`python args` cut off from the network as `dht test` does, where this machine
    allows a network namespace (Linux); elsewhere with every proxy pointing nowhere."""
    from importlib import resources

    from dht.sandbox import isolation as iso

    launcher = resources.files("dht.sandbox._inject").joinpath("dht_sandbox_launch.py")
    with resources.as_file(launcher) as launcher_path:
        chosen = iso.choose("auto", python, launcher_path)
        argv = [str(python), *args]
        if chosen.level == "namespace":
            argv = [*chosen.wrapper, str(python), "-I", str(launcher_path),
                    *chosen.launch_options, "--", *argv]  # fmt: skip
        env = iso.proxy_env(env, chosen.level)
        return run(argv, cwd=cwd, env=env, timeout=300, check=False)


def platform_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
