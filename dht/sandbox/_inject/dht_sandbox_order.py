"""pytest plugin for `dht test --vary order`: run the collected tests in another order.

DHT_TEST_ORDER=reverse, or shuffle:SEED (a seeded, repeatable shuffle).
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    order = os.environ.get("DHT_TEST_ORDER", "")
    if order == "reverse":
        items.reverse()
    elif order.startswith("shuffle:"):
        random.Random(int(order.split(":", 1)[1])).shuffle(items)
