"""dht: compile a project's development machine into a reviewed lock, and apply it."""

__version__ = "0.1.0"
