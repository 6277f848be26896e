"""The central server's storage: SQLAlchemy Core tables, engine set-up, Alembic migrations and
every query and write (the only place with SQL). Nothing here imports
:mod:`sync.server.resources`."""
