"""What the public follow-up page reads (and the one thing it writes).

A caller may rely on:
- :func:`load_follow_up` running the same statements whether or not the token exists (an
  unknown token costs what a known one does), and returning plain dicts with named keys: the
  visit's records, each chosen theme (in the order the visitor chose them) with its ``steps`` by
  date and its ``updates`` newest first, and the visit's own event with the coming ones at the
  visit's kiosk (its own, or for all kiosks: other libraries' events stay out).
- :func:`visit_records` giving the visit's records; :func:`erase_story` erasing its story text
  for good (``story`` and ``story_redacted`` NULL, ``story_status`` ``withdrawn``), also from the
  database files (:func:`sync.server.db.erasure.flush_erasure`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, exists, or_, select, update

from sync.server.db.engine import write_connection
from sync.server.db.erasure import flush_erasure
from sync.server.db.retention import tombstone
from sync.server.db.story_privacy import privacy_of
from sync.server.db.tables import (
    event_kiosks,
    events,
    records,
    theme_steps,
    theme_update_stories,
    theme_updates,
    themes,
)
from sync.server.domain.answers import counted_records

__all__ = ["UPCOMING_EVENTS", "erase_story", "load_follow_up", "visit_records"]

MAX_RECORDS = 20  # one visit has a handful of records; more means a misbehaving kiosk
UPCOMING_EVENTS = 5
# Matches no theme, event or kiosk id (none is empty) and keeps the queries of an unknown token the
# same. Not "\x00": PostgreSQL refuses NUL in text parameters.
_NO_ID = ""


_VISIT_RECORDS = (
    select(
        records.c.id,
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
    .order_by(records.c.created_at, records.c.id)
    .limit(MAX_RECORDS)
)
# Whether the token's page has expired and retention replaced the token by its tombstone.
_TOMBSTONED = select(records.c.id).where(records.c.follow_up_token == bindparam("tomb")).limit(1)
_THEMES = select(
    themes.c.id,
    themes.c.name_fi,
    themes.c.name_sv,
    themes.c.name_en,
    themes.c.velho_name,
    themes.c.velho_role_fi,
    themes.c.velho_role_sv,
    themes.c.velho_role_en,
    themes.c.velho_contact,
    themes.c.velho_contact_public,
    themes.c.active,
).where(themes.c.id.in_(bindparam("theme_ids", expanding=True)), themes.c.draft.is_(False))
_STEPS = (
    select(
        theme_steps.c.id,
        theme_steps.c.theme_id,
        theme_steps.c.step_date,
        theme_steps.c.title_fi,
        theme_steps.c.title_sv,
        theme_steps.c.title_en,
        theme_steps.c.done,
    )
    .where(theme_steps.c.theme_id.in_(bindparam("theme_ids", expanding=True)))
    .order_by(theme_steps.c.step_date, theme_steps.c.id)
)
_UPDATES = (
    select(
        theme_updates.c.id,
        theme_updates.c.theme_id,
        theme_updates.c.update_date,
        theme_updates.c.text_fi,
        theme_updates.c.text_sv,
        theme_updates.c.text_en,
        # Whether this update answers the visit's own story ("you said – we did").
        exists()
        .where(
            theme_update_stories.c.update_id == theme_updates.c.id,
            theme_update_stories.c.record_id == bindparam("story"),
        )
        .label("answers_story"),
    )
    .where(theme_updates.c.theme_id.in_(bindparam("theme_ids", expanding=True)))
    .order_by(theme_updates.c.update_date.desc(), theme_updates.c.id.desc())
)

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


def _dicts(result) -> list[dict[str, Any]]:
    return [dict(row) for row in result.mappings()]


def load_follow_up(conn: Connection, token: str, today: date) -> dict[str, Any]:
    """Everything the page shows. Runs the same five queries whether or not the token exists.

    ``records`` are the visit's rows; ``themes`` the chosen themes that still exist, each with
    ``steps`` and ``updates``; ``events`` the visit's own event and the coming ones at its
    kiosk; ``expired`` whether retention has closed this token's page; ``story_privacy`` the
    privacy gate's view of the visit's story (None without a story)."""
    visit = visit_records(conn, token)
    theme_ids: list[str] = []
    # Of the themes records only the visit's last counts (a visitor may go back and choose
    # again, sync.server.domain.answers); a story may name more themes.
    for row in counted_records(visit):
        for tid in row["theme_ids"] or []:
            if tid not in theme_ids:
                theme_ids.append(tid)
    # An unknown token (or a visit without themes) looks up one id that matches nothing, so it
    # runs the very statements a visit with one theme runs.
    ids = {"theme_ids": theme_ids or [_NO_ID]}
    found = {
        row["id"]: {**row, "steps": [], "updates": []} for row in _dicts(conn.execute(_THEMES, ids))
    }
    for step in _dicts(conn.execute(_STEPS, ids)):
        found[step["theme_id"]]["steps"].append(step)
    story = next((r for r in visit if r["kind"] == "story"), None)
    story_id = story["id"] if story and story["story_status"] != "withdrawn" else _NO_ID
    for news in _dicts(conn.execute(_UPDATES, ids | {"story": story_id})):
        found[news["theme_id"]]["updates"].append(news)
    first = visit[0] if visit else {}
    parameters = {
        "today": today,
        "event": first.get("event_id", _NO_ID),
        "kiosk": first.get("kiosk_id", _NO_ID),
    }
    return {
        "records": visit,
        # Asked for every token, known or not, so both cost the same.
        "expired": conn.execute(_TOMBSTONED, {"tomb": tombstone(token)}).first() is not None,
        # The gate decides what "on the story wall" means, as it does for the wall itself.
        "story_privacy": privacy_of(conn, story) if story else None,
        # In the visitor's order; a theme deleted since the visit is left out.
        "themes": [found[tid] for tid in theme_ids if tid in found],
        "events": _dicts(conn.execute(_EVENTS, parameters)),
    }


def erase_story(engine: Engine, token: str) -> bool:
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
    if result.rowcount > 0:
        flush_erasure(engine)  # the old text out of the WAL and free space too
    return result.rowcount > 0


def visit_records(conn: Connection, token: str) -> list[dict[str, Any]]:
    """The visit's records, oldest first (at most MAX_RECORDS)."""
    return _dicts(conn.execute(_VISIT_RECORDS, {"token": token}))
