"""Fixtures of the staff-web tests: a migrated database (SQLite, or PostgreSQL when asked), the
real app from ``create_app``, a staff account, an enrolled kiosk and a signed-batch poster.

``staff_db`` is parametrised by the tests that should also run on PostgreSQL; most tests use
SQLite, the engine a single city runs, to stay inside the area's time budget.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from sync.protocol import canonical_json, new_follow_up_token, signature_headers
from sync.server.db.engine import default_sqlite_url
from sync.server.db.kiosks import Enrolled, enroll_kiosk
from sync.server.db.staff_users import add_staff_user
from sync.server.db.tables import events, theme_steps, theme_updates, themes

STAFF_USER = "liisa"
STAFF_PASSWORD = "oikein-hyvä-salasana"


@pytest.fixture
def db_url(request, tmp_path) -> Iterator[str]:
    """SQLite by default; ``parametrize("db_url", ["sqlite", "postgresql"], indirect=True)``
    runs a test on both engines (PostgreSQL: its own schema, dropped afterwards)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield default_sqlite_url(tmp_path / "data")
        return
    yield request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def staff(engine) -> str:
    add_staff_user(engine, STAFF_USER, STAFF_PASSWORD)
    return STAFF_USER


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def login(client, staff) -> Callable[[], str]:
    """Sign the client in; returns a CSRF token valid for the session."""

    def sign_in() -> str:
        page = client.get("/staff/login")
        response = client.post(
            "/staff/login",
            data={"csrf": csrf_of(page.text), "username": STAFF_USER, "password": STAFF_PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return csrf_of(client.get("/staff/").text)

    return sign_in


@pytest.fixture
def kiosk(engine) -> Enrolled:
    return enroll_kiosk(engine, "Pääkirjasto 1", "Pääkirjasto")


def make_visit(
    kiosk_id: str,
    *,
    rating=3,
    theme_ids=("liikenne",),
    story=None,
    created_at=None,
    age_group=None,
    district=None,
    event_id="kayttajatori-2026-11",
    lang="fi",
) -> list[dict]:
    """The records of one visit as a kiosk would send them."""
    token = new_follow_up_token()
    visit = str(uuid.uuid4())
    when = created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    base = {
        "visit_id": visit,
        "created_at": when,
        "kiosk_id": kiosk_id,
        "event_id": event_id,
        "lang": lang,
        "follow_up_token": token,
        "age_group": age_group,
        "district": district,
    }
    out = [dict(base, id=str(uuid.uuid4()), kind="rating", rating=rating)]
    if theme_ids:
        out.append(dict(base, id=str(uuid.uuid4()), kind="themes", theme_ids=list(theme_ids)))
    if story:
        out.append(dict(base, id=str(uuid.uuid4()), kind="story", story=story))
    return out


@pytest.fixture
def post_batch(client) -> Callable[[Enrolled, list[dict]], dict]:
    """POST a signed batch the way a kiosk does (httpx + sync.protocol.signature_headers)."""

    def post(kiosk: Enrolled, records: list[dict]) -> dict:
        body = canonical_json({"batch_id": str(uuid.uuid4()), "records": records})
        headers = signature_headers(
            kiosk.kiosk_id, kiosk.secret, "POST", "/api/v1/batches", body, int(time.time())
        )
        response = client.post(
            "/api/v1/batches", content=body, headers=headers | {"Content-Type": "application/json"}
        )
        assert response.status_code in (200, 201), response.text
        return response.json()

    return post


@pytest.fixture
def demo_themes(engine) -> None:
    """Two themes: one complete (velho, path a year ahead, an update), one with nothing."""
    seed_demo_themes(engine)


# The texts of the demo theme "liikenne" as seeded (tests build its staff form from them too).
LIIKENNE_TEXTS = {
    "name_fi": "Liikenne ja pyöräily",
    "name_sv": "Trafik och cykling",
    "name_en": "Traffic and cycling",
    "velho_name": "Väinö Velho",
    "velho_role_fi": "liikennesuunnittelija",
    "velho_role_sv": "trafikplanerare",
    "velho_role_en": "traffic planner",
    "velho_contact": "vaino@example.fi",
}


def seed_demo_themes(engine: Engine) -> None:
    today = date.today()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(themes).values(
                {
                    "id": "liikenne",
                    **LIIKENNE_TEXTS,
                    "velho_contact_public": True,
                    "sort_order": 1,
                    "active": True,
                    "updated_at": now,
                }
            )
        )
        conn.execute(
            insert(themes).values(
                {
                    "id": "nuoret",
                    "name_fi": "Nuoret",
                    "name_sv": "Unga",
                    "name_en": "Youth",
                    "sort_order": 2,
                    "active": True,
                    "updated_at": now,
                }
            )
        )
        conn.execute(
            insert(theme_steps),
            [
                {
                    "theme_id": "liikenne",
                    "step_date": today - timedelta(days=30),
                    "title_fi": "Kysely asukkaille",
                    "title_sv": "Enkät",
                    "title_en": "Survey",
                    "done": True,
                },
                {
                    "theme_id": "liikenne",
                    "step_date": today + timedelta(days=60),
                    "title_fi": "Luonnos",
                    "title_sv": "Utkast",
                    "title_en": "Draft",
                    "done": False,
                },
                {
                    "theme_id": "liikenne",
                    "step_date": today + timedelta(days=300),
                    "title_fi": "Päätös",
                    "title_sv": "Beslut",
                    "title_en": "Decision",
                    "done": False,
                },
            ],
        )
        conn.execute(
            insert(theme_updates),
            [
                {
                    "theme_id": "liikenne",
                    "update_date": today - timedelta(days=40),
                    "text_fi": "Pyörätiet kartoitettu.",
                    "text_sv": "Cykelvägarna kartlagda.",
                    "text_en": "Cycle paths mapped.",
                    "created_at": now,
                    "created_by": "seed",
                },
            ],
        )
        conn.execute(
            insert(events),
            [
                {
                    "id": "kayttajatori-2026-11",
                    "name_fi": "Käyttäjätori marraskuu",
                    "name_sv": "Användartorget november",
                    "name_en": "User market November",
                    "event_date": today + timedelta(days=20),
                    "location": "Mikkelin pääkirjasto",
                    "question_fi": "Miltä Mikkeli näyttää?",
                    "question_sv": "Hur ser Mikkeli ut?",
                    "question_en": "How does Mikkeli look?",
                    "active": True,
                },
            ],
        )
