"""Alembic migrations of the trajectory store (shipped as package data)."""
