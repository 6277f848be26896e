"""The whole loop in a real browser against a real server process, checked by axe-core.

A uvicorn subprocess serves ``create_app`` on 127.0.0.1; Debian's chromium (driven by
Playwright) signs in as staff, approves a story and adds a status update. The visit's records
reach the server as a signed batch posted with httpx and ``sync.protocol.signature_headers``
(exactly what a kiosk's sync client sends). The visitor's phone opens the follow-up page, sees
the update and withdraws the story; then neither the export nor kiosk-config has it.
axe-core (tests/vendor/axe.min.js) checks every page for WCAG 2.2 A/AA violations at phone and
desktop sizes; screenshots go to ``$KT_SCREENSHOT_DIR`` when set.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from sync.protocol import canonical_json, signature_headers
from sync.server.db.engine import default_sqlite_url, make_engine
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.db.staff_users import add_staff_user
from tests.staff.conftest import STAFF_PASSWORD, STAFF_USER, make_visit, seed_demo_themes

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is missing")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    data = tmp_path_factory.mktemp("server-data")
    url = default_sqlite_url(data)
    engine = make_engine(url)
    upgrade(engine)
    add_staff_user(engine, STAFF_USER, STAFF_PASSWORD)
    kiosk = enroll_kiosk(engine, "Pääkirjasto 1", "Pääkirjasto")
    seed_demo_themes(engine)
    engine.dispose()
    port = _free_port()
    env = os.environ | {
        "KT_DATA_DIR": str(data),
        "KT_DATABASE_URL": url,
        "KT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "sync.server.app:create_app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):  # bounded: 15 s
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the server did not answer /healthz within 15 s")
        if proc.poll() is not None:
            pytest.fail("the server exited: " + (data / "server.log").read_text())
        yield {"base": base, "kiosk": kiosk, "log": data / "server.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _post_batch(server, records: list[dict]) -> dict:
    body = canonical_json({"batch_id": str(uuid.uuid4()), "records": records})
    kiosk = server["kiosk"]
    headers = signature_headers(
        kiosk.kiosk_id, kiosk.secret, "POST", "/api/v1/batches", body, int(time.time())
    )
    response = httpx.post(
        server["base"] + "/api/v1/batches",
        content=body,
        headers=headers | {"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def _kiosk_config(server) -> dict:
    kiosk = server["kiosk"]
    path = "/api/v1/kiosk-config"
    headers = signature_headers(kiosk.kiosk_id, kiosk.secret, "GET", path, b"", int(time.time()))
    response = httpx.get(server["base"] + path, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _check_page(page, name: str) -> None:
    """axe-core at phone and desktop size (no WCAG 2.2 A/AA violation), and screenshots."""
    shots = os.environ.get("KT_SCREENSHOT_DIR")
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}-{label}.png"), full_page=True)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
            AXE_TAGS,
        )
        assert result == [], f"{name} ({label}): {result}"


def test_staff_and_visitor_loop_with_accessibility(server, browser):
    base = server["base"]
    visit = make_visit(
        server["kiosk"].kiosk_id,
        rating=4,
        theme_ids=("liikenne", "nuoret"),
        story="Kauppatori elää talvellakin – lisää valoja ja penkkejä!",
        age_group="65-74",
        district="keskusta",
    )
    ack = _post_batch(server, visit)
    _post_batch(
        server,
        make_visit(
            server["kiosk"].kiosk_id,
            rating=1,
            theme_ids=("nuoret",),
            story="Soita minulle 040 123 4567",
            age_group="18-29",
        ),
    )
    token = visit[0]["follow_up_token"]

    # bypass_csp: our CSP forbids injected scripts, axe-core is one.
    staff = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="fi-FI")
    page = staff.new_page()
    page.goto(base + "/staff/stories")
    assert "/staff/login" in page.url
    _check_page(page, "staff-login")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/staff/stories")

    # Approve the visit's story for the story wall.
    story = page.locator("li.card", has_text="Kauppatori elää talvellakin")
    story.get_by_role("button", name="Hyväksy tarinaseinälle").click()
    page.wait_for_url("**/staff/stories?status=pending&done=approve")
    wall = [s["text"] for s in _kiosk_config(server)["stories"]]
    assert wall == ["Kauppatori elää talvellakin – lisää valoja ja penkkejä!"]

    # Add a status update to the theme "liikenne".
    page.goto(base + "/staff/themes/liikenne")
    page.fill("#update_date", date.today().isoformat())
    page.fill("#text_fi", "Kauppatorille tuli lisää valoja.")
    page.fill("#text_sv", "Torget fick mer ljus.")
    page.fill("#text_en", "The market square got more lights.")
    page.get_by_role("button", name="Lisää päivitys").click()
    page.wait_for_url("**/staff/themes/liikenne?done=saved")
    assert "Kauppatorille tuli lisää valoja." in page.content()

    for name, path in (
        ("staff-overview", "/staff/"),
        ("staff-batches", "/staff/batches"),
        ("staff-batch", f"/staff/batches/{ack['batch_id']}"),
        ("staff-themes", "/staff/themes"),
        ("staff-theme", "/staff/themes/liikenne"),
        ("staff-stories", "/staff/stories"),
        ("staff-stories-approved", "/staff/stories?status=approved"),
        ("staff-pictures", "/staff/pictures"),
        ("staff-events", "/staff/events"),
        ("staff-exports", "/staff/exports"),
        ("staff-overview-en", "/staff/?lang=en"),
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        _check_page(page, name)

    # The visitor's phone, in Swedish.
    phone = browser.new_context(
        viewport=PHONE,
        bypass_csp=True,
        locale="sv-FI",
        extra_http_headers={"Accept-Language": "sv-FI,sv;q=0.9"},
    )
    visitor = phone.new_page()
    response = visitor.goto(f"{base}/f/{token}")
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in response.headers["x-robots-tag"]
    html = visitor.content()
    assert "Torget fick mer ljus." in html and "sedan ditt besök" in html
    assert "Din berättelse finns på kioskernas berättelsevägg." in html
    _check_page(visitor, "followup-sv")
    for lang in ("fi", "en"):
        visitor.goto(f"{base}/f/{token}?lang={lang}")
        _check_page(visitor, f"followup-{lang}")
    visitor.goto(f"{base}/f/{token}?lang=sv")

    # Every request of the page went to our own server: no third-party resources.
    seen: list[str] = []
    visitor.on("request", lambda req: seen.append(req.url))
    visitor.reload()
    assert seen and all(u.startswith(base) for u in seen), seen

    visitor.get_by_role("button", name="Ta tillbaka min berättelse").click()
    visitor.wait_for_url("**/withdraw?lang=sv")
    # Erasing is irreversible, so the page asks once more (WCAG 3.3.4) before doing it.
    assert "Kauppatori elää talvellakin" in visitor.content()
    _check_page(visitor, "followup-withdraw-confirm")
    visitor.get_by_role("button", name="Ja, radera min berättelse").click()
    visitor.wait_for_url("**withdrawn=1")
    assert "Din berättelse har tagits tillbaka och raderats." in visitor.content()
    assert "Kauppatori elää talvellakin" not in visitor.content()
    _check_page(visitor, "followup-withdrawn")

    # Gone from the export (the staff browser's session) and from kiosk-config.
    for fmt in ("csv", "jsonl"):
        export = staff.request.get(f"{base}/staff/api/export?format={fmt}")
        assert export.status == 200
        body = export.body().decode("utf-8-sig")
        assert "Kauppatori elää talvellakin" not in body and "040 123 4567" in body
    assert _kiosk_config(server)["stories"] == []

    missing = visitor.goto(f"{base}/f/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert missing.status == 404
    _check_page(visitor, "followup-404")
    staff.close()
    phone.close()


def test_follow_up_and_staff_pages_without_session(server, browser):
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    for path in ("/staff/", "/staff/pictures", "/staff/exports"):
        page.goto(server["base"] + path)
        assert "/staff/login?next=" in page.url
    api = context.request.get(server["base"] + "/staff/api/export")
    assert api.status == 401
    context.close()


def test_axe_harness_reports_violations(browser):
    # Proves the accessibility check above can fail: an unlabeled image and input are caught.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content('<html lang="fi"><title>t</title><main><img src="x.png"><input></main></html>')
    page.add_script_tag(path=str(AXE))
    ids = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.id)",
        AXE_TAGS,
    )
    context.close()
    assert "image-alt" in ids and "label" in ids
