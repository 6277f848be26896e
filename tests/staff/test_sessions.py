"""Staff sessions live on the server (issue 10, reproduction 5) and the login throttle cannot be
turned against staff (reproduction 3); passwords are checked off the event loop (reproduction 4).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from sync.server import cli
from sync.server.db import login_attempts as attempts
from sync.server.db.engine import make_engine
from sync.server.db.migrate import upgrade
from sync.server.db.staff_users import add_staff_user
from sync.server.db.tables import login_attempts, staff_sessions
from sync.server.resources.staff.auth import SESSION_COOKIE
from tests.staff.conftest import STAFF_PASSWORD, STAFF_USER, csrf_of

BOTH = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


def _signed_in(client) -> bool:
    return client.get("/staff/", follow_redirects=False).status_code == 200


def _try(client, password, username=STAFF_USER):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={"csrf": csrf_of(page.text), "username": username, "password": password},
        follow_redirects=False,
    )


def _other_client(client, address="203.0.113.7") -> TestClient:
    return TestClient(client.app, client=(address, 40000))


@BOTH
def test_a_cookie_copied_before_logout_is_dead_after_it(client, login):
    token = login()
    copied = client.cookies[SESSION_COOKIE]
    response = client.post("/staff/logout", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set(SESSION_COOKIE, copied)
    assert not _signed_in(client)
    assert client.get("/staff/api/overview").status_code == 401


@BOTH
def test_sign_out_everywhere_ends_the_other_devices_sessions(client, login):
    login()
    with _other_client(client) as phone:
        assert _try(phone, STAFF_PASSWORD).status_code == 303
        assert _signed_in(phone)
        page = client.get("/staff/")
        assert "/staff/logout-everywhere" in page.text
        response = client.post(
            "/staff/logout-everywhere", data={"csrf": csrf_of(page.text)}, follow_redirects=False
        )
        assert response.status_code == 303
        assert not _signed_in(phone)
    assert not _signed_in(client)


def test_sign_out_everywhere_needs_the_csrf_token(client, login):
    login()
    response = client.post("/staff/logout-everywhere", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert _signed_in(client)


@BOTH
def test_idle_timeout_and_twelve_hour_maximum(client, login, engine, settings):
    assert settings.staff_session_idle_minutes == 30
    login()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(update(staff_sessions).values(last_seen_at=now - timedelta(minutes=29)))
    assert _signed_in(client)  # used 29 minutes ago: still on, and the use is recorded
    with engine.connect() as conn:
        seen = conn.execute(select(staff_sessions.c.last_seen_at)).scalar_one()
    assert (seen if seen.tzinfo else seen.replace(tzinfo=UTC)) >= now - timedelta(seconds=5)
    with engine.begin() as conn:
        conn.execute(update(staff_sessions).values(last_seen_at=now - timedelta(minutes=31)))
    assert not _signed_in(client)

    login()
    with engine.begin() as conn:
        conn.execute(
            update(staff_sessions)
            .where(staff_sessions.c.revoked_at.is_(None))
            .values(created_at=now - timedelta(hours=12, minutes=1))
        )
    assert not _signed_in(client)  # in use all along, but past the working day


def test_idle_timeout_is_a_setting(settings, engine):
    from sync.server.settings import Settings, option_help

    assert "unused" in option_help()["staff_session_idle_minutes"]
    loaded = Settings.load(env={"KT_STAFF_SESSION_IDLE_MINUTES": "5"})
    assert loaded.staff_session_idle_minutes == 5


@BOTH
def test_cli_disable_and_reset_password_end_sessions(client, login, db_url, tmp_path, capsys):
    def run(*argv, stdin=None):
        import io
        import sys

        old = sys.stdin
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        try:
            status = cli.main(
                [*argv, "--database-url", db_url, "--data-dir", str(tmp_path / "data")]
            )
        finally:
            sys.stdin = old
        return (status, *capsys.readouterr())

    login()
    status, out, err = run(
        "staff", "reset-password", STAFF_USER, "--password-stdin", stdin="uusi-pitkä-salasana\n"
    )
    assert (status, err) == (0, ""), err
    assert "1 session(s) ended" in out
    assert not _signed_in(client)
    assert _try(client, STAFF_PASSWORD).status_code == 401
    assert _try(client, "uusi-pitkä-salasana").status_code == 303

    status, out, err = run("staff", "disable", STAFF_USER)
    assert (status, err) == (0, ""), err
    assert not _signed_in(client)
    assert _try(client, "uusi-pitkä-salasana").status_code == 401

    status, out, err = run("staff", "disable", "nobody")
    assert status == 1 and out == ""
    assert err.strip().count("\n") == 0 and "nobody" in err
    status, out, err = run("staff", "reset-password", STAFF_USER, "--password-stdin", stdin="x\n")
    assert status == 1 and err.strip().count("\n") == 0 and "characters" in err


@BOTH
def test_the_right_password_from_another_address_always_gets_in(client, staff, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk_server.staff_auth")
    for attempt in range(1, 10):
        # Upper case or not, it is one account for the count.
        name = STAFF_USER.upper() if attempt % 2 else STAFF_USER
        assert _try(client, f"wrong-{attempt}", username=name).status_code == 401, attempt
    assert _try(client, STAFF_PASSWORD).status_code == 429  # this address, this account: locked
    with _other_client(client) as own_desk:
        # The owner at another address: slowed down, never locked out.
        assert _try(own_desk, STAFF_PASSWORD).status_code == 303
        assert _signed_in(own_desk)
    failed = [r.getMessage() for r in caplog.records if "failed staff login" in r.getMessage()]
    assert len(failed) == 9
    assert all(" from testclient at 20" in line for line in failed), failed[0]
    assert any("throttled staff login" in r.getMessage() for r in caplog.records)


def test_account_wide_failures_only_add_a_bounded_delay():
    assert attempts.account_delay(0) == 0
    assert attempts.account_delay(attempts.ACCOUNT_DELAY_AFTER - 1) == 0
    assert attempts.account_delay(attempts.ACCOUNT_DELAY_AFTER) > 0
    assert attempts.account_delay(10_000) == attempts.ACCOUNT_DELAY_MAX_SECONDS


def test_many_accounts_from_one_address_are_throttled(client, staff):
    for n in range(attempts.ADDRESS_FAILURES_PER_WINDOW):
        assert _try(client, "wrong", username=f"user{n}").status_code == 401
    assert _try(client, STAFF_PASSWORD).status_code == 429
    with _other_client(client) as elsewhere:
        assert _try(elsewhere, STAFF_PASSWORD).status_code == 303


def test_password_is_never_checked_on_the_event_loop(client, staff, monkeypatch):
    on_loop: list[bool] = []
    real_verify = PasswordHasher.verify

    def watching_verify(self, password_hash, password):
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return real_verify(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", watching_verify)
    assert _try(client, STAFF_PASSWORD).status_code == 303
    assert _try(client, "wrong").status_code == 401
    assert _try(client, "whatever", username="nobody").status_code == 401  # the dummy check
    assert on_loop == [False, False, False]


@BOTH
def test_parallel_guesses_on_four_workers_get_nine_checks(db_url, start_server):
    engine = make_engine(db_url)
    upgrade(engine)
    add_staff_user(engine, STAFF_USER, STAFF_PASSWORD)
    base = start_server(db_url, workers=4)
    barrier = threading.Barrier(40)

    def guess(n: int) -> int:
        with httpx.Client(base_url=base, timeout=120) as browser:
            csrf = csrf_of(browser.get("/staff/login").text)
            barrier.wait()
            return browser.post(
                "/staff/login",
                data={"csrf": csrf, "username": STAFF_USER, "password": f"guess-{n}"},
            ).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        codes = list(pool.map(guess, range(40)))
    with engine.connect() as conn:
        recorded = conn.execute(select(func.count()).select_from(login_attempts)).scalar_one()
    engine.dispose()
    assert codes.count(401) == attempts.PAIR_FAILURES_PER_WINDOW, codes
    assert codes.count(429) == 40 - attempts.PAIR_FAILURES_PER_WINDOW, codes
    assert recorded == attempts.PAIR_FAILURES_PER_WINDOW
