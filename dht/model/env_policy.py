"""Which environment variables a lock may set: a policy by family, not a list of names.

A lock arrives in pull requests, and its `[env]` lands in every developer's activated
shell, `dht run` and `dht test`. A variable that makes some program run another
program, load code from a path, read its configuration from elsewhere or trust
another server would turn a one-line review item into code execution on every
machine. Each family below is refused whole, with the reason the user sees; the
families come from the programs' own documentation (git(1) ENVIRONMENT, bash(1),
zshparam(1), fish's and PowerShell's docs, ld.so(8), Python's "Environment
variables", pip's and uv's configuration pages, less(1), man(1), OpenSSL's config).
Names compare case-insensitively (Windows reads them so).
"""

from __future__ import annotations

import re

import msgspec

from dht.model.names import ENV_VALUE


class Family(msgspec.Struct, frozen=True):
    name: str
    reason: str
    names: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    pattern: str | None = None  # a regular expression over the upper-case name
    allowed: frozenset[str] = frozenset()  # members of a prefix that only tune behaviour


def _names(*names: str) -> frozenset[str]:
    return frozenset(n.upper() for n in names)


FAMILIES: tuple[Family, ...] = (
    Family(
        "program search",
        "it decides which program runs for a command name",
        _names("PATH", "PATHEXT", "COMSPEC", "CDPATH", "SHELL", "VIRTUAL_ENV", "CONDA_PREFIX"),
    ),
    Family(
        "dynamic loader",
        "it makes every program load code from another library path",
        _names("GCONV_PATH", "LOCPATH", "NLSPATH", "HOSTALIASES", "RESOLV_HOST_CONF"),
        prefixes=("LD_", "DYLD_"),
    ),
    Family(
        "shell start-up",
        "the shell runs it, or runs files it names, at start-up, at each prompt or for a function",
        _names(
            "BASH_ENV",
            "ENV",
            "PROMPT_COMMAND",
            "PS0",
            "PS1",
            "PS2",
            "PS3",
            "PS4",
            "PROMPT",
            "RPROMPT",
            "RPS1",
            "RPS2",
            "PROMPT2",
            "PROMPT3",
            "PROMPT4",
            "SPROMPT",
            "IFS",
            "SHELLOPTS",
            "BASHOPTS",
            "ZDOTDIR",
            "FPATH",
            "MODULE_PATH",
            "INPUTRC",
            "HISTFILE",
            "FISH_FUNCTION_PATH",
            "FISH_COMPLETE_PATH",
            "FISH_USER_PATHS",
            "PSMODULEPATH",
            "PSEXECUTIONPOLICYPREFERENCE",
            "PSMODULEAUTOLOADINGPREFERENCE",
        ),
        prefixes=("BASH_FUNC_",),
    ),
    Family(
        "home and configuration folders",
        "every program reads its configuration (git's hooks and fsmonitor, pip's index, "
        "shell start-up files) from the folder it names",
        _names(
            "HOME",
            "USERPROFILE",
            "APPDATA",
            "LOCALAPPDATA",
            "PROGRAMDATA",
            "SYSTEMROOT",
            "WINDIR",
            "TERMINFO",
            "TERMINFO_DIRS",
            "GNUPGHOME",
            "WGETRC",
            "CURL_HOME",
        ),
        prefixes=("XDG_",),
    ),
    Family(
        "git",
        "git runs the programs, hooks, configuration and repositories it names "
        "(GIT_EXTERNAL_DIFF, GIT_EDITOR, GIT_SSH_COMMAND, GIT_CONFIG_*, GIT_DIR …)",
        prefixes=("GIT_",),
    ),
    Family(
        "editors, pagers and helpers",
        "programs start the command it names (an editor, pager, browser or password prompt)",
        _names(
            "EDITOR",
            "VISUAL",
            "PAGER",
            "MANPAGER",
            "MANOPT",
            "LESSOPEN",
            "LESSCLOSE",
            "LESSKEY",
            "BROWSER",
            "SYSTEMD_PAGER",
            "SUDO_ASKPASS",
            "SUDO_EDITOR",
            "SSH_ASKPASS",
            "SSH_AUTH_SOCK",
            "FCEDIT",
            "TERMCMD",
            "DISPLAY_MANAGER",
        ),
    ),
    Family(
        "Python start-up",
        "Python imports or runs what it names before the program (PYTHONSTARTUP, PYTHONPATH, "
        "PYTHONWARNINGS and PYTHONBREAKPOINT import modules, PYTHONPYCACHEPREFIX reads bytecode "
        "from elsewhere)",
        prefixes=("PYTHON",),
        # Switches that tune the interpreter without naming code or a path to load from.
        allowed=_names(
            "PYTHONHASHSEED",
            "PYTHONUTF8",
            "PYTHONIOENCODING",
            "PYTHONDONTWRITEBYTECODE",
            "PYTHONNOUSERSITE",
            "PYTHONSAFEPATH",
            "PYTHONDEVMODE",
            "PYTHONFAULTHANDLER",
            "PYTHONUNBUFFERED",
            "PYTHONOPTIMIZE",
            "PYTHONVERBOSE",
            "PYTHONTRACEMALLOC",
            "PYTHONASYNCIODEBUG",
            "PYTHONINTMAXSTRDIGITS",
            "PYTHONWARNDEFAULTENCODING",
            "PYTHONNODEBUGRANGES",
            "PYTHONCOERCECLOCALE",
            "PYTHONLEGACYWINDOWSSTDIO",
            "PYTHONLEGACYWINDOWSFSENCODING",
            "PYTHONMALLOC",
            "PYTHONMALLOCSTATS",
            "PYTHONPROFILEIMPORTTIME",
            "PYTHONDEBUG",
            "PYTHONCASEOK",
            "PYTHONNOUSERSITE",
            "PYTHONGC",
            "PYTHON_COLORS",
            "PYTHON_BASIC_REPL",
            "PYTHON_GIL",
            "PYTHON_CPU_COUNT",
            "PYTHON_FROZEN_MODULES",
            "PYTHON_PERF_JIT_SUPPORT",
            "PYTHONPERFSUPPORT",
        ),
    ),
    Family(
        "test and coverage start-up",
        "pytest and coverage load the plugins or configuration it names into every run",
        _names("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "COVERAGE_PROCESS_START", "COVERAGE_RCFILE"),
    ),
    Family(
        "other interpreters' start-up",
        "the interpreter loads the code or options it names (Perl, Ruby, Node, Java, Lua, Tcl, R)",
        _names(
            "PERL5OPT",
            "PERL5LIB",
            "PERLLIB",
            "PERL5DB",
            "RUBYOPT",
            "RUBYLIB",
            "NODE_OPTIONS",
            "NODE_PATH",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "CLASSPATH",
            "LUA_INIT",
            "LUA_PATH",
            "LUA_CPATH",
            "TCLLIBPATH",
            "R_PROFILE",
            "R_PROFILE_USER",
            "R_ENVIRON",
            "R_ENVIRON_USER",
        ),
        prefixes=("LUA_INIT_",),
    ),
    Family(
        "compilers and builds",
        "source builds (an sdist dht installs) run the compiler, flags or make options it names",
        _names(
            "CC",
            "CXX",
            "CPP",
            "LD",
            "LDSHARED",
            "LDCXXSHARED",
            "AR",
            "RANLIB",
            "CFLAGS",
            "CXXFLAGS",
            "CPPFLAGS",
            "LDFLAGS",
            "MAKEFLAGS",
            "MFLAGS",
            "GNUMAKEFLAGS",
            "CMAKE_ARGS",
            "CARGO_BUILD_RUSTC_WRAPPER",
            "RUSTC_WRAPPER",
            "RUSTFLAGS",
        ),
    ),
    Family(
        "package installers",
        "pip, uv and pipx take the index, configuration file or Python it names: installs "
        "come from elsewhere",
        prefixes=(
            "PIP_",
            "UV_",
            "PIPX_",
            "PDM_",
            "POETRY_REPOSITORIES_",
            "HATCH_INDEX_",
            "CONDA_",
            "TWINE_",
        ),
    ),
    Family(
        "network trust",
        "it sends traffic through another server or trusts other certificates",
        _names(
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "FTP_PROXY",
            "NO_PROXY",
            "REQUESTS_CA_BUNDLE",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "CURL_CA_BUNDLE",
            "NODE_EXTRA_CA_CERTS",
            "SSLKEYLOGFILE",
            "NETRC",
            "OPENSSL_CONF",
            "OPENSSL_ENGINES",
            "OPENSSL_MODULES",
            "KRB5_CONFIG",
            "KRB5CCNAME",
        ),
    ),
    Family(
        "plugin search paths",
        "a library loads plugins or modules from the folder it names",
        pattern=r"^[A-Z0-9_]*_(PLUGIN|PLUGINS|MODULE|MODULES)_(PATH|DIR|DIRS)$",
        names=_names("GTK_PATH", "GTK_MODULES", "GIO_EXTRA_MODULES", "SASL_PATH"),
    ),
)

_PATTERNS = {f.name: re.compile(f.pattern) for f in FAMILIES if f.pattern}


def refused(name: str) -> Family | None:
    """The family that makes `name` unsafe for a lock to set, or None."""
    upper = name.upper()
    for family in FAMILIES:
        if upper in family.allowed:
            continue
        if (
            upper in family.names
            or upper.startswith(family.prefixes)
            or (family.name in _PATTERNS and _PATTERNS[family.name].match(upper))
        ):
            return family
    return None


def refusal(name: str) -> tuple[str, str]:
    """(message, hint) for a refused name."""
    family = refused(name)
    assert family is not None
    return (
        f"{name} may not be set: {family.reason}",
        f"the {family.name} family is refused for every lock (README: Security model); "
        "set it in your own shell if you mean it",
    )


VARIABLE_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
MAX_ENV_VALUE = 4096
_VARIABLE = re.compile(VARIABLE_NAME)


def env_problem(name: str, value: str) -> tuple[str, str] | None:
    """(message, hint) when dht.toml or a lock may not carry `name = value`: a refused
    family, a name some shell cannot set, a value some shell or terminal would not
    carry literally (one rule for the intent, the lock and the scripts written)."""
    if refused(name) is not None:
        return refusal(name)
    if not _VARIABLE.match(name):
        return (f"{name!r} is not a valid environment variable name",
                "use letters, digits and _, not starting with a digit")  # fmt: skip
    if not re.match(ENV_VALUE, value):
        return (f"the value of {name} contains a control character (NUL, a line break, an escape)",
                "environment values are single lines of text")  # fmt: skip
    if len(value) > MAX_ENV_VALUE:
        return (f"the value of {name} is {len(value)} characters long",
                f"environment values are at most {MAX_ENV_VALUE} characters")  # fmt: skip
    return None
