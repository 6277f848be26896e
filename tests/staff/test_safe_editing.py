"""Safe editing of themes (issue 12, items 8 and 10): a new theme is a draft until published,
publishing with warnings asks first, path steps are editable, deletes ask first, every edit is
in the audit trail with before and after, and a status update can answer residents' stories —
their follow-up pages then say so — with each theme's progress along its path shown."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from sync.server.db import audit
from sync.server.db.tables import theme_steps, theme_updates
from tests.staff.conftest import make_visit
from tests.staff.test_pages import kiosk_config

BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


def _entries(engine, action: str) -> list[dict]:
    with engine.connect() as conn:
        return list(audit.entries(conn, audit.AuditFilter(action=action)))


def _new_theme(client, csrf: str, **extra) -> None:
    response = client.post(
        "/staff/themes",
        follow_redirects=False,
        data={"csrf": csrf, "id": "kirjasto", "name_fi": "Kirjasto", "name_en": "Library"} | extra,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/themes/kirjasto")


@BOTH
def test_a_new_theme_is_a_draft_until_published_and_warnings_ask_first(
    client, login, kiosk, post_batch, demo_themes, engine
):
    csrf = login()
    _new_theme(client, csrf)
    assert _entries(engine, "theme_create")[0]["target"] == "kirjasto"
    page = client.get("/staff/themes/kirjasto?lang=en").text
    assert "is a draft" in page and "Publish the theme" in page
    assert "kirjasto" not in [t["id"] for t in kiosk_config(client, kiosk)["themes"]]
    # A visit that somehow names the draft does not show it on the follow-up page either.
    visit = make_visit(kiosk.kiosk_id, theme_ids=("kirjasto",))
    post_batch(kiosk, visit)
    assert "Library" not in client.get(f"/f/{visit[0]['follow_up_token']}?lang=en").text

    # No velho and no path: the first post shows the warnings and asks; nothing is published.
    asked = client.post("/staff/themes/kirjasto/publish", data={"csrf": csrf})
    assert asked.status_code == 200
    assert "No velho" in asked.text and "less than six months" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert "kirjasto" not in [t["id"] for t in kiosk_config(client, kiosk)["themes"]]
    assert _entries(engine, "theme_publish") == []

    done = client.post(
        "/staff/themes/kirjasto/publish",
        data={"csrf": csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "kirjasto" in [t["id"] for t in kiosk_config(client, kiosk)["themes"]]
    assert "Library" in client.get(f"/f/{visit[0]['follow_up_token']}?lang=en").text
    [entry] = _entries(engine, "theme_publish")
    assert entry["details"]["warnings"] == ["no-velho", "path-short"]
    assert entry["actor"] == "liisa"


def test_a_ready_draft_publishes_without_asking(client, login, kiosk, demo_themes):
    csrf = login()
    _new_theme(client, csrf, velho_name="Vilja Velho")
    far = (date.today() + timedelta(days=300)).isoformat()
    client.post(
        "/staff/themes/kirjasto/steps",
        data={"csrf": csrf, "step_date": far, "title_fi": "Avajaiset"},
    )
    done = client.post(
        "/staff/themes/kirjasto/publish", data={"csrf": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "kirjasto" in [t["id"] for t in kiosk_config(client, kiosk)["themes"]]


@BOTH
def test_steps_are_editable_and_deletes_ask_first_with_before_and_after_in_the_audit(
    client, login, kiosk, demo_themes, engine
):
    csrf = login()
    with engine.connect() as conn:
        step = (
            conn.execute(select(theme_steps).where(theme_steps.c.title_fi == "Luonnos"))
            .mappings()
            .one()
        )
    form = client.get(f"/staff/themes/liikenne/steps/{step['id']}?lang=en").text
    assert 'value="Luonnos"' in form and step["step_date"].isoformat() in form
    new_date = (date.today() + timedelta(days=90)).isoformat()
    saved = client.post(
        f"/staff/themes/liikenne/steps/{step['id']}",
        follow_redirects=False,
        data={
            "csrf": csrf,
            "action": "save",
            "step_date": new_date,
            "title_fi": "Luonnos nähtäville",
            "title_sv": "Utkast",
            "title_en": "Draft",
        },
    )
    assert saved.status_code == 303
    path = next(t for t in kiosk_config(client, kiosk)["themes"] if t["id"] == "liikenne")["path"]
    assert {"date": new_date, "fi": "Luonnos nähtäville"} in [
        {"date": s["date"], "fi": s["title"]["fi"]} for s in path
    ]
    [edit] = _entries(engine, "step_edit")
    assert edit["details"]["before"] == {
        "step_date": step["step_date"].isoformat(),
        "title_fi": "Luonnos",
    }
    assert edit["details"]["after"] == {"step_date": new_date, "title_fi": "Luonnos nähtäville"}

    # A wrong date is named, and nothing changes.
    bad = client.post(
        f"/staff/themes/liikenne/steps/{step['id']}",
        data={"csrf": csrf, "action": "save", "step_date": "1.2.2027", "title_fi": "X"},
    )
    assert bad.status_code == 400 and "step_date" in bad.text

    # Deleting the update asks first; the confirmation deletes and the audit keeps the text.
    with engine.connect() as conn:
        update_id = conn.execute(select(theme_updates.c.id)).scalar_one()
    asked = client.post(f"/staff/themes/liikenne/updates/{update_id}/delete", data={"csrf": csrf})
    assert asked.status_code == 200 and "Cycle paths mapped." in asked.text
    with engine.connect() as conn:
        assert conn.execute(select(theme_updates.c.id)).first() is not None
    client.post(
        f"/staff/themes/liikenne/updates/{update_id}/delete", data={"csrf": csrf, "confirm": "yes"}
    )
    with engine.connect() as conn:
        assert conn.execute(select(theme_updates.c.id)).first() is None
    [gone] = _entries(engine, "update_delete")
    assert gone["details"]["before"]["text_fi"] == "Pyörätiet kartoitettu."
    trail = client.get("/staff/audit?lang=en").text
    assert "Edited a step" in trail and "Deleted an update" in trail
    assert "Luonnos nähtäville" in trail  # the after of the step edit, readable on the page


@BOTH
def test_an_update_answers_stories_and_their_follow_up_pages_say_so(
    client, login, kiosk, post_batch, demo_themes, engine
):
    csrf = login()
    answered = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",), story="Lisää pyöräparkkeja!")
    other = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",), story="Bussit myöhässä.")
    elsewhere = make_visit(kiosk.kiosk_id, theme_ids=("nuoret",), story="Nuorisotila!")
    for visit in (answered, other, elsewhere):
        post_batch(kiosk, visit)
    story_id = answered[-1]["id"]
    page = client.get("/staff/themes/liikenne?lang=en").text
    # Staff pick among the stories of this theme only.
    assert "Lisää pyöräparkkeja!" in page and "Bussit myöhässä." in page
    assert "Nuorisotila!" not in page
    assert "Step 2 of 3" in page and "1 of 3 steps done" in page
    response = client.post(
        "/staff/themes/liikenne/updates",
        follow_redirects=False,
        data={
            "csrf": csrf,
            "update_date": date.today().isoformat(),
            "text_fi": "Pyöräparkit tilattu.",
            "stories": [story_id],
        },
    )
    assert response.status_code == 303
    said = client.get(f"/f/{answered[0]['follow_up_token']}?lang=en").text
    section = said.split("Pyöräparkit tilattu.")[1].split("</li>")[0]
    assert "Your story was taken into account in this update." in section
    assert "Step 2 of 3" in said
    not_said = client.get(f"/f/{other[0]['follow_up_token']}?lang=en").text
    assert "Pyöräparkit tilattu." in not_said
    assert "taken into account" not in not_said
    [entry] = _entries(engine, "update_add")
    assert entry["details"]["answers"] == [story_id]
    assert "Stories this update answers: 1" in client.get("/staff/themes/liikenne?lang=en").text
    # A story of another theme cannot be linked by editing the form.
    refused = client.post(
        "/staff/themes/liikenne/updates",
        data={
            "csrf": csrf,
            "update_date": date.today().isoformat(),
            "text_fi": "Väärä linkki.",
            "stories": [elsewhere[-1]["id"]],
        },
    )
    assert refused.status_code == 400 and "stories" in refused.text
