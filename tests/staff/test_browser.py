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

import json
import os
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from sync.protocol import canonical_json, make_batch_file, signature_headers
from sync.server.db.engine import default_sqlite_url, make_engine
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.db.staff_users import add_staff_user
from tests.staff.conftest import STAFF_PASSWORD, STAFF_USER, make_visit, seed_demo_themes
from tests.support.servers import free_port, running_server, uvicorn_command

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
    port = free_port()
    env = os.environ | {
        "KT_DATA_DIR": str(data),
        "KT_DATABASE_URL": url,
        "KT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = data / "server.log"
    with running_server(uvicorn_command(port), port=port, log_path=log, env=env) as base:
        yield {"base": base, "kiosk": kiosk, "log": log, "url": url, "data": data}


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
    # The update answers the visitor's story ("you said – we did").
    page.get_by_label("Kauppatori elää talvellakin", exact=False).check()
    page.get_by_role("button", name="Lisää päivitys").click()
    page.wait_for_url("**/staff/themes/liikenne?done=saved")
    assert "Kauppatorille tuli lisää valoja." in page.content()
    assert "Tarinat, joihin tämä päivitys vastaa: 1" in page.content()

    # Deleting a step asks first, on a page of its own; "Keskeytä" leaves the step alone.
    draft_step = page.locator("ol.path li", has_text="Luonnos")
    draft_step.get_by_role("button", name="Poista").click()
    assert "Poistetaanko vaihe?" in page.content()
    _check_page(page, "staff-confirm-delete-step")
    page.get_by_role("link", name="Keskeytä").click()
    page.wait_for_url("**/staff/themes/liikenne")
    page.locator("ol.path li", has_text="Luonnos").get_by_role("link", name="Muokkaa").click()
    page.wait_for_url("**/staff/themes/liikenne/steps/*")
    _check_page(page, "staff-step-edit")

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
        ("staff-audit", "/staff/audit"),
        ("staff-privacy", "/staff/privacy"),
        ("public-privacy", "/privacy"),
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
    assert "Din berättelse beaktades i den här uppdateringen." in html
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
        export = staff.request.get(f"{base}/staff/api/export?format={fmt}&story_text=all")
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


def test_privacy_gate_in_the_browser(server, browser):
    """A librarian meets a story with a phone number: no one-click approval, the findings are
    named, "Remove all findings" cleans it, and only then it reaches the story wall."""
    base = server["base"]
    visit = make_visit(
        server["kiosk"].kiosk_id,
        story="Portin selässä soi 040 765 4321 aina, kun tori aukeaa.",
        theme_ids=("liikenne",),
    )
    _post_batch(server, visit)
    staff = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="fi-FI")
    page = staff.new_page()
    page.goto(base + "/staff/login?next=/staff/stories")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/staff/stories")
    card = page.locator("li.card", has_text="Portin selässä")
    assert card.get_by_role("button", name="Hyväksy tarinaseinälle").count() == 0
    assert "040 765 4321" in card.locator("mark").first.inner_text()
    # "Publish anyway" asks for a reason; the browser itself refuses a too short one (the
    # server refuses it too: test_privacy_gate.py).
    card.locator("summary", has_text="Julkaise silti").click()
    reason = card.get_by_label("Miksi tarinan saa julkaista")
    reason.fill("koska voi")
    card.get_by_role("button", name="Julkaise henkilötiedoista huolimatta").click()
    assert reason.evaluate("e => e.validity.tooShort") is True
    assert "done=" not in page.url
    _check_page(page, "staff-stories-gate")
    assert all("Portin selässä" not in s["text"] for s in _kiosk_config(server)["stories"])
    card.get_by_role("button", name="Poista kaikki löydökset").click()
    page.wait_for_url("**done=redact_all")
    card = page.locator("li.card", has_text="Portin selässä")
    card.get_by_role("button", name="Hyväksy tarinaseinälle").click()
    page.wait_for_url("**done=approve")
    wall = [s["text"] for s in _kiosk_config(server)["stories"]]
    assert "Portin selässä soi […] aina, kun tori aukeaa." in wall
    page.goto(base + "/staff/audit")
    assert "Poisti kaikki löydökset" in page.content()
    _check_page(page, "staff-audit-after-gate")
    staff.close()


def test_usb_import_in_the_browser(server, browser, tmp_path):
    """A librarian uploads the file a kiosk wrote on a stick: it is stored once, the page says
    so in one sentence, and a file that is not a batch is refused next to the field."""
    base = server["base"]
    kiosk = server["kiosk"]
    body = canonical_json(
        {"batch_id": str(uuid.uuid4()), "records": make_visit(kiosk.kiosk_id, theme_ids=())}
    )
    envelope = make_batch_file(kiosk.kiosk_id, kiosk.secret, body, int(time.time()) - 86400)
    stick = tmp_path / f"kayttajatori-{kiosk.kiosk_id}-1.json"
    stick.write_text(json.dumps(envelope))
    photo = tmp_path / "IMG_0001.json"
    photo.write_text('{"not": "a batch"}')
    staff = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="fi-FI")
    page = staff.new_page()
    page.goto(base + "/staff/login?next=/staff/batches")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/staff/batches")
    page.locator("#usb-file").set_input_files(str(photo))
    page.get_by_role("button", name="Tuo", exact=True).click()
    page.wait_for_load_state()
    assert "Tämä ei ole lähetystiedosto." in page.get_by_role("alert").inner_text()
    _check_page(page, "staff-usb-import-refused")
    page.locator("#usb-file").set_input_files(str(stick))
    page.get_by_role("button", name="Tuo", exact=True).click()
    page.wait_for_load_state()
    assert "Lähetys tuotu: 1 uutta merkintää" in page.get_by_role("status").inner_text()
    _check_page(page, "staff-usb-import-done")
    page.get_by_role("link", name="Näytä lähetys").click()
    assert "USB" in page.content()
    staff.close()


def test_a_new_theme_is_a_draft_and_publishing_it_warns_in_the_browser(server, browser):
    base = server["base"]
    staff = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="fi-FI")
    page = staff.new_page()
    page.goto(base + "/staff/login?next=/staff/themes")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/staff/themes")
    page.locator("summary", has_text="Uusi teema").click()
    page.fill("#new-id", "kirjasto")
    page.fill("#new-name_fi", "Kirjaston tilat")
    page.get_by_role("button", name="Lisää teema").click()
    page.wait_for_url("**/staff/themes/kirjasto?done=saved")
    assert "Tämä teema on luonnos" in page.content()
    _check_page(page, "staff-theme-draft")
    assert "kirjasto" not in [t["id"] for t in _kiosk_config(server)["themes"]]
    page.get_by_role("button", name="Julkaise teema").click()
    assert "Julkaistaanko teema?" in page.content()
    assert "Ei velhoa" in page.get_by_role("alert").inner_text()
    _check_page(page, "staff-confirm-publish")
    page.get_by_role("button", name="Julkaise silti").click()
    page.wait_for_url("**/staff/themes/kirjasto?done=published")
    assert "Tämä teema on luonnos" not in page.content()
    assert "kirjasto" in [t["id"] for t in _kiosk_config(server)["themes"]]
    staff.close()


def test_purge_closes_old_follow_up_pages_in_the_browser(server, browser):
    """A visit 25 months old: its page says it has closed (before purge and after), purge
    erases its story and token, and the audit trail shows the purge to an admin."""
    import subprocess
    import sys
    from datetime import UTC, datetime, timedelta

    base = server["base"]
    long_ago = (datetime.now(UTC) - timedelta(days=25 * 31)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # An event the server no longer knows: its story's retention counts from the visit.
    visit = make_visit(
        server["kiosk"].kiosk_id,
        story="Vanha tarina torin laidalta.",
        created_at=long_ago,
        event_id="kayttajatori-2024-09",
    )
    _post_batch(server, visit)
    token = visit[0]["follow_up_token"]
    phone = browser.new_context(viewport=PHONE, bypass_csp=True, locale="fi-FI")
    page = phone.new_page()
    response = page.goto(f"{base}/f/{token}?lang=fi")
    assert response.status == 410
    assert "Tämä seurantasivu on suljettu" in page.content()
    assert "Vanha tarina" not in page.content()
    _check_page(page, "followup-closed")
    purge = subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "purge", "--apply"],
        env=os.environ | {"KT_DATA_DIR": str(server["data"]), "KT_DATABASE_URL": server["url"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert purge.returncode == 0, purge.stderr
    report = json.loads(purge.stdout.splitlines()[0])
    assert report["applied"] and report["stories"] >= 1 and report["follow_up_visits"] >= 1
    response = page.goto(f"{base}/f/{token}?lang=sv")
    assert response.status == 410 and "Den här uppföljningssidan har stängts" in page.content()
    phone.close()
    staff = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="fi-FI")
    page = staff.new_page()
    page.goto(base + "/staff/login?next=/staff/audit")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/staff/audit")
    assert "Poisti tiedot säilytysajan päätyttyä" in page.content()
    _check_page(page, "staff-audit-after-purge")
    staff.close()
