"""The kiosk-side glue: built from the kiosk config, never blocking, status through Kivy's Clock."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time

from kiosk.settings import parse_settings
from kiosk.sync_service import SyncService, describe_status
from sync.client import SyncStatus
from sync.problems import Backoff
from tests.sync.conftest import assert_server_holds_exactly
from tests.sync.outbox import wait_for


def _settings(kiosk, url, tmp_path, secret=True):
    (tmp_path / "secret").write_text(kiosk.secret)
    server = {"url": url} if url else {}
    if secret:
        server["secret_file"] = str(tmp_path / "secret")
    doc = {"kiosk_id": kiosk.kiosk_id, "data_dir": str(kiosk.data_dir), "server": server}
    return parse_settings(doc, source=tmp_path / "kiosk.toml")


def test_service_syncs_after_a_visit_and_exports(kiosk, proxy, server, tmp_path):
    service = SyncService.from_settings(
        _settings(kiosk, proxy.url, tmp_path), kiosk.store, debounce=0.05, interval=3600
    )
    service.start()
    try:
        saved = kiosk.save(12)
        service.nudge()
        wait_for(lambda: kiosk.pending() == 0)
        # The snapshot follows once the drain has returned (it never reads the store itself).
        # The first snapshot already says pending == 0 before any drain ran, so wait for the
        # drain's own result rather than the count alone.
        wait_for(
            lambda: service.status().pending == 0 and service.status().last_success_at is not None
        )
        status = service.status()
        assert status.last_success_at is not None and status.last_error is None
        more = kiosk.save(2)
        stick = tmp_path / "stick"
        stick.mkdir()
        report = service.export_to(stick).result(30)
        assert report.records == 2 and len(list(stick.iterdir())) == 1
        service.sync_now()
        wait_for(lambda: kiosk.pending() == 0)
    finally:
        assert service.stop(10)
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved + more)


def test_status_calls_return_at_once_while_the_worker_waits_on_the_network(kiosk, proxy, tmp_path):
    proxy.mix({"stall": 1.0})  # every request hangs until the client's timeout
    service = SyncService.from_settings(
        _settings(kiosk, proxy.url, tmp_path), kiosk.store, timeout=3.0, debounce=0.0
    )
    service.start()
    try:
        kiosk.save(1)
        service.nudge()
        wait_for(lambda: proxy.applied["stall"] >= 1)
        for _ in range(50):
            service.status()
            service.nudge()
        # Had these calls waited for the hanging request, they would have returned only after
        # its timeout, which the worker reports in the snapshot at once. No clock is read here.
        assert service.status().last_error is None
        assert proxy.applied["stall"] == 1  # the worker was inside that request all along
        wait_for(lambda: service.status().last_error is not None, 20)  # it did time out
    finally:
        proxy.mix(None)
        assert service.stop(10)


def test_status_reaches_the_ui_through_kivys_clock(kiosk, proxy, tmp_path):
    from kivy.clock import Clock

    service = SyncService.from_settings(
        _settings(kiosk, proxy.url, tmp_path), kiosk.store, backoff=Backoff(base=0.05, cap=0.1)
    )
    seen: list[SyncStatus] = []
    cancel = service.bind_clock(seen.append, interval=0.01)
    service.start()
    try:
        deadline = time.monotonic() + 10
        while len(seen) < 3 and time.monotonic() < deadline:
            Clock.tick()
            time.sleep(0.01)
        assert len(seen) >= 3 and all(isinstance(s, SyncStatus) for s in seen)
        cancel()
    finally:
        assert service.stop(10)


def test_without_a_server_it_says_so_and_still_exports(kiosk, tmp_path):
    from nacl.public import PrivateKey

    from sync.usb_crypto import public_key_text

    settings = _settings(kiosk, "", tmp_path)
    # The key from enrolment (kiosk setup writes server.usb_public_key) seals the files.
    settings = dataclasses.replace(settings, usb_public_key=public_key_text(PrivateKey.generate()))
    service = SyncService.from_settings(settings, kiosk.store)
    service.start()
    assert "server.url" in service.status().last_error
    service.nudge()
    service.sync_now()
    kiosk.save(2)
    report = service.export_to(tmp_path).result(30)
    assert report.records == 2
    assert service.stop(5)


def test_without_a_secret_the_export_fails_in_words(kiosk, tmp_path):
    service = SyncService.from_settings(_settings(kiosk, "", tmp_path, secret=False), kiosk.store)
    kiosk.save(1)
    error = service.export_to(tmp_path).exception(5)
    assert error is not None and "secret" in str(error)
    assert service.stop(5)


def test_describe_status_gives_staff_four_facts():
    status = SyncStatus(
        pending=7,
        oldest_pending_age_seconds=3 * 3600,
        last_success_at=time.time() - 120,
        last_error="The server did not answer in time.",
    )
    lines = describe_status(status, translate=lambda s: s)
    assert lines == [
        "Waiting to be sent: 7",
        "Oldest waiting: 3 h",
        "Last successful sync: 2 min ago",
        "Problem: The server did not answer in time.",
    ]
    never = describe_status(SyncStatus(), translate=lambda s: s)
    assert "Last successful sync: never" in never


def test_importing_the_service_does_not_start_kivy():
    code = "import sys, kiosk.sync_service, kiosk.sync_cli; print('kivy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_an_unreadable_secret_file_does_not_stop_the_kiosk(kiosk, tmp_path):
    settings = parse_settings(
        {
            "kiosk_id": kiosk.kiosk_id,
            "data_dir": str(kiosk.data_dir),
            "server": {"url": "http://127.0.0.1:9", "secret_file": "missing-secret"},
        },
        source=tmp_path / "kiosk.toml",
    )
    service = SyncService.from_settings(settings, kiosk.store)
    service.start()
    service.nudge()
    status = service.status()
    assert "missing-secret" in status.last_error and "stay on this kiosk" in status.last_error
    assert service.export_to(tmp_path).exception(5) is not None
    assert service.stop(5)
