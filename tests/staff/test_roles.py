"""Roles and sites: a site's staff cannot read or change another site's content by any URL.

Every staff route is taken from the app itself (``app.routes``), so a route added later is tried
too. Staff of site A asks each one (GET and POST) with the ids of site B's story, batch, kiosk,
event and theme; nothing of B may appear and every change must be refused with the database
unchanged. A viewer gets the pictures and a plain 403 page elsewhere. The same forms posted by
an admin do change things, so the refusals are not a matter of a wrong form.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from sync.server.db import audit
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.staff_users import add_staff_user, disable_staff_user, set_staff_password
from sync.server.db.story_moderation import story_counts, story_queue
from sync.server.db.tables import (
    batches,
    event_kiosks,
    events,
    records,
    site_texts,
    staff_user_sites,
    staff_users,
    theme_steps,
    theme_updates,
    themes,
)
from sync.server.domain.roles import EVERYTHING, Scope, allowed
from sync.server.errors import InvalidInput
from tests.server.fuzzing import route_inventory
from tests.staff.conftest import STAFF_PASSWORD, csrf_of, make_visit

SITE_A, SITE_B = "Pääkirjasto", "Rantakylän kirjasto"
# Words that exist only in site B's content: none may reach an account of site A.
B_MARKERS = ("SALAISUUS-B", "Rantakylän kioski", "Rantakylän teema", "Rantakylän ilta")
ACCOUNT_TABLES = (staff_users, staff_user_sites)
CONTENT_TABLES = (records, events, event_kiosks, themes, theme_steps, theme_updates, site_texts)
# Routes that end the caller's own session; tried on their own in the audit tests.
SESSION_ROUTES = {"/staff/login", "/staff/logout", "/staff/logout-everywhere"}


@pytest.fixture
def sites(engine, client, post_batch, staff):
    """Kiosks, a story, a batch, a theme (with a step and an update) and an event at each site;
    a region-wide theme; accounts: ``liisa`` admin, ``anna`` staff of A, ``ville`` viewer."""
    kiosk_a = enroll_kiosk(engine, "Pääkirjaston kioski", SITE_A)
    kiosk_b = enroll_kiosk(engine, "Rantakylän kioski", SITE_B)
    visit_a = make_visit(kiosk_a.kiosk_id, story="Tarina A: lisää penkkejä", event_id="ilta-a")
    visit_b = make_visit(kiosk_b.kiosk_id, story="SALAISUUS-B soita 040 123", event_id="ilta-b")
    post_batch(kiosk_a, visit_a)
    post_batch(kiosk_b, visit_b)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for theme_id, name, site in (
            ("teema-a", "Pääkirjaston teema", SITE_A),
            ("teema-b", "Rantakylän teema", SITE_B),
            ("teema-alue", "Koko alueen teema", None),
        ):
            conn.execute(
                insert(themes).values(
                    id=theme_id, name_fi=name, active=True, updated_at=now, site=site
                )
            )
        step_b = conn.execute(
            insert(theme_steps).values(
                theme_id="teema-b", step_date=date(2027, 1, 1), title_fi="Rantakylän teema: askel"
            )
        ).inserted_primary_key[0]
        update_b = conn.execute(
            insert(theme_updates).values(
                theme_id="teema-b",
                update_date=date(2026, 11, 1),
                text_fi="Rantakylän teema: tehty",
                created_at=now,
            )
        ).inserted_primary_key[0]
        for event_id, name, site, kiosk in (
            ("ilta-a", "Pääkirjaston ilta", SITE_A, kiosk_a),
            ("ilta-b", "Rantakylän ilta", SITE_B, kiosk_b),
        ):
            conn.execute(
                insert(events).values(
                    id=event_id,
                    name_fi=name,
                    event_date=date(2026, 12, 1),
                    question_fi="Mitä kuuluu?",
                    site=site,
                )
            )
            conn.execute(insert(event_kiosks).values(event_id=event_id, kiosk_id=kiosk.kiosk_id))
        batch_b = conn.execute(
            select(batches.c.batch_id).where(batches.c.kiosk_id == kiosk_b.kiosk_id)
        ).scalar_one()
    add_staff_user(engine, "anna", STAFF_PASSWORD, role="staff", sites=[SITE_A])
    add_staff_user(engine, "ville", STAFF_PASSWORD, role="viewer")
    with engine.connect() as conn:
        admin_id = conn.execute(
            select(staff_users.c.id).where(staff_users.c.username == staff)
        ).scalar_one()
    story_b = next(r["id"] for r in visit_b if r["kind"] == "story")
    return {
        "kiosk_a": kiosk_a.kiosk_id,
        "kiosk_b": kiosk_b.kiosk_id,
        "story_a": next(r["id"] for r in visit_a if r["kind"] == "story"),
        # Any record id of B's visit (the story, the face, the themes) names B's content.
        "records_b": [r["id"] for r in visit_b],
        "story_b": story_b,
        "batch_b": batch_b,
        "step_b": step_b,
        "update_b": update_b,
        "admin_id": admin_id,
    }


def sign_in(client, username: str) -> str:
    client.cookies.clear()
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"csrf": csrf_of(page.text), "username": username, "password": STAFF_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/staff/pictures").text)


def staff_routes(client) -> list[tuple[str, str]]:
    found = [
        (method, path)
        for method, path in route_inventory(client.app)
        if path.startswith("/staff") and method in ("GET", "POST")
    ]
    assert len(found) > 30  # the app's routes really were read
    return found


def fill(path: str, ids: dict, record_id: str) -> str:
    values = {
        "record_id": record_id,
        "batch_id": ids["batch_b"],
        "event_id": "ilta-b",
        "theme_id": "teema-b",
        "step_id": str(ids["step_b"]),
        "update_id": str(ids["update_b"]),
        "user_id": str(ids["admin_id"]),
        "name": "faces",
        "fmt": "svg",
    }
    filled = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
    assert "{" not in filled, path
    return filled


def b_query(ids: dict) -> str:
    return (
        f"?kiosk={ids['kiosk_b']}&batch={ids['batch_b']}&event=ilta-b&theme=teema-b"
        "&status=pending&format=csv&unit=visit&story_text=all"
    )


def b_form(csrf: str, ids: dict) -> dict[str, str]:
    """One form that would change B's content on any staff POST route (for an admin)."""
    return {
        "csrf": csrf,
        "action": "approve",
        "reason": "Julkaistaan: numero on kirjaston oma vaihde.",
        "passage": "SALAISUUS-B",
        "id": "ilta-b",
        "existing": "1",
        "event_date": "2026-12-02",
        "name_fi": "Muutettu nimi",
        "question_fi": "Muutettu kysymys?",
        "kiosks": ids["kiosk_b"],
        "site": SITE_B,
        "step_date": "2027-02-01",
        "title_fi": "Uusi askel",
        "update_date": "2026-12-01",
        "text_fi": "Uusi päivitys",
        "active": "on",
        "body_fi": "Uusi tietosuojaseloste",
        "username": "uusi-tunnus",
        "password": "pitkä-uusi-salasana",
        "role": "staff",
        "sites": SITE_B,
    }


def snapshot(engine, tables=CONTENT_TABLES + ACCOUNT_TABLES) -> dict:
    with engine.connect() as conn:
        return {
            t.name: sorted(repr(tuple(r)) for r in conn.execute(select(t)).all()) for t in tables
        }


def assert_nothing_of_b(body: str, what: str) -> None:
    for marker in B_MARKERS:
        assert marker not in body, f"{what} shows {marker!r}"


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_sites_staff_reads_nothing_of_another_site_by_any_get(client, sites):
    sign_in(client, "anna")
    own = client.get("/staff/stories").text
    assert "Tarina A" in own and "Pääkirjaston kioski" in client.get("/staff/").text
    for method, path in staff_routes(client):
        if method != "GET" or path in SESSION_ROUTES:
            continue
        for record_id in sites["records_b"]:
            url = fill(path, sites, record_id)
            for target in (url, url + b_query(sites)):
                response = client.get(target, follow_redirects=False)
                assert response.status_code < 500, target
                assert_nothing_of_b(response.text, f"GET {target}")
                if "{" in path and path != "/staff/charts/{name}.{fmt}":
                    assert response.status_code in (403, 404), target


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_sites_staff_changes_nothing_of_another_site_by_any_post(client, engine, sites):
    csrf = sign_in(client, "anna")
    before = snapshot(engine)
    for method, path in staff_routes(client):
        if method != "POST" or path in SESSION_ROUTES:
            continue
        for record_id in sites["records_b"]:
            url = fill(path, sites, record_id)
            response = client.post(url, data=b_form(csrf, sites), follow_redirects=False)
            assert response.status_code in (400, 403, 404), f"POST {url}: {response.status_code}"
            assert_nothing_of_b(response.text, f"POST {url}")
            assert snapshot(engine) == before, f"POST {url} changed something"


def test_the_same_posts_by_an_admin_change_things(client, engine, sites, staff):
    """The control: the forms above are good ones, so the refusals are the roles' doing."""
    csrf = sign_in(client, staff)
    changed = []
    for method, path in staff_routes(client):
        if method != "POST" or path in SESSION_ROUTES or "{user_id}" in path:
            continue
        before = snapshot(engine)
        url = fill(path, sites, sites["story_b"])
        client.post(url, data=b_form(csrf, sites), follow_redirects=False)
        if snapshot(engine) != before:
            changed.append(path)
    for path in (
        "/staff/stories/{record_id}",
        "/staff/events",
        "/staff/themes/{theme_id}",
        "/staff/themes/{theme_id}/steps",
        "/staff/themes/{theme_id}/updates",
        "/staff/privacy",
        "/staff/accounts",
    ):
        assert path in changed, path


def test_a_viewer_sees_the_pictures_and_a_plain_403_elsewhere(client, engine, sites):
    csrf = sign_in(client, "ville")
    assert client.get("/staff/", follow_redirects=False).headers["location"] == "/staff/pictures"
    assert client.get("/staff/pictures").status_code == 200
    assert client.get("/staff/charts/faces.svg").status_code == 200
    before = snapshot(engine)
    for method, path in staff_routes(client):
        if path in SESSION_ROUTES or path in ("/staff", "/staff/"):
            continue
        if path in ("/staff/pictures", "/staff/charts/{name}.{fmt}"):
            continue
        url = fill(path, sites, sites["story_b"])
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:
            response = client.post(url, data=b_form(csrf, sites), follow_redirects=False)
        assert response.status_code == 403, f"{method} {url}"
        assert_nothing_of_b(response.text, f"{method} {url}")
        assert "Tarina A" not in response.text
        if not path.startswith(("/staff/api/", "/staff/charts/")):
            assert "Traceback" not in response.text
            assert "Tililläsi ei ole pääsyä tälle sivulle." in response.text
    assert snapshot(engine) == before


def test_staff_pages_are_scoped_and_admin_pages_closed(client, sites):
    sign_in(client, "anna")
    stories = client.get("/staff/api/stories").json()
    assert [s["id"] for s in stories] == [sites["story_a"]]
    assert [k["site"] for k in client.get("/staff/api/overview").json()] == [SITE_A]
    for admin_page in ("/staff/audit", "/staff/privacy", "/staff/accounts", "/staff/api/audit"):
        assert client.get(admin_page).status_code == 403, admin_page
    themes_page = client.get("/staff/themes").text
    assert "Koko alueen teema" in themes_page and "Pääkirjaston teema" in themes_page
    # A region-wide theme is read, not changed, by a site's staff.
    csrf = csrf_of(themes_page)
    response = client.post(
        "/staff/themes/teema-alue/updates",
        data={"csrf": csrf, "update_date": "2026-12-01", "text_fi": "Ei saa"},
    )
    assert response.status_code == 403
    # Their own site's theme and event they do change.
    response = client.post(
        "/staff/themes/teema-a/updates",
        data={"csrf": csrf, "update_date": "2026-12-01", "text_fi": "Saa"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    response = client.post(
        "/staff/events/ilta-a/activate", data={"csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    csv = client.get("/staff/api/export?format=csv&story_text=all").text
    assert "Tarina A" in csv and "SALAISUUS-B" not in csv


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_scoped_queries_on_both_databases(engine, sites):
    only_a = Scope(frozenset({SITE_A}))
    with engine.connect() as conn:
        assert {r["id"] for r in story_queue(conn, scope=only_a)} == {sites["story_a"]}
        assert len(story_queue(conn, scope=EVERYTHING)) == 2
        assert story_counts(conn, scope=only_a)["pending"] == 1
        assert story_counts(conn, scope=Scope(frozenset()))["pending"] == 0


def test_roles_open_routes_by_their_path_templates():
    assert allowed("viewer", "/staff/pictures") and not allowed("viewer", "/staff/stories")
    assert allowed("staff", "/staff/stories") and not allowed("staff", "/staff/audit")
    assert not allowed("staff", "/staff/accounts/{user_id}/role")
    assert allowed("admin", "/staff/accounts") and not allowed("nobody", "/staff/stories")


def test_add_staff_refuses_a_staff_account_without_a_site_and_sites_for_others(engine):
    with pytest.raises(InvalidInput):
        add_staff_user(engine, "eino", STAFF_PASSWORD, role="staff")
    with pytest.raises(InvalidInput):
        add_staff_user(engine, "eino", STAFF_PASSWORD, role="viewer", sites=[SITE_A])
    with pytest.raises(InvalidInput):
        add_staff_user(engine, "eino", STAFF_PASSWORD, role="boss")


def _actions(engine) -> list[tuple[str, str, str, str]]:
    with engine.connect() as conn:
        return [
            (e["action"], e["actor"], e["target"], e["address"])
            for e in reversed(list(audit.entries(conn, limit=None)))
        ]


def test_sign_in_logout_and_account_changes_are_audited(client, engine, staff):
    page = client.get("/staff/login")
    client.post(
        "/staff/login",
        data={"csrf": csrf_of(page.text), "username": staff, "password": "väärä-salasana"},
    )
    csrf = sign_in(client, staff)
    client.post("/staff/logout", data={"csrf": csrf})
    csrf = sign_in(client, staff)
    client.post("/staff/logout-everywhere", data={"csrf": csrf})
    set_staff_password(engine, staff, "toinen-hyvä-salasana")
    disable_staff_user(engine, staff)
    assert _actions(engine) == [
        ("account_create", "cli", staff, ""),
        ("login_failed", staff, staff, "testclient"),
        ("login", staff, "", "testclient"),
        ("logout", staff, "", "testclient"),
        ("login", staff, "", "testclient"),
        ("account_sign_out", staff, staff, "testclient"),
        ("account_password", "cli", staff, ""),
        ("account_disable", "cli", staff, ""),
    ]


def test_the_accounts_page_creates_changes_and_signs_out(client, engine, staff):
    csrf = sign_in(client, staff)
    assert client.get("/staff/accounts").status_code == 200
    response = client.post(
        "/staff/accounts",
        data={
            "csrf": csrf,
            "username": "anna",
            "password": STAFF_PASSWORD,
            "role": "staff",
            "new_site": SITE_A,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    refused = client.post(
        "/staff/accounts",
        data={"csrf": csrf, "username": "eino", "password": STAFF_PASSWORD, "role": "staff"},
    )
    assert refused.status_code == 400
    assert "Henkilökunnan tilillä on oltava vähintään yksi kirjasto." in refused.text
    with engine.connect() as conn:
        anna = conn.execute(
            select(staff_users.c.id).where(staff_users.c.username == "anna")
        ).scalar_one()
    for action, data in (
        ("role", {"role": "staff", "sites": SITE_B}),
        ("password", {"password": "pitkä-uusi-salasana"}),
        ("sign-out", {}),
        ("disable", {}),
    ):
        response = client.post(
            f"/staff/accounts/{anna}/{action}", data={"csrf": csrf, **data}, follow_redirects=False
        )
        assert response.status_code == 303, (action, response.text)
    assert [a[0] for a in _actions(engine) if a[2] == "anna"] == [
        "account_create",
        "account_change",
        "account_password",
        "account_sign_out",
        "account_disable",
    ]
    with engine.connect() as conn:
        me = conn.execute(
            select(staff_users.c.id).where(staff_users.c.username == staff)
        ).scalar_one()
    own = client.post(f"/staff/accounts/{me}/disable", data={"csrf": csrf})
    assert own.status_code == 400  # an admin does not lock the door behind themselves


def test_saving_a_theme_keeps_a_site_no_kiosk_has_yet(client, engine, staff):
    """The site list comes from the kiosks; a theme of a library without kiosks keeps its site."""
    with engine.begin() as conn:
        conn.execute(
            insert(themes).values(
                id="uusi", name_fi="Uusi", active=True, updated_at=datetime.now(UTC), site="Otava"
            )
        )
    sign_in(client, staff)
    page = client.get("/staff/themes/uusi").text
    assert '<option value="Otava" selected>' in page
