"""A visitor without a phone camera at a computer: /k in a real browser against a real server
process (the fixtures of test_browser.py), typing the code as people do; axe-core checks the
pages for WCAG 2.2 A/AA violations."""

from __future__ import annotations

from tests.staff.conftest import make_visit
from tests.staff.test_browser import (  # noqa: F401  (pytest fixtures used by name)
    PHONE,
    _check_page,
    _post_batch,
    browser,
    pytestmark,
    server,
)


def test_typing_the_code_at_k_opens_the_follow_up_page(server, browser):  # noqa: F811
    visit = [
        dict(r, short_code="K7QM4-PX2RT")
        for r in make_visit(server["kiosk"].kiosk_id, story="Kirjastoon lisää penkkejä.")
    ]
    _post_batch(server, visit)
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="fi-FI")
    page = context.new_page()
    page.goto(server["base"] + "/k?lang=fi")
    _check_page(page, "code-form-fi")
    page.get_by_label("Koodisi").fill("k7qm4 px2rt")
    page.get_by_role("button", name="Avaa sivu").click()
    page.wait_for_url("**/k/K7QM4-PX2RT*")
    assert "Kirjastoon lisää penkkejä." in page.content()
    page.goto(server["base"] + "/k?lang=sv")
    page.get_by_label("Din kod").fill("ZZZZZ-ZZZZZ")
    page.get_by_role("button", name="Öppna sidan").click()
    assert "Ingen sida hittades" in page.content()
    _check_page(page, "code-unknown-sv")
    context.close()
