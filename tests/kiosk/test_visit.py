"""kiosk.visit: the records of a visit share ids; a quick repeat is flagged, not dropped."""

from __future__ import annotations

import pytest

from kiosk.store import LocalStore
from kiosk.visit import RAPID_REPEAT_FLAG, VisitRecorder


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path):
    with LocalStore(tmp_path / "data") as store:
        yield store


def records(store):
    return store.pending(1000)


def test_three_steps_share_visit_and_token(store):
    rec = VisitRecorder(store, "k1", lambda: "ev-1", clock=FakeClock())
    rec.save_rating(4, "fi")
    rec.save_themes(["elinvoima", "nuoret"], "fi")
    rec.save_story("Tori eläväksi myös talvella", "fi", age_group="65-74", district="keskusta")
    saved = records(store)
    assert [r["kind"] for r in saved] == ["rating", "themes", "story"]
    assert len({r["visit_id"] for r in saved}) == 1
    assert len({r["follow_up_token"] for r in saved}) == 1
    assert saved[2]["theme_ids"] == ["elinvoima", "nuoret"]
    assert saved[2]["age_group"] == "65-74" and saved[2]["district"] == "keskusta"
    assert all(r["event_id"] == "ev-1" and r["kiosk_id"] == "k1" for r in saved)
    rec.end()
    rec.save_rating(1, "sv")
    assert records(store)[-1]["visit_id"] != saved[0]["visit_id"]


def test_face_within_three_seconds_of_a_visit_end_is_flagged(store):
    clock = FakeClock()
    rec = VisitRecorder(store, "k1", lambda: "ev-1", rapid_repeat_seconds=3, clock=clock)
    rec.save_rating(3, "fi")
    rec.end()
    clock.now += 2.5
    rec.save_rating(3, "fi")
    rec.save_themes(["nuoret"], "fi")
    rec.end()
    clock.now += 3.5
    rec.save_rating(2, "fi")
    saved = records(store)
    assert saved[0]["flags"] == []
    assert saved[1]["flags"] == [RAPID_REPEAT_FLAG]
    assert saved[2]["flags"] == [RAPID_REPEAT_FLAG]  # the whole quick visit carries it
    assert saved[3]["flags"] == []


def test_an_empty_visit_does_not_count_as_an_end(store):
    clock = FakeClock()
    rec = VisitRecorder(store, "k1", lambda: "ev-1", clock=clock)
    rec.visit()
    rec.end()  # looked at a screen, saved nothing
    clock.now += 1
    rec.save_rating(4, "en")
    assert records(store)[0]["flags"] == []


def test_a_failed_save_leaves_the_visit_without_that_record(store):
    rec = VisitRecorder(store, "k1", lambda: "ev-1")
    with pytest.raises(ValueError):
        rec.save_rating(5, "fi")  # no fifth face
    assert rec.visit().record_ids == []
    assert records(store) == []
