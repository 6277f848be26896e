"""The follow-up page shows staff's edits on the very next request, though it memoises sections.

Each theme's section of ``/f/<token>`` is rendered once and kept, keyed on the rows it was made
from, so these tests first render a page (twice, so the second answer comes from the memo), then
change what it shows through the staff pages and read the page again at once. They also cover the
shapes of the page's database work: more themes than one record holds, and an unknown token or a
visit without themes on PostgreSQL as well as SQLite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select

from sync.server.db.tables import theme_steps, theme_updates, themes
from tests.staff.conftest import LIIKENNE_TEXTS, make_visit


def _page(client, token: str) -> str:
    response = client.get(f"/f/{token}?lang=en")
    assert response.status_code == 200
    return response.text


def _seen_twice(client, token: str) -> str:
    first = _page(client, token)
    assert _page(client, token) == first
    return first


def _section(html: str, theme_id: str) -> str:
    return html.split(f'id="theme-{theme_id}"')[1].split("</section>")[0]


def _theme_form(csrf: str, **changes: str) -> dict:
    """The staff form of the demo theme "liikenne" as seeded, with ``changes``."""
    form = {
        "csrf": csrf,
        **LIIKENNE_TEXTS,
        "velho_contact_public": "on",
        "active": "on",
        "sort_order": "1",
    }
    return form | changes


def test_theme_edits_show_on_the_next_request(
    client, login, kiosk, post_batch, demo_themes, engine
):
    csrf = login()
    visit = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",))
    post_batch(kiosk, visit)
    token = visit[0]["follow_up_token"]
    before = _section(_seen_twice(client, token), "liikenne")
    assert "Väinö Velho" in before and "vaino@example.fi" in before

    # The velho's name, role and contact: the theme's own row.
    form = _theme_form(csrf, velho_name="Ville Velho", velho_role_en="cycling planner")
    del form["velho_contact_public"]
    assert client.post("/staff/themes/liikenne", data=form).status_code == 200
    html = _page(client, token)
    section = _section(html, "liikenne")
    assert "Ville Velho" in section and "cycling planner" in section
    assert "Väinö Velho" not in section and "vaino@example.fi" not in section

    # The theme's name, in the list of chosen themes as well as on its section.
    form = _theme_form(csrf, name_en="Streets and cycling")
    assert client.post("/staff/themes/liikenne", data=form).status_code == 200
    html = _page(client, token)
    assert html.count("Streets and cycling") == 2 and "Traffic and cycling" not in html

    # A step's done flag moves "we are here" to the next step.
    current = _section(_seen_twice(client, token), "liikenne").split('aria-current="step"')[1]
    assert "Draft" in current.split("</li>")[0]
    with engine.connect() as conn:
        draft = conn.execute(
            select(theme_steps.c.id).where(theme_steps.c.title_fi == "Luonnos")
        ).scalar_one()
    marked = client.post(
        f"/staff/themes/liikenne/steps/{draft}", data={"csrf": csrf, "action": "done"}
    )
    assert marked.status_code == 200
    section = _section(_page(client, token), "liikenne")
    assert "Decision" in section.split('aria-current="step"')[1].split("</li>")[0]
    assert "Draft" in section.split('<li class="done"')[2].split("</li>")[0]

    # A new step dated before the others comes first on the path.
    early = (date.today() - timedelta(days=90)).isoformat()
    added = client.post(
        "/staff/themes/liikenne/steps",
        data={"csrf": csrf, "step_date": early, "title_fi": "Alku", "title_en": "Start"},
    )
    assert added.status_code == 200
    path = _section(_page(client, token), "liikenne").split('<ol class="path">')[1]
    assert path.index("Start") < path.index("Survey") < path.index("Draft")

    # A status update deleted by staff is gone, and "no news" says so.
    with engine.connect() as conn:
        update_id = conn.execute(
            select(theme_updates.c.id).where(theme_updates.c.theme_id == "liikenne")
        ).scalar_one()
    assert "Cycle paths mapped." in _section(_seen_twice(client, token), "liikenne")
    deleted = client.post(
        f"/staff/themes/liikenne/updates/{update_id}/delete", data={"csrf": csrf, "confirm": "yes"}
    )
    assert deleted.status_code == 200
    section = _section(_page(client, token), "liikenne")
    assert "Cycle paths mapped." not in section and "No news yet" in section


def test_an_update_is_new_only_for_visits_before_it(client, login, kiosk, post_batch, demo_themes):
    """Two visits share the theme's memoised section only where it shows the same: an update
    dated today is "since your visit" for a visit last month, not for one today."""
    csrf = login()
    old = make_visit(
        kiosk.kiosk_id,
        theme_ids=("nuoret",),
        created_at=(datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )
    new = make_visit(kiosk.kiosk_id, theme_ids=("nuoret",))
    for visit in (old, new):
        post_batch(kiosk, visit)
        assert "No news yet" in _seen_twice(client, visit[0]["follow_up_token"])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = client.post(
        "/staff/themes/nuoret/updates",
        data={"csrf": csrf, "update_date": yesterday, "text_fi": "Tila", "text_en": "A room."},
    )
    assert response.status_code == 200
    old_html = _section(_page(client, old[0]["follow_up_token"]), "nuoret")
    new_html = _section(_page(client, new[0]["follow_up_token"]), "nuoret")
    assert "A room." in old_html and "A room." in new_html
    assert "since your visit" in old_html and "since your visit" not in new_html


def test_an_event_edit_shows_on_the_next_request(client, login, kiosk, post_batch, demo_themes):
    csrf = login()
    visit = make_visit(kiosk.kiosk_id)
    post_batch(kiosk, visit)
    token = visit[0]["follow_up_token"]
    assert "User market November" in _seen_twice(client, token)
    later = date.today() + timedelta(days=45)
    saved = client.post(
        "/staff/events",
        data={
            "csrf": csrf,
            "existing": "1",
            "id": "kayttajatori-2026-11",
            "event_date": later.isoformat(),
            "name_fi": "Käyttäjätori joulukuu",
            "name_en": "User market December",
            "question_fi": "Miltä Mikkeli näyttää?",
            "location": "Mikkelin pääkirjasto",
        },
    )
    assert saved.status_code == 200, saved.text
    events = _page(client, token).split('aria-labelledby="events-h"')[1]
    assert "User market December" in events and "User market November" not in events
    assert later.strftime("%d %b %Y").lstrip("0") in events


def test_more_themes_than_one_record_holds(client, kiosk, post_batch, demo_themes, engine):
    """A story can name a theme the themes record did not: the page shows all four, in the
    order chosen, and an unknown token still runs the statements a usual visit runs."""
    with engine.begin() as conn:
        for theme_id in ("kirjasto", "puistot"):
            conn.execute(
                insert(themes).values(
                    id=theme_id,
                    name_fi=theme_id.title(),
                    name_sv="",
                    name_en=f"Theme {theme_id}",
                    sort_order=9,
                    active=True,
                    updated_at=datetime.now(UTC),
                )
            )
    visit = make_visit(
        kiosk.kiosk_id, theme_ids=("nuoret", "kirjasto", "liikenne"), story="Lisää penkkejä!"
    )
    later = datetime.now(UTC) + timedelta(seconds=5)
    visit[-1] |= {"theme_ids": ["puistot"], "created_at": later.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    post_batch(kiosk, visit)
    html = _page(client, visit[0]["follow_up_token"])
    chosen = html.split('<ul class="chosen">')[1].split("</ul>")[0]
    order = ["Youth", "Theme kirjasto", "Traffic and cycling", "Theme puistot"]
    assert [chosen.index(name) for name in order] == sorted(chosen.index(n) for n in order)
    for theme_id in ("nuoret", "kirjasto", "liikenne", "puistot"):
        assert f'id="theme-{theme_id}"' in html

    usual = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",))
    post_batch(kiosk, usual)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        _page(client, usual[0]["follow_up_token"])
        known = list(statements)
        statements.clear()
        assert client.get("/f/CCCCCCCCCCCCCCCCCCCCCCCC").status_code == 404
        assert statements == known
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_unknown_token_and_a_visit_without_themes_on_both_engines(
    client, kiosk, post_batch, demo_themes
):
    assert client.get("/f/AAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert client.get("/f/AAAAAAAAAAAAAAAAAAAAAAAA/events.ics").status_code == 404
    visit = make_visit(kiosk.kiosk_id, theme_ids=(), event_id="no-such-event")
    post_batch(kiosk, visit)
    html = _page(client, visit[0]["follow_up_token"])
    assert "The themes you chose" not in html and "User market November" in html
