"""Names both files share: target platforms and validated identifiers.

Lives in the model so the executor can validate an untrusted lock without
importing the compiler.
"""

from __future__ import annotations

import re

from dht.platform import name_key

# Order is the canonical order in the lock.
PLATFORMS: tuple[str, ...] = (
    "linux-x86_64",
    "linux-aarch64",
    "linux-musl-x86_64",
    "macos-arm64",
    "macos-x86_64",
    "windows-x86_64",
    "windows-arm64",
)
DEFAULT_PLATFORMS: tuple[str, ...] = (
    "linux-x86_64",
    "linux-aarch64",
    "macos-arm64",
    "macos-x86_64",
    "windows-x86_64",
)

# PEP 508 names, already normalized (PEP 503): what the lock stores.
NORMALIZED_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# A Python version the lock targets: a minor ("3.11") or an exact release ("3.11.7").
PYTHON_VERSION = r"^3\.[0-9]{1,2}(\.[0-9]{1,3})?$"
SHA256 = r"^[0-9a-f]{64}$"
# An environment value: one line of text, no control characters (tab aside) that a shell
# or a terminal would act on: NUL, line breaks, escape sequences, C1, U+2028/9.
# (`$` alone would also match before a final line break, which the class excludes.)
ENV_VALUE = r"^[^\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]*$(?!\n)"
HOSTNAME = r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$"
ENV_NAME = NORMALIZED_NAME

_PYTHON_VERSION = re.compile(PYTHON_VERSION)
_SEPARATORS = re.compile(r"[-_.]+")


def canonical_name(name: str) -> str:
    """PEP 503's normalized name, as packaging's canonicalize_name gives it (a test holds
    the two together): importing packaging.utils loads its wheel-tag machinery (logging,
    sysconfig), which a no-op apply in a git hook would pay on every run."""
    return _SEPARATORS.sub("-", name).lower()


def platform_order(name: str) -> int:
    return PLATFORMS.index(name)


def is_python_version(text: str) -> bool:
    return bool(_PYTHON_VERSION.match(text))


# Package ecosystems (PEP 804 style). A versioned id (`debian+12`) names one release.
ECOSYSTEMS: tuple[str, ...] = (
    "debian",
    "ubuntu",
    "fedora",
    "arch",
    "alpine",
    "opensuse",
    "homebrew",
    "winget",
    "choco",
)
DEFAULT_SYSTEMS = ECOSYSTEMS
# Systems whose package manager cannot install an exact version: a version pin there could
# never be applied nor checked, so dht.toml and dht.lock refuse it (each manager's
# `can_pin` in dht/apply/system/ agrees; a test holds them together).
UNPINNABLE: dict[str, str] = {
    "arch": "pacman installs only the current release of Arch's archive (no older versions)",
}


def pin_problem(system: str) -> str | None:
    """Why a version cannot be pinned on `system` (`arch`, `debian+12`), or None."""
    return UNPINNABLE.get(system.split("+", 1)[0])


SYSTEM_ID = r"^(debian|ubuntu|fedora|arch|alpine|opensuse|homebrew|winget|choco)(\+[0-9][0-9.]*)?$"
# A system package name as package managers spell them; never a shell word.
# apt reads a trailing `-` as "remove" (and `+` as "install"): a name ends with a letter, digit or +.
SYSTEM_PACKAGE = r"^[A-Za-z0-9](?:[A-Za-z0-9+._@-]*[A-Za-z0-9+])?$"
SYSTEM_VERSION = r"^[A-Za-z0-9][A-Za-z0-9.+~:_-]*$"
DEP_ID = r"^dep:(generic|virtual)/[a-z0-9][a-z0-9+._/-]*$"

# Paths no config may write: the repository's and dht's own state, and dht's files.
RESERVED_PATHS = (".git", ".dht", ".venv", ".hg", ".svn")
RESERVED_FILES = ("dht.toml", "dht.lock")


def reserved_path(relative: str) -> bool:
    # Compared as a case-insensitive file system would see them (macOS, Windows: the lock
    # targets both), with Unicode compatibility forms folded: `DHT.lock` is dht.lock.
    # Windows also drops trailing dots and spaces: `dht.lock.` is that file too.
    parts = [
        name_key(p).rstrip(". ") or p
        for p in relative.replace("\\", "/").split("/")
        if p not in ("", ".")
    ]
    return bool(parts) and (
        parts[0] in RESERVED_PATHS
        or (len(parts) == 1 and parts[0] in RESERVED_FILES)
        # Any repository's own folder, a nested one's too: its config and hooks run code.
        or any(part == ".git" for part in parts)
    )


# Files other tools and the project share: dht manages tables or sections in them, never
# the whole file (that would take the project's metadata with it).
SHARED_FILES = frozenset({
    "pyproject.toml", "setup.cfg", "tox.ini", "setup.py", "package.json", "cargo.toml",
    "makefile", ".gitignore", ".pre-commit-config.yaml", "readme.md", "readme.rst",
    "license", "requirements.txt", "noxfile.py", "conftest.py", "manifest.in",
})  # fmt: skip
# setup.cfg sections that are packaging data, not a tool's settings.
PACKAGING_SECTIONS = ("metadata", "options", "bdist_wheel", "sdist", "egg_info", "build_ext")


def config_claim_problem(file: str, fmt: str, table: str | None) -> str | None:
    """Why a config entry may not own this region, or None: a TOML table only under
    `tool.` (never [project], [build-system] or the whole [tool]), an INI section that is
    a tool's (not DEFAULT, not setup.cfg's packaging data), a whole file only when the
    file is not one the project shares with other tools."""
    base = file.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if fmt == "file":
        if base in SHARED_FILES:
            return f"{file} is shared by the project and its tools: dht may manage a table or section in it, never the whole file"
        return None
    if table is None:
        return None
    if fmt == "toml":
        parts = table.split(".")
        if base == "pyproject.toml" and (parts[0] != "tool" or len(parts) < 2):
            return f"[{table}] is not a tool's table: in pyproject.toml dht manages only [tool.NAME] tables"
        return None
    name = table.strip().lower()
    if name == "default":
        return "[DEFAULT] is read into every section of the file"
    if base == "setup.cfg" and (name in PACKAGING_SECTIONS or name.startswith("options.")):
        return f"[{table}] holds the project's packaging data, not a tool's settings"
    return None


# Every character some parser of a config file ends a line at: str.splitlines() splits at
# all of these, configparser and TOML readers at fewer, so a value holding one is read
# back differently from what was written (and a line-based edit would misplace it).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
# A TOML writer escapes the control characters among them (TOML requires it); these
# three it writes as they are, where a line-based reading of the file would split.
_TOML_RAW_BREAK = re.compile("[\x85\u2028\u2029]")


def section_problem(section: str, *, ini: bool) -> str | None:
    if _LINE_BREAK.search(section):
        return f"the section {section!r} holds a line break"
    if ini and ("]" in section or section != section.strip() or section.upper() == "DEFAULT"):
        return f"the section [{section}] cannot be written to an INI file and read back the same"
    return None


def config_text_problem(value: object, *, ini: bool) -> str | None:
    """Why the keys and text values of a config (at any depth) cannot be written and read
    back the same, or None."""
    breaks = _LINE_BREAK if ini else _TOML_RAW_BREAK
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            for key in item:
                if not isinstance(key, str) or breaks.search(key):
                    return f"the key {key!r} holds a line break"
                if ini and (not key.strip() or key != key.strip() or any(c in key for c in "=:[]")
                            or key.startswith(("#", ";"))):  # fmt: skip
                    return (
                        f"the key {key!r} cannot be written to an INI file and read back the same"
                    )
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
        elif isinstance(item, str) and breaks.search(item):
            return f"the value {item!r} holds a line break ({'one per list item in INI' if ini else 'use a list'})"
    return None
