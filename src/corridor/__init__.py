"""Corridor: plan and coordinate humanitarian corridors, offline."""

__version__ = "0.1.0"
