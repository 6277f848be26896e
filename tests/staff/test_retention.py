"""Retention on the server: ``kiosk-server purge`` erases story text after its event, closes old
follow-up pages and trims the audit trail; the privacy notice says so, and admins can edit it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from sync.server.cli import main as server_main
from sync.server.db import audit
from sync.server.db.retention import (
    RetentionPolicy,
    follow_up_expired,
    months_before,
    purge,
    tombstone,
)
from sync.server.db.tables import audit_log, events, records
from tests.staff.conftest import csrf_of, make_visit

POLICY = RetentionPolicy(story_months=24, follow_up_months=24, audit_days=730)
NOW = datetime(2029, 6, 15, 12, 0, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def old_and_new(engine, kiosk, post_batch):
    """An event that ended 30 months before NOW with a story, and a recent one with a story."""
    with engine.begin() as conn:
        for event_id, day in (("vanha", date(2026, 12, 1)), ("uusi", date(2029, 5, 1))):
            conn.execute(
                insert(events).values(
                    id=event_id,
                    name_fi=event_id,
                    event_date=day,
                    question_fi="?",
                    active=False,
                )
            )
    old = make_visit(
        kiosk.kiosk_id,
        story="Vanha tarina torista.",
        event_id="vanha",
        created_at=_iso(datetime(2026, 11, 20, tzinfo=UTC)),
    )
    new = make_visit(
        kiosk.kiosk_id,
        story="Uusi tarina torista.",
        event_id="uusi",
        created_at=_iso(datetime(2026, 11, 20, tzinfo=UTC) + timedelta(days=1)),
    )
    for visit, code in ((old, "K7QM4-PX2RT"), (new, "M3B9Q-ZT7WD")):
        for record in visit:
            record["short_code"] = code
    post_batch(kiosk, old + new)
    return old, new


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_purge_is_a_dry_run_until_applied_and_keeps_the_counts(engine, old_and_new):
    old, new = old_and_new
    with engine.begin() as conn:
        # The database refuses to delete entries younger than a year by its own clock, so the
        # old entry is old by the real clock too.
        conn.execute(
            insert(audit_log).values(
                at=datetime.now(UTC) - timedelta(days=800),
                actor="vanha",
                address="",
                action="login",
                target="",
                details={},
            )
        )
    dry = purge(engine, POLICY, now=NOW)
    # The new event's story stays (its event ended 1.5 months ago); both visits are older than
    # 24 months, so both follow-up pages close.
    assert (dry.stories, dry.follow_up_visits, dry.audit_entries, dry.applied) == (1, 2, 1, False)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).where(records.c.story.is_not(None))).scalar() == 2
    done = purge(engine, POLICY, now=NOW, apply=True)
    assert done.as_dict() == dry.as_dict() | {"applied": True}
    with engine.connect() as conn:
        stories = {
            r.id: r.story
            for r in conn.execute(
                select(records.c.id, records.c.story).where(records.c.kind == "story")
            )
        }
        tokens = {r[0] for r in conn.execute(select(records.c.follow_up_token))}
        ratings = conn.execute(select(func.count()).where(records.c.kind == "rating")).scalar()
        trail = list(audit.entries(conn, limit=None))
    assert stories == {old[-1]["id"]: None, new[-1]["id"]: "Uusi tarina torista."}
    assert tokens == {tombstone(old[0]["follow_up_token"]), tombstone(new[0]["follow_up_token"])}
    with engine.connect() as conn:
        codes = {r[0] for r in conn.execute(select(records.c.short_code))}
    assert codes == {None}  # the short codes that opened those pages are gone too
    assert ratings == 2  # aggregates stay
    assert [e["action"] for e in trail] == ["purge"]
    assert trail[0]["details"] == done.as_dict()
    # A second run has nothing left to do.
    again = purge(engine, POLICY, now=NOW, apply=True)
    assert (again.stories, again.follow_up_visits, again.audit_entries) == (0, 0, 0)


def test_retention_arithmetic():
    assert months_before(datetime(2029, 3, 31, tzinfo=UTC), 1) == datetime(2029, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2029, 1, 15, tzinfo=UTC), 24) == datetime(2027, 1, 15, tzinfo=UTC)
    assert follow_up_expired(datetime(2027, 6, 14, tzinfo=UTC), 24, NOW)
    assert not follow_up_expired(datetime(2027, 6, 16, tzinfo=UTC), 24, NOW)
    assert tombstone("abc").startswith("~") and len(tombstone("abc")) == 64
    with pytest.raises(ValueError, match="at least 365"):
        RetentionPolicy(story_months=1, follow_up_months=1, audit_days=30)


def test_purge_command_dry_run_and_apply(tmp_path, capsys, old_and_new, db_url):
    args = ["purge", "--database-url", db_url]
    assert server_main(args) == 0
    out = capsys.readouterr().out
    report = json.loads(out.splitlines()[0])
    assert report["applied"] is False and "--apply" in out
    assert server_main([*args, "--apply"]) == 0
    assert json.loads(capsys.readouterr().out)["applied"] is True


def test_purge_refuses_a_retention_below_the_floor(db_url, monkeypatch, capsys):
    monkeypatch.setenv("KT_AUDIT_RETENTION_DAYS", "30")
    with pytest.raises(SystemExit, match="at least 365"):
        server_main(["purge", "--database-url", db_url])


def test_privacy_notice_quotes_the_settings_and_admins_can_replace_it(client, login, engine):
    page = client.get("/privacy?lang=fi")
    assert page.status_code == 200
    assert "Tarinoiden tekstit poistetaan 24 kuukauden kuluttua" in page.text
    assert "noindex" not in page.text  # a public page for everyone
    sv = client.get("/privacy", headers={"Accept-Language": "sv"}).text
    assert "Dataskyddsbeskrivning" in sv and "24 månader" in sv
    token = login()
    form = client.get("/staff/privacy").text
    assert 'name="body_fi"' in form and 'name="body_sv"' in form
    custom = "# Rekisterinpitäjä\nMikkelin kaupunki\n\nKysy lisää: <script>alert(1)</script>"
    saved = client.post(
        "/staff/privacy",
        data={"csrf": token, "body_fi": custom, "body_sv": "", "body_en": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = client.get("/privacy?lang=fi").text
    assert "<h2>Rekisterinpitäjä</h2>" in shown and "<p>Mikkelin kaupunki</p>" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "Dataskyddsbeskrivning" in client.get("/privacy?lang=sv").text  # still the default
    with engine.connect() as conn:
        entry = next(iter(audit.entries(conn)))
    assert entry["action"] == "privacy_notice_edit" and entry["details"] == {"languages": ["fi"]}
    too_long = client.post(
        "/staff/privacy",
        data={"csrf": token, "body_fi": "x" * 20_001, "body_sv": "", "body_en": ""},
    )
    assert too_long.status_code == 400 and "Teksti on liian pitkä" in too_long.text
    # Empty again: back to the built-in notice.
    client.post("/staff/privacy", data={"csrf": token, "body_fi": "", "body_sv": "", "body_en": ""})
    assert "Tarinoiden tekstit poistetaan" in client.get("/privacy?lang=fi").text


def test_the_follow_up_page_links_to_the_privacy_notice(client, kiosk, post_batch):
    visit = make_visit(kiosk.kiosk_id, story="Tarina")
    post_batch(kiosk, visit)
    page = client.get(f"/f/{visit[0]['follow_up_token']}?lang=fi").text
    assert 'href="/privacy?lang=fi"' in page and "Tietosuojaseloste" in page


def test_privacy_form_needs_csrf(client, login):
    login()
    response = client.post("/staff/privacy", data={"body_fi": "x"})
    assert response.status_code == 403
    assert csrf_of(client.get("/staff/privacy").text)


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_an_old_follow_up_page_says_it_has_closed_before_and_after_purge(
    client, kiosk, post_batch, engine
):
    long_ago = datetime.now(UTC) - timedelta(days=25 * 31)
    old = make_visit(kiosk.kiosk_id, story="Vanha tarina", created_at=_iso(long_ago))
    recent = make_visit(kiosk.kiosk_id, story="Tuore tarina")
    post_batch(kiosk, old + recent)
    old_url = f"/f/{old[0]['follow_up_token']}"
    for url in (old_url, old_url + "/events.ics"):
        page = client.get(url + "?lang=fi")
        assert page.status_code == 410, url
        assert "Tämä seurantasivu on suljettu" in page.text and "Vanha tarina" not in page.text
    assert client.get(f"/f/{recent[0]['follow_up_token']}").status_code == 200
    purge(engine, POLICY, apply=True)
    # The token itself is gone from the database, yet its page still says what happened.
    with engine.connect() as conn:
        tokens = {r[0] for r in conn.execute(select(records.c.follow_up_token))}
    assert old[0]["follow_up_token"] not in tokens
    closed = client.get(old_url + "?lang=sv")
    assert closed.status_code == 410 and "Den här uppföljningssidan har stängts" in closed.text
    assert client.get("/f/" + "A" * 24).status_code == 404


def test_the_follow_up_page_says_on_the_wall_only_when_the_gate_lets_it(
    client, login, kiosk, post_batch, engine
):
    from sqlalchemy import update

    visit = make_visit(kiosk.kiosk_id, story="Soita 040 123 4567")
    post_batch(kiosk, visit)
    with engine.begin() as conn:  # approved by some route that forgot the gate
        conn.execute(
            update(records).where(records.c.id == visit[-1]["id"]).values(story_status="approved")
        )
    page = client.get(f"/f/{visit[0]['follow_up_token']}?lang=en").text
    assert "Your story is on the story wall" not in page
    assert "Library staff will read your story" in page
