"""Staff set a velho's photo address on the theme form; a wrong one is refused, kindly."""

from __future__ import annotations

from sqlalchemy import select

from sync.server.db.tables import themes
from tests.staff.conftest import LIIKENNE_TEXTS


def _form(csrf: str, **changes: str) -> dict:
    return {"csrf": csrf, **LIIKENNE_TEXTS, "active": "on", "sort_order": "1"} | changes


def _photo(engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(themes.c.velho_photo_url).where(themes.c.id == "liikenne")
        ).scalar_one()


def test_the_photo_address_is_saved_and_can_be_removed(client, login, demo_themes, engine):
    csrf = login()
    page = client.get("/staff/themes/liikenne?lang=fi").text
    assert 'name="velho_photo_url"' in page and "Kuvan osoite" in page
    url = "https://kuvat.mikkeli.fi/vaino.jpg"
    response = client.post("/staff/themes/liikenne", data=_form(csrf, velho_photo_url=url))
    assert response.status_code == 200 and _photo(engine) == url
    assert client.post("/staff/themes/liikenne", data=_form(csrf)).status_code == 200
    assert _photo(engine) is None


def test_an_address_that_is_not_http_is_refused_and_nothing_is_written(
    client, login, demo_themes, engine
):
    csrf = login()
    for wrong in ("javascript:alert(1)", "file:///etc/passwd", "https://a b.fi/x.jpg"):
        response = client.post(
            "/staff/themes/liikenne?lang=sv", data=_form(csrf, velho_photo_url=wrong)
        )
        assert response.status_code == 400
        assert "ange en adress som börjar med https://" in response.text
    assert _photo(engine) is None
