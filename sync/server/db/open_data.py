"""What the open data and the event report count: one :class:`~sync.server.domain.open_data.
Visit` per visit, never a record, a story or a token.

A caller may rely on:
- :func:`visits` giving each visit with a record created in ``[since, until)`` once: the local
  date of its first record, the themes it chose, its last face (ratings flagged
  ``rapid_repeat`` left out), its age group and district (the last given);
  with ``received_by``, only records received before the cut-off of the visit's week
  (``received_by(week's Monday)``) count, so a closed week's numbers never change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import Connection, select

from sync.server.db.tables import record_themes, records
from sync.server.domain.open_data import Visit, week_start

__all__ = ["visits"]

RAPID_REPEAT = "rapid_repeat"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC


def visits(
    conn: Connection,
    zone: tzinfo,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    received_by: Callable[[date], datetime] | None = None,
) -> list[Visit]:
    conds = []
    if since is not None:
        conds.append(records.c.created_at >= since)
    if until is not None:
        conds.append(records.c.created_at < until)
    rows = conn.execute(
        select(
            records.c.id,
            records.c.visit_id,
            records.c.created_at,
            records.c.received_at,
            records.c.kind,
            records.c.rating,
            records.c.age_group,
            records.c.district,
            records.c.flags,
        )
        .where(*conds)
        .order_by(records.c.created_at, records.c.id)
    ).all()
    chosen: dict[str, set[str]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        for record_id, theme_id in conn.execute(
            select(record_themes.c.record_id, record_themes.c.theme_id).where(
                record_themes.c.record_id.in_(ids[start : start + 500])
            )
        ):
            chosen.setdefault(record_id, set()).add(theme_id)
    found: dict[str, dict] = {}
    for row in rows:
        day = _aware(row.created_at).astimezone(zone).date()
        entry = found.setdefault(
            row.visit_id,
            {"day": day, "themes": [], "rating": None, "age": None, "district": None},
        )
        if received_by is not None and _aware(row.received_at) >= received_by(
            week_start(entry["day"])
        ):
            continue  # arrived after its week was published
        entry["counted"] = True
        for theme_id in sorted(chosen.get(row.id, ())):
            if theme_id not in entry["themes"]:
                entry["themes"].append(theme_id)
        if (
            row.kind == "rating"
            and row.rating is not None
            and RAPID_REPEAT not in (row.flags or [])
        ):
            entry["rating"] = row.rating  # the last answer counts
        entry["age"] = row.age_group or entry["age"]
        entry["district"] = row.district or entry["district"]
    return [
        Visit(e["day"], tuple(e["themes"]), e["rating"], e["age"], e["district"])
        for e in found.values()
        if e.get("counted")
    ]
