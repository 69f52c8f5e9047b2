import os


def test_locked_value() -> None:
    assert os.environ.get("SANDBOX_DEMO") == "locked"
