"""Sessions for nox: dht init reads these installs, it never runs this file."""

import nox

TYPES = ["types-requests", "types-click"]
BLACK = "24.10.0"


@nox.session(python="3.11")
def typing(session: nox.Session) -> None:
    session.install("mypy==1.15.0", *TYPES)
    session.run("mypy", "src")


@nox.session(name="lint")
def lint_session(session):
    session.install("-r", "requirements/lint.txt")
    session.install(f"black=={BLACK}")
    session.install("-e", ".")
    session.run("flake8")


@nox.session
def docs(session):
    session.install(*session.posargs)
