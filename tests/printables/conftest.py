"""Fixtures of the printables and open-data tests: the staff tests' database, app, kiosk and
batch poster, the demo themes, an earlier event, and ``seed_visits`` for a week of visits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from sync.server.db.engine import write_connection
from sync.server.db.tables import events, records
from tests.staff.conftest import (  # noqa: F401 - fixtures used by this folder's tests
    db_url,
    demo_themes,
    kiosk,
    make_visit,
    post_batch,
    staff,
)

PHONE = "040 123 4567"
APPROVED = "Lisää pyöräteitä keskustaan, kiitos"
HIDDEN = f"Soita minulle {PHONE}, Matti Meikäläinen"


def at(day: date, hour: int = 12) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )


@pytest.fixture
def earlier_event(engine, demo_themes) -> str:  # noqa: F811
    with engine.begin() as conn:
        conn.execute(
            insert(events).values(
                id="kayttajatori-2026-09",
                name_fi="Käyttäjätori syyskuu",
                name_sv="Användartorget september",
                name_en="User market September",
                event_date=date.today() - timedelta(days=60),
                location="Mikkelin pääkirjasto",
                question_fi="Mitä kuuluu?",
                question_sv="Hur mår du?",
                question_en="How are you?",
                active=False,
            )
        )
    return "kayttajatori-2026-09"


@pytest.fixture
def seed_visits(engine, kiosk, post_batch) -> Callable[..., None]:  # noqa: F811
    """``seed_visits(day, [(rating, themes, age_group, district), ...], story=None)``: visits
    on ``day``, received that same day (as a kiosk online would send them)."""

    def seed(day: date, rows, *, stories: dict[int, tuple[str, str]] | None = None) -> None:
        batch: list[dict] = []
        for i, (rating, themes, age, district) in enumerate(rows):
            story = (stories or {}).get(i)
            visit = make_visit(
                kiosk.kiosk_id,
                rating=rating,
                theme_ids=themes,
                age_group=age,
                district=district,
                created_at=at(day),
                story=story[0] if story else None,
            )
            for record in visit:
                if record["kind"] == "story":  # as kiosk/visit.py save_story writes it
                    record["theme_ids"] = list(themes)
            batch.extend(visit)
        for start in range(0, len(batch), 50):
            post_batch(kiosk, batch[start : start + 50])
        with write_connection(engine) as conn:
            conn.execute(
                update(records)
                .where(
                    records.c.created_at >= datetime(day.year, day.month, day.day, tzinfo=UTC),
                    records.c.created_at < datetime(day.year, day.month, day.day, 23, tzinfo=UTC),
                )
                .values(received_at=datetime(day.year, day.month, day.day, 13, tzinfo=UTC))
            )
            for i, story in (stories or {}).items():
                del i
                conn.execute(
                    update(records).where(records.c.story == story[0]).values(story_status=story[1])
                )

    return seed
