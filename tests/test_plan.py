"""Classification is pure: no machine needed to test what apply would decide."""

from __future__ import annotations

import pytest

from dht.apply.plan import Observed, Status, classify, describe_delta

WANT = {"ruff": "0.17.5", "black": "26.10.1"}


@pytest.mark.parametrize(
    ("observed", "status", "words"),
    [
        (Observed(present=False), Status.MISSING, "not on this machine"),
        (Observed(present=True, receipt="old", content=WANT), Status.CHANGED, "lock changed"),
        (Observed(present=True, receipt="fp", content={**WANT, "ruff": "0.17.4"}), Status.DRIFTED, "ruff 0.17.4 instead of 0.17.5"),
        (Observed(present=True, receipt="fp", content={"ruff": "0.17.5"}), Status.DRIFTED, "black 26.10.1 missing"),
        (Observed(present=True, receipt="fp", content={**WANT, "extra": "1"}), Status.DRIFTED, "extra 1 not in the lock"),
        (Observed(present=True, receipt="fp", content=WANT, problems=("probe failed",)), Status.BROKEN, "probe failed"),
        (Observed(present=True, receipt=None, content=WANT), Status.DRIFTED, "no receipt"),
        (Observed(present=True, receipt="fp", content=WANT), Status.OK, ""),
    ],
)  # fmt: skip
def test_classify(observed: Observed, status: Status, words: str) -> None:
    verdict = classify("fp", WANT, observed)
    assert verdict.status == status
    assert words in verdict.reason


def test_changed_in_lock_wins_over_drift() -> None:
    # The lock moved on: whatever else is different, applying the lock repairs it.
    verdict = classify("new", WANT, Observed(present=True, receipt="old", content={}))
    assert verdict.status == Status.CHANGED


def test_delta_is_bounded_and_sorted() -> None:
    desired = {f"p{i:02d}": "1" for i in range(8)}
    text = describe_delta(desired, {})
    assert text.startswith("p00 1 missing, p01 1 missing")
    assert text.endswith("… 3 more")
