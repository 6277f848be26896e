"""What the public follow-up page reads (and the one thing it writes), in as few round trips as
the page allows: it is the busiest page, one per visitor's phone.

A caller may rely on:
- :func:`load_follow_up` running the same three statements whether or not the token exists
  (an unknown token costs what a known one does), and returning the visit's records, each chosen
  theme's rows exactly as read (plain tuples, hashable, so they can key a memo of the rendered
  section), and the visit's own event with the coming ones at the visit's kiosk (its own, or
  for all kiosks: other libraries' events stay out).
- :func:`visit_records` giving the visit's records; :func:`erase_story` erasing its story text
  for good (``story`` and ``story_redacted`` NULL, ``story_status`` ``withdrawn``).
- :class:`Row`: a dict whose keys templates read as attributes.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    and_,
    bindparam,
    cast,
    exists,
    false,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)

from sync.protocol import MAX_THEMES
from sync.server.db.engine import write_connection
from sync.server.db.tables import (
    event_kiosks,
    events,
    records,
    theme_steps,
    theme_updates,
    themes,
)

__all__ = [
    "STEP",
    "THEME",
    "UPCOMING_EVENTS",
    "UPDATE",
    "Row",
    "erase_story",
    "load_follow_up",
    "visit_records",
]

MAX_RECORDS = 20  # one visit has a handful of records; more means a misbehaving kiosk
UPCOMING_EVENTS = 5
# Matches no theme, event or kiosk id (none is empty) and keeps the queries of an unknown token the
# same. Not "\x00": PostgreSQL refuses NUL in text parameters.
_NO_ID = ""


# Built once: executing a prepared statement skips SQLAlchemy's per-call construction work,
# which is most of the page's database cost on SQLite.
_VISIT_RECORDS = (
    select(
        records.c.kind,
        records.c.rating,
        records.c.theme_ids,
        records.c.story,
        records.c.story_redacted,
        records.c.story_status,
        records.c.created_at,
        records.c.event_id,
        records.c.lang,
        records.c.kiosk_id,
    )
    .where(records.c.follow_up_token == bindparam("token"))
    .order_by(records.c.created_at)
    .limit(MAX_RECORDS)
)
# A visit's theme ids fill IN lists of a fixed number of placeholders, padded with _NO_ID: the
# statement text stays the same from call to call, so SQLAlchemy runs its cached compilation as is
# instead of rewriting an expanding IN each time, and an unknown token runs the very statement a
# visit with up to MAX_THEMES themes runs. Longer lists take the next multiple (at most
# MAX_RECORDS * MAX_THEMES ids, so a bounded number of statements).
_THEME_SLOTS = MAX_THEMES
# Each theme's own row, its steps and its updates in one round trip, told apart by "part" (columns:
# theme_id, part, day, id, fi, sv, en, done, then velho name, role fi/sv/en, contact, public); the
# velho columns are only set on the theme's row. No ORDER BY: sorting the few rows in Python is
# cheaper than SQLite merging the three parts through temporary b-trees (measured), and sorted as
# tuples they come theme by theme, its own row first, then its steps and updates by date and id.
THEME, STEP, UPDATE = 0, 1, 2


@functools.cache
def _themes_statement(slots: int):
    ids: list[Any] = [bindparam(f"theme{i}") for i in range(slots)]
    velho_nulls = [null()] * 6
    return union_all(
        select(
            themes.c.id.label("theme_id"),
            literal_column(str(THEME), Integer).label("part"),
            cast(null(), Date).label("day"),
            cast(null(), Integer).label("id"),
            themes.c.name_fi.label("fi"),
            themes.c.name_sv.label("sv"),
            themes.c.name_en.label("en"),
            cast(null(), Boolean).label("done"),
            themes.c.velho_name,
            themes.c.velho_role_fi,
            themes.c.velho_role_sv,
            themes.c.velho_role_en,
            themes.c.velho_contact,
            themes.c.velho_contact_public,
        ).where(themes.c.id.in_(ids)),
        select(
            theme_steps.c.theme_id,
            literal_column(str(STEP), Integer),
            theme_steps.c.step_date,
            theme_steps.c.id,
            theme_steps.c.title_fi,
            theme_steps.c.title_sv,
            theme_steps.c.title_en,
            theme_steps.c.done,
            *velho_nulls,
        ).where(theme_steps.c.theme_id.in_(ids)),
        select(
            theme_updates.c.theme_id,
            literal_column(str(UPDATE), Integer),
            theme_updates.c.update_date,
            theme_updates.c.id,
            theme_updates.c.text_fi,
            theme_updates.c.text_sv,
            theme_updates.c.text_en,
            false(),
            *velho_nulls,
        ).where(theme_updates.c.theme_id.in_(ids)),
    )


def _theme_params(theme_ids: list[str]) -> tuple[Any, dict[str, str]]:
    slots = max(1, -(-len(theme_ids) // _THEME_SLOTS)) * _THEME_SLOTS
    padded = theme_ids + [_NO_ID] * (slots - len(theme_ids))
    return _themes_statement(slots), {f"theme{i}": tid for i, tid in enumerate(padded)}


# The visit's own event, and the coming ones at the visit's kiosk: events that list that kiosk
# or list none (for all kiosks). On a region's server, other libraries' events stay out.
_AT_KIOSK = or_(
    exists().where(
        event_kiosks.c.event_id == events.c.id, event_kiosks.c.kiosk_id == bindparam("kiosk")
    ),
    ~exists().where(event_kiosks.c.event_id == events.c.id),
)
_EVENTS = (
    select(events)
    .where(
        or_(
            and_(events.c.event_date >= bindparam("today"), _AT_KIOSK),
            events.c.id == bindparam("event"),
        )
    )
    .order_by(events.c.event_date)
    .limit(UPCOMING_EVENTS + 1)
)


class Row(dict):
    """A row whose keys templates read as attributes without Jinja's exception-driven fallback
    from ``getattr`` to ``[]`` (that fallback was a visible share of the page's render time)."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _rows(result) -> list[Row]:
    # Zipping the column names onto each row as fetched is several times cheaper than
    # Row(row_mapping), and reading a dict afterwards cheaper than a SQLAlchemy Row's attributes.
    keys = tuple(result.keys())
    return [Row(zip(keys, row, strict=True)) for row in result.all()]


def load_follow_up(conn, token: str, today) -> dict:
    """Everything the page shows. Runs the same three queries whether or not the token exists.

    ``records`` are the visit's rows; ``themes`` holds, per theme in the order the visitor chose
    them, its rows as read (plain tuples: the theme's own row, then its steps and updates, by date
    and id); ``events`` the visit's own event and the coming ones at its kiosk."""
    rows = _rows(conn.execute(_VISIT_RECORDS, {"token": token}))
    # Of the themes records only the visit's last counts (a visitor may go back and choose
    # again, see sync.server.db.superseded); a story may name more themes.
    last_choice = [row for row in rows if row["kind"] == "themes"][-1:]
    theme_ids: list[str] = []
    for row in last_choice + [row for row in rows if row["kind"] != "themes"]:
        for tid in row["theme_ids"] or []:
            if tid not in theme_ids:
                theme_ids.append(tid)
    statement, params = _theme_params(theme_ids)
    by_theme: dict[str, list[tuple]] = {}
    for part in sorted(map(tuple, conn.execute(statement, params).all())):
        by_theme.setdefault(part[0], []).append(part)
    chosen = []
    for tid in theme_ids:
        parts = by_theme.get(tid)
        if parts and parts[0][1] == THEME:  # a theme deleted since the visit has no rows
            chosen.append(tuple(parts))
    visit_event = rows[0]["event_id"] if rows else _NO_ID
    visit_kiosk = rows[0]["kiosk_id"] if rows else _NO_ID
    event_rows = _rows(
        conn.execute(_EVENTS, {"today": today, "event": visit_event, "kiosk": visit_kiosk})
    )
    return {
        "records": rows,
        "themes": chosen,
        "events": event_rows,
    }


def erase_story(engine, token: str) -> bool:
    """Erase the visit's story text for good; False when the token has no story."""
    now = datetime.now(UTC)
    with write_connection(engine) as conn:
        result = conn.execute(
            update(records)
            .where(records.c.follow_up_token == token, records.c.kind == "story")
            .values(
                story=None,
                story_redacted=None,
                story_status="withdrawn",
                moderated_at=now,
                moderated_by="visitor",
            )
        )
    return result.rowcount > 0


def visit_records(conn, token: str) -> list[Row]:
    """The visit's records, oldest first (at most MAX_RECORDS)."""
    return _rows(conn.execute(_VISIT_RECORDS, {"token": token}))
