"""Security of the staff web: sessions, CSRF, escaping, login throttling, cookie flags."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from sync.server.db.tables import records, themes
from sync.server.resources.staff import auth as staff_auth
from sync.server.resources.staff import exports as staff_exports
from sync.server.resources.staff import pages as staff_pages
from sync.server.resources.staff import pictures as staff_pictures
from sync.server.resources.staff import themes as staff_themes
from tests.staff.conftest import STAFF_PASSWORD, STAFF_USER, csrf_of, make_visit

STAFF_MODULES = (staff_pages, staff_themes, staff_pictures, staff_exports)
PUBLIC_STAFF_PATHS = {"/staff/login"}


def _staff_routes():
    for module in STAFF_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods:
                yield method, route.path


def _fill(path: str) -> str:
    # Any value will do: the session check comes before the lookup.
    return re.sub(
        r"\{(\w+)\}", lambda m: {"fmt": "svg", "name": "faces"}.get(m.group(1), "x1"), path
    )


def _is_api(path: str) -> bool:
    return path.startswith(("/staff/api/", "/staff/charts/"))


def test_route_inventory_is_complete():
    paths = {p for _m, p in _staff_routes()}
    assert {
        "/staff/",
        "/staff/batches",
        "/staff/themes",
        "/staff/stories",
        "/staff/pictures",
        "/staff/events",
        "/staff/exports",
        "/staff/api/export",
        "/staff/api/overview",
        "/staff/charts/{name}.{fmt}",
    } <= paths


def test_every_staff_page_redirects_and_every_api_answers_401_without_session(client, demo_themes):
    checked = 0
    for method, path in _staff_routes():
        url = _fill(path)
        response = client.request(method, url, data={"csrf": "x"}, follow_redirects=False)
        if _is_api(path):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/staff/login?next=")
        checked += 1
    assert checked >= 20


def test_forged_or_foreign_session_cookie_is_refused(client, login, settings):
    login()
    assert client.get("/staff/", follow_redirects=False).status_code == 200
    client.cookies.set(staff_auth.SESSION_COOKIE, client.cookies[staff_auth.SESSION_COOKIE] + "x")
    assert client.get("/staff/", follow_redirects=False).status_code == 303
    assert client.get("/staff/api/overview").status_code == 401


def test_login_redirects_back_but_never_off_site(client, staff):
    page = client.get("/staff/login?next=//evil.example/steal")
    assert 'value="/staff/"' in page.text
    response = client.post(
        "/staff/login",
        data={
            "csrf": csrf_of(page.text),
            "username": STAFF_USER,
            "password": STAFF_PASSWORD,
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/"


def test_session_cookie_flags_over_http(client, staff):
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"csrf": csrf_of(page.text), "username": STAFF_USER, "password": STAFF_PASSWORD},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(settings, engine, staff):
    from fastapi.testclient import TestClient

    from sync.server.app import create_app

    with TestClient(create_app(settings, engine), base_url="https://testserver") as client:
        page = client.get("/staff/login")
        assert "Secure" in page.headers["set-cookie"]
        response = client.post(
            "/staff/login",
            data={"csrf": csrf_of(page.text), "username": STAFF_USER, "password": STAFF_PASSWORD},
            follow_redirects=False,
        )
        cookie = response.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_login_without_csrf_is_refused(client, staff):
    client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"username": STAFF_USER, "password": STAFF_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_form_without_or_with_wrong_csrf_is_refused(client, login, kiosk, post_batch, engine):
    token = login()
    visit = make_visit(kiosk.kiosk_id, story="Torille lisää penkkejä")
    post_batch(kiosk, visit)
    story_id = visit[-1]["id"]
    for data in ({"action": "approve"}, {"action": "approve", "csrf": "wrong-" + token}):
        response = client.post(f"/staff/stories/{story_id}", data=data, follow_redirects=False)
        assert response.status_code == 403
    # Right token but a foreign Origin (a cross-site form) is refused as well.
    response = client.post(
        f"/staff/stories/{story_id}",
        data={"action": "approve", "csrf": token},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    with engine.connect() as conn:
        status = conn.execute(
            select(records.c.story_status).where(records.c.id == story_id)
        ).scalar()
    assert status == "pending"
    response = client.post(
        f"/staff/stories/{story_id}",
        data={"action": "approve", "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_logout_needs_csrf_and_ends_session(client, login):
    token = login()
    assert client.post("/staff/logout", data={}, follow_redirects=False).status_code == 403
    assert (
        client.post("/staff/logout", data={"csrf": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/staff/", follow_redirects=False).status_code == 303


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_payloads_render_as_text(client, login, kiosk, post_batch, engine, demo_themes):
    token = login()
    response = client.post(
        "/staff/themes",
        data={"csrf": token, "id": "xss", "name_fi": PAYLOAD, "velho_name": PAYLOAD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    response = client.post(
        "/staff/themes/liikenne/updates",
        data={"csrf": token, "update_date": "2026-11-20", "text_fi": PAYLOAD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    visit = make_visit(kiosk.kiosk_id, theme_ids=("liikenne", "xss"), story=PAYLOAD)
    post_batch(kiosk, visit)
    pages = [
        client.get(p).text
        for p in (
            "/staff/themes",
            "/staff/themes/xss",
            "/staff/stories",
            "/staff/themes/liikenne",
            "/staff/pictures",
            f"/staff/batches/{_batch_of(engine, visit[0]['id'])}",
        )
    ]
    pages.append(client.get(f"/f/{visit[0]['follow_up_token']}").text)
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
    assert all("&lt;script&gt;" in html for html in pages)
    with engine.connect() as conn:
        assert (
            conn.execute(select(themes.c.name_fi).where(themes.c.id == "xss")).scalar() == PAYLOAD
        )
    svg = client.get("/staff/charts/themes.svg").text
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def _batch_of(engine, record_id):
    with engine.connect() as conn:
        return conn.execute(select(records.c.batch_id).where(records.c.id == record_id)).scalar()


def _try(client, password, username=STAFF_USER):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={"csrf": csrf_of(page.text), "username": username, "password": password},
        follow_redirects=False,
    )


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_tenth_wrong_password_in_a_minute_is_throttled(client, staff):
    for attempt in range(1, 10):
        assert _try(client, f"wrong-{attempt}").status_code == 401, attempt
    throttled = _try(client, "wrong-10")
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "60"
    # Throttled means the password is not even checked: the right one is refused too.
    assert _try(client, STAFF_PASSWORD).status_code == 429
    # Another account from the same address is not locked by this one's failures.
    assert _try(client, "wrong", username="toinen").status_code == 401


def test_unknown_user_and_wrong_password_look_the_same(client, staff):
    a, b = _try(client, "wrong-password"), _try(client, "x", username="nobody")
    assert a.status_code == b.status_code == 401
    assert "Wrong username or password" in a.text or "Väärä" in a.text
    assert ("Väärä" in a.text) == ("Väärä" in b.text)


def test_staff_pages_carry_protective_headers(client, login):
    login()
    response = client.get("/staff/")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
