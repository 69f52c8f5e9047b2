"""Onboarding: `dht init` (a starter dht.toml from what the project already has)
and `dht doctor` (what dht sees on this machine)."""
