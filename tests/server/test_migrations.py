"""The Alembic migrations build exactly the schema of tables.py, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from sync.server.db.engine import make_engine
from sync.server.db.migrate import current_revision, head_revision, upgrade
from sync.server.db.tables import metadata


def test_upgrade_matches_tables_py(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}


def test_upgrade_twice_is_harmless(engine):
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_upgrade_from_a_url(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite+pysqlite:///{tmp_path}/new/x.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    engine.dispose()
