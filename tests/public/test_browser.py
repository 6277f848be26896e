"""The public theme pages and the lobby display in a real browser against a real server process.

A uvicorn subprocess serves ``create_app`` over a SQLite database holding the demo themes and a
year of visits with approved stories; Debian's chromium (Playwright) opens ``/themes``,
``/themes/<id>`` and ``/wall`` at phone, desktop and 1080p television sizes, and axe-core
(tests/vendor/axe.min.js) finds no WCAG 2.2 A/AA violation. The wall rotates its themes by
itself and, when the server stops answering, keeps its last view and says so. Screenshots go
to ``$KT_SCREENSHOT_DIR`` when set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from sync.protocol import canonical_json
from sync.server.db.engine import default_sqlite_url, make_engine
from sync.server.db.ingest import parse_batch, store_batch
from sync.server.db.kiosks import enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.db.tables import records
from tests.public.conftest import kiosk_visit
from tests.staff.conftest import seed_demo_themes
from tests.staff.test_browser import AXE, AXE_TAGS, CHROMIUM, CHROMIUM_ARGS
from tests.support.servers import free_port

SIZES = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1440, "height": 900},
    "tv": {"width": 1920, "height": 1080},
}
STORIES = (
    "Kauppatorille lisää penkkejä ja valoja talveksi.",
    "Pyörätie kirjastolle on hieno, kiitos!",
    "Nuorille oma tila kirjastoon, jossa saa pelata.",
)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is missing")


def _seed(engine, kiosk) -> None:
    """A year of visits (some months under five), three approved stories."""
    now = datetime.now(UTC)
    visits = []
    for month in range(12):
        for n in range(3 if month % 4 == 1 else 6 + month % 3):
            when = (now - timedelta(days=30 * month + n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            story = STORIES[n % 3] if month == 0 and n < 3 else None
            theme = ("nuoret",) if story == STORIES[2] else ("liikenne", "nuoret")
            visits.append(
                kiosk_visit(
                    kiosk.kiosk_id,
                    rating=(n + month) % 4 + 1,
                    theme_ids=theme,
                    story=story,
                    created_at=when,
                )
            )
    flat = [r for v in visits for r in v]
    for start in range(0, len(flat), 400):
        body = canonical_json({"batch_id": str(uuid.uuid4()), "records": flat[start : start + 400]})
        store_batch(engine, parse_batch(body, kiosk.kiosk_id), kiosk.kiosk_id)
    with engine.begin() as conn:
        conn.execute(
            update(records).where(records.c.story.in_(STORIES)).values(story_status="approved")
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[dict]:
    data = tmp_path_factory.mktemp("public-server")
    url = default_sqlite_url(data)
    engine = make_engine(url)
    upgrade(engine)
    kiosk = enroll_kiosk(engine, "Pääkirjasto 1", "Pääkirjasto")
    enroll_kiosk(engine, "Otava 1", "Otavan kirjasto")
    seed_demo_themes(engine)
    _seed(engine, kiosk)
    engine.dispose()
    port = free_port()
    env = os.environ | {
        "KT_DATA_DIR": str(data),
        "KT_DATABASE_URL": url,
        "KT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = (data / "server.log").open("wb")
    command = [sys.executable, "-m", "uvicorn", "sync.server.app:create_app_from_env", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):  # bounded: 15 s
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail("the server exited: " + (data / "server.log").read_text())
            time.sleep(0.1)
        else:
            pytest.fail("the server did not answer /healthz within 15 s")
        yield {"base": base}
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


def _axe(page) -> list:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        AXE_TAGS,
    )


def _shot(page, name: str, full_page: bool = True) -> None:
    shots = os.environ.get("KT_SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=full_page)


@pytest.mark.parametrize("size", list(SIZES))
def test_theme_pages_are_accessible_at_every_size(server, browser, size):
    # bypass_csp: our CSP forbids injected scripts, axe-core is one.
    context = browser.new_context(viewport=SIZES[size], bypass_csp=True, locale="fi-FI")
    page = context.new_page()
    try:
        outside = []
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(server["base"]) else None,
        )
        for name, path in (
            ("themes", "/themes"),
            ("themes-site", "/themes?site=P%C3%A4%C3%A4kirjasto&lang=sv"),
            ("theme", "/themes/liikenne"),
            ("theme-en", "/themes/nuoret?lang=en"),
            ("accessibility", "/accessibility"),
            ("moderation", "/moderation"),
        ):
            response = page.goto(server["base"] + path)
            assert response is not None and response.status == 200, path
            if name == "theme":
                page.get_by_text("Luvut taulukkona").click()  # open the table too
            _shot(page, f"public-{name}-{size}")
            # Nothing wider than the screen: only a wide table scrolls, inside its box.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= SIZES[size]["width"], f"{path} at {size}: {width}px wide"
            assert _axe(page) == [], f"{path} at {size}"
        assert outside == []  # no third-party loads
        page.goto(server["base"] + "/themes/liikenne")
        # One picture for assistive technology at each size: the narrow one on a phone.
        assert page.locator("svg.mood-picture.narrow").is_visible() == (size == "phone")
        assert page.get_by_role("img", name="Mieliala kuukausittain").count() == 1
        assert page.get_by_text(STORIES[0]).is_visible()
        assert page.locator('[aria-current="step"]').count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_wall_is_accessible_and_rotates(server, browser, size):
    context = browser.new_context(viewport=SIZES[size], bypass_csp=True, locale="fi-FI")
    page = context.new_page()
    try:
        page.clock.install()
        page.goto(server["base"] + "/wall?site=P%C3%A4%C3%A4kirjasto")
        slides = page.locator("#wall-slides > .slide")
        assert slides.count() == 2
        assert slides.nth(0).is_visible() and not slides.nth(1).is_visible()
        _shot(page, f"wall-{size}", full_page=False)
        assert _axe(page) == [], f"/wall at {size}"
        if size == "tv":
            # Nothing scrolls on the info screen: the page fits 1920x1080.
            assert page.evaluate("document.documentElement.scrollHeight") <= 1080
        page.clock.run_for(21_000)
        assert slides.nth(1).is_visible() and not slides.nth(0).is_visible()
        _shot(page, f"wall-{size}-second", full_page=False)
    finally:
        context.close()


def test_wall_keeps_its_last_view_when_the_server_is_away(server, browser):
    context = browser.new_context(viewport=SIZES["tv"], locale="fi-FI")
    page = context.new_page()
    try:
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server["base"] + "/wall")
        assert page.locator("#wall-offline").is_hidden()
        stamp = page.locator("#wall-updated").get_attribute("data-updated")
        page.route("**/wall*", lambda route: route.abort())
        page.evaluate("window.dispatchEvent(new Event('online'))")  # refresh now
        page.locator("#wall-offline").wait_for(state="visible", timeout=5000)
        assert page.locator("#wall-slides > .slide").count() == 2  # the last view stays
        assert page.get_by_text("Liikenne ja pyöräily").first.is_visible()
        _shot(page, "wall-tv-offline", full_page=False)
        page.unroute("**/wall*")
        # A mark on the old view: a fresh view replaces the element, and the mark goes with it.
        page.evaluate("document.getElementById('wall-slides').dataset.old = 'yes'")
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.locator("#wall-offline").wait_for(state="hidden", timeout=5000)
        assert page.locator("#wall-slides").get_attribute("data-old") is None
        assert page.locator("#wall-updated").get_attribute("data-updated") >= stamp
        assert page.locator("#wall-slides > .slide").count() == 2
        # The CSP (not bypassed here) let our own script run and blocked nothing of ours.
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
