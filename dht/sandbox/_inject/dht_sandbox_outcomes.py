"""pytest plugin loaded in every `dht test` run: marks unexpected passes in the JUnit report.

pytest writes an xfail as `<skipped type="pytest.xfail">` and a strict xpass as a
failure, but a non-strict xpass as a plain pass: nothing in the report tells it from
one. The mark is a property of the test case, `dht_xpassed`, valued with the xfail
reason; the teardown report carries the item's properties into the JUnit file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

PROPERTY = "dht_xpassed"


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    if report.when == "call" and report.passed and hasattr(report, "wasxfail"):
        item.user_properties.append((PROPERTY, str(report.wasxfail)))
