"""Hypothesis state machine: save / pending / mark_synced / close-and-reopen against a plain model.

The model is an ordered dict of pending records (save order) and a set of synced ids. The store
runs on a real folder with tiny segments, so segment roll-over, segment deletion and monthly
archive segments all happen within a few steps.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from kiosk.store import DuplicateRecordError, LocalStore, RecordValidationError
from sync.protocol import validate_record
from tests.store.records import make_record


class SmallStore(LocalStore):
    pending_segment_records = 3
    archive_segment_records = 4


def _files(folder: str) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            if name != "store.lock":
                with open(os.path.join(dirpath, name), "rb") as handle:
                    out[os.path.join(dirpath, name)] = handle.read()
    return out


# One broken field per entry: (field the error must name, how to break a valid record).
BREAKAGES = [
    ("rating", lambda r: {**r, "kind": "rating", "rating": 5, "theme_ids": [], "story": None}),
    ("lang", lambda r: {**r, "lang": "de"}),
    ("kind", lambda r: {**r, "kind": "poem"}),
    ("created_at", lambda r: {**r, "created_at": "yesterday"}),
    ("created_at", lambda r: {**r, "created_at": "2026-11-01T10:00:00+02:00"}),
    ("theme_ids", lambda r: {**r, "theme_ids": ["a", "b", "c", "d"]}),
    ("story", lambda r: {**r, "kind": "story", "rating": None, "story": "x" * 2001}),
    ("follow_up_token", lambda r: {**r, "follow_up_token": "short"}),
    ("id", lambda r: {**r, "id": "not-a-uuid"}),
    ("age_group", lambda r: {**r, "age_group": "teenager"}),
    ("kiosk_id", lambda r: {k: v for k, v in r.items() if k != "kiosk_id"}),
]

records = st.builds(
    lambda kind, days_ago, lang, story, age: make_record(
        kind=kind,
        days_ago=days_ago,
        lang=lang,
        age_group=age,
        **({"story": story} if kind == "story" else {}),
    ),
    kind=st.sampled_from(["rating", "themes", "story"]),
    days_ago=st.sampled_from([0, 1, 40, 70]),
    lang=st.sampled_from(["fi", "sv", "en"]),
    story=st.text(
        alphabet=st.characters(categories=["L", "N", "P", "Zs", "Cc"]), min_size=1, max_size=40
    ).map(lambda s: "Tarina: " + s),  # control characters are dropped by validation
    age=st.sampled_from([None, "18-29", "75+"]),
)


class StoreMachine(RuleBasedStateMachine):
    saved = Bundle("saved")

    def __init__(self) -> None:
        super().__init__()
        self.base = tempfile.mkdtemp(prefix="kt-store-stateful-")
        self.folder = os.path.join(self.base, "data")
        self.store = SmallStore(self.folder)
        self.pending: dict[str, dict[str, Any]] = {}  # save order
        self.synced: set[str] = set()

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.base, ignore_errors=True)

    @rule(target=saved, record=records)
    def save(self, record: dict[str, Any]) -> str:
        record_id = self.store.save(record)
        assert record_id not in self.pending and record_id not in self.synced
        self.pending[record_id] = validate_record({**record, "id": record_id})
        return record_id

    @rule(target=saved, record=records)
    def save_another(self, record: dict[str, Any]) -> str:
        return self.save(record)  # a second rule: saves are what a kiosk mostly does

    @rule(record=records, breakage=st.sampled_from(BREAKAGES))
    def save_invalid(self, record: dict[str, Any], breakage: Any) -> None:
        field, breaker = breakage
        before = _files(self.folder)
        with pytest.raises(RecordValidationError) as caught:
            self.store.save(breaker(record))
        assert field in [e.field for e in caught.value.errors], caught.value.errors
        assert field in str(caught.value)
        assert _files(self.folder) == before, "an invalid save wrote something"

    @rule(record_id=saved)
    def save_again(self, record_id: str) -> None:
        if record_id in self.pending:  # the same record again: idempotent, nothing written
            before = _files(self.folder)
            assert self.store.save(self.pending[record_id]) == record_id
            assert _files(self.folder) == before
        with pytest.raises(DuplicateRecordError):
            self.store.save(make_record(id=record_id))

    @rule(limit=st.integers(min_value=0, max_value=12))
    def pending_matches(self, limit: int) -> None:
        assert self.store.pending(limit) == list(self.pending.values())[:limit]

    @rule(
        picks=st.lists(st.sampled_from(range(12)), max_size=6),
        unknown=st.booleans(),
        known=st.lists(saved, max_size=3),
    )
    def mark_synced(self, picks: list[int], unknown: bool, known: list[str]) -> None:
        order = list(self.pending)
        ids = [order[i] for i in picks if i < len(order)] + known
        if unknown:
            ids.append(str(uuid.uuid4()))
        self.store.mark_synced(ids)
        for record_id in ids:
            if self.pending.pop(record_id, None) is not None:
                self.synced.add(record_id)

    @precondition(lambda self: self.pending)
    @rule()
    def sync_a_batch_like_the_client(self) -> None:
        batch = self.store.pending(limit=5)
        self.store.mark_synced([r["id"] for r in batch])
        for record in batch:
            del self.pending[record["id"]]
            self.synced.add(record["id"])

    @rule()
    def close_and_reopen(self) -> None:
        self.store.close()
        self.store = SmallStore(self.folder)

    # Hypothesis enables a random subset of rules per example (swarm testing); this composite
    # keeps "a restart, then the next visitor" common, since where that save goes is delicate.
    @rule(target=saved, record=records)
    def reopen_then_save(self, record: dict[str, Any]) -> str:
        self.close_and_reopen()
        return self.save(record)

    @invariant()
    def counts_match(self) -> None:
        counts = self.store.counts()
        assert counts["pending"] == len(self.pending)
        assert counts["synced"] == len(self.synced)
        oldest = min((r["created_at"] for r in self.pending.values()), default=None)
        assert counts["oldest_pending_created_at"] == oldest

    @invariant()
    def all_pending_in_save_order(self) -> None:
        assert self.store.pending(limit=1000) == list(self.pending.values())

    @invariant()
    def statuses_match(self) -> None:
        for record_id in list(self.pending)[:3]:
            assert self.store.status(record_id) == "pending"
        for record_id in list(self.synced)[:3]:
            assert self.store.status(record_id) == "synced"


StoreMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_store_against_model = StoreMachine.TestCase
