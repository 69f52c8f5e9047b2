"""The example project's tests, run by `dht test` in a sandbox (see the README)."""

import importlib.metadata
import os
import time

from hypothesis import given
from hypothesis import strategies as st

import example


def test_add() -> None:
    assert example.add(2, 3) == 5


@given(st.integers(), st.integers())
def test_add_commutes(a: int, b: int) -> None:
    assert example.add(a, b) == example.add(b, a)


def test_newest_uses_the_locked_dependency() -> None:
    assert example.newest(["1.10", "1.9", "1.10rc1"]) == "1.10"


def test_the_project_is_installed_editable() -> None:
    # dht apply installed it from its folder; the metadata is the installed distribution's.
    assert importlib.metadata.version("example") == "0.1.0"


def test_the_sandbox_is_deterministic() -> None:
    # Under `dht test` these hold on every machine, whatever the host sets.
    assert os.environ["PYTHONHASHSEED"] == "0"
    assert time.strftime("%Z") == "UTC"
    assert os.listdir(os.path.expanduser("~")) == []
