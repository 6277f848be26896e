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
    faults = [mode for mode in MODES if mode != "pass"]
    # Every fault strikes at least once whatever the speed of the saves: each is queued twice
    # (the first request is the config pull at start), then the random mix takes over.
    proxy.queue(*faults, *faults)
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
        # Saves may outrun the uploads: the faults go on until each has struck twice (bounded).
        deadline = time.monotonic() + 120
        while any(proxy.applied[m] < 2 for m in faults) and time.monotonic() < deadline:
            worker.nudge()
            time.sleep(0.05)
        faulted = {mode: proxy.applied[mode] for mode in faults}
        proxy.mix(None)
        worker.sync_now()
        deadline = time.monotonic() + 180
        while kiosk.pending() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        assert worker.stop(15)
    print(f"faults injected while saving: {faulted}; requests passed: {proxy.applied['pass']}")
    assert all(count >= 2 for count in faulted.values()), faulted
    assert kiosk.pending() == 0
    assert kiosk.store.counts()["synced"] == RECORDS
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)
