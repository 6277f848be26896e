"""The background worker against a real server: nudges, timer, backoff, held records, config."""

from __future__ import annotations

import time

import pytest

from sync.problems import Backoff
from sync.worker import SyncWorker
from tests.sync.faultproxy import SLOW
from tests.sync.outbox import wait_for


@pytest.fixture
def make_worker(make_client):
    workers: list[SyncWorker] = []

    def make(**options) -> SyncWorker:
        options.setdefault("interval", 3600.0)  # only nudges and retries send, unless a test says
        options.setdefault("config_interval", 3600.0)
        options.setdefault("debounce", 0.05)
        options.setdefault("status_interval", 0.05)
        worker = SyncWorker(make_client(timeout=2.0), **options)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        assert worker.stop(10)


def test_worker_drains_at_start_and_after_each_nudge(kiosk, make_worker, proxy):
    kiosk.save(30)
    worker = make_worker()
    worker.start()
    wait_for(lambda: kiosk.pending() == 0)
    wait_for(lambda: worker.snapshot().pending == 0 and worker.snapshot().last_success_at)
    requests = proxy.applied["pass"]
    kiosk.save(5)
    worker.nudge()
    wait_for(lambda: kiosk.pending() == 0, 10)
    assert proxy.applied["pass"] == requests + 1  # one batch for the nudge, no busy polling
    snapshot = worker.snapshot()
    assert snapshot.running and snapshot.last_error is None
    assert worker.stop(10)
    assert not worker.snapshot().running


def test_a_nudge_during_a_drain_is_not_lost(kiosk, make_worker, proxy):
    worker = make_worker()  # the timer is an hour: only nudges send
    worker.start()
    wait_for(lambda: worker.snapshot().config_pulled_at is not None)
    kiosk.save(1)
    proxy.queue(SLOW)  # the next batch takes 0.5 s on the way
    worker.nudge()
    wait_for(lambda: proxy.applied[SLOW] == 1)
    kiosk.save(1)  # finished while that drain has already read the queue
    worker.nudge()
    wait_for(lambda: kiosk.pending() == 0, 10)


def test_timer_sends_without_a_nudge(kiosk, make_worker):
    worker = make_worker(interval=0.3)
    worker.start()
    time.sleep(0.1)
    kiosk.save(3)  # saved without a nudge: the timer must pick it up
    wait_for(lambda: kiosk.pending() == 0, 10)


def test_failures_back_off_with_jitter_and_success_resets(kiosk, make_worker, proxy):
    kiosk.save(10)
    proxy.mix({"http500": 1.0})
    worker = make_worker(backoff=Backoff(base=0.2, cap=0.8, random=lambda: 1.0))
    started = time.monotonic()
    worker.start()
    wait_for(lambda: proxy.applied["http500"] >= 6, 30)
    # No hot loop: six failed requests are one config pull (the next is a minute away) and at
    # least five drains, which the backoff spaces by 0.2 + 0.4 + 0.8 + 0.8 s at the least. A
    # lower bound only: a slow machine makes it longer, never shorter.
    assert time.monotonic() - started >= 2.2
    snapshot = worker.snapshot()
    assert snapshot.pending == 10 and "500" in snapshot.last_error and snapshot.held == 0
    assert 0 <= snapshot.next_attempt_in_seconds <= 0.8
    proxy.mix(None)
    wait_for(lambda: kiosk.pending() == 0, 10)
    wait_for(lambda: worker.snapshot().last_error is None, 5)
    assert worker.snapshot().failed_attempts == 0
    # After the success the backoff starts again from the base.
    proxy.mix({"http500": 1.0})
    kiosk.save(1)
    worker.nudge()
    first_failure = []
    wait_for(lambda: first_failure.append(worker.snapshot()) or first_failure[-1].failed_attempts)
    assert first_failure[-1].failed_attempts == 1  # not the 5+ of before: the count was reset
    assert first_failure[-1].next_attempt_in_seconds <= 0.2


def test_refused_records_wait_for_staff_sync_now(kiosk, make_worker, proxy):
    kiosk.save(1, kiosk_id="another-kiosk")  # the server refuses this record with a 422
    worker = make_worker(interval=0.1, backoff=Backoff(base=0.05, cap=0.1))
    drains = []  # the worker's drains as they happen (the real drain runs)
    drain_once = worker.client.drain_once
    worker.client.drain_once = lambda *a, **k: drains.append(1) or drain_once(*a, **k)
    worker.start()
    wait_for(lambda: worker.snapshot().held == 1)
    requests = proxy.applied["pass"]
    kiosk.save(3)
    worker.nudge()
    wait_for(lambda: kiosk.pending() == 1)  # the others are not stuck behind the refused one
    seen = len(drains)
    wait_for(lambda: len(drains) >= seen + 3)  # three more timer drains...
    assert proxy.applied["pass"] == requests + 1  # ...and none sent the held record again
    snapshot = worker.snapshot()
    assert snapshot.held == 1 and "422" in snapshot.held_error and snapshot.last_error is None
    worker.sync_now()
    wait_for(lambda: proxy.applied["pass"] >= requests + 2)
    wait_for(lambda: worker.snapshot().held == 1)
    assert kiosk.pending() == 1


def test_config_is_pulled_at_start_and_survives_a_restart_offline(kiosk, make_worker, proxy):
    worker = make_worker()
    worker.start()
    wait_for(lambda: kiosk.store.kiosk_config()[0] is not None)
    doc, etag = kiosk.store.kiosk_config()
    assert etag and "public_base_url" in doc
    wait_for(lambda: worker.snapshot().config_pulled_at is not None)
    assert worker.client.pull_config() is False  # If-None-Match: 304, nothing rewritten
    assert worker.stop(10)
    proxy.refuse(True)
    kiosk.reopen()
    assert kiosk.store.kiosk_config() == (doc, etag)


def test_config_version_counts_new_configs_only(kiosk, make_worker, server):
    from datetime import UTC, datetime

    from sqlalchemy import insert, update

    from sync.server.db.tables import themes

    worker = make_worker()
    worker.start()
    wait_for(lambda: worker.snapshot().config_version == 1)  # the pull at start stored one
    worker.sync_now()  # pulls again: unchanged (304), so the version stays
    pulled = worker.snapshot().config_pulled_at
    wait_for(lambda: worker.snapshot().config_pulled_at != pulled)
    assert worker.snapshot().config_version == 1
    with server._engine().begin() as conn:  # staff add a theme on the server
        theme = {"name_fi": "Uusi teema", "name_sv": "", "name_en": "", "sort_order": 99}
        theme["updated_at"] = datetime.now(UTC)
        conn.execute(insert(themes).values(id=f"uusi-{kiosk.kiosk_id}", active=True, **theme))
    try:
        worker.sync_now()
        wait_for(lambda: worker.snapshot().config_version == 2)
        doc, _etag = kiosk.store.kiosk_config()
        assert f"uusi-{kiosk.kiosk_id}" in {t["id"] for t in doc["themes"]}
    finally:
        with server._engine().begin() as conn:  # the server is shared by the sync tests
            conn.execute(
                update(themes).where(themes.c.id == f"uusi-{kiosk.kiosk_id}").values(active=False)
            )
