"""`dht doctor`: what dht sees on this machine (see dht/onboard/doctor.py)."""

from __future__ import annotations

from pathlib import Path

from dht.onboard.doctor import Doctor, diagnose


def run_doctor(root: Path) -> Doctor:
    return diagnose(root)
