"""The kiosk side of issue 10: what its own store refuses never leaves it, and a batch the server
refuses (4xx) is held and reported once, never retried in a loop. Against the real server."""

from __future__ import annotations

import pytest

from sync.protocol import RecordValidationError
from tests.sync.outbox import make_record


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "9999-12-31T23:59:59Z"),
        ("created_at", "0999-06-01T00:00:00Z"),
        ("created_at", "2019-12-31T23:59:59Z"),
        ("follow_up_token", "A" * 65),
        ("event_id", "kayttajatori\n"),
    ],
)
def test_a_record_the_store_refuses_never_leaves_the_kiosk(kiosk, make_client, proxy, field, value):
    record = make_record(kiosk.kiosk_id)
    record[field] = value
    with pytest.raises(RecordValidationError) as caught:
        kiosk.store.save(record)
    assert [e.field for e in caught.value.errors] == [field]
    assert kiosk.pending() == 0
    client = make_client()
    assert client.drain_once().batches == ()
    assert proxy.applied.get("pass", 0) == 0


def test_a_token_of_another_visit_is_held_and_reported_not_retried(kiosk, make_client, proxy):
    first = kiosk.save(1, kind="rating")
    client = make_client()
    assert client.drain_once().acknowledged == 1
    # A second visit reusing the first visit's token: the store cannot know, the server refuses.
    kiosk.save(1, kind="story", follow_up_token=first[0]["follow_up_token"])
    report = client.drain_once()
    assert report.problem is None and report.held == 1
    (refused,) = [b for b in report.batches if b.problem is not None]
    assert refused.problem.status == 422 and refused.problem.records == (0,)
    status = client.status()
    assert status.held == 1 and "follow_up_token" in (status.held_error or "")
    requests = proxy.applied["pass"]
    assert client.drain_once().batches == () and proxy.applied["pass"] == requests
    assert kiosk.pending() == 1  # kept on the kiosk for staff, not lost
