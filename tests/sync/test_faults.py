"""One network fault at a time between a kiosk and a real server; nothing lost, nothing doubled.

Every scenario: the kiosk saves records, the fault hits the first attempt, the records stay
pending (or, for faults after the server's commit, stay pending although the server has them),
and the next attempt delivers so that the server holds each record exactly once.
"""

from __future__ import annotations

import time

import pytest

from sync.client import SyncClient
from tests.sync.conftest import assert_server_holds_exactly


def _first_attempt_fails(kiosk, make_client, proxy, mode, kind):
    saved = kiosk.save(40)
    client = make_client(timeout=1.0)
    proxy.queue(mode)
    report = client.drain_once()
    assert proxy.applied[mode] == 1
    assert report.problem is not None and report.problem.kind == kind
    assert report.acknowledged == 0
    assert kiosk.pending() == 40  # nothing leaves pending without an acknowledgement
    return saved, client, report


def test_connection_refused_keeps_records_and_delivers_later(kiosk, make_client, proxy, server):
    saved = kiosk.save(25)
    client = make_client()
    proxy.refuse(True)
    report = client.drain_once()
    assert report.problem is not None and report.problem.kind == "network"
    assert kiosk.pending() == 25
    assert server.records(kiosk.kiosk_id) == []
    assert "could not be reached" in client.status().last_error
    proxy.refuse(False)
    report = client.drain_once()
    assert report.problem is None and report.acknowledged == 25
    assert kiosk.pending() == 0
    assert client.status().last_error is None
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


def test_reset_mid_request(kiosk, make_client, proxy, server):
    saved, client, _ = _first_attempt_fails(kiosk, make_client, proxy, "reset_mid", "network")
    assert server.records(kiosk.kiosk_id) == []  # half a request stores nothing
    report = client.drain_once()
    assert report.problem is None and report.acknowledged == 40
    assert kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


def test_lost_acknowledgement_is_resent_as_the_same_batch(kiosk, make_client, proxy, server):
    saved, client, failed = _first_attempt_fails(kiosk, make_client, proxy, "lost_ack", "network")
    assert len(server.records(kiosk.kiosk_id)) == 40  # the server committed before the reset
    report = client.drain_once()
    assert report.problem is None and report.acknowledged == 40
    assert report.batches[0].batch_id == failed.batches[0].batch_id  # a replay, not a new batch
    assert kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


def test_server_error_500(kiosk, make_client, proxy, server):
    saved, client, failed = _first_attempt_fails(kiosk, make_client, proxy, "http500", "server")
    assert failed.problem.status == 500 and not failed.problem.permanent
    report = client.drain_once()
    assert report.problem is None and kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


def test_stall_makes_the_client_time_out(kiosk, make_client, proxy, server):
    started = time.monotonic()
    saved, client, _ = _first_attempt_fails(kiosk, make_client, proxy, "stall", "timeout")
    assert time.monotonic() - started < proxy.stall_seconds / 2  # our timeout, not the stall's end
    report = client.drain_once()
    assert report.problem is None and kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


def test_duplicated_request_is_stored_once(kiosk, make_client, proxy, server):
    saved = kiosk.save(40)
    client = make_client()
    proxy.queue("duplicate")
    report = client.drain_once()
    assert proxy.applied["duplicate"] == 1
    assert report.problem is None and report.acknowledged == 40
    assert kiosk.pending() == 0
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)


@pytest.mark.parametrize("skew", [7200.0, -7200.0])
def test_kiosk_clock_two_hours_off_is_corrected_once(kiosk, make_client, proxy, server, skew):
    saved = kiosk.save(10)
    client = make_client(clock=lambda: time.time() + skew)
    report = client.drain_once()
    assert report.problem is None and report.acknowledged == 10
    assert proxy.applied["pass"] == 2  # the stale 401, then the corrected retry
    assert abs(client.clock_offset + skew) < 5
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)
    # The offset is durable: a restarted client signs right the first time.
    kiosk.save(1)
    again = make_client(clock=lambda: time.time() + skew)
    assert abs(again.clock_offset + skew) < 5
    assert again.drain_once().problem is None
    assert proxy.applied["pass"] == 3


def test_wrong_secret_is_not_mistaken_for_clock_skew(kiosk, make_client, proxy):
    kiosk.save(3)
    client = SyncClient(kiosk.store, proxy.url, kiosk.kiosk_id, "d3Jvbmctc2VjcmV0LXdyb25n")
    report = client.drain_once()
    client.close()
    assert report.problem.kind == "auth" and not report.problem.permanent
    assert proxy.applied["pass"] == 1  # no second try: the clocks agree
    assert kiosk.pending() == 3
    assert "signature" in client.status().last_error


def test_refused_records_are_held_and_the_others_still_flow(kiosk, make_client, proxy, server):
    good = kiosk.save(2)
    # A record naming another kiosk: the server refuses the batch with a 422 naming record 2.
    bad = kiosk.save(1, kiosk_id="some-other-kiosk")
    more = kiosk.save(2)
    client = make_client()
    report = client.drain_once()
    assert report.problem is None and report.held == 1
    refused = [b for b in report.batches if b.problem is not None]
    assert len(refused) == 1 and refused[0].problem.status == 422
    assert refused[0].problem.records == (2,)
    assert kiosk.pending() == 1 and kiosk.store.status(bad[0]["id"]) == "pending"
    assert_server_holds_exactly(server, kiosk.kiosk_id, good + more)
    status = client.status()
    assert (
        status.held == 1 and "422" in status.held_error and "some-other-kiosk" in status.held_error
    )
    # Not sent again by itself: no silent loop.
    requests = proxy.applied["pass"]
    assert client.drain_once().batches == () and proxy.applied["pass"] == requests
    # Held durably: a restarted client holds it too.
    again = make_client()
    assert again.status().held == 1 and again.drain_once().batches == ()
    # Staff's "sync now" sends it once more; still refused, still kept.
    assert again.release_held() == 1
    report = again.drain_once()
    assert len(report.batches) == 1 and report.held == 1 and kiosk.pending() == 1


def test_a_fault_mid_drain_keeps_earlier_acks_and_resends_the_same_batch(
    kiosk, make_client, proxy, server
):
    saved = kiosk.save(35)
    client = make_client(batch_size=10)  # four batches: 10, 10, 10, 5
    proxy.queue("pass", "pass", "lost_ack")
    report = client.drain_once()
    assert [b.problem is None for b in report.batches] == [True, True, False]
    assert kiosk.pending() == 15  # the two acknowledged batches are marked, nothing else
    assert len(server.records(kiosk.kiosk_id)) == 30  # the third reached the server
    report2 = client.drain_once()
    assert report2.problem is None and kiosk.pending() == 0
    assert report2.batches[0].batch_id == report.batches[2].batch_id
    assert (report2.batches[0].accepted + report2.batches[0].duplicates) == 10
    assert_server_holds_exactly(server, kiosk.kiosk_id, saved)
