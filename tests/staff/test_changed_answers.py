"""A visitor who goes back and taps another face: the last answer counts, the first stays stored.

The kiosk saves a new rating (or themes) record of the same visit; the server counts one per
visit, the latest by ``created_at`` then ``id`` (sync.server.db.superseded), in the pictures,
the kiosk-config mood counts, the exports and the follow-up page. Batches may arrive in any
order. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sync.server.db import dashboard as q
from sync.server.db.kiosk_config import _mood_weeks
from sync.server.db.superseded import superseded
from sync.server.db.tables import records
from sync.server.domain.answers import counted_records
from sync.server.domain.stats import visit_faces
from tests.staff.conftest import make_visit

pytestmark = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def changed_visit(kiosk_id: str, now: datetime) -> tuple[list[dict], list[dict]]:
    """(first answers, changed answers) of one visit: face 1 then 4, themes nuoret then liikenne."""
    first = make_visit(
        kiosk_id, rating=1, theme_ids=("nuoret",), created_at=stamp(now - timedelta(seconds=20))
    )
    visit, token = first[0]["visit_id"], first[0]["follow_up_token"]
    later = make_visit(
        kiosk_id, rating=4, theme_ids=("liikenne",), created_at=stamp(now - timedelta(seconds=5))
    )
    for record in later:
        record.update(visit_id=visit, follow_up_token=token)
    return first, later


def test_the_last_face_and_themes_count_everywhere_the_first_stay_stored(
    client, login, kiosk, post_batch, engine, demo_themes
):
    login()
    now = datetime.now(UTC)
    first, later = changed_visit(kiosk.kiosk_id, now)
    post_batch(kiosk, later)  # the changed answers arrive first: order of arrival does not matter
    post_batch(kiosk, first)
    post_batch(kiosk, make_visit(kiosk.kiosk_id, rating=2, theme_ids=("nuoret",)))

    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(records)).scalar_one()
        flagged = conn.execute(select(records.c.id).where(superseded())).scalars().all()
        rows = q.chart_rows(conn, None, None)
        youth = q.chart_rows(conn, "nuoret", None)
        moods = _mood_weeks(conn, ["liikenne", "nuoret"], now, 2)
    assert stored == 6  # nothing deleted
    assert sorted(flagged) == sorted(r["id"] for r in first)
    assert sorted(r for _, r in visit_faces(rows["ratings"]).values()) == [2, 4]
    assert dict(rows["theme_counts"]) == {"liikenne": 1, "nuoret": 1}
    # the changed visit left "nuoret"
    assert [r for _, r in visit_faces(youth["ratings"]).values()] == [2]
    week = max(moods["liikenne"])
    assert moods["liikenne"][week] == {"4": 1}
    assert moods["nuoret"][week] == {"2": 1}  # not the changed visit's first face

    exported = [
        json.loads(line)
        for line in client.get("/staff/api/export", params={"format": "jsonl"}).text.splitlines()
    ]
    ratings = [r["rating"] for r in exported if r["kind"] == "rating"]
    assert sorted(ratings) == [2, 4] and len(exported) == 4

    page = client.get("/staff/pictures?lang=en").text
    assert "Very happy 1" in page and "Very unhappy 0" in page

    follow_up = client.get(f"/f/{first[0]['follow_up_token']}?lang=en").text
    assert "face-4.svg" in follow_up and "face-1.svg" not in follow_up
    assert "Traffic and cycling" in follow_up and "Youth" not in follow_up


def test_the_batch_page_flags_the_replaced_answer(client, login, kiosk, post_batch):
    login()
    first, later = changed_visit(kiosk.kiosk_id, datetime.now(UTC))
    post_batch(kiosk, later)
    ack = post_batch(kiosk, first)
    page = client.get(f"/staff/batches/{ack['batch_id']}?lang=fi").text
    assert page.count("korvattu saman käynnin myöhemmällä vastauksella; ei lasketa") == 2
    newer = post_batch(kiosk, make_visit(kiosk.kiosk_id))
    assert "korvattu" not in client.get(f"/staff/batches/{newer['batch_id']}?lang=fi").text


def test_two_answers_in_the_same_instant_are_ordered_by_id(client, kiosk, post_batch, engine):
    now = stamp(datetime.now(UTC))
    visit = make_visit(kiosk.kiosk_id, rating=1, theme_ids=(), created_at=now)
    again = dict(visit[0], rating=3)
    ids = sorted([str(uuid.uuid4()), str(uuid.uuid4())])
    visit[0]["id"], again["id"] = ids
    post_batch(kiosk, [again, visit[0]])
    with engine.connect() as conn:
        faces = visit_faces(q.chart_rows(conn, None, None)["ratings"]).values()
        flagged = conn.execute(select(records.c.id).where(superseded())).scalars().all()
    assert [r for _, r in faces] == [3]  # the larger id is the later one
    assert flagged == [ids[0]]


def test_the_sql_rule_and_the_python_rule_agree(kiosk, post_batch, engine):
    """sync.server.db.superseded (SQL) and sync.server.domain.answers (rows already read) admit
    the same records: three faces and two choices of one visit, two of them in the same
    instant, arriving out of order."""
    now = datetime.now(UTC)
    visit = make_visit(kiosk.kiosk_id, rating=1, theme_ids=("nuoret",), created_at=stamp(now))
    token = visit[0]["follow_up_token"]
    more = []
    for seconds, rating, theme in ((0, 2, "liikenne"), (-30, 3, "nuoret"), (10, 4, "liikenne")):
        for record in make_visit(
            kiosk.kiosk_id,
            rating=rating,
            theme_ids=(theme,),
            created_at=stamp(now + timedelta(seconds=seconds)),
        ):
            more.append(record | {"visit_id": visit[0]["visit_id"], "follow_up_token": token})
    post_batch(kiosk, more[2:])
    post_batch(kiosk, visit + more[:2])
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(records)).mappings()]
        flagged = set(conn.execute(select(records.c.id).where(superseded())).scalars())
    kept = {r["id"] for r in counted_records(rows)}
    assert kept == {r["id"] for r in rows} - flagged
    assert [r["rating"] for r in counted_records(rows) if r["kind"] == "rating"] == [4]
