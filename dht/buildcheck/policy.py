"""Whether a wheel's ELF files keep the promise of its manylinux/musllinux tag: the
libraries they need and the symbol versions they require, judged by auditwheel's own
policies (its bundled policy data and its WheelPolicies class). The ELF walk is ours
(binaries.py) and reads only the wheel: the verdict does not depend on the machine
that runs the check, unlike `auditwheel show`, which resolves libraries on the host."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dht.buildcheck.binaries import Binary

if TYPE_CHECKING:
    from auditwheel.policy import Policy

_TAG = re.compile(r"^(manylinux|musllinux)_(\d+)_(\d+)_(.+)$|^(manylinux1|manylinux2010|manylinux2014)_(.+)$")  # fmt: skip
_LOADERS = ("ld64.so.1", "ld64.so.2")  # ELF loaders: never a library to bundle


@dataclass
class Outcome:
    reasons: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # why a tag could not be judged


def is_policy_tag(platform: str) -> bool:
    return _TAG.match(platform) is not None


def check(platform: str, binaries: dict[str, Binary], names: set[str]) -> Outcome:
    """`binaries` by member name (ELF only); `names` every member, to find bundled libraries."""
    out = Outcome()
    policy = _policy(platform, out)
    if policy is None:
        return out
    bundled = {name.rsplit("/", 1)[-1] for name in names}
    allowed = {family: set(versions) for family, versions in policy.symbol_versions.items()}
    for name, binary in sorted(binaries.items()):
        for lib in binary.needed:
            if "ld-linux" in lib or lib in _LOADERS or lib in policy.whitelist or lib in bundled:
                continue
            if lib.startswith(("libc.musl-", "libc.so.")):
                libc = "musl" if lib.startswith("libc.musl-") else "glibc"
                out.reasons.append(f"{name} is linked against {libc} ({lib}), but the tag {platform} is for {'glibc' if libc == 'musl' else 'musl'} systems: build it in the {_image(platform)} image")  # fmt: skip
                continue
            out.reasons.append(f"{name} needs {lib}, a library {platform} does not let a wheel expect on the system: bundle it with `auditwheel repair`")  # fmt: skip
        for lib, versions in sorted(binary.version_needs.items()):
            for version in sorted(versions):
                family, _, number = version.partition("_")
                if family in allowed and number not in allowed[family]:
                    out.reasons.append(f"{name} requires {version} (from {lib}), which {platform} does not provide: build it in the {_image(platform)} image or tag the wheel for a newer policy")  # fmt: skip
        for lib, symbols in sorted(policy.blacklist.items()):
            if lib in binary.needed:
                # "*" in a policy's blacklist: the library may not be used at all
                for symbol in sorted((binary.undefined | {"*"}) & symbols):
                    out.reasons.append(f"{name} calls {symbol} from {lib}, which {platform} forbids (its ABI differs between distributions): bundle the library or avoid the call")  # fmt: skip
    return out


def _image(platform: str) -> str:
    """manylinux_2_17_x86_64 -> manylinux_2_17: the build image's family."""
    match = _TAG.match(platform)
    arch = (match.group(4) or match.group(6)) if match else ""
    return platform.removesuffix("_" + arch)


def _policy(platform: str, out: Outcome) -> Policy | None:
    match = _TAG.match(platform)
    if match is None:
        return None
    arch_name = match.group(4) or match.group(6)
    try:
        from auditwheel.architecture import Architecture
        from auditwheel.libc import Libc
        from auditwheel.policy import WheelPolicies
    except ImportError as exc:  # pragma: no cover - a dependency of dht
        out.unchecked.append(f"{platform}: auditwheel is not importable ({exc})")
        return None
    try:
        arch = Architecture(arch_name)
    except ValueError:
        out.unchecked.append(f"{platform}: auditwheel has no policy for the architecture {arch_name}")  # fmt: skip
        return None
    musl = match.group(1) == "musllinux"
    name = f"musllinux_{match.group(2)}_{match.group(3)}" if musl else None
    try:
        policies = WheelPolicies(libc=Libc.MUSL if musl else Libc.GLIBC, arch=arch, musl_policy=name)  # fmt: skip
        return policies.get_policy_by_name(platform)
    except (LookupError, ValueError, AssertionError, IndexError):
        from importlib.metadata import version

        out.unchecked.append(f"{platform}: the installed auditwheel ({version('auditwheel')}) has no such policy, so its libraries and symbol versions were not checked")  # fmt: skip
        return None
