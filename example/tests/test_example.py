"""The example project's tests, run by `dht test` in a sandbox (see the README)."""

import os
import time

from example import add


def test_add() -> None:
    assert add(2, 3) == 5


def test_the_sandbox_is_deterministic() -> None:
    # Under `dht test` these hold on every machine, whatever the host sets.
    assert os.environ["PYTHONHASHSEED"] == "0"
    assert time.strftime("%Z") == "UTC"
    assert os.listdir(os.path.expanduser("~")) == []
