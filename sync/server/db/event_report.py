"""What the event report reads besides the counts: the event and the one before it.

A caller may rely on :func:`event_and_previous` giving ``(event, previous)`` as plain dicts
(``previous`` the latest event dated before it, or None); ``(None, None)`` for an unknown id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from sync.server.db.tables import events

__all__ = ["event_and_previous"]


def event_and_previous(
    conn: Connection, event_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    row = conn.execute(select(events).where(events.c.id == event_id)).mappings().first()
    if row is None:
        return None, None
    before = (
        conn.execute(
            select(events)
            .where(events.c.event_date < row["event_date"])
            .order_by(events.c.event_date.desc(), events.c.id)
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row), dict(before) if before else None
