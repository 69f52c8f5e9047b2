"""Tests that pass only under the deterministic set (seed 0, UTC, C.UTF-8, an empty HOME,
collection order): plain pytest gives different outcomes on different machines."""

import locale
import os
import subprocess
import sys
import time
from pathlib import Path

import sandbox_demo

SEEN: list[str] = []


def test_set_order() -> None:
    # The set order this code has under PYTHONHASHSEED=0, from a fresh interpreter.
    code = "import sandbox_demo; print(sandbox_demo.unique_words())"
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert str(sandbox_demo.unique_words()) == out.stdout.strip()


def test_timezone() -> None:
    assert time.strftime("%H:%M", time.localtime(0)) == "00:00"


def test_locale_codeset() -> None:
    try:
        locale.setlocale(locale.LC_ALL, "")
        assert locale.nl_langinfo(locale.CODESET) == "UTF-8"
    finally:
        locale.setlocale(locale.LC_ALL, "C")


def test_home_is_clean() -> None:
    assert not (Path.home() / ".sandbox_demo_rc").exists()


def test_order_first() -> None:
    SEEN.append("first")


def test_order_second() -> None:
    assert SEEN == ["first"]
