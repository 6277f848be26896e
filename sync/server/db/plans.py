"""Database reads and writes for what staff plan and publish: themes (with their path steps and
status updates) and events (with their kiosks and which are active).

Same contract as :mod:`sync.server.db.dashboard`: Connections for reads, Engines for writes through
``write_connection``; ``ValueError`` naming the field (nothing written) for wrong input,
``LookupError`` for a theme or event that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from sync.server.db.engine import write_connection
from sync.server.db.events import activate, conflicting_active_events
from sync.server.db.tables import event_kiosks, events, kiosks, theme_steps, theme_updates, themes
from sync.server.errors import FormError

__all__ = [
    "activate_event",
    "add_step",
    "add_update",
    "delete_step",
    "delete_update",
    "event_list",
    "kiosk_choices",
    "save_event",
    "save_theme",
    "set_step_done",
    "theme_list",
]


# --- themes


def theme_list(conn: Connection, include_inactive: bool = True) -> list[dict]:
    """Themes in display order, each with ``steps`` (by date) and ``updates`` (newest first)."""
    query = select(themes).order_by(themes.c.sort_order, themes.c.id)
    if not include_inactive:
        query = query.where(themes.c.active.is_(True))
    out = [dict(r) | {"steps": [], "updates": []} for r in conn.execute(query).mappings()]
    by_id = {t["id"]: t for t in out}
    for step in conn.execute(
        select(theme_steps).order_by(theme_steps.c.step_date, theme_steps.c.id)
    ).mappings():
        if step["theme_id"] in by_id:
            by_id[step["theme_id"]]["steps"].append(dict(step))
    for upd in conn.execute(
        select(theme_updates).order_by(
            theme_updates.c.update_date.desc(), theme_updates.c.id.desc()
        )
    ).mappings():
        if upd["theme_id"] in by_id:
            by_id[upd["theme_id"]]["updates"].append(dict(upd))
    return out


def save_theme(engine: Engine, values: Mapping, *, create: bool) -> None:
    """Insert (``create``) or update a theme; ``values`` already validated by the caller."""
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        exists = conn.execute(select(themes.c.id).where(themes.c.id == values["id"])).first()
        if create and exists:
            raise ValueError(f"id: a theme with id {values['id']!r} exists already")
        if not create and not exists:
            raise LookupError("no such theme")
        if create:
            conn.execute(insert(themes).values(**values, updated_at=now))
        else:
            conn.execute(
                update(themes).where(themes.c.id == values["id"]).values(**values, updated_at=now)
            )


def _touch_theme(conn: Connection, theme_id: str) -> None:
    # kiosk-config and caches key on updated_at; any change to a theme's parts counts.
    result = conn.execute(
        update(themes).where(themes.c.id == theme_id).values(updated_at=datetime.now(UTC))
    )
    if result.rowcount == 0:
        raise LookupError("no such theme")


def add_step(engine: Engine, theme_id: str, values: Mapping) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id)
        conn.execute(insert(theme_steps).values(theme_id=theme_id, **values))


def set_step_done(engine: Engine, theme_id: str, step_id: int, done: bool) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id)
        conn.execute(
            update(theme_steps)
            .where(theme_steps.c.id == step_id, theme_steps.c.theme_id == theme_id)
            .values(done=done)
        )


def delete_step(engine: Engine, theme_id: str, step_id: int) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id)
        conn.execute(
            delete(theme_steps).where(
                theme_steps.c.id == step_id, theme_steps.c.theme_id == theme_id
            )
        )


def add_update(engine: Engine, theme_id: str, values: Mapping, staff: str) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id)
        conn.execute(
            insert(theme_updates).values(
                theme_id=theme_id, created_at=datetime.now(UTC), created_by=staff, **values
            )
        )


def delete_update(engine: Engine, theme_id: str, update_id: int) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id)
        conn.execute(
            delete(theme_updates).where(
                theme_updates.c.id == update_id, theme_updates.c.theme_id == theme_id
            )
        )


# --- events


def event_list(conn: Connection) -> list[dict]:
    """Events, newest date first, each with the ids of its kiosks."""
    out = [
        dict(r) | {"kiosk_ids": []}
        for r in conn.execute(select(events).order_by(events.c.event_date.desc())).mappings()
    ]
    by_id = {e["id"]: e for e in out}
    for event_id, kiosk_id in conn.execute(
        select(event_kiosks.c.event_id, event_kiosks.c.kiosk_id).order_by(event_kiosks.c.kiosk_id)
    ):
        if event_id in by_id:
            by_id[event_id]["kiosk_ids"].append(kiosk_id)
    return out


def kiosk_choices(conn: Connection) -> list[dict]:
    return [
        dict(r)
        for r in conn.execute(
            select(kiosks.c.id, kiosks.c.name, kiosks.c.site).order_by(kiosks.c.site, kiosks.c.name)
        ).mappings()
    ]


def save_event(engine: Engine, values: Mapping, kiosk_ids: list[str], *, create: bool) -> None:
    """Insert or update an event and replace its kiosk list.

    Refused with ``ValueError`` naming ``kiosks``: an unknown kiosk id, or a new kiosk list that
    would give some kiosk two active events (see :mod:`sync.server.db.events`).
    """
    with write_connection(engine) as conn:
        known = {r[0] for r in conn.execute(select(kiosks.c.id))}
        unknown = [k for k in kiosk_ids if k not in known]
        if unknown:
            raise ValueError(f"kiosks: unknown kiosk {unknown[0]!r}")
        row = conn.execute(select(events.c.active).where(events.c.id == values["id"])).first()
        if create and row is not None:
            raise ValueError(f"id: an event with id {values['id']!r} exists already")
        if not create and row is None:
            raise LookupError("no such event")
        if row is not None and row.active:
            clashing = conflicting_active_events(conn, values["id"], kiosk_ids)
            if clashing:
                raise FormError(
                    "kiosks: the active event '%(event)s' already has some of these kiosks. "
                    "Choose other kiosks, or save and make this event active again."
                    if kiosk_ids
                    else "kiosks: the active event '%(event)s' is already for all kiosks. "
                    "Choose some kiosks, or make this event active again.",
                    event=clashing[0],
                )
        if create:
            conn.execute(insert(events).values(**values, active=False))
        else:
            conn.execute(update(events).where(events.c.id == values["id"]).values(**values))
        conn.execute(delete(event_kiosks).where(event_kiosks.c.event_id == values["id"]))
        for kiosk_id in kiosk_ids:
            conn.execute(insert(event_kiosks).values(event_id=values["id"], kiosk_id=kiosk_id))


def activate_event(engine: Engine, event_id: str) -> list[str]:
    """Make ``event_id`` active at its kiosks; return the active events that this ended.

    Ended are the ones that clashed with it (both for all kiosks, or sharing a kiosk): each
    kiosk keeps exactly one event of each kind, and kiosk-config hands each kiosk its own.
    """
    with write_connection(engine) as conn:
        if conn.execute(select(events.c.id).where(events.c.id == event_id)).first() is None:
            raise LookupError("no such event")
        return activate(conn, event_id)
