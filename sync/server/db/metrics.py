"""What ``GET /metrics`` reads from the tables: stored counts per kiosk and each kiosk's state.

A caller may rely on: :func:`read_counts` answering from one connection, or raising
:class:`sync.server.errors.Unavailable` when the database does not answer (a scrape then says
``kt_database_up 0`` instead of failing); times are aware UTC datetimes on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from sync.server.db.tables import batches, kiosks, records
from sync.server.errors import Unavailable

__all__ = ["KioskState", "StoredCounts", "read_counts"]


@dataclass(frozen=True)
class KioskState:
    id: str
    site: str
    enabled: bool
    last_seen_at: datetime | None
    reported_pending: int | None


@dataclass(frozen=True)
class StoredCounts:
    records_by_kiosk: list[tuple[str, int]]
    batches_by_kiosk_and_source: list[tuple[str, str, int]]
    kiosks: list[KioskState]


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite hands back naive UTC
        return value.replace(tzinfo=UTC)
    return value


def read_counts(engine: Engine) -> StoredCounts:
    try:
        with engine.connect() as conn:
            records_by_kiosk = [
                (kiosk_id, count)
                for kiosk_id, count in conn.execute(
                    select(records.c.kiosk_id, func.count()).group_by(records.c.kiosk_id)
                )
            ]
            batch_counts = [
                (kiosk_id, source, count)
                for kiosk_id, source, count in conn.execute(
                    select(batches.c.kiosk_id, batches.c.source, func.count()).group_by(
                        batches.c.kiosk_id, batches.c.source
                    )
                )
            ]
            states = [
                KioskState(
                    id=row.id,
                    site=row.site,
                    enabled=row.disabled_at is None,
                    last_seen_at=_utc(row.last_seen_at),
                    reported_pending=row.reported_pending,
                )
                for row in conn.execute(
                    select(
                        kiosks.c.id,
                        kiosks.c.site,
                        kiosks.c.disabled_at,
                        kiosks.c.last_seen_at,
                        kiosks.c.reported_pending,
                    ).order_by(kiosks.c.id)
                )
            ]
    except SQLAlchemyError as exc:
        raise Unavailable(f"the {engine.dialect.name} database does not answer") from exc
    return StoredCounts(records_by_kiosk, batch_counts, states)
