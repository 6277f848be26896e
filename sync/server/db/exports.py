"""Reads behind the per-visit export: visits in time order, their records, and the names.

A caller may rely on: :func:`visit_record_groups` streaming visits oldest first (by their first
record, then visit id) in chunks of :data:`CHUNK` visits, each as the list of its records, so
memory stays bounded however many visits there are; filters AND together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from sync.server.db.roles import kiosk_in_scope
from sync.server.db.tables import events, kiosks, records, story_privacy, themes
from sync.server.domain.roles import EVERYTHING, Scope

__all__ = ["CHUNK", "export_names", "visit_record_groups"]

CHUNK = 500


def _filters(event_id: str | None, kiosk_id: str | None, batch_id: str | None) -> list:
    conds = []
    if event_id:
        conds.append(records.c.event_id == event_id)
    if kiosk_id:
        conds.append(records.c.kiosk_id == kiosk_id)
    if batch_id:
        conds.append(records.c.batch_id == batch_id)
    return conds


def visit_record_groups(
    conn: Connection,
    *,
    event_id: str | None = None,
    kiosk_id: str | None = None,
    batch_id: str | None = None,
    scope: Scope = EVERYTHING,
) -> Iterator[tuple[list[Mapping[Any, Any]], dict[Any, Any]]]:
    """(records of one visit, the privacy-gate rows of its stories), visit by visit; only
    records of kiosks in ``scope``."""
    conds = [*_filters(event_id, kiosk_id, batch_id), kiosk_in_scope(records.c.kiosk_id, scope)]
    started = func.min(records.c.created_at).label("started")
    order = (
        select(records.c.visit_id, started)
        .where(*conds)
        .group_by(records.c.visit_id)
        .order_by(started, records.c.visit_id)
    )
    visit_ids = [r.visit_id for r in conn.execute(order)]
    for start in range(0, len(visit_ids), CHUNK):
        chunk = visit_ids[start : start + CHUNK]
        grouped: dict[str, list[Mapping[Any, Any]]] = defaultdict(list)
        for row in conn.execute(
            select(records).where(records.c.visit_id.in_(chunk), *conds)
        ).mappings():
            grouped[row["visit_id"]].append(row)
        story_ids = [r["id"] for rows in grouped.values() for r in rows if r["kind"] == "story"]
        gates = (
            {
                g.record_id: g._mapping
                for g in conn.execute(
                    select(story_privacy).where(story_privacy.c.record_id.in_(story_ids))
                )
            }
            if story_ids
            else {}
        )
        for visit_id in chunk:
            rows = grouped.get(visit_id)
            if rows:
                yield rows, gates


def export_names(conn: Connection, lang: str) -> dict[str, dict]:
    """Kiosk (name, site), event and theme names in ``lang`` (Finnish when missing)."""

    def pick(row, prefix: str) -> str:
        return getattr(row, f"{prefix}_{lang}", "") or getattr(row, f"{prefix}_fi")

    return {
        "kiosks": {r.id: (r.name, r.site) for r in conn.execute(select(kiosks))},
        "events": {r.id: pick(r, "name") for r in conn.execute(select(events))},
        "themes": {r.id: pick(r, "name") for r in conn.execute(select(themes))},
    }
