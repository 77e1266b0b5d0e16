"""Alembic migration environment, shipped so a fresh database can be upgraded in place."""
