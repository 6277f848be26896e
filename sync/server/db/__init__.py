"""The central server's storage: SQLAlchemy Core tables, engine set-up and Alembic migrations."""
