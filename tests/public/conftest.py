"""Fixtures of the public-page tests: the staff tests' database, app, kiosk and batch poster,
and ``story_state`` to put a story where moderation would (the public side only reads it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update

from sync.server.db.engine import write_connection
from sync.server.db.story_privacy import set_privacy
from sync.server.db.tables import records
from tests.staff.conftest import (  # noqa: F401 - fixtures used by this folder's tests
    db_url,
    demo_themes,
    kiosk,
    login,
    make_visit,
    post_batch,
    staff,
)


@pytest.fixture
def story_state(engine) -> Callable[..., None]:
    """``story_state(visit, status, override=None, redacted=None)``: the visit's story moderated."""

    def put(visit: list[dict], status: str, override: str | None = None, redacted=None) -> None:
        story = next(r for r in visit if r["kind"] == "story")
        with write_connection(engine) as conn:
            conn.execute(
                update(records)
                .where(records.c.id == story["id"])
                .values(story_status=status, story_redacted=redacted)
            )
            if override:
                set_privacy(conn, story["id"], override_reason=override, override_by="liisa")

    return put


def kiosk_visit(kiosk_id: str, **kw) -> list[dict]:
    """:func:`tests.staff.conftest.make_visit`, with the story carrying the visit's themes as
    the kiosk's recorder writes it (kiosk/visit.py ``save_story``)."""
    visit = make_visit(kiosk_id, **kw)
    chosen = next((r["theme_ids"] for r in visit if r["kind"] == "themes"), [])
    for record in visit:
        if record["kind"] == "story":
            record["theme_ids"] = list(chosen)
    return visit
