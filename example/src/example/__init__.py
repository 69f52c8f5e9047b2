"""The example project's package: installed editable into .venv by `dht apply`."""

from packaging.version import Version


def add(a: int, b: int) -> int:
    return a + b


def newest(versions: list[str]) -> str:
    """The newest of some version strings, by PEP 440 (packaging is a locked dependency)."""
    return str(max(Version(v) for v in versions))
