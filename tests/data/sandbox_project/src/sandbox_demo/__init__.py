"""The fixture project's own code (a src layout, not installed)."""

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


def unique_words() -> list[str]:
    """Deduplicated, in set order: depends on the hash seed."""
    return list(set(WORDS))
