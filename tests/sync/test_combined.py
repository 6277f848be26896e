"""5,000 records saved while the network misbehaves in every way at random; then it heals.

Afterwards the server must hold exactly the 5,000 records, each equal to what the kiosk saved,
and the kiosk must have nothing pending.
"""

from __future__ import annotations

import time

import pytest

from sync.problems import Backoff
from sync.worker import SyncWorker
from tests.sync.conftest import assert_server_holds_exactly
from tests.sync.faultproxy import MODES

RECORDS = 5000

pytestmark = pytest.mark.slow


def test_random_faults_during_5000_saves_lose_and_double_nothing(kiosk, make_client, proxy, server):
    proxy.mix({mode: (4.0 if mode == "pass" else 1.0) for mode in MODES})
    worker = SyncWorker(
        make_client(timeout=1.0),  # the stall mode holds a request 30 s: the timeout must fire
        interval=0.5,
        debounce=0.05,
        backoff=Backoff(base=0.05, cap=0.5),
        status_interval=0.5,
    )
    worker.start()
    saved = []
    try:
        for _ in range(RECORDS):
            saved.extend(kiosk.save(1))
            worker.nudge()  # as the kiosk UI does after each finished visit
        faulted = {mode: proxy.applied[mode] for mode in MODES if mode != "pass"}
        proxy.mix(None)
        worker.sync_now()
        deadline = time.monotonic() + 180
        while kiosk.pending() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        assert worker.stop(15)
    print(f"faults injected while saving: {faulted}; requests passed: {proxy.applied['pass']}")
    assert all(count > 0 for count in faulted.values()), faulted
    assert kiosk.pending() == 0
    assert kiosk.store.counts()["synced"] == RECORDS
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)
