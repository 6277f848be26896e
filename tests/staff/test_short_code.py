"""The short-code pages /k and /k/<code> end to end through create_app, with visits sent the way
kiosks send them (signed batches)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sync.protocol import new_short_code, normalize_short_code
from sync.server.db.short_codes import MAX_MISSES_PER_ADDRESS
from sync.server.db.tables import records
from sync.server.domain.exports import COLUMNS
from tests.staff.conftest import make_visit


def coded_visit(kiosk_id: str, code: str, **kwargs) -> list[dict]:
    return [dict(r, short_code=code) for r in make_visit(kiosk_id, **kwargs)]


def test_normalize_accepts_what_people_type():
    assert normalize_short_code("k7qm4 px2rt") == "K7QM4-PX2RT"
    assert normalize_short_code(" K7QM4--PX2RT ") == "K7QM4-PX2RT"
    assert normalize_short_code("K7QM4–PX2RT") == "K7QM4-PX2RT"  # an en dash from a phone
    assert normalize_short_code("oil00-abcde") == "01100-ABCDE"
    for wrong in ("K7QM4-PX2R", "K7QM4-PX2RTT", "K7QM4-PX2RU", "", "K7QM4/PX2RT"):
        assert normalize_short_code(wrong) is None, wrong


def test_new_codes_are_canonical_crockford_with_fifty_bits():
    codes = {new_short_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert normalize_short_code(code) == code
        assert not set(code) & set("ILOU")


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_code_opens_the_same_page_as_the_token_withdraw_included(
    client, kiosk, post_batch, demo_themes, engine
):
    visit = coded_visit(kiosk.kiosk_id, "K7QM4-PX2RT", story="Minun Mikkelini", lang="fi")
    post_batch(kiosk, visit)
    token = visit[0]["follow_up_token"]
    by_token = client.get(f"/f/{token}?lang=sv")
    by_code = client.get("/k/K7QM4-PX2RT?lang=sv")
    assert by_code.status_code == 200
    # The same page; only the language links point at the address it was opened by.
    assert by_code.text.replace("/k/K7QM4-PX2RT?", f"/f/{token}?") == by_token.text
    assert f'action="/f/{token}/withdraw' in by_code.text
    # What a person types at /k: small letters, spaces, the lookalike O, no dash.
    typed = client.get("/k", params={"code": "k7qm4 px2rt", "lang": "sv"}, follow_redirects=False)
    assert typed.status_code == 303
    assert typed.headers["location"] == "/k/K7QM4-PX2RT?lang=sv"
    assert client.get("/k/k7qm4px2rt").status_code == 200
    with engine.connect() as conn:
        stored = conn.execute(select(records.c.short_code)).scalars().all()
    assert stored == ["K7QM4-PX2RT"] * len(visit)


def test_code_form_in_three_languages(client):
    for lang, words in (
        ("fi", "Avaa oma seurantasivusi"),
        ("sv", "Öppna din uppföljningssida"),
        ("en", "Open your follow-up page"),
    ):
        page = client.get("/k", params={"lang": lang})
        assert page.status_code == 200
        assert words in page.text
        assert 'action="/k"' in page.text
        assert page.headers["referrer-policy"] == "no-referrer"


def test_misses_answer_alike_and_are_rate_limited_per_address(client, kiosk, post_batch):
    post_batch(kiosk, coded_visit(kiosk.kiosk_id, "AAAAA-BBBBB"))
    unknown = client.get("/k/ZZZZZ-ZZZZZ?lang=en")
    malformed = client.get("/k/not-a-code?lang=en")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.text.replace("ZZZZZ-ZZZZZ", "") == malformed.text.replace("not-a-code", "")
    assert "No page was found for this code" in unknown.text
    for _ in range(MAX_MISSES_PER_ADDRESS - 2):
        assert client.get("/k/ZZZZZ-ZZZZY").status_code == 404
    throttled = client.get("/k/AAAAA-BBBBB?lang=en")  # right code, but too many misses first
    assert throttled.status_code == 429
    assert "Too many codes" in throttled.text
    assert "You said" not in throttled.text


def test_a_code_two_visits_drew_shows_neither(client, kiosk, post_batch):
    first = coded_visit(kiosk.kiosk_id, "CCCCC-DDDDD", story="Ensimmäisen tarina")
    second = coded_visit(kiosk.kiosk_id, "CCCCC-DDDDD", story="Toisen tarina")
    post_batch(kiosk, first)
    post_batch(kiosk, second)
    page = client.get("/k/CCCCC-DDDDD?lang=en")
    assert page.status_code == 404
    assert "Ensimmäisen" not in page.text and "Toisen" not in page.text
    assert "scan the QR code" in page.text
    # each visit's own link still works
    assert "Toisen tarina" in client.get(f"/f/{second[0]['follow_up_token']}").text


def test_short_code_is_never_exported(client, kiosk, post_batch, login):
    login()
    post_batch(kiosk, coded_visit(kiosk.kiosk_id, "EEEEE-FFFFF"))
    assert "short_code" not in COLUMNS
    for fmt in ("csv", "jsonl"):
        body = client.get("/staff/api/export", params={"format": fmt}).text
        assert "EEEEE-FFFFF" not in body and "short_code" not in body


def test_a_record_with_a_bad_short_code_is_refused(client, kiosk):
    import time
    import uuid

    from sync.protocol import canonical_json, signature_headers

    records_ = coded_visit(kiosk.kiosk_id, "K7QM4-PX2RU")  # U is not Crockford
    body = canonical_json({"batch_id": str(uuid.uuid4()), "records": records_})
    headers = signature_headers(
        kiosk.kiosk_id, kiosk.secret, "POST", "/api/v1/batches", body, int(time.time())
    )
    response = client.post(
        "/api/v1/batches", content=body, headers=headers | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "short_code" in response.text
