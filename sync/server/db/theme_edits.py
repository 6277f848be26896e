"""Theme writes beyond plain edits: publishing a draft, and the stories a status update may
answer ("you said – we did", as Decidim's accountability module links results to proposals).

A caller may rely on: :func:`publish_theme` turning a draft into a theme the kiosks and the
follow-up pages show, with an audit entry that keeps the warnings staff saw and confirmed;
:func:`story_choices` listing the stories of visits that chose the theme (newest first, never a
withdrawn one) with the text staff may read; :func:`answered_stories` giving, for each update,
the stories it answers. ``LookupError`` for a theme that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select, update

from sync.server.db import audit
from sync.server.db.engine import write_connection
from sync.server.db.tables import record_themes, records, theme_update_stories, themes
from sync.server.domain.audit import Actor

__all__ = ["STORY_CHOICES", "answered_stories", "publish_theme", "story_choices"]

STORY_CHOICES = 60  # the stories offered when writing an update; older ones are rarely answered


def publish_theme(engine: Engine, theme_id: str, actor: Actor, warnings: Sequence[str]) -> bool:
    """Publish a draft; False (and nothing written) when it was published already."""
    with write_connection(engine) as conn:
        row = conn.execute(select(themes.c.draft).where(themes.c.id == theme_id)).first()
        if row is None:
            raise LookupError("no such theme")
        if not row.draft:
            return False
        conn.execute(
            update(themes)
            .where(themes.c.id == theme_id)
            .values(draft=False, updated_at=datetime.now(UTC))
        )
        audit.append(conn, actor, "theme_publish", theme_id, {"warnings": list(warnings)})
    return True


def _theme_visits(theme_id: str):
    return (
        select(records.c.visit_id)
        .join(record_themes, record_themes.c.record_id == records.c.id)
        .where(record_themes.c.theme_id == theme_id)
    )


def story_choices(conn: Connection, theme_id: str, limit: int | None = STORY_CHOICES) -> list[dict]:
    """Stories of visits that chose ``theme_id``: id, shown text, status, created_at."""
    query = (
        select(
            records.c.id,
            records.c.story,
            records.c.story_redacted,
            records.c.story_status,
            records.c.created_at,
            records.c.lang,
        )
        .where(
            records.c.kind == "story",
            records.c.story.is_not(None),
            records.c.story_status != "withdrawn",
            records.c.visit_id.in_(_theme_visits(theme_id)),
        )
        .order_by(records.c.created_at.desc(), records.c.id)
        .limit(limit)
    )
    return [
        {
            "id": r["id"],
            "text": r["story_redacted"] or r["story"],
            "status": r["story_status"],
            "created_at": r["created_at"],
            "lang": r["lang"],
        }
        for r in conn.execute(query).mappings()
    ]


def answered_stories(conn: Connection, update_ids: Sequence[int]) -> dict[int, list[dict]]:
    """Update id -> the stories it answers (id, shown text, status), oldest first."""
    if not update_ids:
        return {}
    out: dict[int, list[dict]] = {}
    for r in conn.execute(
        select(
            theme_update_stories.c.update_id,
            records.c.id,
            records.c.story,
            records.c.story_redacted,
            records.c.story_status,
        )
        .join(records, records.c.id == theme_update_stories.c.record_id)
        .where(theme_update_stories.c.update_id.in_(list(update_ids)))
        .order_by(records.c.created_at, records.c.id)
    ).mappings():
        out.setdefault(r["update_id"], []).append(
            {
                "id": r["id"],
                "text": r["story_redacted"] or r["story"] or "",
                "status": r["story_status"],
            }
        )
    return out
