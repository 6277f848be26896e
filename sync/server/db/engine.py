"""Engines for the server's two databases: SQLite (one city, the default) and PostgreSQL.

A caller may rely on: :func:`make_engine` giving SQLite WAL mode, a 10 s busy timeout and
foreign keys on every connection; :func:`write_connection` opening a transaction that holds
the write lock from its first statement on SQLite (``BEGIN IMMEDIATE``), so two writers
queue on the busy timeout instead of failing with "database is locked" half-way; on
PostgreSQL it is an ordinary READ COMMITTED transaction; :func:`ping` raising
:class:`sync.server.errors.Unavailable` when the database does not answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from sync.server.errors import Unavailable

__all__ = ["Engine", "default_sqlite_url", "is_sqlite", "make_engine", "ping", "write_connection"]

SQLITE_BUSY_TIMEOUT_MS = 10_000


def default_sqlite_url(data_dir: str | Path) -> str:
    """``sqlite+pysqlite:///<data_dir>/server.db`` with an absolute path."""
    return f"sqlite+pysqlite:///{Path(data_dir).resolve() / 'server.db'}"


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``; SQLite folders are created, PostgreSQL uses psycopg 3."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # We emit BEGIN ourselves (below): pysqlite's own implicit BEGIN is deferred and cannot
        # be made IMMEDIATE per transaction.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL loses no committed data on an application crash, only possibly
        # the last commits on power loss; the kiosks resend anything not acknowledged.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Freed space is overwritten with zeros: erased text does not linger (db/erasure.py).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction meant to write; commits on success, rolls back on error."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


def ping(engine: Engine) -> None:
    """One ``SELECT 1``; :class:`Unavailable` when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise Unavailable(f"the {engine.dialect.name} database does not answer") from exc
