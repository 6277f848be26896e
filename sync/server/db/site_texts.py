"""Texts admins edit and the public reads (privacy notice, accessibility statement).

A caller may rely on: :func:`get` returning None when no text was saved for that key and
language (the page then shows its built-in default); :func:`put` with an empty body removing
the saved text (back to the default), writing the audit entry in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, insert, select

from sync.server.db import audit
from sync.server.db.engine import write_connection
from sync.server.db.tables import site_texts
from sync.server.domain.audit import Actor

__all__ = ["KEYS", "MAX_BODY_CHARS", "get", "put"]

KEYS = ("privacy", "accessibility")
MAX_BODY_CHARS = 20_000


def get(conn: Connection, key: str, lang: str) -> str | None:
    row = conn.execute(
        select(site_texts.c.body).where(site_texts.c.key == key, site_texts.c.lang == lang)
    ).first()
    return row[0] if row else None


def put(engine: Engine, key: str, bodies: dict[str, str], actor: Actor, action: str) -> list[str]:
    """Save each language's body (empty: back to the default); returns the languages changed."""
    if key not in KEYS:
        raise ValueError(f"unknown text {key!r}")
    now = datetime.now(UTC)
    changed = []
    with write_connection(engine) as conn:
        for lang, body in bodies.items():
            body = body.replace("\r\n", "\n").strip()
            if len(body) > MAX_BODY_CHARS:
                raise ValueError("The text is too long. Shorten it and save again.")
            if (get(conn, key, lang) or "") == body:
                continue
            conn.execute(
                delete(site_texts).where(site_texts.c.key == key, site_texts.c.lang == lang)
            )
            if body:
                conn.execute(
                    insert(site_texts).values(
                        key=key, lang=lang, body=body, updated_at=now, updated_by=actor.name
                    )
                )
            changed.append(lang)
        if changed:
            audit.append(conn, actor, action, key, {"languages": changed}, now=now)
    return changed
