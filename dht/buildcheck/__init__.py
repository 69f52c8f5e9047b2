"""Verification of built wheels and sdists: `dht build --verify`, `dht verify-build`.

Each check is a function from one artifact (`Subject`) and the run's `Context` to a
`Verdict`. Static checks read the archive and nothing else (static.py); dynamic ones
run something: an install, a smoke import, the resolver (dynamic.py). run.py applies
them all and renders the report.
"""
