"""metadata (sdists): the wheel the sdist builds declares what the sdist's PKG-INFO says.

PEP 643: a field of PKG-INFO (Metadata-Version 2.2+) not marked `Dynamic` must be
the same in every wheel built from the sdist. Installers trust it to resolve
without building; a difference means the sdist lies about its dependencies.
"""

from __future__ import annotations

import sys
from email.message import Message
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from dht.buildcheck import coremeta
from dht.buildcheck.verdict import Context, Subject, Verdict, failed, skipped
from dht.errors import DhtError
from dht.process import clean_env, run

CHECK = "metadata"
# The fields that decide what gets installed and where: what an installer reads.
CORE = ("Name", "Version", "Requires-Python", "Requires-Dist", "Provides-Extra")
MULTIPLE = {"Requires-Dist", "Provides-Extra"}


def check(subject: Subject, ctx: Context) -> Verdict:
    if subject.kind != "sdist":
        return skipped(
            CHECK, "compared for sdists only: PKG-INFO against the wheel the sdist builds"
        )
    try:
        declared = coremeta.read(subject)
    except DhtError as exc:
        return failed(CHECK, [exc.message])
    out = ctx.work / "consistency" / subject.path.name
    built = _build_wheel(subject.path, out, ctx)
    if isinstance(built, Verdict):
        return built
    wheel = coremeta.read(Subject(built, "wheel"))
    return failed(CHECK, differences(declared, wheel, built.name))


def _build_wheel(sdist: Path, out: Path, ctx: Context) -> Path | Verdict:
    """`uv build --wheel` of the sdist (its own backend, isolated); the wheel, or a verdict."""
    import uv

    out.mkdir(parents=True, exist_ok=True)
    sdist = sdist.resolve()  # uv runs in `out`: a relative path would point there
    argv = [uv.find_uv_bin(), "build", "--wheel", "--out-dir", str(out), "--python",
            sys.executable, "--no-progress", "--no-config", str(sdist)]  # fmt: skip
    if ctx.lock is not None:
        argv += ["--index-url", ctx.lock.index.url]  # build requirements from the lock's index
    if ctx.offline:
        argv.append("--offline")
    done = run(
        argv, cwd=out, env=clean_env({"SOURCE_DATE_EPOCH": "315532800"}), timeout=900, check=False
    )
    if done.code != 0:
        tail = _tail(done.output.replace(str(sdist), sdist.name))
        if ctx.offline:
            return skipped(CHECK, f"offline: building a wheel from the sdist failed ({tail})")
        return failed(
            CHECK,
            [f"the sdist does not build a wheel (`uv build --wheel` exited {done.code}): {tail}"],
        )
    wheels = sorted(out.glob("*.whl"))
    if len(wheels) != 1:
        return failed(CHECK, [f"building the sdist gave {len(wheels)} wheels, not one"])
    return wheels[0]


def _tail(output: str, count: int = 3) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return " / ".join(lines[-count:]) or "no output"


def differences(sdist: Message, wheel: Message, wheel_name: str) -> list[str]:
    """One sentence per core field the wheel declares otherwise than PKG-INFO, except the
    fields PKG-INFO marks `Dynamic` (left to the backend at build time)."""
    dynamic = {d.lower() for d in coremeta.fields(sdist, "Dynamic")}
    reasons = []
    for name in CORE:
        if name.lower() in dynamic:
            continue
        if name in MULTIPLE:
            ours = _normalized(name, coremeta.fields(sdist, name))
            theirs = _normalized(name, coremeta.fields(wheel, name))
            if ours != theirs:
                only_sdist = sorted(ours - theirs)
                only_wheel = sorted(theirs - ours)
                said = []
                if only_sdist:
                    said.append("only in PKG-INFO: " + ", ".join(only_sdist))
                if only_wheel:
                    said.append(f"only in {wheel_name}: " + ", ".join(only_wheel))
                reasons.append(
                    f"{name} differs between the sdist and the wheel it builds ({'; '.join(said)})"
                )
            continue
        ours_one = _single(name, coremeta.field(sdist, name))
        theirs_one = _single(name, coremeta.field(wheel, name))
        if ours_one != theirs_one:
            reasons.append(
                f"{name} differs between the sdist and the wheel it builds"
                f" (PKG-INFO: {ours_one or 'none'}; {wheel_name}: {theirs_one or 'none'})"
            )
    return reasons


def _single(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if name == "Name":
        return canonicalize_name(value)
    if name == "Requires-Python":
        return ",".join(sorted(s.strip() for s in value.split(",") if s.strip()))
    return value


def _normalized(name: str, values: list[str]) -> set[str]:
    if name == "Provides-Extra":
        return {canonicalize_name(v) for v in values}
    out = set()
    for value in values:
        try:
            out.add(str(Requirement(value)))
        except InvalidRequirement:
            out.add(value)
    return out
