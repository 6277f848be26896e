"""Erased text leaves the database files, not only the rows.

An UPDATE that sets a story to NULL leaves the old bytes behind: in SQLite's free space and in
its write-ahead log (``server.db-wal``), in PostgreSQL's dead row versions. A caller may rely on:

- SQLite connections run with ``PRAGMA secure_delete=ON`` (set in :mod:`sync.server.db.engine`),
  so freed space in the database file is overwritten with zeros as it is freed.
- :func:`flush_erasure` after an erasing transaction: on SQLite a ``wal_checkpoint(TRUNCATE)``
  copies the zeroed pages into the database file and empties the WAL, so neither file holds the
  text afterwards; it waits (busy timeout) for readers of older snapshots and reports whether it
  got through. On PostgreSQL it does nothing: see :func:`vacuum_erased_tables`.
- :func:`vacuum_erased_tables`, for the ``purge`` command: on PostgreSQL a plain ``VACUUM`` of
  the tables that hold visitors' text (``records``, ``batches``). VACUUM removes dead row
  versions and lets their space be reused; it does not zero that space at once, and it does not
  touch PostgreSQL's WAL segments or base backups, which keep old row versions until they are
  recycled (``wal_keep_size``, ``max_wal_size``) or the backups rotate. ``full=True`` runs
  ``VACUUM FULL``: the tables are rewritten into new files (an exclusive lock for the time it
  takes) and the old files are deleted — their blocks are then free space of the file system,
  which only full-disk encryption makes unreadable. On SQLite it checkpoints as above.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from sync.server.db.engine import is_sqlite

__all__ = ["ERASED_TABLES", "Checkpoint", "flush_erasure", "vacuum_erased_tables"]

# Tables whose rows carry what a visitor wrote (records) or sent (batches keep no text today,
# but their rows are deleted with purged kiosks' data).
ERASED_TABLES = ("records", "batches")


@dataclass(frozen=True)
class Checkpoint:
    """SQLite's answer to ``wal_checkpoint``: ``busy`` True when a reader kept it from finishing."""

    busy: bool
    wal_frames: int
    checkpointed_frames: int


def flush_erasure(engine: Engine) -> Checkpoint | None:
    """After an erasing transaction has committed; None on PostgreSQL."""
    if not is_sqlite(engine):
        return None
    # The DB-API connection, in autocommit (engine.py): SQLAlchemy's autobegin would open a
    # transaction first, and a checkpoint run from inside one cannot finish.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        row = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        raw.close()
    return Checkpoint(bool(row[0]), int(row[1]), int(row[2]))


def vacuum_erased_tables(engine: Engine, *, full: bool = False) -> None:
    """VACUUM (or VACUUM FULL) the tables of :data:`ERASED_TABLES`; see the module docstring."""
    if is_sqlite(engine):
        flush_erasure(engine)
        return
    verb = "VACUUM FULL" if full else "VACUUM"
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM refuses a transaction
        for table in ERASED_TABLES:
            conn.execute(text(f"{verb} {table}"))
