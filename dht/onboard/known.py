"""What `dht init` recognizes: pre-commit hook repositories that run a PyPI
package, the dev tools that become `[tools]` entries, and the `[tool.*]`
tables dht adopts as config entries."""

from __future__ import annotations

# Hook repository (normalized: host/owner/name, lowercase) -> the PyPI package it runs.
# The repository's `rev` is the package's version for all of these.
PRECOMMIT_REPOS: dict[str, str] = {
    "github.com/astral-sh/ruff-pre-commit": "ruff",
    "github.com/charliermarsh/ruff-pre-commit": "ruff",
    "github.com/psf/black": "black",
    "github.com/psf/black-pre-commit-mirror": "black",
    "github.com/pycqa/isort": "isort",
    "github.com/timothycrosley/isort": "isort",
    "github.com/pre-commit/mirrors-mypy": "mypy",
    "github.com/pycqa/flake8": "flake8",
    "gitlab.com/pycqa/flake8": "flake8",
    "github.com/asottile/pyupgrade": "pyupgrade",
    "github.com/pycqa/bandit": "bandit",
    "github.com/codespell-project/codespell": "codespell",
    "github.com/adamchainz/blacken-docs": "blacken-docs",
    "github.com/asottile/blacken-docs": "blacken-docs",
    "github.com/pycqa/pylint": "pylint",
    "github.com/pylint-dev/pylint": "pylint",
    "github.com/pycqa/docformatter": "docformatter",
    "github.com/pycqa/pydocstyle": "pydocstyle",
    "github.com/pycqa/autoflake": "autoflake",
    "github.com/hadialqattan/pycln": "pycln",
    "github.com/pre-commit/mirrors-autopep8": "autopep8",
    "github.com/hhatto/autopep8": "autopep8",
    "github.com/asottile/reorder-python-imports": "reorder-python-imports",
    "github.com/robertcraigie/pyright-python": "pyright",
    "github.com/adamchainz/django-upgrade": "django-upgrade",
    "github.com/tox-dev/pyproject-fmt": "pyproject-fmt",
    "github.com/abravalheri/validate-pyproject": "validate-pyproject",
    "github.com/jendrikseipp/vulture": "vulture",
    "github.com/econchick/interrogate": "interrogate",
    "github.com/fpgmaas/deptry": "deptry",
}

# Repositories whose hooks only make sense inside pre-commit: reported with this reason.
PRECOMMIT_ONLY: dict[str, str] = {
    "github.com/pre-commit/pre-commit-hooks": "pre-commit's own file checks; pre-commit keeps running them",
    "github.com/pre-commit/pygrep-hooks": "regex checks that run inside pre-commit",
    "github.com/astral-sh/uv-pre-commit": "uv itself: dht brings its own uv",
}

# Hook ids that ask for an extra of the package.
HOOK_EXTRAS: dict[tuple[str, str], str] = {("black", "black-jupyter"): "jupyter"}

# Command-line dev tools: found in a dev group or requirements file, they become [tools].
DEV_TOOLS: frozenset[str] = frozenset(
    {
        "autoflake",
        "autopep8",
        "bandit",
        "basedpyright",
        "black",
        "blacken-docs",
        "build",
        "codespell",
        "coverage",
        "deptry",
        "django-upgrade",
        "docformatter",
        "flake8",
        "interrogate",
        "isort",
        "mypy",
        "nox",
        "pip-audit",
        "pre-commit",
        "pycln",
        "pydocstyle",
        "pylint",
        "pyproject-fmt",
        "pyright",
        "pytest",
        "pyupgrade",
        "reorder-python-imports",
        "ruff",
        "tox",
        "twine",
        "validate-pyproject",
        "vulture",
        "yapf",
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
