"""Roles in a real browser: an admin's Accounts page, and a site's staff trying another site's
URLs (axe-core finds nothing on the pages they see, the 403 page included)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync.protocol import canonical_json, signature_headers
from sync.server.db.engine import default_sqlite_url, make_engine
from sync.server.db.kiosks import Enrolled, enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.db.staff_users import add_staff_user
from tests.staff.conftest import STAFF_PASSWORD, STAFF_USER, make_visit
from tests.staff.test_browser import CHROMIUM, DESKTOP, _check_page, browser  # noqa: F401
from tests.support.servers import free_port, running_server, uvicorn_command

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is missing")


def _post_batch(base: str, kiosk: Enrolled, records: list[dict]) -> dict:
    body = canonical_json({"batch_id": str(uuid.uuid4()), "records": records})
    headers = signature_headers(
        kiosk.kiosk_id, kiosk.secret, "POST", "/api/v1/batches", body, int(time.time())
    )
    response = httpx.post(
        base + "/api/v1/batches",
        content=body,
        headers=headers | {"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    data = tmp_path_factory.mktemp("server-data")
    url = default_sqlite_url(data)
    engine = make_engine(url)
    upgrade(engine)
    add_staff_user(engine, STAFF_USER, STAFF_PASSWORD)
    add_staff_user(engine, "anna", STAFF_PASSWORD, role="staff", sites=["Pääkirjasto"])
    kiosk_a = enroll_kiosk(engine, "Pääkirjaston kioski", "Pääkirjasto")
    kiosk_b = enroll_kiosk(engine, "Rantakylän kioski", "Rantakylän kirjasto")
    engine.dispose()
    port = free_port()
    env = os.environ | {
        "KT_DATA_DIR": str(data),
        "KT_DATABASE_URL": url,
        "KT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    with running_server(uvicorn_command(port), port=port, log_path=data / "log", env=env) as base:
        _post_batch(base, kiosk_a, make_visit(kiosk_a.kiosk_id, story="Tarina A: lisää penkkejä"))
        visit_b = make_visit(kiosk_b.kiosk_id, story="SALAISUUS-B soita 040 123")
        batch_b = _post_batch(base, kiosk_b, visit_b)["batch_id"]
        story_b = next(r["id"] for r in visit_b if r["kind"] == "story")
        yield {"base": base, "batch_b": batch_b, "story_b": story_b}


def _sign_in(browser, base: str, username: str):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="fi-FI")
    page = context.new_page()
    page.goto(base + "/staff/login")
    page.fill("#username", username)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/staff/")
    return page


def test_the_accounts_page_in_a_browser(server, browser):  # noqa: F811
    page = _sign_in(browser, server["base"], STAFF_USER)
    page.goto(server["base"] + "/staff/accounts")
    _check_page(page, "staff-accounts")
    page.locator("#new-account summary").click()
    page.fill("#new-username", "ville")
    page.fill("#new-password", "katselijan-salasana")
    page.check("#new-role-viewer")
    page.get_by_role("button", name="Luo käyttäjätili").click()
    page.wait_for_url("**/staff/accounts?done=created")
    assert page.locator("tbody tr", has_text="ville").inner_text().count("Katselija") == 1
    page.locator("#account-2 summary").click()  # anna: open her form, axe it open
    _check_page(page, "staff-accounts-open")


def test_a_sites_staff_tries_another_sites_urls(server, browser):  # noqa: F811
    base = server["base"]
    page = _sign_in(browser, base, "anna")
    page.goto(base + "/staff/stories")
    assert "Tarina A" in page.content() and "SALAISUUS-B" not in page.content()
    _check_page(page, "staff-stories-of-a-site")
    assert page.goto(base + f"/staff/batches/{server['batch_b']}").status == 404
    assert "SALAISUUS-B" not in page.content()
    page.goto(base + "/staff/themes")
    _check_page(page, "staff-themes-of-a-site")
    for path in ("/staff/audit", "/staff/accounts", "/staff/privacy"):
        response = page.goto(base + path)
        assert response.status == 403, path
        assert page.get_by_role("heading", name="Ei pääsyä").is_visible()
        assert "Tililläsi ei ole pääsyä tälle sivulle." in page.content()
    _check_page(page, "staff-no-access")
    nav = page.get_by_role("navigation").inner_text()
    assert "Tapahtumaloki" not in nav and "Käyttäjätilit" not in nav
