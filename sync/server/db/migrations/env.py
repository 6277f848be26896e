"""Alembic environment: runs the server's migrations against ``tables.metadata``.

Called programmatically by :func:`sync.server.db.migrate.upgrade`, which hands over an open
connection in ``config.attributes["connection"]``; the ``alembic`` command line works too when
``sqlalchemy.url`` is given (``alembic -x url=...``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from sync.server.db.tables import metadata

config = context.config
target_metadata = metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run against a database")
run_migrations_online()
