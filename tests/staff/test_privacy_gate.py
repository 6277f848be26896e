"""The privacy gate and the audit trail, end to end: signed batches in, the staff's form posts,
what kiosk-config's story wall then serves, and what the audit trail keeps.

The librarian's finding behind these tests: "Soita minulle 040 123 4567" was flagged as personal
data and one click on "Approve for the story wall" sent it to every kiosk.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError

from sync.server.db import audit
from sync.server.db.story_privacy import publishable_stories
from sync.server.db.tables import audit_log, records
from sync.server.domain.audit import Actor
from sync.server.domain.privacy_gate import assess, publishable, redact_all
from tests.staff.conftest import STAFF_USER, make_visit
from tests.staff.test_pages import kiosk_config

PHONE_STORY = "Soita minulle 040 123 4567, kerron lisää torin talviajasta."


@pytest.fixture
def story(client, kiosk, post_batch):
    """Post one visit with ``text`` as its story; returns (story id, act) where ``act(**form)``
    posts the moderation form for it."""

    def make(text: str, token: str):
        visit = make_visit(kiosk.kiosk_id, story=text)
        post_batch(kiosk, visit)
        story_id = visit[-1]["id"]

        def act(**data):
            return client.post(
                f"/staff/stories/{story_id}", data={"csrf": token, **data}, follow_redirects=False
            )

        return story_id, act

    return make


def wall_texts(client, kiosk) -> list[str]:
    return [s["text"] for s in kiosk_config(client, kiosk)["stories"]]


def audit_actions(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [(e["actor"], e["action"], e["target"]) for e in audit.entries(conn, limit=None)]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_phone_number_cannot_reach_the_wall_in_one_click(client, login, kiosk, story, engine):
    story_id, act = story(PHONE_STORY, login())
    refused = act(action="approve")
    assert refused.status_code == 400
    assert "Tarinassa voi olla henkilötietoja. Poista jokainen löydös" in refused.text
    assert wall_texts(client, kiosk) == []
    # A reason of a word or two is not a reason.
    assert act(action="approve", reason="ok").status_code == 400
    assert wall_texts(client, kiosk) == []
    reason = "The number is the public help line of the library."
    assert act(action="approve", reason=reason).status_code == 303
    assert wall_texts(client, kiosk) == [PHONE_STORY]
    entries = [e for e in audit.entries(engine.connect(), limit=None)]
    override = next(e for e in entries if e["action"] == "story_approve_override")
    assert override["actor"] == STAFF_USER and override["target"] == story_id
    assert override["details"]["reason"] == reason
    assert override["details"]["open_findings"] == ["phone"]
    assert override["address"] == "testclient"
    # The page says it went out despite the finding, and why.
    assert reason in client.get("/staff/stories?status=approved&lang=en").text


def test_remove_all_findings_in_one_action_then_approve(client, login, kiosk, story):
    text_ = "Soita 040 123 4567 tai kirjoita liisa@example.fi, asun Porrassalmenkatu 5:ssä."
    story_id, act = story(text_, login())
    page = client.get("/staff/stories?lang=en").text
    assert "Remove all findings" in page
    assert act(action="redact_all").status_code == 303
    assert act(action="approve").status_code == 303
    (shown,) = wall_texts(client, kiosk)
    assert "040" not in shown and "@" not in shown and "Porrassalmenkatu 5" not in shown
    assert shown.count("[…]") == 3


def test_a_dismissed_finding_no_longer_blocks_and_the_wall_keeps_it(
    client, login, kiosk, story, engine
):
    # A bus route number long enough to look like a phone number.
    text_ = "Linja 1234567 kulkee liian harvoin iltaisin."
    story_id, act = story(text_, login())
    assert act(action="approve").status_code == 400
    assert act(action="dismiss", finding="phone:1234567").status_code == 303
    # A finding that is not in the story cannot be dismissed.
    assert act(action="dismiss", finding="phone:999").status_code == 400
    assert act(action="approve").status_code == 303
    assert wall_texts(client, kiosk) == [text_]
    assert ("liisa", "story_dismiss", story_id) in audit_actions(engine)


def test_the_manual_flag_blocks_and_takes_a_published_story_off_the_wall(
    client, login, kiosk, story, engine
):
    text_ = "Naapurini Matti Meikäläinen tekee parasta pullaa koko kaupungissa."
    story_id, act = story(text_, login())
    assert act(action="approve").status_code == 303
    assert wall_texts(client, kiosk) == [text_]
    assert act(action="flag").status_code == 303
    assert wall_texts(client, kiosk) == []
    with engine.connect() as conn:
        status = conn.execute(select(records.c.story_status).where(records.c.id == story_id))
        assert status.scalar() == "pending"
    assert act(action="approve").status_code == 400
    assert act(action="redact", passage="Matti Meikäläinen").status_code == 303
    assert act(action="unflag").status_code == 303
    assert act(action="approve").status_code == 303
    assert wall_texts(client, kiosk) == ["Naapurini […] tekee parasta pullaa koko kaupungissa."]
    actions = [a for _, a, t in audit_actions(engine) if t == story_id]  # newest first
    assert actions == [
        "story_approve",
        "story_unflag",
        "story_redact",
        "story_flag",
        "story_approve",
    ]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_the_wall_builder_enforces_the_gate_whatever_the_status_column_says(
    client, kiosk, post_batch, engine
):
    """A form that forgot the gate (or a hand edit in the database) still cannot publish."""
    texts = {
        "phone": PHONE_STORY,
        "hidden": "Piilotettu tarina.",
        "withdrawn": "Peruttu tarina.",
        "clean": "Torilla on mukava käydä.",
    }
    ids = {}
    for key, text_ in texts.items():
        visit = make_visit(kiosk.kiosk_id, story=text_)
        post_batch(kiosk, visit)
        ids[key] = visit[-1]["id"]
    with engine.begin() as conn:
        for key, status in (
            ("phone", "approved"),
            ("hidden", "hidden"),
            ("withdrawn", "withdrawn"),
            ("clean", "approved"),
        ):
            conn.execute(
                update(records).where(records.c.id == ids[key]).values(story_status=status)
            )
    assert wall_texts(client, kiosk) == [texts["clean"]]
    with engine.connect() as conn:
        assert [s["id"] for s in publishable_stories(conn)] == [ids["clean"]]


def test_gate_rules_are_pure():
    privacy = assess(PHONE_STORY)
    assert privacy.has_open_findings and not privacy.gate_open
    assert not publishable("approved", PHONE_STORY, privacy)
    assert publishable("approved", PHONE_STORY, assess(PHONE_STORY, override_reason="public line"))
    assert not publishable("hidden", "Hyvä tarina", assess("Hyvä tarina"))
    assert not publishable("approved", "   ", assess("   "))
    assert publishable("approved", "Hyvä tarina", assess("Hyvä tarina"))
    assert not publishable("approved", "Hyvä", assess("Hyvä", manually_flagged=True))
    cleaned = redact_all(PHONE_STORY, privacy.open_findings)
    assert "040" not in cleaned and not assess(cleaned).has_open_findings
    with pytest.raises(ValueError):
        redact_all("Hyvä tarina", [])


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_the_audit_trail_is_append_only_in_the_database(engine):
    now = datetime.now(UTC)
    with engine.begin() as conn:
        audit.append(conn, Actor("liisa", "10.0.0.5"), "export", "all", {"format": "csv"})
        conn.execute(
            insert(audit_log).values(
                at=now - timedelta(days=800),
                actor="vanha",
                address="",
                action="login",
                target="",
                details={},
            )
        )
    for statement in (
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log WHERE actor = 'liisa'",
    ):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.begin() as conn:
        assert audit.purge_before(conn, now - timedelta(days=730)) == 1
    with engine.connect() as conn:
        assert [e["actor"] for e in audit.entries(conn)] == ["liisa"]


def test_audit_page_filters_and_exports(client, login, kiosk, story, engine):
    token = login()
    story_id, act = story("Torilla on mukava käydä.", token)
    act(action="approve")
    act(action="hide")
    page = client.get("/staff/audit?lang=en")
    assert page.status_code == 200
    assert "Approved a story for the story wall" in page.text
    assert "Hid a story" in page.text
    only_hide = client.get("/staff/audit", params={"action": "story_hide", "lang": "en"}).text
    assert "Hid a story" in only_hide and "Approved a story for" not in only_hide.split("<table")[1]
    # Nonsense filters are ignored, never an error.
    assert client.get("/staff/audit", params={"since": "eilen", "action": "x"}).status_code == 200
    download = client.get("/staff/api/audit", params={"format": "csv", "actor": STAFF_USER})
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert {r["action"] for r in rows} >= {"story_approve", "story_hide"}
    assert all(r["actor"] == STAFF_USER for r in rows)
    # The export itself is in the trail, with its filters.
    assert ("liisa", "export", "audit") in audit_actions(engine)
    # The story text never enters the trail.
    with engine.connect() as conn:
        assert "Torilla" not in str(list(audit.entries(conn, limit=None)))


def test_record_export_is_audited_with_its_filters(client, login, engine):
    login()
    assert (
        client.get("/staff/api/export", params={"format": "csv", "event": "x"}).status_code == 200
    )
    with engine.connect() as conn:
        entry = next(e for e in audit.entries(conn) if e["action"] == "export")
    assert entry["target"] == "records"
    assert entry["details"] == {"format": "csv", "event_id": "x"}


def test_every_audit_action_has_a_label_in_both_catalogues():
    from babel.messages.pofile import read_po

    from sync.server.domain.audit import ACTIONS
    from sync.server.domain.i18n import LOCALE_DIR

    for lang in ("fi", "sv"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "web.po").open("rb") as handle:
            catalog = read_po(handle)
        missing = [label for label in ACTIONS.values() if not catalog.get(label)]
        assert not missing, f"{lang}: {missing}"
