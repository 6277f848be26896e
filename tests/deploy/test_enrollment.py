"""Enrollment codes, from ``kiosk-server enroll-kiosk`` to ``kiosk setup``: a code works once,
not after it expired or was replaced, is typeable (case, dashes, look-alikes), guessing is
throttled per address without touching staff sign-in, and only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sync.server.app import create_app
from sync.server.db.engine import make_engine
from sync.server.db.enrollment import (
    MAX_FAILURES_PER_ADDRESS,
    issue_code,
    normalize_code,
    redeem_code,
)
from sync.server.db.kiosks import disable_kiosk, enroll_kiosk
from sync.server.db.migrate import upgrade
from sync.server.db.tables import enrollment_codes, login_attempts
from sync.server.deploy_cli import qr_text
from sync.server.errors import Conflict, Forbidden, InvalidInput, NotFound
from sync.server.settings import Settings
from sync.server.usb_keys import usb_public_key


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, new_database):
    engine = make_engine(new_database(request.param))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def client(engine, tmp_path):
    settings = Settings.load(
        {"data_dir": str(tmp_path / "data"), "public_base_url": "https://palaute.mikkeli.fi/"},
        env={},
    )
    with TestClient(create_app(settings, engine), base_url="https://kiosks.mikkeli.fi") as client:
        yield client


def test_a_code_is_100_random_bits_in_typeable_groups_and_only_its_hash_is_stored(engine):
    kiosk = enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto")
    code, expires = issue_code(engine, kiosk.kiosk_id, hours=24)
    groups = code.split("-")
    assert [len(g) for g in groups] == [4] * 5
    assert not set("".join(groups)) & set("ILOU")
    with engine.connect() as conn:
        row = conn.execute(select(enrollment_codes)).one()
    assert row.code_sha256 == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert code not in repr(tuple(row)) and code.replace("-", "") not in repr(tuple(row))
    assert timedelta(hours=23.9) < expires - datetime.now(UTC) <= timedelta(hours=24)
    others = {issue_code(engine, kiosk.kiosk_id)[0] for _ in range(20)}
    assert len(others) == 20


def test_what_a_person_types_is_normalised():
    assert normalize_code(" abcd-efgh-jkmn-pqrs-tvwo ") == "ABCDEFGHJKMNPQRSTVW0"
    assert normalize_code("1111 2222 3333 4444 iLl1") == "11112222333344441111"
    for bad in ("", "ABCD-EFGH", "ABCD-EFGH-JKMN-PQRS-TVWU", "ABCD-EFGH-JKMN-PQRS-TVW!"):
        with pytest.raises(InvalidInput, match="20 letters and digits"):
            normalize_code(bad)


def test_a_code_works_once_and_not_after_expiry_replacement_or_disabling(engine):
    kiosk = enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto")
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    code, _ = issue_code(engine, kiosk.kiosk_id, hours=2, now=now)
    credentials = redeem_code(engine, code.lower(), now=now + timedelta(minutes=5))
    assert (credentials.kiosk_id, credentials.secret) == (kiosk.kiosk_id, kiosk.secret)
    with pytest.raises(Conflict, match="already used at 2026-11-20 12:05 UTC.*enrollment-code"):
        redeem_code(engine, code, now=now + timedelta(minutes=6))

    expiring, _ = issue_code(engine, kiosk.kiosk_id, hours=2, now=now)
    with pytest.raises(Conflict, match="expired at 2026-11-20 14:00 UTC"):
        redeem_code(engine, expiring, now=now + timedelta(hours=2))

    old, _ = issue_code(engine, kiosk.kiosk_id, now=now)
    new, _ = issue_code(engine, kiosk.kiosk_id, now=now)
    with pytest.raises(NotFound, match="newer code"):
        redeem_code(engine, old, now=now)
    disable_kiosk(engine, kiosk.kiosk_id)
    with pytest.raises(Forbidden, match="disabled"):
        redeem_code(engine, new, now=now)
    with pytest.raises(Forbidden, match="disabled"):
        issue_code(engine, kiosk.kiosk_id)
    with pytest.raises(NotFound, match="enroll-kiosk"):
        issue_code(engine, "no-such-kiosk")
    with pytest.raises(InvalidInput, match="at most"):
        issue_code(engine, kiosk.kiosk_id, hours=10_000)


def test_the_endpoint_hands_out_credentials_once(engine, client):
    kiosk = enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto")
    code, _ = issue_code(engine, kiosk.kiosk_id)
    answer = client.post("/api/v1/enroll", json={"code": code})
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "kiosk_id": kiosk.kiosk_id,
        "secret": kiosk.secret,
        "server_url": "https://kiosks.mikkeli.fi",
        "public_url": "https://palaute.mikkeli.fi",
        # The server's key for sealed USB files (sync/usb_crypto.py), as kiosk-config has it.
        "usb_public_key": usb_public_key(client.app.state.settings),
    }
    again = client.post("/api/v1/enroll", json={"code": code})
    assert again.status_code == 409 and "already used" in again.json()["error"]
    unknown = client.post("/api/v1/enroll", json={"code": "0000-0000-0000-0000-0000"})
    assert unknown.status_code == 404 and "not known" in unknown.json()["error"]
    typo = client.post("/api/v1/enroll", json={"code": "12345"})
    assert typo.status_code == 422 and "20 letters" in typo.json()["error"]


def test_guessing_is_throttled_per_address_and_staff_sign_in_is_untouched(engine, client):
    kiosk = enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto")
    code, _ = issue_code(engine, kiosk.kiosk_id)
    for i in range(MAX_FAILURES_PER_ADDRESS):
        guess = f"{i:04d}-0000-0000-0000-0000"
        assert client.post("/api/v1/enroll", json={"code": guess}).status_code == 404
    throttled = client.post("/api/v1/enroll", json={"code": code})
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert "too many wrong enrollment codes" in throttled.json()["error"]
    with engine.connect() as conn:
        rows = conn.execute(select(login_attempts.c.username, login_attempts.c.address)).all()
    assert len(rows) == MAX_FAILURES_PER_ADDRESS
    # Kept apart from staff sign-in: no staff username or client address matches these rows.
    assert {r.username for r in rows} == {"#enrollment-code"}
    assert all(r.address.startswith("enroll:") for r in rows)
    # The code itself was not spent by the refused attempt: from another address it works.
    assert redeem_code(engine, code).kiosk_id == kiosk.kiosk_id


def test_enroll_kiosk_prints_a_code_and_its_qr(cli, tmp_path):
    data = ["--data-dir", str(tmp_path / "data"), "--public-base-url", "https://k.example.fi"]
    result = cli("kiosk-server", "enroll-kiosk", "Otava 1", "--site", "Otava", *data)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    [code_line] = [line for line in lines if line.startswith("Enrollment code")]
    code = code_line.rsplit(" ", 1)[-1]
    assert normalize_code(code)
    drawing = qr_text(code)  # the QR of the code itself, drawn with block characters
    assert drawing in result.stdout and len(drawing.splitlines()) >= 12 and "█" in drawing
    assert f"kiosk setup --server https://k.example.fi --code {code}" in result.stdout

    as_json = cli("kiosk-server", "enroll-kiosk", "Otava 2", "--site", "Otava", "--json", *data)
    document = json.loads(as_json.stdout)
    assert set(document) == {"kiosk_id", "secret", "enrollment_code", "code_expires_at"}
    fresh = cli("kiosk-server", "enrollment-code", "otava-2", "--json", "--code-hours", "1", *data)
    assert fresh.returncode == 0, fresh.stderr
    assert json.loads(fresh.stdout)["enrollment_code"] != document["enrollment_code"]
    missing = cli("kiosk-server", "enrollment-code", "nobody", *data)
    assert missing.returncode == 1 and "no kiosk 'nobody'" in missing.stderr


def test_two_servers_redeeming_one_code_at_once_hand_it_out_once(engine):
    """Eight redemptions of one code race (threads with their own connections, as several
    server processes would): exactly one gets the secret, the others learn it was used."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    kiosk = enroll_kiosk(engine, "Mikkeli main 1", "Pääkirjasto")
    code, _ = issue_code(engine, kiosk.kiosk_id)
    start = Barrier(8)

    def attempt(_i: int) -> str:
        start.wait(timeout=30)
        try:
            return redeem_code(engine, code).secret
        except Conflict as exc:
            return exc.message

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert outcomes.count(kiosk.secret) == 1, outcomes
    assert all("used" in outcome for outcome in outcomes if outcome != kiosk.secret)
