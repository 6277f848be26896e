"""Every public route, walked over a database full of hostile and personal content.

The route list comes from the app itself (every GET route outside /staff and /api, in every
router and sub-router), so a public route added later is walked too without editing this test;
each path parameter is filled with every value that could reach hidden content. None of the
personal strings may appear in any answer, and every page and feed carries the security
headers of the follow-up page. Positive controls (an approved story, a public velho contact)
prove the walk reached real content.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from sync.server.app import RESOURCES
from sync.server.db.engine import write_connection
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.story_privacy import set_privacy
from sync.server.db.tables import records, themes
from tests.public.conftest import kiosk_visit

# What must never reach the public: what visitors typed that staff did not publish, what
# identifies them, and what staff keep internal.
HOSTILE = {
    "hidden story": "Piilotettu-tarina Matti Meikäläinen",
    "withdrawn story": "Peruttu-tarina 050 765 4321",
    "pending story": "Odottava-tarina maija.mallikas@example.com",
    "approved, open finding": "Soita Pekalle 040 999 8888",
    "redacted original": "Maaherrankatu 12 B",
    "manually flagged": "Lippu-tarina-QQQ",
    "single visitor's district": "Korpijärvensuo",
    "single visitor's district slug": "korpijarvensuo",
    "hidden velho contact": "piilo.velho@example.fi",
    "inactive theme": "Luonnos-teema-XYZ",
    "kiosk name": "Kioski-sisäinen-nimi-7",
    "moderator": "moderaattori-liisa",
    "script": "<script>alert(1)</script>",
}
SHOWN = {
    "approved story": "Penkkejä kauppatorille, kiitos",
    "redacted text": "Asun [...] lähellä",
    "public velho contact": "vaino@example.fi",
}
SECURITY = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
NOT_PUBLIC = ("/staff", "/api/")
# FastAPI's own API documentation pages; not ours, they show no data (checked for content too).
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _routes(routes):
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "app", None)
        if inner is not None and hasattr(inner, "routes") and not hasattr(route, "path"):
            yield from _routes(inner.routes)
        elif "GET" in (getattr(route, "methods", None) or set()):
            yield route.path


def public_paths(app) -> list[str]:
    paths = set(_routes(app.routes))
    for module in RESOURCES:
        paths |= set(_routes(module.router.routes))
    return sorted(p for p in paths if not p.startswith(NOT_PUBLIC))


@pytest.fixture
def hostile(engine, demo_themes, kiosk, post_batch):
    """The database: themes, stories in every state, a lone visitor in a small library."""
    now = datetime.now(UTC)
    small = enroll_kiosk(engine, "Kioski-sisäinen-nimi-7", "Harvinaiskylän lainaamo")
    with engine.begin() as conn:
        conn.execute(
            update(themes)
            .where(themes.c.id == "nuoret")
            .values(velho_name="Piia Piilo", velho_contact="piilo.velho@example.fi")
        )
        conn.execute(
            insert(themes).values(
                id="luonnos", name_fi="Luonnos-teema-XYZ", active=False, updated_at=now
            )
        )

    def visit(story=None, k=kiosk, **kw):
        records_ = kiosk_visit(k.kiosk_id, theme_ids=("liikenne", "nuoret"), story=story, **kw)
        post_batch(k, records_)
        return records_

    def moderate(v, status, redacted=None, **gate):
        story = next(r for r in v if r["kind"] == "story")
        with write_connection(engine) as conn:
            conn.execute(
                update(records)
                .where(records.c.id == story["id"])
                .values(
                    story_status=status,
                    story_redacted=redacted,
                    moderated_by="moderaattori-liisa",
                    moderated_at=now,
                )
            )
            if gate:
                set_privacy(conn, story["id"], **gate)

    moderate(visit(HOSTILE["hidden story"]), "hidden")
    moderate(visit(HOSTILE["withdrawn story"]), "withdrawn")  # text left: worst case
    visit(HOSTILE["pending story"])
    moderate(visit(HOSTILE["approved, open finding"]), "approved")
    moderate(visit("Asun Maaherrankatu 12 B lähellä"), "approved", redacted=SHOWN["redacted text"])
    moderate(visit(HOSTILE["manually flagged"]), "approved", manually_flagged=True)
    moderate(visit(HOSTILE["script"]), "hidden")
    moderate(visit(SHOWN["approved story"]), "approved")
    for _ in range(6):
        visit()  # enough visits for the numbers to show
    lone = visit("Yksin täällä", k=small, district="korpijarvensuo", age_group="75+", lang="sv")
    moderate(lone, "hidden")
    reader = visit(created_at=(now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    # The reader's short code opens the same page as their token (/k/<code>).
    with engine.begin() as conn:
        conn.execute(
            update(records)
            .where(records.c.follow_up_token == reader[0]["follow_up_token"])
            .values(short_code=READER_CODE)
        )
    return {"reader": reader[0]["follow_up_token"], "small_site": "Harvinaiskylän lainaamo"}


READER_CODE = "K7QM4-PX2RT"


def _fill(path: str, hostile, static_names) -> list[str]:
    values = {
        "token": [hostile["reader"], "tuntematon-tunniste-000"],
        "code": [READER_CODE, "AAAAA-AAAAA", "ei-koodi"],
        "event_id": ["kayttajatori-2026-11", "ei-ole"],
        "theme_id": ["liikenne", "nuoret", "luonnos", "ei-ole"],
        "name": static_names,
    }
    names = re.findall(r"\{(\w+)\}", path)
    unknown = set(names) - set(values)
    assert not unknown, f"{path}: add values for {unknown} to this test"
    filled = [path]
    for name in names:
        filled = [p.replace("{" + name + "}", v) for p in filled for v in values[name]]
    return filled


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_no_public_route_shows_hidden_or_personal_content(client, hostile):
    app = client.app
    paths = public_paths(app)
    for wanted in ("/themes", "/themes/{theme_id}", "/wall", "/events.ics", "/moderation"):
        assert wanted in paths
    static_names = sorted(app.state.pages.static_versions)
    queries = ["", "?lang=sv", "?lang=en", "?site=P%C3%A4%C3%A4kirjasto"]
    queries.append("?site=Harvinaiskyl%C3%A4n%20lainaamo&lang=fi")
    seen = {key: False for key in SHOWN}
    walked = 0
    for template in paths:
        for path in _fill(template, hostile, static_names):
            for query in queries:
                response = client.get(path + query, follow_redirects=False)
                walked += 1
                assert response.status_code < 500, (path, query, response.text[:300])
                body = response.content.decode("utf-8", "replace")
                for label, secret in HOSTILE.items():
                    assert secret not in body, f"{path}{query} shows the {label}"
                    assert secret not in str(response.headers), f"{path}{query} header: {label}"
                for key, text in SHOWN.items():
                    seen[key] = seen[key] or text in body
                if template in FRAMEWORK or template == "/static/{name}":
                    continue
                if response.status_code in (200, 404, 410) and "/healthz" not in path:
                    kind = response.headers.get("content-type", "")
                    if kind.startswith(("text/html", "application/atom", "text/calendar")):
                        for header, value in SECURITY.items():
                            assert response.headers.get(header) == value, (path, header)
                        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert all(seen.values()), seen  # the walk reached the published content
    assert walked > 50


def test_private_and_open_pages_are_indexed_as_decided(client, hostile):
    """Pages for everyone may be listed by search engines; a token's pages and the lobby
    screen may not."""
    token = hostile["reader"]
    for path in ("/themes", "/themes/liikenne", "/accessibility", "/moderation", "/privacy"):
        response = client.get(path)
        assert response.headers["X-Robots-Tag"] == "all", path
        assert 'name="robots"' not in response.text, path
    for path in (f"/f/{token}", f"/f/{token}/feed.atom", f"/f/{token}/events.ics", "/wall"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "noindex" in response.headers["X-Robots-Tag"], path
        assert "no-store" in response.headers["Cache-Control"], path


def test_the_lone_visitor_is_only_ever_fewer_than_five(client, hostile):
    site = hostile["small_site"]
    page = client.get("/themes", params={"site": site, "lang": "fi"}).text
    assert "Tähän mennessä alle 5 käyntiä on valinnut tämän teeman." in page
    assert re.search(r"\b1 käyntiä\b", page) is None
