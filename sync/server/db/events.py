"""Which käyttäjätori event each kiosk is at: one server, many libraries, each with its own event.

An event lists the kiosks it uses, or none: then it is for every kiosk. Several events may be
active at once as long as no kiosk has two: at a kiosk, an active event that lists it comes
before an active event for all kiosks. So a region's server can run one library's event beside
another's, and beside a region-wide one, without either changing the other's question.

A caller may rely on:
- :func:`conflicting_active_events` names the active events that would give some kiosk a second
  event of the same kind (both list it, or both are for all kiosks); :func:`activate` makes an
  event active and ends exactly those, in one statement (staff's "make active", seed-demo).
- :func:`events_for_kiosk` gives a kiosk its active event and the events its staff may switch
  to at the kiosk (its active one and the coming ones, by date).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Connection, exists, or_, select, update

from sync.server.db.tables import event_kiosks, events

__all__ = [
    "SWITCHABLE_EVENTS",
    "activate",
    "conflicting_active_events",
    "events_for_kiosk",
    "kiosks_of",
]

SWITCHABLE_EVENTS = 5  # the active one and the next few: what fits on the kiosk's staff screen


def kiosks_of(conn: Connection, event_id: str) -> set[str]:
    rows = conn.execute(select(event_kiosks.c.kiosk_id).where(event_kiosks.c.event_id == event_id))
    return {r[0] for r in rows}


def conflicting_active_events(
    conn: Connection, event_id: str, kiosk_ids: Collection[str]
) -> list[str]:
    """Active events other than ``event_id`` that clash with it if it had ``kiosk_ids``.

    Two events clash when both are for all kiosks (no list), or both list a same kiosk. An event
    for chosen kiosks does not clash with one for all kiosks: at its kiosks it comes first.
    """
    mine = set(kiosk_ids)
    others = conn.execute(
        select(events.c.id).where(events.c.active.is_(True), events.c.id != event_id)
    ).scalars()
    clashing = []
    for other in others:
        theirs = kiosks_of(conn, other)
        if (not mine and not theirs) or (mine & theirs):
            clashing.append(other)
    return sorted(clashing)


def activate(conn: Connection, event_id: str) -> list[str]:
    """Make the (existing) event ``event_id`` active; end and return the events it clashed with."""
    ended = conflicting_active_events(conn, event_id, kiosks_of(conn, event_id))
    # One statement, so no reader ever sees a kiosk with two events or none in between.
    conn.execute(
        update(events)
        .where(events.c.id.in_([event_id, *ended]))
        .values(active=events.c.id == event_id)
    )
    return ended


def events_for_kiosk(conn: Connection, kiosk_id: str, today: date) -> tuple[Any | None, list[Any]]:
    """The kiosk's active event (a row, or None) and the rows its staff may switch to.

    Only events that list the kiosk or list no kiosk count. Of the active ones, one that lists
    the kiosk wins; then the latest date. The switchable ones are that event and the coming
    ones (dated today or later), by date, at most :data:`SWITCHABLE_EVENTS`.
    """
    listed = exists().where(
        event_kiosks.c.event_id == events.c.id, event_kiosks.c.kiosk_id == kiosk_id
    )
    has_list = exists().where(event_kiosks.c.event_id == events.c.id)
    rows = conn.execute(
        select(events, listed.label("lists_kiosk"))
        .where(
            or_(listed, ~has_list),
            or_(events.c.active.is_(True), events.c.event_date >= today),
        )
        .order_by(events.c.event_date, events.c.id)
    ).all()
    active = [r for r in rows if r.active]
    chosen = max(active, key=lambda r: (bool(r.lists_kiosk), r.event_date, r.id), default=None)
    coming = [r for r in rows if r.event_date >= today and r is not chosen]
    switchable = ([chosen] if chosen is not None else []) + coming
    switchable = sorted(switchable[:SWITCHABLE_EVENTS], key=lambda r: (r.event_date, r.id))
    return chosen, switchable
