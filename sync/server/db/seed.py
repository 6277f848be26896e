"""Load kiosk-config content (``sync.protocol.KioskConfig`` JSON, e.g. sync/demo/kiosk-config.json)
into the themes, theme_steps, theme_updates and events tables.

A caller may rely on: running :func:`seed_from_config` twice changing nothing the second time
(themes and events are upserted by id; a path step or update is added only when the theme
has none with the same date and Finnish text); ``event`` becoming active, the other ``events``
added as coming events (not made active).
Wall stories are not seeded: stories reach the server only as kiosk records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine, select, update

from sync.protocol import EventInfo, KioskConfig, ThemeInfo
from sync.server.db.engine import write_connection
from sync.server.db.events import activate
from sync.server.db.tables import events, theme_steps, theme_updates, themes

__all__ = ["SeedResult", "seed_from_config"]


@dataclass(frozen=True)
class SeedResult:
    themes: int
    steps_added: int
    updates_added: int
    event_id: str | None


def _theme_values(theme: ThemeInfo, order: int, now: datetime) -> dict:
    velho = theme.velho
    return {
        "name_fi": theme.name.fi,
        "name_sv": theme.name.sv,
        "name_en": theme.name.en,
        "velho_name": velho.name if velho else None,
        "velho_role_fi": velho.role.fi if velho else None,
        "velho_role_sv": velho.role.sv if velho else None,
        "velho_role_en": velho.role.en if velho else None,
        "velho_contact": velho.contact if velho else None,
        "velho_contact_public": bool(velho and velho.contact),
        "velho_photo_url": velho.photo_url if velho else None,
        "sort_order": order,
        "active": True,
        "updated_at": now,
    }


def _upsert(conn: Connection, table, key: str, values: dict) -> None:
    if conn.execute(select(table.c.id).where(table.c.id == key)).first():
        conn.execute(update(table).where(table.c.id == key).values(**values))
    else:
        conn.execute(table.insert().values(id=key, **values))


def _add_missing(
    conn: Connection, table, theme_id: str, key: tuple[str, str], rows: list[dict]
) -> int:
    """Insert the rows of one theme whose ``key`` columns (date, Finnish text) are not there yet.

    Seeding again adds nothing twice, and keeps what staff added or changed meanwhile.
    """
    date_column, text_column = (table.c[name] for name in key)
    have = {
        tuple(r)
        for r in conn.execute(select(date_column, text_column).where(table.c.theme_id == theme_id))
    }
    added = 0
    for row in rows:
        row_key = (row[key[0]], row[key[1]])
        if row_key in have:
            continue
        conn.execute(table.insert().values(theme_id=theme_id, **row))
        have.add(row_key)
        added += 1
    return added


def _add_steps(conn: Connection, theme: ThemeInfo) -> int:
    rows = [
        {
            "step_date": date.fromisoformat(step.date),
            "title_fi": step.title.fi,
            "title_sv": step.title.sv,
            "title_en": step.title.en,
            "done": step.done,
        }
        for step in theme.path
    ]
    return _add_missing(conn, theme_steps, theme.id, ("step_date", "title_fi"), rows)


def _add_updates(conn: Connection, theme: ThemeInfo, now: datetime) -> int:
    rows = [
        {
            "update_date": date.fromisoformat(item.date),
            "text_fi": item.text.fi,
            "text_sv": item.text.sv,
            "text_en": item.text.en,
            "created_at": now,
            "created_by": "seed-demo",
        }
        for item in theme.updates
    ]
    return _add_missing(conn, theme_updates, theme.id, ("update_date", "text_fi"), rows)


def _event_values(event: EventInfo) -> dict:
    return {
        "name_fi": event.name.fi,
        "name_sv": event.name.sv,
        "name_en": event.name.en,
        "event_date": date.fromisoformat(event.date),
        "location": event.location,
        "question_fi": event.question.fi,
        "question_sv": event.question.sv,
        "question_en": event.question.en,
        "answer_labels": [a.model_dump() for a in event.answers] or None,
    }


def _activate_event(conn: Connection, event: EventInfo) -> None:
    # Like staff's "make active": the demo event is for all kiosks, so it ends the other active
    # event for all kiosks, and leaves the events of chosen kiosks alone.
    _upsert(conn, events, event.id, _event_values(event))
    activate(conn, event.id)


def seed_from_config(
    engine: Engine, config: KioskConfig, now: datetime | None = None
) -> SeedResult:
    now = now or datetime.now(UTC)
    steps_added = updates_added = 0
    with write_connection(engine) as conn:
        for order, theme in enumerate(config.themes):
            _upsert(conn, themes, theme.id, _theme_values(theme, order, now))
            steps_added += _add_steps(conn, theme)
            updates_added += _add_updates(conn, theme, now)
        for event in config.events:  # coming events: texts upserted, left inactive (new: not)
            if config.event is None or event.id != config.event.id:
                _upsert(conn, events, event.id, _event_values(event))
        if config.event is not None:
            _activate_event(conn, config.event)
    event_id = config.event.id if config.event else None
    return SeedResult(len(config.themes), steps_added, updates_added, event_id)
