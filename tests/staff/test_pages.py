"""The staff pages and the follow-up page working end to end through create_app (TestClient).

Records arrive the way kiosks send them: signed batches to /api/v1/batches. What kiosks get
back is read from the signed /api/v1/kiosk-config.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import insert, select, update

from sync.protocol import signature_headers
from sync.server.db.tables import kiosks, records
from sync.server.domain.exports import COLUMNS
from tests.staff.conftest import make_visit


def kiosk_config(client, kiosk) -> dict:
    path = "/api/v1/kiosk-config"
    headers = signature_headers(kiosk.kiosk_id, kiosk.secret, "GET", path, b"", int(time.time()))
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def export_csv(client, **params) -> list[list[str]]:
    response = client.get("/staff/api/export", params={"format": "csv", **params})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    delimiter = ";" if params.get("delimiter") == "semicolon" else ","
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_story_moderation_reaches_kiosk_config_and_withdrawal_erases_it(
    client, login, kiosk, post_batch, engine, demo_themes
):
    token = login()
    visit = make_visit(kiosk.kiosk_id, story="Kauppatori elää talvellakin, soita 040 123 4567")
    post_batch(kiosk, visit)
    story_id = visit[-1]["id"]
    queue = client.get("/staff/api/stories").json()
    assert queue[0]["id"] == story_id and queue[0]["personal_data_suspected"] is True
    assert "phone" in queue[0]["findings"]
    assert "This story may contain personal data" in client.get("/staff/stories?lang=en").text

    def act(**data):
        return client.post(
            f"/staff/stories/{story_id}", data={"csrf": token, **data}, follow_redirects=False
        )

    assert act(action="redact", passage="040 123 4567").status_code == 303
    assert act(action="approve").status_code == 303
    wall = kiosk_config(client, kiosk)["stories"]
    assert [s["text"] for s in wall] == ["Kauppatori elää talvellakin, soita […]"]
    rows = export_csv(client)
    story_row = next(r for r in rows[1:] if r[COLUMNS.index("record_id")] == story_id)
    assert story_row[COLUMNS.index("story")] == "Kauppatori elää talvellakin, soita […]"
    assert act(action="redact", passage="not there").status_code == 400

    # The visitor withdraws from the follow-up page.
    page = client.get(f"/f/{visit[0]['follow_up_token']}")
    wt = page.text.split('name="wt" value="')[1].split('"')[0]
    # The first press only asks for confirmation; nothing is erased yet.
    confirm = client.post(f"/f/{visit[0]['follow_up_token']}/withdraw", data={"wt": wt})
    assert confirm.status_code == 200 and 'name="confirm" value="yes"' in confirm.text
    assert "Kauppatori elää talvellakin" in confirm.text
    with engine.connect() as conn:
        assert (
            conn.execute(select(records.c.story_status).where(records.c.id == story_id)).scalar()
            == "approved"
        )
    response = client.post(
        f"/f/{visit[0]['follow_up_token']}/withdraw",
        data={"wt": wt, "confirm": "yes"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with engine.connect() as conn:
        row = conn.execute(select(records).where(records.c.id == story_id)).mappings().one()
    assert row["story"] is None and row["story_redacted"] is None
    assert row["story_status"] == "withdrawn"
    assert kiosk_config(client, kiosk)["stories"] == []
    data = client.get("/staff/api/export", params={"format": "jsonl"}).text
    assert "Kauppatori" not in data
    assert "Kauppatori" not in client.get("/staff/api/export").text
    # Staff cannot bring it back.
    assert act(action="approve").status_code == 400


def test_withdraw_needs_the_pages_token(client, kiosk, post_batch, engine):
    visit = make_visit(kiosk.kiosk_id, story="Minun Mikkelini")
    post_batch(kiosk, visit)
    token = visit[0]["follow_up_token"]
    other = make_visit(kiosk.kiosk_id, story="Toinen tarina")
    post_batch(kiosk, other)
    other_page = client.get(f"/f/{other[0]['follow_up_token']}").text
    other_wt = other_page.split('name="wt" value="')[1].split('"')[0]
    for data in (
        {"confirm": "yes"},
        {"wt": "0" * 32, "confirm": "yes"},
        {"wt": other_wt, "confirm": "yes"},
    ):
        response = client.post(f"/f/{token}/withdraw", data=data, follow_redirects=False)
        assert response.status_code == 403
    with engine.connect() as conn:
        assert (
            conn.execute(select(records.c.story).where(records.c.id == visit[-1]["id"])).scalar()
            == "Minun Mikkelini"
        )


def test_follow_up_page_shows_contribution_velho_path_updates_events(
    client, kiosk, post_batch, demo_themes
):
    visit = make_visit(
        kiosk.kiosk_id, rating=4, theme_ids=("liikenne", "nuoret"), story="Pyöräteitä!", lang="sv"
    )
    post_batch(kiosk, visit)
    url = f"/f/{visit[0]['follow_up_token']}"
    page = client.get(url)  # no Accept-Language: the kiosk's language (sv)
    assert page.status_code == 200
    html = page.text
    assert '<html lang="sv">' in html
    for text in (
        "Mycket nöjd",
        "Trafik och cykling",
        "Unga",
        "Pyöräteitä!",
        "Väinö Velho",
        "trafikplanerare",
        "vaino@example.fi",
        "Cykelvägarna kartlagda.",
        "Utkast",
        'aria-current="step"',
        "Användartorget november",
        "events.ics?event=",
        "Temat har ännu ingen processledare",
    ):
        assert text in html, text
    # the current step is the first not done (Draft), not the done survey
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "Utkast" in current
    assert client.get(url + "?lang=en").text.count("Traffic and cycling") >= 1
    en = client.get(url, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in en.text and "Very happy" in en.text
    fi = client.get(url + "?lang=fi", headers={"Accept-Language": "en"})
    assert '<html lang="fi">' in fi.text and "Tosi tyytyväinen" in fi.text
    headers = page.headers
    assert headers["referrer-policy"] == "no-referrer"
    assert "noindex" in headers["x-robots-tag"]
    assert '<meta name="robots" content="noindex' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org', "") and "https://" not in html


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_follow_up_page_shows_the_events_at_the_visits_kiosk_only(
    client, kiosk, post_batch, demo_themes, engine
):
    from sync.server.db.kiosks import enroll_kiosk
    from sync.server.db.tables import event_kiosks, events

    other_kiosk = enroll_kiosk(engine, "Otava 1", "Otavan kirjasto")

    soon = date.today() + timedelta(days=30)
    common = {"location": "", "question_fi": "?", "question_sv": "", "question_en": ""}
    with engine.begin() as conn:
        for event_id, name in (("here", "Meidän tori"), ("there", "Toisen kirjaston tori")):
            conn.execute(
                insert(events).values(
                    id=event_id, name_fi=name, name_sv="", name_en="", event_date=soon, **common
                )
            )
        conn.execute(insert(event_kiosks).values(event_id="here", kiosk_id=kiosk.kiosk_id))
        conn.execute(insert(event_kiosks).values(event_id="there", kiosk_id=other_kiosk.kiosk_id))
    visit = make_visit(kiosk.kiosk_id)
    post_batch(kiosk, visit)
    html = client.get(f"/f/{visit[0]['follow_up_token']}?lang=fi").text
    assert "Meidän tori" in html  # listed for the visit's kiosk
    assert "Käyttäjätori marraskuu" in html  # for all kiosks
    assert "Toisen kirjaston tori" not in html  # another library's
    ics = client.get(f"/f/{visit[0]['follow_up_token']}/events.ics").text
    assert "Meidän tori" in ics and "Toisen kirjaston tori" not in ics


def test_private_velho_contact_is_not_shown(client, kiosk, post_batch, demo_themes, engine):
    from sync.server.db.tables import themes

    with engine.begin() as conn:
        conn.execute(
            update(themes).where(themes.c.id == "liikenne").values(velho_contact_public=False)
        )
    visit = make_visit(kiosk.kiosk_id)
    post_batch(kiosk, visit)
    html = client.get(f"/f/{visit[0]['follow_up_token']}").text
    assert "Väinö Velho" in html and "vaino@example.fi" not in html


def test_unknown_token_is_404_with_the_same_headers(client, kiosk, post_batch, demo_themes):
    visit = make_visit(kiosk.kiosk_id)
    post_batch(kiosk, visit)
    known = client.get(f"/f/{visit[0]['follow_up_token']}")
    unknown = client.get("/f/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert unknown.status_code == 404
    for name in ("referrer-policy", "x-robots-tag", "content-security-policy", "cache-control"):
        assert unknown.headers[name] == known.headers[name]
    assert client.get("/f/AAAAAAAAAAAAAAAAAAAAAAAA/events.ics").status_code == 404
    assert client.post("/f/AAAAAAAAAAAAAAAAAAAAAAAA/withdraw", data={"wt": "x"}).status_code == 403


def test_unknown_token_does_the_same_database_work(client, kiosk, post_batch, demo_themes, engine):
    from sqlalchemy import event

    visit = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",))
    post_batch(kiosk, visit)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(f"/f/{visit[0]['follow_up_token']}")
        known = list(statements)
        statements.clear()
        client.get("/f/BBBBBBBBBBBBBBBBBBBBBBBB")
        assert statements == known and len(known) >= 4
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_ics_download(client, kiosk, post_batch, demo_themes):
    visit = make_visit(kiosk.kiosk_id)
    post_batch(kiosk, visit)
    response = client.get(
        f"/f/{visit[0]['follow_up_token']}/events.ics?event=kayttajatori-2026-11&lang=en"
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    (vevent,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["summary"]) == "User market November"
    missing = client.get(f"/f/{visit[0]['follow_up_token']}/events.ics?event=nope")
    assert missing.status_code == 404


def test_status_update_added_by_staff_shows_as_new_on_follow_up(
    client, login, kiosk, post_batch, demo_themes
):
    token = login()
    visit = make_visit(kiosk.kiosk_id, theme_ids=("nuoret",))
    post_batch(kiosk, visit)
    # Seen once before the update, so a memoised theme section would show if it went stale.
    before = client.get(f"/f/{visit[0]['follow_up_token']}?lang=en").text
    assert "No news yet" in before
    today = date.today().isoformat()
    response = client.post(
        "/staff/themes/nuoret/updates",
        follow_redirects=False,
        data={
            "csrf": token,
            "update_date": today,
            "text_fi": "Nuorisotila avattiin.",
            "text_sv": "Ungdomslokalen öppnades.",
            "text_en": "The youth space opened.",
        },
    )
    assert response.status_code == 303
    html = client.get(f"/f/{visit[0]['follow_up_token']}?lang=en").text
    assert "The youth space opened." in html and "since your visit" in html
    # invalid date: refused with the field named, nothing stored
    bad = client.post(
        "/staff/themes/nuoret/updates",
        data={"csrf": token, "update_date": "28.11.2026", "text_fi": "x"},
    )
    assert bad.status_code == 400 and "update_date" in bad.text
    assert client.get(f"/f/{visit[0]['follow_up_token']}").text.count('class="new"') == 1


def test_theme_editing_and_warnings(client, login, demo_themes, kiosk):
    token = login()
    page = client.get("/staff/themes?lang=en").text
    # "nuoret" has no velho and no path; "liikenne" is complete
    nuoret = page.split('href="/staff/themes/nuoret"')[1].split("</li>")[0]
    liikenne = page.split('href="/staff/themes/liikenne"')[1].split("</li>")[0]
    assert "No velho" in nuoret and "less than six months" in nuoret
    assert "No velho" not in liikenne and "less than six months" not in liikenne
    response = client.post(
        "/staff/themes/nuoret",
        follow_redirects=False,
        data={
            "csrf": token,
            "name_fi": "Nuoret",
            "name_sv": "Unga",
            "name_en": "Youth",
            "velho_name": "Veera",
            "velho_role_fi": "nuorisotyöntekijä",
            "velho_contact": "040 1",
            "active": "on",
            "sort_order": "2",
        },
    )
    assert response.status_code == 303
    far = (date.today() + timedelta(days=400)).isoformat()
    response = client.post(
        "/staff/themes/nuoret/steps",
        follow_redirects=False,
        data={"csrf": token, "step_date": far, "title_fi": "Avajaiset"},
    )
    assert response.status_code == 303
    page = client.get("/staff/themes?lang=en").text
    nuoret = page.split('href="/staff/themes/nuoret"')[1].split("</li>")[0]
    assert "No velho" not in nuoret and "less than six months" not in nuoret
    config = kiosk_config(client, kiosk)
    theme = next(t for t in config["themes"] if t["id"] == "nuoret")
    assert theme["velho"]["name"] == "Veera" and theme["velho"]["contact"] is None
    assert theme["path"][0]["title"]["fi"] == "Avajaiset"
    # mark done, then delete the step
    from sync.server.db.tables import theme_steps

    detail = client.get("/staff/themes/nuoret").text
    step_action = detail.split('action="/staff/themes/nuoret/steps/')[1].split('"')[0]
    assert (
        client.post(
            f"/staff/themes/nuoret/steps/{step_action}",
            follow_redirects=False,
            data={"csrf": token, "action": "done"},
        ).status_code
        == 303
    )
    assert kiosk_config(client, kiosk)["themes"][1]["path"][0]["done"] is True
    # Deleting asks first; only the confirmation page's form deletes.
    asked = client.post(
        f"/staff/themes/nuoret/steps/{step_action}",
        follow_redirects=False,
        data={"csrf": token, "action": "delete"},
    )
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
    assert "Avajaiset" in client.get("/staff/themes/nuoret").text
    assert (
        client.post(
            f"/staff/themes/nuoret/steps/{step_action}",
            follow_redirects=False,
            data={"csrf": token, "action": "delete", "confirm": "yes"},
        ).status_code
        == 303
    )
    assert "Avajaiset" not in client.get("/staff/themes/nuoret").text
    del theme_steps
    # duplicate id and bad id are refused with a message
    dup = client.post("/staff/themes", data={"csrf": token, "id": "nuoret", "name_fi": "X"})
    assert dup.status_code == 400
    bad = client.post("/staff/themes", data={"csrf": token, "id": "Iso Kirjain", "name_fi": "X"})
    assert bad.status_code == 400 and "lowercase" in bad.text.lower() + "pieniä"


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_events_create_and_activate_reach_kiosk_config(client, login, kiosk, demo_themes):
    token = login()
    response = client.post(
        "/staff/events",
        follow_redirects=False,
        data={
            "csrf": token,
            "id": "kayttajatori-2027-01",
            "event_date": "2027-01-20",
            "location": "Pääkirjasto",
            "name_fi": "Tammikuun tori",
            "question_fi": "Mitä toivot?",
            "kiosks": [kiosk.kiosk_id],
        },
    )
    assert response.status_code == 303
    assert kiosk_config(client, kiosk)["event"]["id"] == "kayttajatori-2026-11"
    response = client.post(
        "/staff/events/kayttajatori-2027-01/activate", data={"csrf": token}, follow_redirects=False
    )
    # An event for chosen kiosks ends nothing: the one for all kiosks stays for the others.
    assert response.status_code == 303 and "ended" not in response.headers["location"]
    assert kiosk_config(client, kiosk)["event"]["id"] == "kayttajatori-2027-01"
    page = client.get("/staff/events").text
    assert page.count("Make active") + page.count("Tee aktiiviseksi") == 0  # both are active
    unknown_kiosk = client.post(
        "/staff/events",
        data={
            "csrf": token,
            "id": "x-1",
            "event_date": "2027-01-20",
            "name_fi": "X",
            "question_fi": "Q",
            "kiosks": ["nope"],
        },
    )
    assert unknown_kiosk.status_code == 400
    edit = {
        "csrf": token,
        "existing": "1",
        "id": "kayttajatori-2027-01",
        "event_date": "2027-01-21",
        "name_fi": "Tammikuun tori",
        "question_fi": "Mitä nyt?",
    }
    # Without its kiosks the active event would be a second one for all kiosks: refused.
    clash = client.post("/staff/events", data=edit)
    assert clash.status_code == 400
    assert "kayttajatori-2026-11" in clash.text and "kaikkien kioskien" in clash.text
    assert kiosk_config(client, kiosk)["event"]["question"]["fi"] == "Mitä toivot?"
    saved = client.post(
        "/staff/events", follow_redirects=False, data=edit | {"kiosks": [kiosk.kiosk_id]}
    )
    assert saved.status_code == 303
    assert kiosk_config(client, kiosk)["event"]["question"]["fi"] == "Mitä nyt?"


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_new_event_for_all_kiosks_ends_the_old_one_and_says_so(client, login, kiosk, demo_themes):
    token = login()
    form = {
        "csrf": token,
        "id": "kayttajatori-2027-02",
        "event_date": "2027-02-10",
        "name_fi": "Helmikuun tori",
        "question_fi": "Löydätkö palvelut?",
    }
    assert client.post("/staff/events", data=form, follow_redirects=False).status_code == 303
    # Coming, not yet active: offered to the kiosk's staff, not asked by the kiosk.
    config = kiosk_config(client, kiosk)
    assert config["event"]["id"] == "kayttajatori-2026-11"
    assert [e["id"] for e in config["events"]][-1] == "kayttajatori-2027-02"
    response = client.post(
        "/staff/events/kayttajatori-2027-02/activate", data={"csrf": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "ended=kayttajatori-2026-11" in response.headers["location"]
    page = client.get(response.headers["location"]).text
    assert "Ei enää aktiivinen:" in page and "Käyttäjätori" in page
    assert page.count("Tee aktiiviseksi") == 1  # the old one can be made active again
    assert kiosk_config(client, kiosk)["event"]["id"] == "kayttajatori-2027-02"
    assert client.post("/staff/events/nope/activate", data={"csrf": token}).status_code == 404


def test_exports_csv_semicolon_jsonl_and_batch(client, login, kiosk, post_batch, engine):
    login()
    first = make_visit(kiosk.kiosk_id, story="Äiti, isä ja Åke söivät öljyä")
    second = make_visit(kiosk.kiosk_id, rating=1)
    post_batch(kiosk, first)
    ack = post_batch(kiosk, second)
    rows = export_csv(client, delimiter="semicolon", story_text="all")
    assert rows[0] == list(COLUMNS) and len(rows) == 1 + len(first) + len(second)
    assert any("Äiti, isä ja Åke söivät öljyä" in r for r in rows)
    # Unmoderated text stays out unless asked for.
    assert not any("Äiti" in cell for r in export_csv(client) for cell in r)
    lines = client.get("/staff/api/export", params={"format": "jsonl"}).text.splitlines()
    assert len(lines) == len(first) + len(second)
    assert all(set(json.loads(line)) == set(COLUMNS) for line in lines)
    batch_rows = export_csv(client, batch=ack["batch_id"])
    assert len(batch_rows) == 1 + len(second)
    assert client.get("/staff/api/export", params={"format": "xml"}).status_code == 400
    assert client.get("/staff/api/export", params={"delimiter": "tab"}).status_code == 400
    batch_page = client.get(f"/staff/batches/{ack['batch_id']}").text
    assert f"batch={ack['batch_id']}" in batch_page
    assert client.get("/staff/batches/nope").status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_overview_warns_about_silent_kiosks(client, login, kiosk, post_batch, engine):
    login()
    post_batch(kiosk, make_visit(kiosk.kiosk_id))
    page = client.get("/staff/?lang=en").text
    assert "silent for over 24 hours" not in page
    data = client.get("/staff/api/overview").json()
    # One visit (its face and themes are two records): people are counted, not records.
    assert data[0]["today"] == 1 and data[0]["week"] == 1 and data[0]["silent"] is False
    from sync.server.db.tables import batches

    old = datetime.now(UTC) - timedelta(hours=30)
    with engine.begin() as conn:
        conn.execute(update(kiosks).values(last_seen_at=old))
        conn.execute(update(batches).values(received_at=old))
    assert "silent for over 24 hours" in client.get("/staff/?lang=en").text
    assert client.get("/staff/api/overview").json()[0]["silent"] is True


def test_pictures_page_has_text_alternatives_and_downloads(
    client, login, kiosk, post_batch, demo_themes
):
    login()
    post_batch(kiosk, make_visit(kiosk.kiosk_id, rating=4, age_group="18-29", district="keskusta"))
    post_batch(kiosk, make_visit(kiosk.kiosk_id, rating=1, theme_ids=("nuoret",)))
    page = client.get("/staff/pictures?lang=en&theme=liikenne").text
    assert page.count("<img ") == 5
    assert (
        'alt="Faces per week (Liikenne ja pyöräily).' in page
        or 'alt="Faces per week (Traffic' in page
    )
    assert "Very happy 1" in page and "Very unhappy 0" in page  # filtered to the theme's visit
    assert "18–29: 1" in page  # a name, not the code 18-29
    for name in ("faces", "mood", "themes", "age", "district"):
        svg = client.get(f"/staff/charts/{name}.svg?theme=liikenne")
        assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
        png = client.get(f"/staff/charts/{name}.png")
        assert png.content.startswith(b"\x89PNG")
    assert client.get("/staff/charts/nope.svg").status_code == 404


def test_language_links_keep_the_page_and_its_filters(client, login, kiosk, post_batch):
    login()
    page = client.get("/staff/stories?status=approved&lang=en").text
    assert 'href="/staff/stories?status=approved&amp;lang=sv"' in page
    visit = make_visit(kiosk.kiosk_id)
    post_batch(kiosk, visit)
    public = client.get(f"/f/{visit[0]['follow_up_token']}?lang=en").text
    assert f'href="/f/{visit[0]["follow_up_token"]}?lang=fi"' in public


def test_language_links_on_pages_answering_a_form_lead_to_pages(
    client, login, kiosk, post_batch, demo_themes
):
    token = login()
    bad = client.post("/staff/themes/nuoret/steps", data={"csrf": token, "step_date": "x"})
    assert bad.status_code == 400
    assert 'href="/staff/themes/nuoret?lang=sv"' in bad.text
    visit = make_visit(kiosk.kiosk_id, story="Tarina")
    post_batch(kiosk, visit)
    tok = visit[0]["follow_up_token"]
    wt = client.get(f"/f/{tok}").text.split('name="wt" value="')[1].split('"')[0]
    confirm = client.post(f"/f/{tok}/withdraw?lang=en", data={"wt": wt})
    assert f'href="/f/{tok}?lang=fi"' in confirm.text
    for link in (f"/f/{tok}?lang=fi", "/staff/themes/nuoret?lang=sv"):
        assert client.get(link).status_code == 200
