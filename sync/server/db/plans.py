"""Database reads and writes for what staff plan and publish: themes (with their path steps and
status updates) and events (with their kiosks and which are active).

Same contract as :mod:`sync.server.db.dashboard`: Connections for reads, Engines for writes through
``write_connection``; ``ValueError`` naming the field (nothing written) for wrong input,
``LookupError`` for a theme or event that does not exist.

Roles: every function takes a ``scope`` (default :data:`~sync.server.domain.roles.EVERYTHING`).
Reads show region-wide themes and events and those of the scope's sites; a theme or event of
another site is ``LookupError`` (as if it did not exist); changing a region-wide one, or giving
one a site outside the scope, is ``PermissionError`` (:meth:`Scope.may_edit_site`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from sync.server.db import audit
from sync.server.db.engine import write_connection
from sync.server.db.events import activate, conflicting_active_events
from sync.server.db.roles import kiosk_in_scope, site_in_scope
from sync.server.db.tables import (
    event_kiosks,
    events,
    kiosks,
    theme_steps,
    theme_update_stories,
    theme_updates,
    themes,
)
from sync.server.db.theme_edits import story_choices
from sync.server.domain.audit import SYSTEM, Actor
from sync.server.domain.edit_diff import changes, plain
from sync.server.domain.roles import EVERYTHING, Scope
from sync.server.errors import FormError

__all__ = [
    "activate_event",
    "add_step",
    "add_update",
    "delete_step",
    "delete_update",
    "edit_step",
    "event_list",
    "kiosk_choices",
    "save_event",
    "save_theme",
    "set_step_done",
    "theme_list",
]


# --- themes


def theme_list(
    conn: Connection, include_inactive: bool = True, scope: Scope = EVERYTHING
) -> list[dict]:
    """Themes in display order, each with ``steps`` (by date) and ``updates`` (newest first,
    each with ``answers``: the ids of the stories it answers)."""
    query = (
        select(themes)
        .where(site_in_scope(themes.c.site, scope))
        .order_by(themes.c.sort_order, themes.c.id)
    )
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
            by_id[upd["theme_id"]]["updates"].append(dict(upd) | {"answers": []})
    updates = {u["id"]: u for t in out for u in t["updates"]}
    for update_id, record_id in conn.execute(
        select(theme_update_stories.c.update_id, theme_update_stories.c.record_id).order_by(
            theme_update_stories.c.record_id
        )
    ):
        if update_id in updates:
            updates[update_id]["answers"].append(record_id)
    return out


def _check_site(scope: Scope, site: str | None) -> None:
    if not scope.may_edit_site(site):
        raise PermissionError("only an administrator changes region-wide or other sites' ones")


def save_theme(
    engine: Engine,
    values: Mapping,
    *,
    create: bool,
    actor: Actor = SYSTEM,
    scope: Scope = EVERYTHING,
) -> None:
    """Insert (``create``, as a draft: on no kiosk until published) or update a theme;
    ``values`` already validated by the caller. The audit trail gets before and after."""
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        before = conn.execute(select(themes).where(themes.c.id == values["id"])).mappings().first()
        if create and before is not None:
            if not scope.covers(before["site"]):
                raise ValueError(f"id: the id {values['id']!r} is taken; choose another")
            raise ValueError(f"id: a theme with id {values['id']!r} exists already")
        if not create and (before is None or not scope.covers(before["site"])):
            raise LookupError("no such theme")
        if before is not None:
            _check_site(scope, before["site"])
        _check_site(scope, values.get("site", before["site"] if before is not None else None))
        if create:
            conn.execute(insert(themes).values(**values, draft=True, updated_at=now))
            audit.append(conn, actor, "theme_create", values["id"], {"after": plain(values)})
        elif before is not None:
            conn.execute(
                update(themes).where(themes.c.id == values["id"]).values(**values, updated_at=now)
            )
            audit.append(conn, actor, "theme_edit", values["id"], changes(dict(before), values))


def _touch_theme(conn: Connection, theme_id: str, scope: Scope = EVERYTHING) -> None:
    site = conn.execute(select(themes.c.site).where(themes.c.id == theme_id)).first()
    if site is None or not scope.covers(site.site):
        raise LookupError("no such theme")
    _check_site(scope, site.site)
    # kiosk-config and caches key on updated_at; any change to a theme's parts counts.
    result = conn.execute(
        update(themes).where(themes.c.id == theme_id).values(updated_at=datetime.now(UTC))
    )
    if result.rowcount == 0:
        raise LookupError("no such theme")


def _step(conn: Connection, theme_id: str, step_id: int) -> dict:
    row = (
        conn.execute(
            select(theme_steps).where(
                theme_steps.c.id == step_id, theme_steps.c.theme_id == theme_id
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise LookupError("no such step")
    return dict(row)


def add_step(
    engine: Engine,
    theme_id: str,
    values: Mapping,
    actor: Actor = SYSTEM,
    scope: Scope = EVERYTHING,
) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id, scope)
        step_id = conn.execute(
            insert(theme_steps).values(theme_id=theme_id, **values).returning(theme_steps.c.id)
        ).scalar_one()
        audit.append(
            conn, actor, "step_add", f"{theme_id}/{step_id}", {"after": plain(dict(values))}
        )


def set_step_done(
    engine: Engine,
    theme_id: str,
    step_id: int,
    done: bool,
    actor: Actor = SYSTEM,
    scope: Scope = EVERYTHING,
) -> None:
    edit_step(engine, theme_id, step_id, {"done": done}, actor, scope)


def edit_step(
    engine: Engine,
    theme_id: str,
    step_id: int,
    values: Mapping,
    actor: Actor = SYSTEM,
    scope: Scope = EVERYTHING,
) -> None:
    """Change a step's date, titles or done mark; the audit trail gets before and after."""
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id, scope)
        before = _step(conn, theme_id, step_id)
        conn.execute(
            update(theme_steps)
            .where(theme_steps.c.id == step_id, theme_steps.c.theme_id == theme_id)
            .values(**values)
        )
        audit.append(conn, actor, "step_edit", f"{theme_id}/{step_id}", changes(before, values))


def delete_step(
    engine: Engine,
    theme_id: str,
    step_id: int,
    actor: Actor = SYSTEM,
    scope: Scope = EVERYTHING,
) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id, scope)
        before = _step(conn, theme_id, step_id)
        conn.execute(
            delete(theme_steps).where(
                theme_steps.c.id == step_id, theme_steps.c.theme_id == theme_id
            )
        )
        audit.append(conn, actor, "step_delete", f"{theme_id}/{step_id}", {"before": plain(before)})


def add_update(
    engine: Engine,
    theme_id: str,
    values: Mapping,
    staff: str,
    story_ids: Sequence[str] = (),
    actor: Actor = SYSTEM,
    scope: Scope = EVERYTHING,
) -> None:
    """Add a status update; ``story_ids`` are the stories it answers (ids of story records)."""
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id, scope)
        answers = sorted(set(story_ids))
        if answers:
            known = {s["id"] for s in story_choices(conn, theme_id, limit=None)}
            if not set(answers) <= known:
                raise FormError("stories: pick only stories of this theme.")
        update_id = conn.execute(
            insert(theme_updates)
            .values(theme_id=theme_id, created_at=datetime.now(UTC), created_by=staff, **values)
            .returning(theme_updates.c.id)
        ).scalar_one()
        if answers:
            conn.execute(
                insert(theme_update_stories),
                [{"update_id": update_id, "record_id": rid} for rid in answers],
            )
        audit.append(
            conn,
            actor,
            "update_add",
            f"{theme_id}/{update_id}",
            {"after": plain(dict(values)), "answers": answers},
        )


def delete_update(
    engine: Engine,
    theme_id: str,
    update_id: int,
    actor: Actor = SYSTEM,
    scope: Scope = EVERYTHING,
) -> None:
    with write_connection(engine) as conn:
        _touch_theme(conn, theme_id, scope)
        before = (
            conn.execute(
                select(theme_updates).where(
                    theme_updates.c.id == update_id, theme_updates.c.theme_id == theme_id
                )
            )
            .mappings()
            .first()
        )
        if before is None:
            raise LookupError("no such update")
        answers = [
            r[0]
            for r in conn.execute(
                select(theme_update_stories.c.record_id).where(
                    theme_update_stories.c.update_id == update_id
                )
            )
        ]
        conn.execute(
            delete(theme_update_stories).where(theme_update_stories.c.update_id == update_id)
        )
        conn.execute(
            delete(theme_updates).where(
                theme_updates.c.id == update_id, theme_updates.c.theme_id == theme_id
            )
        )
        audit.append(
            conn,
            actor,
            "update_delete",
            f"{theme_id}/{update_id}",
            {"before": plain(dict(before), skip=("created_at",)), "answers": answers},
        )


# --- events


def event_list(conn: Connection, scope: Scope = EVERYTHING) -> list[dict]:
    """Events, newest date first, each with the ids of its kiosks."""
    out = [
        dict(r) | {"kiosk_ids": []}
        for r in conn.execute(
            select(events)
            .where(site_in_scope(events.c.site, scope))
            .order_by(events.c.event_date.desc())
        ).mappings()
    ]
    by_id = {e["id"]: e for e in out}
    for event_id, kiosk_id in conn.execute(
        select(event_kiosks.c.event_id, event_kiosks.c.kiosk_id).order_by(event_kiosks.c.kiosk_id)
    ):
        if event_id in by_id:
            by_id[event_id]["kiosk_ids"].append(kiosk_id)
    return out


def kiosk_choices(conn: Connection, scope: Scope = EVERYTHING) -> list[dict]:
    return [
        dict(r)
        for r in conn.execute(
            select(kiosks.c.id, kiosks.c.name, kiosks.c.site)
            .where(kiosk_in_scope(kiosks.c.id, scope))
            .order_by(kiosks.c.site, kiosks.c.name)
        ).mappings()
    ]


def save_event(
    engine: Engine,
    values: Mapping,
    kiosk_ids: list[str],
    *,
    create: bool,
    scope: Scope = EVERYTHING,
) -> None:
    """Insert or update an event and replace its kiosk list.

    Refused with ``ValueError`` naming ``kiosks``: an unknown kiosk id (or one outside the
    scope), a kiosk of another site than the event's, an event of a site with no kiosks chosen
    (it would reach every kiosk of the region), or a new kiosk list that would give some kiosk
    two active events (see :mod:`sync.server.db.events`).
    """
    with write_connection(engine) as conn:
        known = {
            r.id: r.site
            for r in conn.execute(
                select(kiosks.c.id, kiosks.c.site).where(kiosk_in_scope(kiosks.c.id, scope))
            )
        }
        unknown = [k for k in kiosk_ids if k not in known]
        if unknown:
            raise ValueError(f"kiosks: unknown kiosk {unknown[0]!r}")
        row = conn.execute(
            select(events.c.active, events.c.site).where(events.c.id == values["id"])
        ).first()
        if create and row is not None:
            raise ValueError(f"id: an event with id {values['id']!r} exists already")
        if not create and (row is None or not scope.covers(row.site)):
            raise LookupError("no such event")
        if row is not None:
            _check_site(scope, row.site)
        site = values.get("site", row.site if row is not None else None)
        _check_site(scope, site)
        if site is not None:
            if not kiosk_ids:
                raise FormError("kiosks: choose the kiosks of %(site)s for this event.", site=site)
            if any(known[k] != site for k in kiosk_ids):
                raise FormError("kiosks: choose only kiosks of %(site)s.", site=site)
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


def activate_event(engine: Engine, event_id: str, scope: Scope = EVERYTHING) -> list[str]:
    """Make ``event_id`` active at its kiosks; return the active events that this ended.

    Ended are the ones that clashed with it (both for all kiosks, or sharing a kiosk): each
    kiosk keeps exactly one event of each kind, and kiosk-config hands each kiosk its own.
    """
    with write_connection(engine) as conn:
        row = conn.execute(select(events.c.site).where(events.c.id == event_id)).first()
        if row is None or not scope.covers(row.site):
            raise LookupError("no such event")
        _check_site(scope, row.site)
        return activate(conn, event_id)
