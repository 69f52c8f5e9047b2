"""platform: a wheel is honest about where it runs. Compiled files only in a wheel
tagged for a platform; each file's format and architecture match the tag; manylinux
and musllinux tags keep their policy (policy.py); linux_* tags said for what they are;
abi3 wheels import nothing outside the stable ABI of the Python their tag names."""

from __future__ import annotations

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from dht.buildcheck import policy
from dht.buildcheck.archive import Archive
from dht.buildcheck.binaries import Binary, inspect
from dht.buildcheck.verdict import Context, Subject, Verdict, failed, skipped

CHECK = "platform"
_UNIVERSAL = {
    "universal2": ("x86_64", "aarch64"),
    "intel": ("i686", "x86_64"),
}
_WINDOWS = {"win_amd64": "x86_64", "win32": "i686", "win_arm64": "aarch64", "win_arm32": "arm"}
_SYSTEMS = {"ELF": "Linux", "Mach-O": "macOS", "PE": "Windows"}


def check(subject: Subject, ctx: Context, archive: Archive) -> Verdict:
    if subject.kind == "sdist":
        return skipped(CHECK, "an sdist carries no platform tag: its wheels are checked when built")  # fmt: skip
    try:
        _name, _version, _build, tags = parse_wheel_filename(archive.path.name)
    except InvalidWheelFilename:
        return skipped(CHECK, "the file name carries no tags to check (see well-formed)")
    binaries = {name: b for name, data in sorted(archive.files.items()) if (b := inspect(data))}
    tag_text = _tag_text(tags)
    reasons: list[str] = []
    unchecked: list[str] = []
    for name, binary in binaries.items():
        if binary.damaged:
            reasons.append(f"{name} is {_article(binary.format)} file whose headers are damaged ({binary.damaged}): rebuild the wheel")  # fmt: skip
    platforms = sorted({t.platform for t in tags})
    for platform in platforms:
        if platform == "any":
            reasons += [f"{name} is compiled code in a wheel tagged {tag_text}: build a platform wheel" for name, b in binaries.items() if not _launcher(b)]  # fmt: skip
            continue
        if platform.startswith("linux_"):
            reasons.append(f"{platform} wheels are refused by PyPI and install only on the machine that built them: repair with auditwheel (manylinux)")  # fmt: skip
        expected = _expected(platform)
        if expected is None:
            if binaries:
                unchecked.append(f"{platform}: a platform dht does not know; the architecture of its compiled files was not checked")  # fmt: skip
            continue
        system, arches = expected
        for name, binary in binaries.items():
            if binary.damaged:
                continue
            if binary.format != system:
                reasons.append(f"{name} is {_article(binary.format)} ({_SYSTEMS[binary.format]}) file in a wheel tagged {platform}: it cannot load there; build the wheel on {_SYSTEMS[system]} for it")  # fmt: skip
            elif missing := [a for a in arches if a not in binary.arches]:
                reasons.append(f"{name} is built for {', '.join(binary.arches)}, not {', '.join(missing)} as the tag {platform} says: build it for that architecture or fix the tag")  # fmt: skip
        if policy.is_policy_tag(platform):
            elves = {n: b for n, b in binaries.items() if b.format == "ELF" and not b.damaged}
            outcome = policy.check(platform, elves, set(archive.files))
            reasons += outcome.reasons
            unchecked += outcome.unchecked
    reasons += _abi3(tags, binaries)
    if not reasons and unchecked:
        return skipped(CHECK, "; ".join(sorted(set(unchecked))))
    return failed(CHECK, reasons)


def _launcher(binary: Binary) -> bool:
    """A Windows program in a pure wheel: the script launchers pip (distlib) and
    setuptools ship as data, run only on Windows to start Python; not loaded code."""
    return binary.format == "PE" and binary.executable and not binary.damaged


def _article(fmt: str) -> str:
    return f"an {fmt}" if fmt == "ELF" else f"a {fmt}"


def _tag_text(tags: frozenset[Tag]) -> str:
    """py3-none-any, or the compressed form for several (py2.py3-none-any)."""
    ordered = sorted(tags, key=str)
    parts = [sorted({getattr(t, k) for t in ordered}) for k in ("interpreter", "abi", "platform")]
    return "-".join(".".join(p) for p in parts)


def _expected(platform: str) -> tuple[str, tuple[str, ...]] | None:
    """(binary format, architectures every compiled file must hold) the tag promises."""
    if platform in _WINDOWS:
        return "PE", (_WINDOWS[platform],)
    if platform.startswith("macosx_"):
        arch = platform.split("_", 3)[-1]
        if arch in _UNIVERSAL:
            return "Mach-O", _UNIVERSAL[arch]
        arch = {"arm64": "aarch64", "i386": "i686"}.get(arch, arch)
        if arch not in ("x86_64", "aarch64", "i686", "ppc", "ppc64"):
            return None  # fat, fat3, universal: too old to matter, too loose to check
        return "Mach-O", (arch,)
    for prefix in ("linux_", "manylinux1_", "manylinux2010_", "manylinux2014_"):
        if platform.startswith(prefix):
            return "ELF", (platform.removeprefix(prefix),)
    if platform.startswith(("manylinux_", "musllinux_")):
        parts = platform.split("_", 3)
        return ("ELF", (parts[3],)) if len(parts) == 4 else None
    return None


def _abi3(tags: frozenset[Tag], binaries: dict[str, Binary]) -> list[str]:
    """Python symbols an abi3 wheel's ELF files import that the stable ABI lacks, or only
    has from a later Python than the tag's (abi3info's data: what abi3audit uses)."""
    abi3 = sorted(t.interpreter for t in tags if t.abi == "abi3")
    elves = {n: b for n, b in binaries.items() if b.format == "ELF" and not b.damaged}
    if not abi3 or not elves:
        return []
    from abi3info import DATAS, FUNCTIONS
    from abi3info.models import PyVersion

    try:
        floor = PyVersion.parse_python_tag(abi3[0])
    except ValueError:
        floor = PyVersion(3, 2)  # abi3 itself begins with 3.2
    stable = {s.name: f.added for s, f in FUNCTIONS.items()}
    stable.update({s.name: d.added for s, d in DATAS.items()})
    reasons = []
    for name, binary in elves.items():
        for symbol in sorted(binary.undefined):
            if not symbol.startswith(("Py", "_Py")):
                continue
            added = stable.get(symbol)
            if added is None:
                reasons.append(f"{name} uses {symbol}, which is not in the stable ABI: the wheel is tagged abi3 but will fail to load on other Pythons; drop the abi3 tag (py_limited_api) or stop using it")  # fmt: skip
            elif added > floor:
                reasons.append(f"{name} uses {symbol}, in the stable ABI only since Python {added}, but the wheel is tagged {abi3[0]}-abi3 (Python {floor} and later): raise the tag to cp{added.major}{added.minor} or stop using it")  # fmt: skip
    return reasons
