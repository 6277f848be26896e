"""Fill every table of a database with rows of every column type, and read every row back.

Works on the schema as the database has it (reflected), so the same helpers serve a database at
an old migration and one at the newest. Row 0 leaves every nullable column NULL; the others fill
every column, with non-ASCII text, JSON, dates and timezone-aware times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Time,
    select,
)
from sqlalchemy.types import TypeEngine

ROWS_PER_TABLE = 3


def reflect(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.remove(metadata.tables["alembic_version"])
    return metadata


def _value(column, kind: TypeEngine, i: int, seed: int):
    python = _python_type(kind)
    if python is bool:
        return i % 2 == 0
    if python is int:
        return seed * 100 + i + 1
    if python is datetime:
        return datetime(2026, 11, 14, 10, i, 30, 123456, tzinfo=UTC) + timedelta(days=seed)
    if python is date:
        return date(2026, 11, 1 + i) + timedelta(days=seed)
    if python is time:
        return time(10 + i, 30 + seed % 30)
    if python is dict:
        return {"i": i, "themes": ["liikenne", "kulttuuri"], "text": "äö"}
    length = getattr(kind, "length", None) or 200
    text = f"{i}{seed}-{column.name}-Mikkeliä ja Tori 'talvella' \"lumi\"\n"
    return text[:length]


def _python_type(kind: TypeEngine):
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, Integer):
        return int
    if isinstance(kind, DateTime):
        return datetime
    if isinstance(kind, Date):
        return date
    if isinstance(kind, Time):
        return time
    if isinstance(kind, JSON):
        return dict
    if isinstance(kind, String):
        return str
    try:
        return kind.python_type
    except NotImplementedError:
        return str


def fill_every_table(engine: Engine, seed: int = 0) -> dict[str, int]:
    """Insert :data:`ROWS_PER_TABLE` rows into every table; foreign keys point at real rows."""
    metadata = reflect(engine)
    inserted: dict[str, list[dict]] = {}
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            rows = []
            for i in range(ROWS_PER_TABLE):
                row = {}
                for column in table.columns:
                    foreign = next(iter(column.foreign_keys), None)
                    if foreign is not None:
                        target = foreign.column
                        row[column.name] = inserted[target.table.name][i][target.name]
                    elif i == 0 and column.nullable and not column.primary_key:
                        row[column.name] = None
                    else:
                        row[column.name] = _value(column, column.type, i, seed)
                rows.append(row)
            conn.execute(table.insert(), rows)
            inserted[table.name] = rows
    return {name: len(rows) for name, rows in inserted.items()}


def column_names(engine: Engine) -> dict[str, list[str]]:
    """Table -> its column names, as the database has them now."""
    return {t.name: sorted(c.name for c in t.columns) for t in reflect(engine).sorted_tables}


def dump_every_table(
    engine: Engine, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, columns in name order; ``columns`` limits both the
    tables and their columns (to compare a database with what it held before an upgrade)."""
    metadata = reflect(engine)
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if columns is not None and table.name not in columns:
                continue
            names = columns[table.name] if columns is not None else table.columns.keys()
            selected = [table.columns[name] for name in sorted(names)]
            rows = conn.execute(select(*selected)).all()
            out[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return out
