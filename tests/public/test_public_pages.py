"""The public theme pages, lobby display, feeds, accessibility statement and moderation page,
through the real app (``client``) over a real database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import insert, update

from sync.server.db import audit
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.tables import event_kiosks, events, themes
from tests.public.conftest import kiosk_visit as make_visit
from tests.staff.conftest import csrf_of

ATOM = "{http://www.w3.org/2005/Atom}"


def _visits(post_batch, kiosk, n, **kw):
    out = []
    for i in range(n):
        visit = make_visit(kiosk.kiosk_id, rating=i % 4 + 1, **kw)
        post_batch(kiosk, visit)
        out.append(visit)
    return out


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_themes_list_shows_active_themes_with_counts(
    client, engine, demo_themes, kiosk, post_batch
):
    with engine.begin() as conn:
        conn.execute(
            insert(themes).values(
                id="piilo", name_fi="Luonnosteema", active=False, updated_at=datetime.now(UTC)
            )
        )
    _visits(post_batch, kiosk, 5, theme_ids=("liikenne",))
    _visits(post_batch, kiosk, 2, theme_ids=("nuoret",))
    page = client.get("/themes?lang=fi")
    assert page.status_code == 200
    assert "Liikenne ja pyöräily" in page.text and "Nuoret" in page.text
    assert "Luonnosteema" not in page.text  # not active: not public
    assert "5 käyntiä on valinnut tämän teeman." in page.text
    assert "alle 5 käyntiä on valinnut" in page.text  # nuoret: 2 visits
    assert "Käyttäjätori marraskuu" in page.text  # the next event
    assert page.headers["X-Robots-Tag"] == "all"  # for everyone: may be indexed
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'href="webcal://' in page.text


def test_themes_per_library(client, engine, demo_themes, kiosk, post_batch):
    other = enroll_kiosk(engine, "Otava 1", "Otavan kirjasto")
    _visits(post_batch, kiosk, 6, theme_ids=("liikenne",))
    with engine.begin() as conn:
        conn.execute(
            insert(events).values(
                id="otava-only",
                name_fi="Otavan tori",
                event_date=datetime.now(UTC).date(),
                location="Otava",
                question_fi="Mitä kuuluu?",
            )
        )
        conn.execute(insert(event_kiosks).values(event_id="otava-only", kiosk_id=other.kiosk_id))
    main = client.get("/themes", params={"site": "Pääkirjasto", "lang": "fi"}).text
    assert "Tämän kirjaston käynneistä 6 on valinnut" in main
    assert "Otavan tori" not in main  # another library's event
    otava = client.get("/themes", params={"site": "Otavan kirjasto", "lang": "fi"}).text
    assert "Otavan tori" in otava and "Käyttäjätori marraskuu" in otava  # all-kiosk event too
    assert "Tämän kirjaston käynneistä 0 on valinnut" in otava
    assert client.get("/themes", params={"site": "Ei ole"}).status_code == 404


def test_theme_page_shows_velho_path_updates_mood_and_only_publishable_stories(
    client, engine, demo_themes, kiosk, post_batch, story_state
):
    clean = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",), story="Lisää penkkejä torille!")
    phone = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",), story="Soita 040 123 4567")
    pending = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",), story="Odottaa lukijaa")
    for visit in (clean, phone, pending):
        post_batch(kiosk, visit)
    story_state(clean, "approved")
    story_state(phone, "approved")  # open finding, no override: held back
    page = client.get("/themes/liikenne?lang=fi")
    assert page.status_code == 200
    text = page.text
    assert "Väinö Velho" in text and "liikennesuunnittelija" in text and "vaino@example.fi" in text
    assert 'aria-current="step"' in text and "Luonnos" in text  # the current step
    assert "Pyörätiet kartoitettu." in text
    assert "Lisää penkkejä torille!" in text
    assert "040 123 4567" not in text and "Odottaa lukijaa" not in text
    assert "alle 5 käyntiä valitsi tämän teeman" in text  # 3 visits
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text and "<desc" in text
    assert 'style="' not in text  # the CSP forbids inline styles
    # Five visits: numbers appear, in the picture's table too.
    _visits(post_batch, kiosk, 2, theme_ids=("liikenne",))
    assert "alle 5 käyntiä" in client.get("/themes/liikenne?lang=fi").text  # kept a while
    client.app.state.public_cache.clear()  # ... at most PUBLIC_CACHE_SECONDS
    text = client.get("/themes/liikenne?lang=fi").text
    assert "Viimeisen 12 kuukauden aikana 5 käyntiä valitsi tämän teeman." in text
    with engine.begin() as conn:
        conn.execute(
            update(themes).where(themes.c.id == "liikenne").values(velho_contact_public=False)
        )
    assert "vaino@example.fi" not in client.get("/themes/liikenne").text
    assert client.get("/themes/nuoret?lang=fi").status_code == 200
    assert client.get("/themes/ei-ole").status_code == 404


def test_inactive_theme_page_is_gone_and_follow_up_links_only_active_ones(
    client, engine, demo_themes, kiosk, post_batch
):
    visit = make_visit(kiosk.kiosk_id, theme_ids=("liikenne", "nuoret"))
    post_batch(kiosk, visit)
    token = visit[0]["follow_up_token"]
    page = client.get(f"/f/{token}?lang=fi").text
    assert 'href="/themes/liikenne?lang=fi"' in page and 'href="/themes/nuoret?lang=fi"' in page
    with engine.begin() as conn:
        conn.execute(update(themes).where(themes.c.id == "nuoret").values(active=False))
    assert client.get("/themes/nuoret").status_code == 404
    assert 'href="/themes/nuoret' not in client.get(f"/f/{token}?lang=fi").text


def test_wall_is_a_self_refreshing_screen_with_a_qr_code(
    client, demo_themes, kiosk, post_batch, story_state
):
    visit = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",), story="Valoja puistoon")
    post_batch(kiosk, visit)
    story_state(visit, "approved")
    page = client.get("/wall", params={"site": "Pääkirjasto", "lang": "fi"})
    assert page.status_code == 200
    text = page.text
    assert "Liikenne ja pyöräily" in text and "Nuoret" in text
    assert text.count('class="slide"') == 2 and text.count(" hidden>") >= 1
    assert "Valoja puistoon" in text and "Käyttäjätori marraskuu" in text
    assert 'class="qr"' in text and "<path" in text  # the QR code, inline SVG
    assert "/static/wall.js?v=" in text and "<script>" not in text
    assert 'id="wall-offline"' in text and "Päivitetty klo" in text
    assert page.headers["Cache-Control"] == "no-store"
    assert "connect-src 'self'" in page.headers["Content-Security-Policy"]  # it refreshes itself
    assert "noindex" in page.headers["X-Robots-Tag"]
    script = client.get("/static/wall.js")
    assert script.status_code == 200 and "fetch(" in script.text
    assert client.get("/wall?site=Ei+ole").status_code == 404


def test_theme_feed_is_atom_with_the_updates(client, demo_themes):
    feed = client.get("/themes/liikenne/feed.atom?lang=sv")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}content").text == "Cykelvägarna kartlagda."
    assert entries[0].find(f"{ATOM}id").text.startswith("tag:kayttajatori,2026:update/")
    assert client.get("/themes/ei-ole/feed.atom").status_code == 404


def test_follow_up_feed_is_private_and_carries_only_theme_news(
    client, demo_themes, kiosk, post_batch
):
    visit = make_visit(kiosk.kiosk_id, theme_ids=("liikenne",), story="Oma salainen tarina")
    post_batch(kiosk, visit)
    token = visit[0]["follow_up_token"]
    feed = client.get(f"/f/{token}/feed.atom?lang=fi")
    assert feed.status_code == 200
    assert "noindex" in feed.headers["X-Robots-Tag"]
    assert feed.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in feed.headers["Cache-Control"]
    assert "Pyörätiet kartoitettu." in feed.text and "Oma salainen tarina" not in feed.text
    assert client.get("/f/tuntematon-tunniste/feed.atom").status_code == 404
    page = client.get(f"/f/{token}?lang=fi").text
    assert f'href="/f/{token}/feed.atom?lang=fi"' in page  # the follow-up page links its feed


def test_events_ics_per_library(client, engine, demo_themes, kiosk):
    other = enroll_kiosk(engine, "Otava 1", "Otavan kirjasto")
    with engine.begin() as conn:
        conn.execute(
            insert(events).values(
                id="otava-only",
                name_fi="Otavan tori",
                event_date=datetime.now(UTC).date(),
                location="Otava",
                question_fi="Mitä kuuluu?",
            )
        )
        conn.execute(insert(event_kiosks).values(event_id="otava-only", kiosk_id=other.kiosk_id))
    everything = client.get("/events.ics?lang=fi")
    assert everything.status_code == 200
    assert everything.headers["content-type"].startswith("text/calendar")
    assert "inline" in everything.headers["Content-Disposition"]  # subscribable (webcal)
    names = {str(e["summary"]) for e in Calendar.from_ical(everything.content).walk("VEVENT")}
    assert names == {"Käyttäjätori marraskuu", "Otavan tori"}
    main = client.get("/events.ics", params={"site": "Pääkirjasto", "lang": "fi"})
    names = {str(e["summary"]) for e in Calendar.from_ical(main.content).walk("VEVENT")}
    assert names == {"Käyttäjätori marraskuu"}
    assert client.get("/events.ics?site=Ei+ole").status_code == 404


def test_accessibility_statement_default_and_admin_edit(client, login, engine):
    fi = client.get("/accessibility?lang=fi")
    assert fi.status_code == 200
    assert "Saavutettavuusseloste" in fi.text and "Traficom" in fi.text
    assert "saavutettavuus@traficom.fi" in fi.text and "306/2019" in fi.text
    assert "Tillgänglighetsutlåtande" in client.get("/accessibility?lang=sv").text
    assert "Known gaps" in client.get("/accessibility?lang=en").text
    assert fi.headers["X-Robots-Tag"] == "all"
    token = login()
    form = client.get("/staff/accessibility")
    assert form.status_code == 200 and 'name="body_sv"' in form.text
    saved = client.post(
        "/staff/accessibility",
        data={
            "csrf": token,
            "body_fi": "# Palaute\nsaavutettavuus@mikkeli.fi",
            "body_sv": "",
            "body_en": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = client.get("/accessibility?lang=fi").text
    assert "<h2>Palaute</h2>" in shown and "saavutettavuus@mikkeli.fi" in shown
    with engine.connect() as conn:
        entry = next(iter(audit.entries(conn)))
    assert entry["action"] == "accessibility_statement_edit"
    assert client.post("/staff/accessibility", data={"body_fi": "x"}).status_code in (400, 403)
    assert 'href="/accessibility?lang=fi"' in client.get("/privacy?lang=fi").text
    assert csrf_of(client.get("/staff/accessibility").text)


def test_moderation_in_the_open_counts_with_the_minimum(
    client, demo_themes, kiosk, post_batch, story_state
):
    visits = _visits(post_batch, kiosk, 8, theme_ids=("liikenne",), story="Kuusi-kuusta-xyz")
    for visit in visits[:6]:
        story_state(visit, "approved")
    story_state(visits[6], "hidden")  # one hidden, one pending
    page = client.get("/moderation?lang=fi")
    assert page.status_code == 200
    row = page.text.split("Liikenne ja pyöräily</a></th>", 1)[1].split("</tr>", 1)[0]
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in row.split("<td")[1:]]
    # arrived 8, published 6, waiting 1 -> "fewer than 5", hidden 1 -> "fewer than 5",
    # withdrawn 0; two cells hidden, so nothing is left to work out from the total.
    assert cells == ["8", "6", "alle 5", "alle 5", "0"]
    assert "Kuusi-kuusta-xyz" not in page.text  # counts only, never text


def test_page_cache_keeps_a_200_for_its_ttl_only():
    from starlette.responses import Response

    from sync.server.resources.public_cache import PageCache

    now = [100.0]
    cache = PageCache(ttl=10, max_entries=2, clock=lambda: now[0])
    made = []

    def render(status=200):
        made.append(status)
        return Response(f"page {len(made)}", status_code=status, headers={"X-Robots-Tag": "all"})

    assert cache.get_or_render("a", render).body == b"page 1"
    kept = cache.get_or_render("a", render)
    assert kept.body == b"page 1" and kept.headers["X-Robots-Tag"] == "all"
    now[0] += 10.5
    assert cache.get_or_render("a", render).body == b"page 2"
    assert cache.get_or_render("b", lambda: render(404)).status_code == 404
    assert cache.get_or_render("b", render).body == b"page 4"  # a 404 is never kept
    cache.get_or_render("c", render)
    assert cache.get_or_render("a", render).body == b"page 6"  # the oldest was dropped


def test_page_cache_serves_the_expired_copy_while_one_thread_rebuilds():
    import threading

    from starlette.responses import Response

    from sync.server.resources.public_cache import PageCache

    now = [0.0]
    cache = PageCache(ttl=10, clock=lambda: now[0])
    cache.get_or_render("wall", lambda: Response("old view"))
    now[0] = 11.0
    seen = []

    def slow_build():
        # Another request arrives while this one builds: it must not build too, nor wait.
        other = threading.Thread(
            target=lambda: seen.append(cache.get_or_render("wall", lambda: Response("second")))
        )
        other.start()
        other.join(timeout=10)
        return Response("new view")

    assert cache.get_or_render("wall", slow_build).body == b"new view"
    assert [r.body for r in seen] == [b"old view"]
    assert cache.get_or_render("wall", lambda: Response("third")).body == b"new view"
