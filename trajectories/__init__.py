"""Trajectory store: SQLAlchemy schema, Alembic migrations, store API, artifact store, exporters."""
