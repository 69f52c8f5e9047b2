"""Compiled files recognised by their headers, not their names: ELF (Linux), Mach-O
(macOS), PE (Windows). For each, the architectures it is built for; for ELF also the
libraries it needs, the symbol versions it requires and the symbols it imports, read
with pyelftools from memory. Nothing is loaded or run."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from typing import Literal

Format = Literal["ELF", "Mach-O", "PE"]

# e_machine -> the architecture as wheel tags spell it (ppc64 depends on the byte order)
_ELF_MACHINES = {
    "EM_X86_64": "x86_64",
    "EM_386": "i686",
    "EM_AARCH64": "aarch64",
    "EM_ARM": "armv7l",
    "EM_PPC64": "ppc64",
    "EM_S390": "s390x",
    "EM_RISCV": "riscv64",
    "EM_LOONGARCH": "loongarch64",
}
_ELF_MACHINE_NUMBERS = {62: "x86_64", 3: "i686", 183: "aarch64", 40: "armv7l", 21: "ppc64",
                        22: "s390x", 243: "riscv64", 258: "loongarch64"}  # fmt: skip
_MACHO_CPUS = {0x01000007: "x86_64", 7: "i686", 0x0100000C: "aarch64", 12: "arm",
               18: "ppc", 0x01000012: "ppc64"}  # fmt: skip
_PE_MACHINES = {0x8664: "x86_64", 0x14C: "i686", 0xAA64: "aarch64", 0x1C4: "arm"}


@dataclass(frozen=True)
class Binary:
    format: Format
    arches: tuple[str, ...]  # as wheel tags name them: x86_64, aarch64, i686, ...
    needed: tuple[str, ...] = ()  # ELF DT_NEEDED
    soname: str | None = None
    version_needs: dict[str, frozenset[str]] = field(default_factory=dict)
    """ELF: library -> the symbol versions it must provide (GLIBC_2.17, ...)."""
    undefined: frozenset[str] = frozenset()  # ELF: the dynamic symbols it imports (not weak ones)
    damaged: str | None = None  # why the headers could not be read past the magic
    executable: bool = False
    """A program (ELF with an interpreter, Mach-O MH_EXECUTE, PE without the DLL flag),
    not a library or extension module a Python process loads."""


def inspect(data: bytes) -> Binary | None:
    """The compiled file `data` is, or None when it is not one."""
    if data[:4] == b"\x7fELF":
        return _elf(data)
    if data[:4] in (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"):  # fmt: skip
        return _macho_thin(data, 0) or Binary("Mach-O", (), damaged="a truncated header")
    if data[:4] in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf") and len(data) >= 8:
        count = struct.unpack(">I", data[4:8])[0]
        if 0 < count < 20:  # else a Java class file, which shares the magic
            return _macho_fat(data, count)
    if data[:2] == b"MZ" and len(data) >= 0x40:
        return _pe(data)
    return None


def _elf(data: bytes) -> Binary:
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection
    from elftools.elf.sections import SymbolTableSection

    try:
        elf = ELFFile(io.BytesIO(data))
        machine = elf.header["e_machine"]
        arch = _ELF_MACHINES.get(machine) if isinstance(machine, str) else _ELF_MACHINE_NUMBERS.get(machine)  # fmt: skip
        arch = arch or str(machine)
        if arch == "ppc64" and elf.little_endian:
            arch = "ppc64le"
        executable = elf.header["e_type"] == "ET_EXEC" or any(
            seg["p_type"] == "PT_INTERP" for seg in elf.iter_segments()
        )
        needed: list[str] = []
        soname = None
        needs: dict[str, set[str]] = {}
        undefined: set[str] = set()
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        needed.append(str(tag.needed))  # type: ignore[attr-defined]
                    elif tag.entry.d_tag == "DT_SONAME":
                        soname = str(tag.soname)  # type: ignore[attr-defined]
            elif isinstance(section, GNUVerNeedSection):
                for verneed, auxiliaries in section.iter_versions():
                    for aux in auxiliaries:
                        needs.setdefault(str(verneed.name), set()).add(str(aux.name))
            elif isinstance(section, SymbolTableSection) and section.name == ".dynsym":
                for symbol in section.iter_symbols():
                    # a weak reference is optional: the loader leaves it null when absent
                    if symbol.name and symbol["st_shndx"] == "SHN_UNDEF" and symbol["st_info"]["bind"] != "STB_WEAK":  # fmt: skip
                        undefined.add(symbol.name)
    except (ELFError, struct.error, ValueError, KeyError, AttributeError, IndexError, TypeError, AssertionError) as exc:  # fmt: skip
        # hostile or damaged headers: pyelftools fails in many ways; each is a verdict
        return Binary("ELF", (), damaged=f"its ELF headers do not parse ({exc})")
    return Binary("ELF", (arch,), tuple(needed), soname,
                  {k: frozenset(v) for k, v in needs.items()}, frozenset(undefined),
                  executable=executable)  # fmt: skip


_MH_EXECUTE = 2


def _macho_thin(data: bytes, offset: int) -> Binary | None:
    head = data[offset : offset + 16]
    if len(head) < 16:
        return None
    order = ">" if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf") else "<"
    cpu, _subtype, filetype = struct.unpack(order + "iII", head[4:16])
    arch = _MACHO_CPUS.get(cpu & 0xFFFFFFFF, f"cpu {cpu:#x}")
    return Binary("Mach-O", (arch,), executable=filetype == _MH_EXECUTE)


def _macho_fat(data: bytes, count: int) -> Binary:
    wide = data[:4] == b"\xca\xfe\xba\xbf"
    size = 32 if wide else 20
    arches: list[str] = []
    for i in range(count):
        entry = data[8 + i * size : 8 + (i + 1) * size]
        if len(entry) < size:
            return Binary("Mach-O", tuple(arches), damaged="a truncated universal header")
        cpu = struct.unpack(">i", entry[:4])[0]
        arches.append(_MACHO_CPUS.get(cpu & 0xFFFFFFFF, f"cpu {cpu:#x}"))
    # the first slice's header says whether it is a program or a library
    first = data[8 : 8 + size]
    offset = struct.unpack(">Q" if wide else ">I", first[8:16] if wide else first[8:12])[0]
    thin = _macho_thin(data, offset)
    return Binary("Mach-O", tuple(arches), executable=bool(thin and thin.executable))


def _pe(data: bytes) -> Binary | None:
    offset = struct.unpack("<I", data[0x3C:0x40])[0]
    head = data[offset : offset + 24]  # signature and COFF header
    if len(head) < 24 or head[:4] != b"PE\x00\x00":
        return None  # an MZ file that is not PE: a DOS program or plain data
    machine = struct.unpack("<H", head[4:6])[0]
    characteristics = struct.unpack("<H", head[22:24])[0]
    arch = _PE_MACHINES.get(machine, f"machine {machine:#x}")
    return Binary("PE", (arch,), executable=not characteristics & _IMAGE_FILE_DLL)


_IMAGE_FILE_DLL = 0x2000
