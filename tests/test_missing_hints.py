"""What `dht test` says when the tests cannot import something: real project files in a
tmp folder (pyproject.toml, dht.toml, an environment's dist-info), pytest's output as text."""

from __future__ import annotations

from pathlib import Path

from dht.sandbox import missing

PYPROJECT = """\
[project]
name = "demo"
version = "1"

[project.optional-dependencies]
yaml = ["PyYAML"]

[dependency-groups]
tests = ["pytest", "hypothesis"]
"""


def _project(root: Path, dht_toml: str) -> Path:
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "dht.toml").write_text(dht_toml, encoding="utf-8")
    lib = root / ".venv" / "lib" / "python3.11" / "site-packages"
    info = lib / "attrs-23.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "RECORD").write_text("attr/__init__.py,sha256=x,1\nattrs/__init__.py,,\n", "utf-8")
    return root


def test_a_group_already_asked_for_means_the_environment_is_behind(tmp_path: Path) -> None:
    root = _project(tmp_path, '[project]\npython = "3.11"\ngroups = ["tests"]\n')
    out = "E   ModuleNotFoundError: No module named 'hypothesis.strategies'\n"
    assert missing.hints(root, [out]) == [
        "the tests import 'hypothesis', which .venv does not have, though dht.toml asks for"
        " hypothesis (group tests): .venv is behind dht.toml, run `dht lock && dht apply`;"
        " if it still misses, 'hypothesis' comes from another distribution than hypothesis:"
        " add that one"
    ]


def test_a_plugin_for_a_pytest_that_has_a_with_list(tmp_path: Path) -> None:
    toml = '[project]\npython = "3.11"\n\n[tools.pytest]\nversion = ">=8"\nwith = ["pytest-cov"]\n'
    root = _project(tmp_path, toml)
    hints = missing.hints(root, ["E   ModuleNotFoundError: No module named 'xdist'\n"])
    assert hints == [
        "the tests import 'xdist', which .venv does not have; it is the pytest plugin"
        " pytest-xdist: add it to the with list of pytest in [tools] of dht.toml, then"
        " `dht lock && dht apply`"
    ]


def test_cannot_import_name_names_the_distribution_that_owns_the_module(tmp_path: Path) -> None:
    root = _project(tmp_path, '[project]\npython = "3.11"\n')
    out = (
        "E   ImportError: cannot import name 'frozen' from 'attr'"
        " (<venv>/lib/python3.11/site-packages/attr/__init__.py)\n"
        "E   ImportError: cannot import name 'helper' from 'demo.util'"
        " (<project>/src/demo/util.py)\n"
        "E   ModuleNotFoundError: No module named 'yaml'\n"
    )
    assert missing.hints(root, [out], "3.11.7") == [
        "the tests import 'yaml', which .venv does not have: extra yaml of pyproject.toml lists"
        ' pyyaml; add "yaml" to project.extras in dht.toml, then `dht lock && dht apply`',
        # The module `attr` belongs to the distribution attrs, read from its RECORD; the
        # project's own module gets no hint (a bug or an import cycle, not a dependency).
        "the tests import 'frozen' from 'attr', which attrs 23.1.0 in .venv does not have: the"
        " tests may need another version of attrs; require one that has it where the project"
        " declares it (pyproject.toml), then `dht lock && dht apply`",
    ]


def test_nothing_to_say_without_import_errors(tmp_path: Path) -> None:
    assert missing.hints(tmp_path, ["E   assert 1 == 2\n"]) == []
